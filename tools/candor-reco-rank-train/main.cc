// candor-reco-rank-train: trains the XGBoost learning-to-rank stage of the recommendation funnel
// (libs/reco/ltr_train.h) over a two-tower model's candidates. Examples come from the validation
// step of a leave-one-out split (history = each user's train part, label = their validation
// item); no test item is read until the model is written, when the funnel is evaluated once on
// the test split. See README.md.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/core/flags.h"
#include "libs/reco/candor_reviews.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/funnel.h"
#include "libs/reco/item_content.h"
#include "libs/reco/loaders.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/ltr_train.h"
#include "libs/reco/rank_features.h"
#include "libs/reco/split.h"
#include "libs/reco/two_tower.h"
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
  std::string twotower_model;
  std::string out;
  std::string split_mode = "leave-one-out";
  std::string time_quantiles = "0.9,0.95";
  std::string report;
  bool lenient = false;
  int64_t content_buckets = 16384;
  int64_t candidates = 200;
  int64_t window_days = 30;
  double valid_fraction = 0.1;
  std::string objective = "rank:ndcg";
  int64_t max_depth = 6;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample = 0.8;
  double min_child_weight = 1;
  int64_t rounds = 500;
  int64_t early_stop = 40;
  int64_t threads = 2;
  int64_t seed = 1;
  bool no_test = false;
  std::string mask_features;
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& what) {
  std::cerr << "candor-reco-rank-train: " << what << "\n";
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

std::string Row(const EvalResult& r) {
  return absl::StrFormat("| %s | %s | %s | %d | %.4f | %.4f | %.4f | %.4f |", r.model, r.protocol,
                         HoldoutName(r.holdout), r.users, r.hit[0], r.ndcg[0], r.hit[1], r.ndcg[1]);
}

int Run(const Settings& s) {
  // 1. Which data, which tower.
  const DataSource source{
      .beauty_dir = s.beauty, .amazon_json = s.amazon_json, .tsv = s.tsv, .pg_dsn = s.pg_dsn};
  if (absl::Status v = ValidateDataSource(source); !v.ok()) {
    std::cerr << "candor-reco-rank-train: " << v.message() << " (see --help)\n";
    return kUsage;
  }
  if (absl::Status v = ValidateSplitFlags(s.split_mode, s.time_quantiles); !v.ok()) {
    std::cerr << "candor-reco-rank-train: " << v.message() << "\n";
    return kUsage;
  }
  if (s.out.empty() || s.twotower_model.empty()) {
    std::cerr << "candor-reco-rank-train: --out (the ranker to write) and --twotower-model (the "
                 "retrieval model, candor-reco-train's file) are required\n";
    return kUsage;
  }

  // 2. Load and split.
  auto start = std::chrono::steady_clock::now();
  const LoadOptions load_options{.lenient = s.lenient, .max_reasons = 5};
  LoadReport report;
  absl::StatusOr<InteractionLog> log = LoadSource(source, load_options, &report, &std::cerr);
  if (absl::IsNotFound(log.status())) {
    std::cerr << "candor-reco-rank-train: skipped: " << log.status().message()
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
    std::cerr << absl::StrFormat("content: %s: %d of %d items have tokens\n", s.item_content,
                                 described, log->num_items());
  }

  absl::StatusOr<LeaveOneOutSplit> split = SplitFromFlags(*log, s.split_mode, s.time_quantiles);
  if (!split.ok()) return Fail(std::string(split.status().message()));
  std::cerr << "split: " << DescribeSplit(*split) << "\n";

  absl::StatusOr<LoadedTwoTower> loaded = ReadTwoTower(s.twotower_model);
  if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
  TwoTowerModel tower(std::move(loaded->weights));
  const int64_t known = tower.Bind(*log);
  std::cerr << absl::StrFormat("twotower: %s knows %d of the data's %d items\n", s.twotower_model,
                               known, log->num_items());
  if (absl::Status fit = tower.Fit(split->train); !fit.ok())
    return Fail(std::string(fit.message()));

  // 3. The features' data: the train part only.
  start = std::chrono::steady_clock::now();
  absl::StatusOr<MemoryFeatureSource> features =
      TrainFeatureSource(*log, *split, std::move(tokens), s.window_days * 86400);
  if (!features.ok()) return Fail(std::string(features.status().message()));
  std::cerr << absl::StrFormat("features: %s, built from the train part in %.2f s\n",
                               kRankFeaturesVersion, Since(start));

  // 4. Users: a seeded shuffle puts valid_fraction of them aside for early stopping.
  std::vector<int32_t> users = split->Users(Holdout::kValidation);
  std::mt19937_64 rng(static_cast<uint64_t>(s.seed));
  std::shuffle(users.begin(), users.end(), rng);
  const auto held = static_cast<std::size_t>(
      std::max<double>(1, s.valid_fraction * static_cast<double>(users.size())));
  if (held >= users.size()) {
    return Fail(
        absl::StrCat("--valid-fraction leaves no training user (", users.size(), " users)"));
  }
  std::vector<int32_t> valid_users(users.begin(),
                                   users.begin() + static_cast<std::ptrdiff_t>(held));
  std::vector<int32_t> train_users(users.begin() + static_cast<std::ptrdiff_t>(held), users.end());
  std::sort(valid_users.begin(), valid_users.end());
  std::sort(train_users.begin(), train_users.end());

  // 5. Examples at the validation step: history = train part, label = the validation item.
  const auto n = static_cast<int32_t>(s.candidates);
  auto progress = [](const char* which) {
    return [which](int64_t done, int64_t total) {
      std::cerr << absl::StrFormat("  %s: %d / %d users\n", which, done, total);
    };
  };
  RankDatasetStats train_stats;
  RankDatasetStats valid_stats;
  std::cerr << absl::StrFormat(
      "examples: two-tower top %d (history excluded) for each user's validation item\n", n);
  RankDataset train = BuildRankDataset(tower, *features, *split, Holdout::kValidation, train_users,
                                       n, &train_stats, progress("train"));
  RankDataset valid = BuildRankDataset(tower, *features, *split, Holdout::kValidation, valid_users,
                                       n, &valid_stats, progress("held out"));
  std::cerr << absl::StrFormat(
      "examples: train %d users, %d with the item among the candidates (%d rows); held out %d "
      "users, %d with it (%d rows); %.1f s\n",
      train_stats.queries, train_stats.with_positive, train.size(), valid_stats.queries,
      valid_stats.with_positive, valid.size(), train_stats.seconds + valid_stats.seconds);

  // An ablation: the masked features are missing in training, and the metadata makes
  // LtrRanker::Score treat them so everywhere the model is used.
  const std::vector<std::string> mask_names =
      absl::StrSplit(s.mask_features, ',', absl::SkipEmpty());
  absl::StatusOr<std::vector<RankFeature>> masked = FindRankFeatures(mask_names);
  if (!masked.ok()) return Fail(std::string(masked.status().message()));
  if (!masked->empty()) {
    MaskFeatures(*masked, train.rows);
    MaskFeatures(*masked, valid.rows);
    std::cerr << "examples: masked " << s.mask_features << "\n";
  }

  // 6. Train and write.
  RankTrainParams params;
  params.objective = s.objective;
  params.max_depth = static_cast<int>(s.max_depth);
  params.eta = s.eta;
  params.subsample = s.subsample;
  params.colsample_bytree = s.colsample;
  params.min_child_weight = s.min_child_weight;
  params.max_rounds = static_cast<int>(s.rounds);
  params.early_stopping_rounds = static_cast<int>(s.early_stop);
  params.threads = static_cast<int>(s.threads);
  params.seed = static_cast<uint64_t>(s.seed);
  const std::string version =
      absl::StrFormat("reco-ltr-%s-seed%d", checksum.substr(checksum.find(':') + 1, 8), s.seed);
  absl::StatusOr<RankTrainOutcome> outcome =
      TrainRanker(train, valid, params, version, s.out, &std::cerr);
  if (!outcome.ok()) return Fail(std::string(outcome.status().message()));
  std::cerr << absl::StrFormat(
      "rank-train: %d rounds run, %d kept; held-out NDCG@10 among the candidates %.4f; %.1f s\n",
      outcome->rounds_run, outcome->best_rounds, outcome->best_valid_ndcg, outcome->seconds);

  nlohmann::json gains = nlohmann::json::object();
  if (absl::StatusOr<std::vector<double>> g = RankerTotalGain(s.out); g.ok()) {
    std::vector<std::pair<double, std::string>> sorted;
    for (std::size_t f = 0; f < kRankFeatureCount; ++f) {
      gains[std::string(RankFeatureNames()[f])] = (*g)[f];
      sorted.emplace_back((*g)[f], std::string(RankFeatureNames()[f]));
    }
    std::sort(sorted.rbegin(), sorted.rend());
    std::cerr << "rank-train: total gain by feature:";
    for (const auto& [gain, name] : sorted) std::cerr << absl::StrFormat(" %s %.0f", name, gain);
    std::cerr << "\n";
  }
  auto stats_json = [](const RankDatasetStats& st, const RankDataset& d) {
    return nlohmann::json{{"users", st.queries},
                          {"with_positive", st.with_positive},
                          {"rows", d.size()},
                          {"seconds", st.seconds}};
  };
  nlohmann::json meta = {
      {"trainer", "candor-reco-rank-train"},
      {"data",
       {{"source", report.source},
        {"checksum", checksum},
        {"interactions", report.interactions},
        {"users", log->num_users()},
        {"items", log->num_items()},
        {"skipped_lines", report.skipped},
        {"content", s.item_content},
        {"items_with_content", described}}},
      {"twotower_model", s.twotower_model},
      {"split", DescribeSplit(*split)},
      {"protocol",
       "examples at the validation step of the split: history = the user's train "
       "part, label = the validation item, candidates = the two-tower top N outside the history, "
       "features from the train part only; users shuffled by the seed, valid_fraction of them "
       "held out for early stopping; no test item read before the model is written"},
      {"valid_fraction", s.valid_fraction},
      {"seed", s.seed},
      {"params", ToJson(params)},
      {"examples",
       {{"train", stats_json(train_stats, train)}, {"held_out", stats_json(valid_stats, valid)}}},
      {"rounds_run", outcome->rounds_run},
      {"best_rounds", outcome->best_rounds},
      {"held_out_ndcg@10_among_candidates", outcome->best_valid_ndcg},
      {"train_seconds", outcome->seconds},
      {"total_gain", gains}};
  RankerMetadata written;
  written.version = version;
  written.candidates = n;
  written.recent_window_seconds = s.window_days * 86400;
  written.masked_features = mask_names;
  if (absl::Status w = WriteRankerMetadata(s.out, written, meta); !w.ok()) {
    return Fail(std::string(w.message()));
  }
  std::cerr << "wrote " << s.out << " and " << s.out << ".meta.json (" << version << ")\n";

  // 7. The test split, once, with the written files: the two-tower model alone and the funnel.
  if (!s.no_test) {
    absl::StatusOr<std::unique_ptr<LtrRanker>> ranker = LtrRanker::Load(s.out);
    if (!ranker.ok()) return Fail(std::string(ranker.status().message()));
    Funnel funnel(tower, *features, **ranker, n);
    EvalOptions options;
    const EvalResult alone = Evaluate(tower, *split, Holdout::kTest, options);
    const EvalResult ranked = Evaluate(funnel, *split, Holdout::kTest, options);
    if (!funnel.status().ok()) return Fail(std::string(funnel.status().message()));
    std::cout << "Ranked against all " << log->num_items()
              << " items; HR and NDCG with tied scores in expectation.\n\n"
              << "| model | protocol | split | users | HR@10 | NDCG@10 | HR@20 | NDCG@20 |\n"
              << "|---|---|---|---|---|---|---|---|\n"
              << Row(alone) << "\n"
              << Row(ranked) << "\n";
    meta["test"] = {ResultJson(alone), ResultJson(ranked)};
  }
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
      "candor-reco-rank-train",
      "Trains the XGBoost learning-to-rank stage (README.md) over a two-tower model's\n"
      "candidates. Loads one data set, splits it leave-one-out per user, and for each user\n"
      "takes the two-tower top --candidates items outside their train history at the\n"
      "validation step; the label is the validation item. A seeded share of the users is held\n"
      "out for early stopping (NDCG@10). Features come from the train part only. Writes the\n"
      "booster (--out, XGBoost JSON) and --out.meta.json, then evaluates the two-tower model\n"
      "and the funnel once on the test split (full ranking, history masked). Table on stdout,\n"
      "progress on stderr. Exit 0 on success, 1 on a failure, 2 on bad usage or when the\n"
      "data is absent.");
  flags.AddString("beauty", "", &s.beauty,
                  "folder with Beauty_item_org_rank.txt and Beauty_time_org_rank.txt");
  flags.AddString("amazon-json", "", &s.amazon_json,
                  "Amazon 2014 JSON-lines review file, plain or .gz");
  flags.AddString("tsv", "", &s.tsv, "tab-separated `user item rating unix_time`, plain or .gz");
  flags.AddString("pg-dsn", "", &s.pg_dsn,
                  "Candor's own active reviews in Postgres (user, product, rating, time), e.g. "
                  "postgresql://postgres@127.0.0.1:5440/candor");
  flags.AddString("item-content", "", &s.item_content,
                  "optional tab-separated `item text`: tokens for the category-affinity feature");
  flags.AddInt("content-buckets", "", &s.content_buckets,
               "hash buckets of content tokens, with --item-content", 1, 1 << 24);
  flags.AddString("twotower-model", "", &s.twotower_model,
                  "the retrieval model (candor-reco-train's file; required)");
  flags.AddString("out", "", &s.out, "the ranker to write (required); metadata beside it");
  flags.AddString("report", "", &s.report, "also write the metadata and evaluation as JSON");
  flags.AddBool("lenient", "", &s.lenient,
                "skip bad lines (counted, the first reasons printed) instead of failing");
  flags.AddInt("candidates", "", &s.candidates, "two-tower candidates per user", 1, 100000);
  flags.AddInt("window-days", "", &s.window_days, "the item_recent feature's window", 1, 100000);
  flags.AddDouble("valid-fraction", "", &s.valid_fraction,
                  "share of users held out for early stopping", 0.001, 0.9);
  flags.AddString("objective", "", &s.objective, "rank:ndcg, rank:pairwise or rank:map");
  flags.AddInt("max-depth", "", &s.max_depth, "tree depth", 1, 20);
  flags.AddDouble("eta", "", &s.eta, "learning rate", 0.001, 1);
  flags.AddDouble("subsample", "", &s.subsample, "rows per tree", 0.05, 1);
  flags.AddDouble("colsample", "", &s.colsample, "features per tree", 0.05, 1);
  flags.AddDouble("min-child-weight", "", &s.min_child_weight, "XGBoost min_child_weight", 0, 1000);
  flags.AddInt("rounds", "", &s.rounds, "boosting rounds (at most)", 1, 100000);
  flags.AddInt("early-stop", "", &s.early_stop,
               "stop after this many rounds without a better held-out NDCG@10", 1, 100000);
  flags.AddInt("threads", "", &s.threads, "XGBoost threads", 1, 256);
  flags.AddInt("seed", "", &s.seed, "seed of the user shuffle and of XGBoost", 0, int64_t{1} << 62);
  flags.AddString("split-mode", "", &s.split_mode,
                  "leave-one-out (per user: last item test, the one before validation) or time "
                  "(global cutoffs at --time-quantiles of all interaction times; no later event "
                  "in train)");
  flags.AddString("time-quantiles", "", &s.time_quantiles,
                  "--split-mode time: VALIDATION,TEST quantiles of all interaction times; train = "
                  "events before the first, targets = each user's first event after each");
  flags.AddBool("no-test", "", &s.no_test, "skip the test-split evaluation");
  flags.AddString("mask-features", "", &s.mask_features,
                  "comma-separated feature names to train without (an ablation; recorded in the "
                  "metadata, so every user of the model ignores them)");
  if (const int rc = candor::core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (!flags.positional().empty()) {
    std::cerr << "candor-reco-rank-train: unexpected argument '" << flags.positional()[0]
              << "' (see --help)\n";
    return 2;
  }
  return candor::reco::Run(s);
}
