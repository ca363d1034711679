// candor-reco-train: trains the two-tower retrieval model (libs/reco/two_tower_trainer.h) with
// libtorch on the train part of a leave-one-out split, picks the epoch with the best validation
// NDCG@10, evaluates it on the test split with the exported plain-C++ model (what serving runs)
// and writes the model file (libs/reco/two_tower.h) with its metadata. See README.md.

#include <chrono>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/flags.h"
#include "libs/reco/candor_reviews.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/item_content.h"
#include "libs/reco/loaders.h"
#include "libs/reco/split.h"
#include "libs/reco/two_tower.h"
#include "libs/reco/two_tower_trainer.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;  // also: the data is absent (as candor-reco-eval)

struct Settings {
  std::string beauty;
  std::string amazon_json;
  std::string tsv;
  std::string pg_dsn;
  std::string item_content;
  std::string out;
  std::string split_mode = "leave-one-out";
  std::string time_quantiles = "0.9,0.95";
  std::string report;
  bool lenient = false;
  int64_t dim = 64;
  int64_t hidden = 128;
  int64_t history = 20;
  double temperature = 0.1;
  int64_t batch = 256;
  double learning_rate = 1e-3;
  double weight_decay = 0;
  int64_t epochs = 10;
  int64_t patience = 0;
  bool no_logq = false;
  int64_t content_buckets = 16384;
  int64_t seed = 1;
  int64_t threads = 1;
  bool no_test = false;
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& what) {
  std::cerr << "candor-reco-train: " << what << "\n";
  return kFailed;
}

nlohmann::json ResultJson(const EvalResult& r) {
  nlohmann::json j = {
      {"model", r.model}, {"protocol", r.protocol}, {"split", HoldoutName(r.holdout)},
      {"users", r.users}, {"items", r.items},       {"seconds", r.seconds}};
  for (std::size_t c = 0; c < r.cutoffs.size(); ++c) {
    j[absl::StrCat("hr@", r.cutoffs[c])] = r.hit[c];
    j[absl::StrCat("ndcg@", r.cutoffs[c])] = r.ndcg[c];
  }
  return j;
}

int Run(const Settings& s) {
  // 1. Which data.
  const DataSource source{
      .beauty_dir = s.beauty, .amazon_json = s.amazon_json, .tsv = s.tsv, .pg_dsn = s.pg_dsn};
  if (absl::Status v = ValidateDataSource(source); !v.ok()) {
    std::cerr << "candor-reco-train: " << v.message() << " (see --help)\n";
    return kUsage;
  }
  if (absl::Status v = ValidateSplitFlags(s.split_mode, s.time_quantiles); !v.ok()) {
    std::cerr << "candor-reco-train: " << v.message() << "\n";
    return kUsage;
  }
  if (s.out.empty()) {
    std::cerr << "candor-reco-train: --out is required (the model file to write)\n";
    return kUsage;
  }

  // 2. Load and split.
  auto start = std::chrono::steady_clock::now();
  const LoadOptions load_options{.lenient = s.lenient, .max_reasons = 5};
  LoadReport report;
  absl::StatusOr<InteractionLog> log = LoadSource(source, load_options, &report, &std::cerr);
  if (absl::IsNotFound(log.status())) {
    std::cerr << "candor-reco-train: skipped: " << log.status().message()
              << " (the data is absent; the shared data folder is ../shared/data)\n";
    return kUsage;
  }
  if (!log.ok()) return Fail(std::string(log.status().message()));
  std::cerr << absl::StrFormat(
      "load: %s: %d interactions, %d users, %d items (%d lines, %d skipped) in %.2f s\n",
      report.source, report.interactions, log->num_users(), log->num_items(), report.lines,
      report.skipped, Since(start));
  for (const std::string& reason : report.reasons) std::cerr << "  skipped: " << reason << "\n";
  const std::string checksum = DataChecksum(*log);

  std::vector<std::vector<int32_t>> tokens;
  int64_t described = 0;
  if (!s.item_content.empty()) {
    LoadReport content_report;
    int64_t unknown = 0;
    absl::StatusOr<std::vector<std::vector<int32_t>>> loaded =
        LoadItemContent(s.item_content, *log, static_cast<int32_t>(s.content_buckets), load_options,
                        &content_report, &unknown);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    tokens = *std::move(loaded);
    for (const auto& t : tokens) described += t.empty() ? 0 : 1;
    std::cerr << absl::StrFormat(
        "content: %s: %d of %d items have tokens (%d buckets); %d lines name items not in the "
        "data, %d skipped\n",
        s.item_content, described, log->num_items(), s.content_buckets, unknown,
        content_report.skipped);
  }

  absl::StatusOr<LeaveOneOutSplit> split = SplitFromFlags(*log, s.split_mode, s.time_quantiles);
  if (!split.ok()) return Fail(std::string(split.status().message()));
  std::cerr << "split: " << DescribeSplit(*split) << "\n";

  // 3. Train, evaluating every epoch on the validation split with the exported model.
  const TwoTowerOptions options{
      .dim = static_cast<int>(s.dim),
      .hidden = static_cast<int>(s.hidden),
      .history = static_cast<int>(s.history),
      .temperature = s.temperature,
      .batch = static_cast<int>(s.batch),
      .learning_rate = s.learning_rate,
      .weight_decay = s.weight_decay,
      .logq = !s.no_logq,
      .content_buckets = tokens.empty() ? 0 : static_cast<int>(s.content_buckets),
      .seed = static_cast<uint64_t>(s.seed),
      .threads = static_cast<int>(s.threads)};
  std::vector<std::string> item_ids;
  item_ids.reserve(static_cast<std::size_t>(log->num_items()));
  for (int32_t i = 0; i < log->num_items(); ++i) item_ids.push_back(log->ItemId(i));
  absl::StatusOr<std::unique_ptr<TwoTowerTrainer>> trainer =
      TwoTowerTrainer::Create(options, split->train, std::move(item_ids), std::move(tokens));
  if (!trainer.ok()) return Fail(std::string(trainer.status().message()));
  std::cerr << absl::StrFormat(
      "train: %d examples; dim %d, hidden %d, history %d, temperature %g, batch %d, lr %g, "
      "logQ %s, seed %d, %d thread(s)\n",
      (*trainer)->examples(), s.dim, s.hidden, s.history, s.temperature, s.batch, s.learning_rate,
      s.no_logq ? "off" : "on", s.seed, s.threads);

  EvalOptions eval_options;
  eval_options.cutoffs = {10, 20};
  nlohmann::json epochs = nlohmann::json::array();
  std::optional<TwoTowerWeights> best;
  EvalResult best_validation;
  int best_epoch = 0;
  double train_seconds = 0;
  for (int64_t epoch = 1; epoch <= s.epochs; ++epoch) {
    const EpochStats stats = (*trainer)->RunEpoch();
    train_seconds += stats.seconds;
    TwoTowerWeights weights = (*trainer)->Export();
    TwoTowerModel model(weights);
    if (absl::Status fit = model.Fit(split->train); !fit.ok()) {
      return Fail(std::string(fit.message()));
    }
    const EvalResult v = Evaluate(model, *split, Holdout::kValidation, eval_options);
    std::cerr << absl::StrFormat(
        "epoch %d/%d: loss %.4f, %d examples, %.1f s; validation HR@10 %.4f NDCG@10 %.4f (%.1f "
        "s)\n",
        stats.epoch, s.epochs, stats.loss, stats.examples, stats.seconds, v.hit[0], v.ndcg[0],
        v.seconds);
    nlohmann::json e = {{"epoch", stats.epoch},
                        {"loss", stats.loss},
                        {"seconds", stats.seconds},
                        {"validation", ResultJson(v)}};
    epochs.push_back(e);
    if (!best || v.ndcg[0] > best_validation.ndcg[0]) {
      best = std::move(weights);
      best_validation = v;
      best_epoch = stats.epoch;
    } else if (s.patience > 0 && stats.epoch - best_epoch >= s.patience) {
      std::cerr << absl::StrFormat("early stop: no better validation NDCG@10 in %d epochs\n",
                                   s.patience);
      break;
    }
  }
  std::cerr << absl::StrFormat("train: %.1f s; best epoch %d (validation NDCG@10 %.4f)\n",
                               train_seconds, best_epoch, best_validation.ndcg[0]);

  // 4. The test split, once, with the chosen epoch's exported model.
  nlohmann::json meta = {{"trainer", "candor-reco-train"},
                         {"data",
                          {{"source", report.source},
                           {"checksum", checksum},
                           {"interactions", report.interactions},
                           {"users", log->num_users()},
                           {"items", log->num_items()},
                           {"skipped_lines", report.skipped},
                           {"content", s.item_content},
                           {"items_with_content", described}}},
                         {"options",
                          {{"dim", s.dim},
                           {"hidden", s.hidden},
                           {"history", s.history},
                           {"temperature", s.temperature},
                           {"batch", s.batch},
                           {"learning_rate", s.learning_rate},
                           {"weight_decay", s.weight_decay},
                           {"logq", !s.no_logq},
                           {"content_buckets", options.content_buckets},
                           {"epochs", s.epochs},
                           {"patience", s.patience},
                           {"threads", s.threads}}},
                         {"seed", s.seed},
                         {"epochs_run", epochs.size()},
                         {"best_epoch", best_epoch},
                         {"train_seconds", train_seconds},
                         {"examples", (*trainer)->examples()},
                         {"split", DescribeSplit(*split)},
                         {"epoch_log", epochs},
                         {"validation", ResultJson(best_validation)}};
  TwoTowerModel model(*best);
  if (!s.no_test) {
    const EvalResult t = Evaluate(model, *split, Holdout::kTest, eval_options);
    meta["test"] = ResultJson(t);
    std::cout << "| model | protocol | split | users | HR@10 | NDCG@10 | HR@20 | NDCG@20 |\n"
              << "|---|---|---|---|---|---|---|---|\n";
    for (const EvalResult* r : std::initializer_list<const EvalResult*>{&best_validation, &t}) {
      std::cout << absl::StrFormat(
          "| twotower(epoch %d) | %s | %s | %d | %.4f | %.4f | %.4f | %.4f |\n", best_epoch,
          r->protocol, HoldoutName(r->holdout), r->users, r->hit[0], r->ndcg[0], r->hit[1],
          r->ndcg[1]);
    }
  }
  if (absl::Status w = WriteTwoTower(s.out, *best, meta); !w.ok()) {
    return Fail(std::string(w.message()));
  }
  std::cerr << "wrote " << s.out << "\n";
  if (!s.report.empty()) {
    std::ofstream file(s.report);
    file << meta.dump(2) << "\n";
    file.close();
    if (!file) return Fail(absl::StrCat("cannot write ", s.report));
    std::cerr << "wrote " << s.report << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace candor::reco

int main(int argc, char** argv) {
  candor::reco::Settings s;
  candor::core::Flags flags(
      "candor-reco-train",
      "Trains the two-tower retrieval model (README.md) with libtorch on the CPU. Loads one\n"
      "data set, splits it leave-one-out per user (last item = test, the one before =\n"
      "validation, the rest = train), trains on the train part only (each item predicted\n"
      "from the items before it), evaluates every epoch on the validation split and keeps\n"
      "the best epoch, ranks each user's test item against ALL items with the history\n"
      "masked, and writes the model file (item vectors + user tower weights + metadata;\n"
      "runs without libtorch: libs/reco/two_tower.h). Table on stdout, progress on stderr.\n"
      "Same --seed and --threads 1: the same model. Exit 0 on success, 1 on a failure (bad\n"
      "data: file:line and the reason), 2 on bad usage or when the data is absent.");
  flags.AddString("beauty", "", &s.beauty,
                  "folder with Beauty_item_org_rank.txt and Beauty_time_org_rank.txt");
  flags.AddString("amazon-json", "", &s.amazon_json,
                  "Amazon 2014 JSON-lines review file, plain or .gz");
  flags.AddString("tsv", "", &s.tsv, "tab-separated `user item rating unix_time`, plain or .gz");
  flags.AddString("pg-dsn", "", &s.pg_dsn,
                  "Candor's own active reviews in Postgres (user, product, rating, time), e.g. "
                  "postgresql://postgres@127.0.0.1:5440/candor");
  flags.AddString("item-content", "", &s.item_content,
                  "optional tab-separated `item text` (title, categories): hashed content tokens "
                  "for the item tower");
  flags.AddString("out", "", &s.out, "the model file to write (required)");
  flags.AddString("report", "", &s.report, "also write the metadata and evaluation as JSON");
  flags.AddBool("lenient", "", &s.lenient,
                "skip bad lines (counted, the first reasons printed) instead of failing");
  flags.AddInt("dim", "", &s.dim, "embedding width", 2, 1024);
  flags.AddInt("hidden", "", &s.hidden, "towers' MLP hidden width", 1, 4096);
  flags.AddInt("history", "", &s.history, "newest history items the user tower reads", 1, 1000);
  flags.AddDouble("temperature", "", &s.temperature, "softmax temperature", 0.001, 10);
  flags.AddInt("batch", "", &s.batch, "examples per step (in-batch negatives)", 2, 65536);
  flags.AddDouble("lr", "", &s.learning_rate, "Adam learning rate", 1e-6, 1);
  flags.AddDouble("weight-decay", "", &s.weight_decay, "Adam L2 weight decay", 0, 1);
  flags.AddInt("epochs", "", &s.epochs, "training epochs (at most)", 1, 1000);
  flags.AddInt("patience", "", &s.patience,
               "stop after this many epochs without a better validation NDCG@10 (0: never)", 0,
               1000);
  flags.AddBool("no-logq", "", &s.no_logq, "no sampling-bias (logQ) correction");
  flags.AddInt("content-buckets", "", &s.content_buckets,
               "hash buckets of content tokens, with --item-content", 1, 1 << 24);
  flags.AddInt("seed", "", &s.seed, "seed of the initial weights and the example order", 0,
               int64_t{1} << 62);
  flags.AddInt("threads", "", &s.threads, "libtorch threads (1: reproducible bit for bit)", 1, 256);
  flags.AddString("split-mode", "", &s.split_mode,
                  "leave-one-out (per user: last item test, the one before validation) or time "
                  "(global cutoffs at --time-quantiles of all interaction times; no later event "
                  "in train)");
  flags.AddString("time-quantiles", "", &s.time_quantiles,
                  "--split-mode time: VALIDATION,TEST quantiles of all interaction times; train = "
                  "events before the first, targets = each user's first event after each");
  flags.AddBool("no-test", "", &s.no_test, "skip the test-split evaluation");
  if (const int rc = candor::core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (!flags.positional().empty()) {
    std::cerr << "candor-reco-train: unexpected argument '" << flags.positional()[0]
              << "' (see --help)\n";
    return 2;
  }
  return candor::reco::Run(s);
}
