#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/core/flags.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/interactions.h"
#include "libs/reco/loaders.h"
#include "libs/reco/split.h"
#include "nlohmann/json.hpp"

// What the offline recommendation tools (candor-reco-eval, candor-reco-train and
// candor-reco-rank-train) share, so that each says it once: the data flags, the load with its
// progress line and exit codes, the result table and the JSON they write. Target
// candor::reco_tool (README.md, "The tools' shared part"). Not for services: it prints to the
// streams it is given and speaks in exit codes.
namespace candor::reco {

// The tools' exit codes, as candor-fraud-train's: 0 success, kToolFailed a failure (bad data:
// file:line and the reason), kToolUsage bad usage or the data absent (a clear skip).
inline constexpr int kToolFailed = 1;
inline constexpr int kToolUsage = 2;

// The data flags every tool takes: one source, the split, lenient loading.
struct ToolDataFlags {
  std::string beauty;
  std::string amazon_json;
  std::string tsv;
  std::string pg_dsn;
  std::string split_mode = "leave-one-out";
  std::string time_quantiles = "0.9,0.95";
  bool lenient = false;

  DataSource Source() const;
  LoadOptions Options() const;  // lenient as flagged, the first 5 reasons kept
};

// Registers --beauty, --amazon-json, --tsv and --pg-dsn on `flags`, in that order (the tools'
// --help lists them first). `data` must outlive the parse.
void AddSourceFlags(core::Flags& flags, ToolDataFlags& data);
// Registers --split-mode and --time-quantiles.
void AddSplitFlags(core::Flags& flags, ToolDataFlags& data);
// Registers --lenient.
void AddLenientFlag(core::Flags& flags, ToolDataFlags& data);

// core::ParseOrExit, then no positional argument: -1 to go on, else the exit code (0 after
// --help; kToolUsage with "<program>: unexpected argument '...' (see --help)" on `err`).
int ParseToolFlags(core::Flags& flags, std::string_view program, int argc, char** argv,
                   std::ostream& err);

// The end of each tool's main: ParseToolFlags, then `run` when the flags say go on. The exit code
// of whichever stopped first.
int RunTool(core::Flags& flags, std::string_view program, int argc, char** argv, std::ostream& err,
            const std::function<int()>& run);

// Prints "<program>: <message>" on `err` and returns kToolFailed: every failure line the tools and
// the functions below print.
int ToolFailure(std::string_view program, absl::string_view message, std::ostream& err);

// Checks the source and split flags before anything is read: -1 when they are good, else
// kToolUsage with "<program>: <problem>" on `err`.
int ValidateDataFlags(const ToolDataFlags& data, std::string_view program, std::ostream& err);

// What a tool loaded.
struct ToolData {
  InteractionLog log;
  LoadReport report;
};

// Loads the flagged source (LoadSource; its progress on `err`), then prints the load line
// ("load: <source>: N interactions, U users, I items (L lines, S skipped) in T s") and the
// skipped reasons. -1 when loaded, with `out` filled; kToolUsage when the data is absent
// (NotFound: "<program>: skipped: ..."); kToolFailed on any other error ("<program>: <message>").
int LoadForTool(const ToolDataFlags& data, std::string_view program, std::ostream& err,
                ToolData* out);

// Splits `log` as the split flags say (SplitFromFlags) and prints "split: <DescribeSplit>" on
// `err`. -1 when split, with `out` filled; kToolFailed with "<program>: <message>" on an error.
int SplitForTool(const ToolDataFlags& data, const InteractionLog& log, std::string_view program,
                 std::ostream& err, LeaveOneOutSplit* out);

// The item content a trainer was given (--item-content): each item's hashed tokens, none when no
// file was named, and how many items have any.
struct ToolContent {
  std::vector<std::vector<int32_t>> tokens;
  int64_t described = 0;
};

// Loads `path` for `data.log` (LoadItemContent into `buckets` buckets, lenient as `flags` say) and
// prints "content: <path>: D of N items have tokens (B buckets); U lines name items not in the
// data, S skipped" on `err`. -1 when loaded, or at once when `path` is empty; kToolFailed with
// "<program>: <message>" on an error.
int LoadContentForTool(const std::string& path, int64_t buckets, const ToolDataFlags& flags,
                       const ToolData& data, std::string_view program, std::ostream& err,
                       ToolContent* out);

// What a trainer (candor-reco-train, candor-reco-rank-train) starts from: the data, its
// checksum, the item content and the split.
struct TrainerInput {
  ToolData data;
  std::string checksum;  // DataChecksum of data.log
  ToolContent content;
  LeaveOneOutSplit split;
};

// LoadForTool, DataChecksum, LoadContentForTool (`content_path`, `content_buckets`) and
// SplitForTool, in that order, each printing what it prints alone: -1 when all went well, with
// `out` filled; else the first exit code.
int LoadTrainerInput(const ToolDataFlags& flags, const std::string& content_path,
                     int64_t content_buckets, std::string_view program, std::ostream& err,
                     TrainerInput* out);

// The "data" object of a trained model's metadata: where the interactions came from, their
// checksum and counts, and the item content file with how many items it describes.
nlohmann::json DataJson(const ToolData& data, const std::string& checksum,
                        const std::string& content, int64_t items_with_content);

// One evaluation as JSON: model, protocol, split, users, items, seconds, hr@k and ndcg@k.
nlohmann::json EvalResultJson(const EvalResult& r);

// The results table: kResultTableHeader, then one ResultRow per model (without a newline).
// `model` replaces r.model in the first column when not empty.
inline constexpr char kResultTableHeader[] =
    "| model | protocol | split | users | HR@10 | NDCG@10 | HR@20 | NDCG@20 |\n"
    "|---|---|---|---|---|---|---|---|\n";
std::string ResultRow(const EvalResult& r, std::string_view model = {});
// The line above a table of full rankings over `items` items, with the blank line after it.
std::string FullRankingNote(int32_t items);

// Writes `j` (indented, a newline after) to `path` and "wrote <path>" on `err`: 0, or
// kToolFailed with "<program>: cannot write <path>". Nothing and 0 when `path` is empty.
int WriteJsonReport(const nlohmann::json& j, const std::string& path, std::string_view program,
                    std::ostream& err);

// Seconds since `start` on the steady clock, for the progress lines.
double SecondsSince(std::chrono::steady_clock::time_point start);

}  // namespace candor::reco
