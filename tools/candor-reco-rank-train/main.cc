// candor-reco-rank-train: trains the XGBoost learning-to-rank stage of the recommendation funnel
// (libs/reco/ltr_train.h) over a two-tower model's candidates. Examples come from the validation
// step of a leave-one-out split (history = each user's train part, label = their validation
// item); no test item is read until the model is written, when the funnel is evaluated once on
// the test split. See README.md.

#include <algorithm>
#include <chrono>
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
#include "libs/reco/evaluation.h"
#include "libs/reco/funnel.h"
#include "libs/reco/loaders.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/ltr_train.h"
#include "libs/reco/rank_features.h"
#include "libs/reco/split.h"
#include "libs/reco/tool.h"
#include "libs/reco/two_tower.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

constexpr char kProgram[] = "candor-reco-rank-train";

struct Settings {
  ToolDataFlags data;
  std::string item_content;
  std::string twotower_model;
  std::string out;
  std::string report;
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

int Fail(const std::string& what) { return ToolFailure(kProgram, what, std::cerr); }

int Run(const Settings& s) {
  // 1. Which data, which tower.
  if (const int rc = ValidateDataFlags(s.data, kProgram, std::cerr); rc >= 0) return rc;
  if (s.out.empty() || s.twotower_model.empty()) {
    std::cerr << "candor-reco-rank-train: --out (the ranker to write) and --twotower-model (the "
                 "retrieval model, candor-reco-train's file) are required\n";
    return kToolUsage;
  }

  // 2. Load and split.
  TrainerInput input;
  if (const int rc =
          LoadTrainerInput(s.data, s.item_content, s.content_buckets, kProgram, std::cerr, &input);
      rc >= 0) {
    return rc;
  }

  absl::StatusOr<LoadedTwoTower> loaded = ReadTwoTower(s.twotower_model);
  if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
  TwoTowerModel tower(std::move(loaded->weights));
  const int64_t known = tower.Bind(input.data.log);
  std::cerr << absl::StrFormat("twotower: %s knows %d of the data's %d items\n", s.twotower_model,
                               known, input.data.log.num_items());
  if (absl::Status fit = tower.Fit(input.split.train); !fit.ok())
    return Fail(std::string(fit.message()));

  // 3. The features' data: the train part only.
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<MemoryFeatureSource> features = TrainFeatureSource(
      input.data.log, input.split, std::move(input.content.tokens), s.window_days * 86400);
  if (!features.ok()) return Fail(std::string(features.status().message()));
  std::cerr << absl::StrFormat("features: %s, built from the train part in %.2f s\n",
                               kRankFeaturesVersion, SecondsSince(start));

  // 4. Users: a seeded shuffle puts valid_fraction of them aside for early stopping.
  std::vector<int32_t> users = input.split.Users(Holdout::kValidation);
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
  RankDataset train = BuildRankDataset(tower, *features, input.split, Holdout::kValidation,
                                       train_users, n, &train_stats, progress("train"));
  RankDataset valid = BuildRankDataset(tower, *features, input.split, Holdout::kValidation,
                                       valid_users, n, &valid_stats, progress("held out"));
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
  const std::string version = absl::StrFormat(
      "reco-ltr-%s-seed%d", input.checksum.substr(input.checksum.find(':') + 1, 8), s.seed);
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
      {"data", DataJson(input.data, input.checksum, s.item_content, input.content.described)},
      {"twotower_model", s.twotower_model},
      {"split", DescribeSplit(input.split)},
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
    const EvalResult alone = Evaluate(tower, input.split, Holdout::kTest, options);
    const EvalResult ranked = Evaluate(funnel, input.split, Holdout::kTest, options);
    if (!funnel.status().ok()) return Fail(std::string(funnel.status().message()));
    std::cout << FullRankingNote(input.data.log.num_items()) << kResultTableHeader
              << ResultRow(alone) << "\n"
              << ResultRow(ranked) << "\n";
    meta["test"] = {EvalResultJson(alone), EvalResultJson(ranked)};
  }
  return WriteJsonReport(meta, s.report, kProgram, std::cerr);
}

}  // namespace
}  // namespace candor::reco

int main(int argc, char** argv) {
  candor::reco::Settings s;
  candor::core::Flags flags(
      candor::reco::kProgram,
      "Trains the XGBoost learning-to-rank stage (README.md) over a two-tower model's\n"
      "candidates. Loads one data set, splits it leave-one-out per user, and for each user\n"
      "takes the two-tower top --candidates items outside their train history at the\n"
      "validation step; the label is the validation item. A seeded share of the users is held\n"
      "out for early stopping (NDCG@10). Features come from the train part only. Writes the\n"
      "booster (--out, XGBoost JSON) and --out.meta.json, then evaluates the two-tower model\n"
      "and the funnel once on the test split (full ranking, history masked). Table on stdout,\n"
      "progress on stderr. Exit 0 on success, 1 on a failure, 2 on bad usage or when the\n"
      "data is absent.");
  candor::reco::AddSourceFlags(flags, s.data);
  flags.AddString("item-content", "", &s.item_content,
                  "optional tab-separated `item text`: tokens for the category-affinity feature");
  flags.AddInt("content-buckets", "", &s.content_buckets,
               "hash buckets of content tokens, with --item-content", 1, 1 << 24);
  flags.AddString("twotower-model", "", &s.twotower_model,
                  "the retrieval model (candor-reco-train's file; required)");
  flags.AddString("out", "", &s.out, "the ranker to write (required); metadata beside it");
  flags.AddString("report", "", &s.report, "also write the metadata and evaluation as JSON");
  candor::reco::AddLenientFlag(flags, s.data);
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
  candor::reco::AddSplitFlags(flags, s.data);
  flags.AddBool("no-test", "", &s.no_test, "skip the test-split evaluation");
  flags.AddString("mask-features", "", &s.mask_features,
                  "comma-separated feature names to train without (an ablation; recorded in the "
                  "metadata, so every user of the model ignores them)");
  return candor::reco::RunTool(flags, candor::reco::kProgram, argc, argv, std::cerr,
                               [&] { return candor::reco::Run(s); });
}
