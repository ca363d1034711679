// candor-reco-eval: the offline evaluation of recommenders on real interactions. Loads the Beauty
// sequences, an Amazon JSON-lines review file or a TSV, splits leave-one-out, fits the chosen
// baselines on the train part (item-kNN tuned on the validation split) and ranks each user's
// held-out item against all items. See README.md.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/core/flags.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/funnel.h"
#include "libs/reco/item_content.h"
#include "libs/reco/item_knn.h"
#include "libs/reco/loaders.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/popularity.h"
#include "libs/reco/rank_features.h"
#include "libs/reco/split.h"
#include "libs/reco/tool.h"
#include "libs/reco/tuning.h"
#include "libs/reco/two_tower.h"
#include "nlohmann/json.hpp"
#include "tools/candor-reco-eval/ann_report.h"

namespace candor::reco {
namespace {

constexpr char kProgram[] = "candor-reco-eval";

struct Settings {
  ToolDataFlags data;
  std::string models = "popularity,itemknn";
  std::string split = "test";
  std::string json;
  int64_t window_days = 30;
  int64_t knn_k = 100;
  double knn_decay = 1.0;
  bool no_tune = false;
  std::string twotower_model;
  std::string ann;  // "" or "hnsw"
  int64_t ann_m = HnswOptions{}.m;
  int64_t ann_ef_construction = HnswOptions{}.ef_construction;
  int64_t ann_ef_search = HnswOptions{}.ef_search;
  int64_t ann_k = 100;
  int64_t ann_candidates = 1000;
  std::string ranker;
  int64_t candidates = 0;
  std::string item_content;
  int64_t content_buckets = 16384;
};

int Fail(const std::string& what) { return ToolFailure(kProgram, what, std::cerr); }

// The --ann figures as printed after the evaluation table.
std::string AnnTable(const nlohmann::json& ann) {
  const int k = ann["k"].get<int>();
  const int c = ann["candidates"].get<int>();
  std::string out = absl::StrFormat(
      "\nRetrieval over the %d item vectors (dim %d) of the two-tower model, %s split users "
      "(search time: wall, and in brackets this thread's CPU, per query):\n\n"
      "| index | recall@%d users | recall@%d items, self included | recall@%d items, self "
      "excluded | build s | us/query @%d | us/query @%d |\n|---|---|---|---|---|---|---|\n",
      ann["items"].get<int>(), ann["dim"].get<int>(), ann["split"].get<std::string>(), k, k, k, k,
      c);
  const auto time = [](const nlohmann::json& t, int n) {
    return absl::StrFormat("%.1f (%.1f)", t[absl::StrCat("us_per_query@", n)].get<double>(),
                           t[absl::StrCat("cpu_us_per_query@", n)].get<double>());
  };
  for (const nlohmann::json& t : ann["timing"]) {
    const bool exact = t["index"] == "exact";
    out += absl::StrFormat(
        "| %s | %s | %s | %s | %.3f | %s | %s |\n", t["index"].get<std::string>(),
        exact ? "1" : absl::StrFormat("%.4f", ann["recall_users"].get<double>()),
        exact ? "1" : absl::StrFormat("%.4f", ann["recall_items_self_included"].get<double>()),
        exact ? "1" : absl::StrFormat("%.4f", ann["recall_items_self_excluded"].get<double>()),
        t["build_seconds"].get<double>(), time(t, k), time(t, c));
  }
  out += absl::StrFormat(
      "\nThe two-tower rows above: %s ranks all items, %s only HNSW's top %d (others last).\n",
      ann["twotower_all"]["model"].get<std::string>(),
      ann["twotower_candidates"]["model"].get<std::string>(), c);
  return out;
}

int Run(const Settings& s) {
  // 1. Which data.
  if (const int rc = ValidateDataFlags(s.data, kProgram, std::cerr); rc >= 0) return rc;
  Holdout holdout = Holdout::kTest;
  if (s.split == "validation") {
    holdout = Holdout::kValidation;
  } else if (s.split != "test") {
    std::cerr << "candor-reco-eval: --split must be validation or test, not '" << s.split << "'\n";
    return kToolUsage;
  }
  std::vector<std::string> models = absl::StrSplit(s.models, ',', absl::SkipEmpty());
  for (const std::string& m : models) {
    if (m != "popularity" && m != "popularity-recent" && m != "itemknn" && m != "twotower" &&
        m != "funnel") {
      std::cerr << "candor-reco-eval: --models: unknown model '" << m
                << "' (popularity, popularity-recent, itemknn, twotower, funnel)\n";
      return kToolUsage;
    }
    if ((m == "twotower" || m == "funnel") && s.twotower_model.empty()) {
      std::cerr << "candor-reco-eval: --models " << m << " needs --twotower-model FILE\n";
      return kToolUsage;
    }
    if (m == "funnel" && s.ranker.empty()) {
      std::cerr << "candor-reco-eval: --models funnel needs --ranker FILE\n";
      return kToolUsage;
    }
  }
  if (models.empty()) {
    std::cerr << "candor-reco-eval: --models is empty\n";
    return kToolUsage;
  }
  if (!s.ann.empty() && s.ann != "hnsw") {
    std::cerr << "candor-reco-eval: --ann must be hnsw, not '" << s.ann << "'\n";
    return kToolUsage;
  }
  if (!s.ann.empty() && s.twotower_model.empty()) {
    std::cerr << "candor-reco-eval: --ann needs --twotower-model FILE\n";
    return kToolUsage;
  }

  // 2. Load.
  ToolData data;
  if (const int rc = LoadForTool(s.data, kProgram, std::cerr, &data); rc >= 0) return rc;
  const InteractionLog& log = data.log;
  const LoadReport& report = data.report;

  // 3. Split.
  LeaveOneOutSplit split;
  if (const int rc = SplitForTool(s.data, log, kProgram, std::cerr, &split); rc >= 0) return rc;

  // 4. Fit, tune, evaluate.
  EvalOptions options;
  options.progress = [](int64_t done, int64_t total) {
    std::cerr << absl::StrFormat("  ranked %d / %d users\n", done, total);
  };
  nlohmann::json out = {{"source", report.source},         {"interactions", report.interactions},
                        {"users", log.num_users()},        {"items", log.num_items()},
                        {"skipped_lines", report.skipped}, {"short_users", split.short_users},
                        {"protocol", split.Protocol()},    {"results", nlohmann::json::array()}};
  std::vector<EvalResult> results;
  std::string ann_table;
  // The funnel's parts, alive while it is evaluated.
  std::unique_ptr<TwoTowerModel> funnel_tower;
  std::optional<MemoryFeatureSource> features;
  std::unique_ptr<LtrRanker> ranker;
  Funnel* funnel = nullptr;
  for (const std::string& name : models) {
    std::unique_ptr<Recommender> model;
    ItemKnn* knn = nullptr;
    if (name == "popularity") {
      model = std::make_unique<Popularity>();
    } else if (name == "popularity-recent") {
      model = std::make_unique<Popularity>(s.window_days);
    } else if (name == "twotower") {
      // The exported model (candor-reco-train), run in plain C++; bound to this data's items by
      // their source ids, so its dense ids need not match the trainer's.
      absl::StatusOr<LoadedTwoTower> loaded = ReadTwoTower(s.twotower_model);
      if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
      auto t = std::make_unique<TwoTowerModel>(std::move(loaded->weights));
      const int64_t known = t->Bind(log);
      std::cerr << absl::StrFormat("twotower: %s knows %d of the data's %d items\n",
                                   s.twotower_model, known, log.num_items());
      model = std::move(t);
    } else if (name == "funnel") {
      // Two-tower top N (exact) -> the XGBoost ranker over ComputeFeatures rows from the train
      // part -> every other item below, in the tower's order.
      absl::StatusOr<LoadedTwoTower> loaded = ReadTwoTower(s.twotower_model);
      if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
      funnel_tower = std::make_unique<TwoTowerModel>(std::move(loaded->weights));
      funnel_tower->Bind(log);
      absl::StatusOr<std::unique_ptr<LtrRanker>> r = LtrRanker::Load(s.ranker);
      if (!r.ok()) return Fail(std::string(r.status().message()));
      ranker = *std::move(r);
      std::vector<std::vector<int32_t>> tokens;
      if (!s.item_content.empty()) {
        LoadReport content_report;
        absl::StatusOr<std::vector<std::vector<int32_t>>> t =
            LoadItemContent(s.item_content, log, static_cast<int32_t>(s.content_buckets),
                            s.data.Options(), &content_report, nullptr);
        if (!t.ok()) return Fail(std::string(t.status().message()));
        tokens = *std::move(t);
      }
      absl::StatusOr<MemoryFeatureSource> f = TrainFeatureSource(
          log, split, std::move(tokens), ranker->metadata().recent_window_seconds);
      if (!f.ok()) return Fail(std::string(f.status().message()));
      features.emplace(*std::move(f));
      const auto n =
          static_cast<int32_t>(s.candidates > 0 ? s.candidates : ranker->metadata().candidates);
      std::cerr << absl::StrFormat("funnel: %s, ranker %s (%s), %d candidates\n", s.twotower_model,
                                   s.ranker, ranker->metadata().version, n);
      auto f2 = std::make_unique<Funnel>(*funnel_tower, *features, *ranker, n);
      funnel = f2.get();
      model = std::move(f2);
    } else {
      auto k = std::make_unique<ItemKnn>(ItemKnn::Options{
          .max_neighbours = 0, .neighbours = static_cast<int>(s.knn_k), .decay = s.knn_decay});
      knn = k.get();
      model = std::move(k);
    }
    const auto start = std::chrono::steady_clock::now();
    if (absl::Status fit = model->Fit(split.train); !fit.ok()) {
      return Fail(std::string(fit.message()));
    }
    std::cerr << absl::StrFormat("fit: %s in %.2f s\n", name, SecondsSince(start));
    if (knn != nullptr && !s.no_tune) {
      std::cerr << "tune: itemknn on the validation split (neighbours x decay, by NDCG@10)\n";
      nlohmann::json trials = nlohmann::json::array();
      TuneItemKnn(*knn, split, KnnGrid{}, [&](const KnnTrial& t) {
        std::cerr << absl::StrFormat("  %-28s validation HR@10 %.4f NDCG@10 %.4f (%.1f s)\n",
                                     t.validation.model, t.validation.hit[0], t.validation.ndcg[0],
                                     t.validation.seconds);
        trials.push_back(EvalResultJson(t.validation));
      });
      std::cerr << "tune: chose " << knn->Name() << "\n";
      out["itemknn_tuning"] = trials;
    }
    std::cerr << "evaluate: " << model->Name() << " on the " << HoldoutName(holdout) << " split\n";
    results.push_back(Evaluate(*model, split, holdout, options));
    if (funnel != nullptr && !funnel->status().ok()) {
      return Fail(std::string(funnel->status().message()));
    }
    out["results"].push_back(EvalResultJson(results.back()));
  }

  // 5. Retrieval: the model's item vectors in an ANN index against exact search.
  if (!s.ann.empty()) {
    absl::StatusOr<LoadedTwoTower> loaded = ReadTwoTower(s.twotower_model);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    const AnnReportOptions ann_options{
        .hnsw = {.m = static_cast<int32_t>(s.ann_m),
                 .ef_construction = static_cast<int32_t>(s.ann_ef_construction),
                 .ef_search = static_cast<int32_t>(s.ann_ef_search)},
        .recall_k = static_cast<int32_t>(s.ann_k),
        .candidates = static_cast<int32_t>(s.ann_candidates)};
    absl::StatusOr<nlohmann::json> ann =
        RunAnnReport(ann_options, loaded->weights, log, split, holdout, options, &results);
    if (!ann.ok()) return Fail(std::string(ann.status().message()));
    out["results"].push_back(EvalResultJson(results[results.size() - 2]));
    out["results"].push_back(EvalResultJson(results.back()));
    out["ann"] = *ann;
    ann_table = AnnTable(*ann);
  }

  // 6. Report.
  std::cout << FullRankingNote(log.num_items()) << kResultTableHeader;
  for (const EvalResult& r : results) std::cout << ResultRow(r) << "\n";
  if (holdout == Holdout::kValidation && !s.no_tune &&
      std::find(models.begin(), models.end(), "itemknn") != models.end()) {
    std::cout << "\nitemknn was tuned on this validation split: its row is optimistic.\n";
  }
  std::cout << ann_table;
  return WriteJsonReport(out, s.json, kProgram, std::cerr);
}

}  // namespace
}  // namespace candor::reco

int main(int argc, char** argv) {
  candor::reco::Settings s;
  candor::core::Flags flags(
      candor::reco::kProgram,
      "Offline evaluation of recommenders (README.md). Loads one data set, splits it\n"
      "leave-one-out per user (last item = test, the one before = validation, the rest =\n"
      "train; users with fewer than 3 interactions stay in train and are not evaluated),\n"
      "fits the models on train and ranks each user's held-out item against ALL items with\n"
      "the user's history masked (the S3-Rec / ICLRec full-ranking protocol). Item-kNN is\n"
      "tuned on the validation split unless --no-tune. Prints a table (HR@10, NDCG@10,\n"
      "HR@20, NDCG@20) on stdout, progress on stderr. Exit 0 on success, 1 on a failure\n"
      "(bad data: file:line and the reason), 2 on bad usage or when the data is absent.");
  candor::reco::AddSourceFlags(flags, s.data);
  flags.AddString("models", "", &s.models,
                  "comma-separated: popularity, popularity-recent, itemknn, twotower, funnel");
  candor::reco::AddSplitFlags(flags, s.data);
  flags.AddString("split", "", &s.split, "validation or test");
  flags.AddString("json", "", &s.json, "also write the results (and the tuning) to this file");
  candor::reco::AddLenientFlag(flags, s.data);
  flags.AddInt("window-days", "", &s.window_days,
               "popularity-recent: the window before each request", 1, 100000);
  flags.AddInt("knn-k", "", &s.knn_k,
               "itemknn neighbours per history item (0: all), with --no-tune", 0, 1000000);
  flags.AddDouble("knn-decay", "", &s.knn_decay,
                  "itemknn weight per step back in the history, with --no-tune", 0.01, 1);
  flags.AddBool("no-tune", "", &s.no_tune, "use --knn-k and --knn-decay as given");
  flags.AddString("twotower-model", "", &s.twotower_model,
                  "twotower: the model file candor-reco-train wrote");
  flags.AddString("ann", "", &s.ann,
                  "hnsw: with --twotower-model, measure FAISS HNSW retrieval over the model's "
                  "item vectors against exact search (recall, time, HR/NDCG on the candidates)");
  flags.AddInt("ann-m", "", &s.ann_m, "--ann: HNSW graph degree M", 2, 256);
  flags.AddInt("ann-ef-construction", "", &s.ann_ef_construction,
               "--ann: HNSW candidate list while building", 1, 100000);
  flags.AddInt("ann-ef-search", "", &s.ann_ef_search,
               "--ann: HNSW candidate list while searching (at least k is used)", 1, 100000);
  flags.AddInt("ann-k", "", &s.ann_k, "--ann: the k of recall@k", 1, 100000);
  flags.AddInt("ann-candidates", "", &s.ann_candidates,
               "--ann: candidates the two-tower model ranks (HNSW's top N)", 1, 1000000);
  flags.AddString("ranker", "", &s.ranker,
                  "funnel: the ranker candor-reco-rank-train wrote (its .meta.json beside it)");
  flags.AddInt("candidates", "", &s.candidates,
               "funnel: two-tower candidates per user (0: the number the ranker was trained on)", 0,
               1000000);
  flags.AddString("item-content", "", &s.item_content,
                  "funnel: `item text` file for the category-affinity feature");
  flags.AddInt("content-buckets", "", &s.content_buckets,
               "funnel: hash buckets of content tokens, as the ranker was trained", 1, 1 << 24);
  return candor::reco::RunTool(flags, candor::reco::kProgram, argc, argv, std::cerr,
                               [&] { return candor::reco::Run(s); });
}
