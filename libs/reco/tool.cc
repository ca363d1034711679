#include "libs/reco/tool.h"

#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/reco/candor_reviews.h"
#include "libs/reco/item_content.h"
#include "libs/reco/split.h"

namespace candor::reco {

DataSource ToolDataFlags::Source() const {
  return DataSource{.beauty_dir = beauty, .amazon_json = amazon_json, .tsv = tsv, .pg_dsn = pg_dsn};
}

LoadOptions ToolDataFlags::Options() const {
  return LoadOptions{.lenient = lenient, .max_reasons = 5};
}

void AddSourceFlags(core::Flags& flags, ToolDataFlags& data) {
  flags.AddString("beauty", "", &data.beauty,
                  "folder with Beauty_item_org_rank.txt and Beauty_time_org_rank.txt");
  flags.AddString("amazon-json", "", &data.amazon_json,
                  "Amazon 2014 JSON-lines review file, plain or .gz");
  flags.AddString("tsv", "", &data.tsv, "tab-separated `user item rating unix_time`, plain or .gz");
  flags.AddString("pg-dsn", "", &data.pg_dsn,
                  "Candor's own active reviews in Postgres (user, product, rating, time), e.g. "
                  "postgresql://postgres@127.0.0.1:5440/candor");
}

void AddSplitFlags(core::Flags& flags, ToolDataFlags& data) {
  flags.AddString("split-mode", "", &data.split_mode,
                  "leave-one-out (per user: last item test, the one before validation) or time "
                  "(global cutoffs at --time-quantiles of all interaction times; no later event "
                  "in train)");
  flags.AddString("time-quantiles", "", &data.time_quantiles,
                  "--split-mode time: VALIDATION,TEST quantiles of all interaction times; train = "
                  "events before the first, targets = each user's first event after each");
}

void AddLenientFlag(core::Flags& flags, ToolDataFlags& data) {
  flags.AddBool("lenient", "", &data.lenient,
                "skip bad lines (counted, the first reasons printed) instead of failing");
}

int ParseToolFlags(core::Flags& flags, std::string_view program, int argc, char** argv,
                   std::ostream& err) {
  if (const int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (!flags.positional().empty()) {
    err << program << ": unexpected argument '" << flags.positional()[0] << "' (see --help)\n";
    return kToolUsage;
  }
  return -1;
}

int RunTool(core::Flags& flags, std::string_view program, int argc, char** argv, std::ostream& err,
            const std::function<int()>& run) {
  if (const int rc = ParseToolFlags(flags, program, argc, argv, err); rc >= 0) return rc;
  return run();
}

int ToolFailure(std::string_view program, absl::string_view message, std::ostream& err) {
  err << program << ": " << message << "\n";
  return kToolFailed;
}

int ValidateDataFlags(const ToolDataFlags& data, std::string_view program, std::ostream& err) {
  if (absl::Status v = ValidateDataSource(data.Source()); !v.ok()) {
    err << program << ": " << v.message() << " (see --help)\n";
    return kToolUsage;
  }
  if (absl::Status v = ValidateSplitFlags(data.split_mode, data.time_quantiles); !v.ok()) {
    err << program << ": " << v.message() << "\n";
    return kToolUsage;
  }
  return -1;
}

int LoadForTool(const ToolDataFlags& data, std::string_view program, std::ostream& err,
                ToolData* out) {
  const auto start = std::chrono::steady_clock::now();
  LoadReport report;
  absl::StatusOr<InteractionLog> log = LoadSource(data.Source(), data.Options(), &report, &err);
  if (absl::IsNotFound(log.status())) {
    err << program << ": skipped: " << log.status().message()
        << " (the data is absent; the shared data folder is ../shared/data)\n";
    return kToolUsage;
  }
  if (!log.ok()) return ToolFailure(program, log.status().message(), err);
  err << absl::StrFormat(
      "load: %s: %d interactions, %d users, %d items (%d lines, %d skipped) in %.2f s\n",
      report.source, report.interactions, log->num_users(), log->num_items(), report.lines,
      report.skipped, SecondsSince(start));
  for (const std::string& reason : report.reasons) err << "  skipped: " << reason << "\n";
  out->log = *std::move(log);
  out->report = std::move(report);
  return -1;
}

int SplitForTool(const ToolDataFlags& data, const InteractionLog& log, std::string_view program,
                 std::ostream& err, LeaveOneOutSplit* out) {
  absl::StatusOr<LeaveOneOutSplit> split =
      SplitFromFlags(log, data.split_mode, data.time_quantiles);
  if (!split.ok()) return ToolFailure(program, split.status().message(), err);
  err << "split: " << DescribeSplit(*split) << "\n";
  *out = *std::move(split);
  return -1;
}

int LoadTrainerInput(const ToolDataFlags& flags, const std::string& content_path,
                     int64_t content_buckets, std::string_view program, std::ostream& err,
                     TrainerInput* out) {
  if (const int rc = LoadForTool(flags, program, err, &out->data); rc >= 0) return rc;
  out->checksum = DataChecksum(out->data.log);
  if (const int rc = LoadContentForTool(content_path, content_buckets, flags, out->data, program,
                                        err, &out->content);
      rc >= 0) {
    return rc;
  }
  return SplitForTool(flags, out->data.log, program, err, &out->split);
}

int LoadContentForTool(const std::string& path, int64_t buckets, const ToolDataFlags& flags,
                       const ToolData& data, std::string_view program, std::ostream& err,
                       ToolContent* out) {
  if (path.empty()) return -1;
  LoadReport report;
  int64_t unknown = 0;
  absl::StatusOr<std::vector<std::vector<int32_t>>> tokens = LoadItemContent(
      path, data.log, static_cast<int32_t>(buckets), flags.Options(), &report, &unknown);
  if (!tokens.ok()) return ToolFailure(program, tokens.status().message(), err);
  out->tokens = *std::move(tokens);
  out->described = 0;
  for (const auto& t : out->tokens) out->described += t.empty() ? 0 : 1;
  err << absl::StrFormat(
      "content: %s: %d of %d items have tokens (%d buckets); %d lines name items not in the "
      "data, %d skipped\n",
      path, out->described, data.log.num_items(), buckets, unknown, report.skipped);
  return -1;
}

nlohmann::json DataJson(const ToolData& data, const std::string& checksum,
                        const std::string& content, int64_t items_with_content) {
  return {{"source", data.report.source},
          {"checksum", checksum},
          {"interactions", data.report.interactions},
          {"users", data.log.num_users()},
          {"items", data.log.num_items()},
          {"skipped_lines", data.report.skipped},
          {"content", content},
          {"items_with_content", items_with_content}};
}

nlohmann::json EvalResultJson(const EvalResult& r) {
  nlohmann::json j = {
      {"model", r.model}, {"protocol", r.protocol}, {"split", HoldoutName(r.holdout)},
      {"users", r.users}, {"items", r.items},       {"seconds", r.seconds}};
  for (std::size_t c = 0; c < r.cutoffs.size(); ++c) {
    j[absl::StrCat("hr@", r.cutoffs[c])] = r.hit[c];
    j[absl::StrCat("ndcg@", r.cutoffs[c])] = r.ndcg[c];
  }
  return j;
}

std::string ResultRow(const EvalResult& r, std::string_view model) {
  return absl::StrFormat("| %s | %s | %s | %d | %.4f | %.4f | %.4f | %.4f |",
                         model.empty() ? std::string_view(r.model) : model, r.protocol,
                         HoldoutName(r.holdout), r.users, r.hit[0], r.ndcg[0], r.hit[1], r.ndcg[1]);
}

std::string FullRankingNote(int32_t items) {
  return absl::StrCat("Ranked against all ", items,
                      " items; HR and NDCG with tied scores in expectation.\n\n");
}

int WriteJsonReport(const nlohmann::json& j, const std::string& path, std::string_view program,
                    std::ostream& err) {
  if (path.empty()) return 0;
  std::ofstream file(path);
  file << j.dump(2) << "\n";
  file.close();
  if (!file) return ToolFailure(program, absl::StrCat("cannot write ", path), err);
  err << "wrote " << path << "\n";
  return 0;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace candor::reco
