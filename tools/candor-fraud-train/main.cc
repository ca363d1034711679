// candor-fraud-train: simulates genuine shoppers (from real reviews) and fraud campaigns, computes
// every review's features through the in-memory feature store, trains the XGBoost fraud model,
// evaluates it on held-out shoppers and campaigns (one campaign type never seen in training) and
// writes the model, its metadata and an evaluation report. See README.md.

#include <xgboost/c_api.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/core/flags.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/model.h"
#include "tools/candor-fraud-train/amazon_reviews.h"
#include "tools/candor-fraud-train/evaluation.h"
#include "tools/candor-fraud-train/feature_pass.h"
#include "tools/candor-fraud-train/replay_forecast.h"
#include "tools/candor-fraud-train/report.h"
#include "tools/candor-fraud-train/simulator.h"
#include "tools/candor-fraud-train/trainer.h"

namespace candor::fraud_train {
namespace {

constexpr int kFailed = 1;
constexpr int kSkipped = 2;
constexpr char kDefaultData[] =
    "/../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz";
// Reasons kept per prediction when the test set is scored: every positive one, for the report's
// "most frequent first reason".
constexpr int kAllReasons = static_cast<int>(fraud::kFeatureCount);

struct Settings {
  int64_t seed = 1;
  std::string version;
  std::string out_dir = std::string(CANDOR_SOURCE_DIR) + "/models/fraud";
  std::string datacenter_cidrs =
      std::string(CANDOR_SOURCE_DIR) + "/models/fraud/datacenter-cidrs.txt";
  std::string unseen = "competitor_one_star";
  std::array<int64_t, kCampaignTypes> campaigns{};
  int64_t crowds = 0;
  int64_t newcomers = 0;
  double claim = 0;
  double time_of_day = 0;
  double campaign_prior = 0.2;
  int64_t batch = 250;
  double queue_threshold = 0.30;
  double reject_threshold = 0.70;
  // XGBoost
  int64_t max_depth = 0;
  double eta = 0;
  int64_t max_rounds = 0;
  int64_t early_stopping = 0;
  int64_t threads = 0;
  bool no_monotone = false;
};

int Fail(const std::string& message) {
  std::cerr << "candor-fraud-train: " << message << "\n";
  return kFailed;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::string XgboostVersion() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return absl::StrCat(major, ".", minor, ".", patch);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Rows of `split` (warm-ups are history, never samples).
std::vector<std::size_t> RowsOf(const Simulation& sim, Split split) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < sim.reviews.size(); ++i) {
    if (!sim.reviews[i].warm_up && sim.reviews[i].split == split) rows.push_back(i);
  }
  return rows;
}

Dataset MakeDataset(const Simulation& sim, const std::vector<fraud::FeatureVector>& x,
                    const std::vector<std::size_t>& rows, double genuine_weight) {
  Dataset d;
  for (std::size_t i : rows) {
    const bool campaign = sim.reviews[i].kind != Kind::kGenuine;
    d.x.push_back(x[i]);
    d.label.push_back(campaign ? 1 : 0);
    d.weight.push_back(campaign ? 1 : static_cast<float>(genuine_weight));
  }
  return d;
}

nlohmann::json Counts(const Simulation& sim) {
  nlohmann::json counts = nlohmann::json::object();
  for (Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    int64_t genuine = 0, campaign = 0;
    for (std::size_t i : RowsOf(sim, split)) {
      (sim.reviews[i].kind == Kind::kGenuine ? genuine : campaign) += 1;
    }
    counts[(SplitName(split))] = {{"genuine_reviews", genuine}, {"campaign_reviews", campaign}};
  }
  int64_t warm_ups = 0;
  for (const SimReview& r : sim.reviews) warm_ups += r.warm_up ? 1 : 0;
  std::map<std::string, std::map<std::string, int64_t>> per_type;
  for (const CampaignInfo& c : sim.campaigns) ++per_type[KindName(c.kind)][SplitName(c.split)];
  nlohmann::json campaigns = per_type;
  counts["warm_up_reviews"] = warm_ups;
  counts["genuine_shoppers"] = sim.genuine_users;
  counts["newcomers"] = sim.newcomers;
  counts["crowds"] = static_cast<int64_t>(sim.crowds.size());
  std::array<int64_t, kOrigins> origin{};
  for (const SimReview& r : sim.reviews) {
    if (r.kind == Kind::kGenuine) ++origin[static_cast<std::size_t>(r.origin)];
  }
  for (int o = 0; o < kOrigins; ++o) {
    counts["genuine_reviews_by_origin"][OriginName(static_cast<Origin>(o))] =
        origin[static_cast<std::size_t>(o)];
  }
  counts["campaigns"] = campaigns;
  return counts;
}

int Run(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  Settings s;
  const SimOptions defaults = DefaultSimOptions();
  const TrainParams train_defaults;
  for (int t = 0; t < kCampaignTypes; ++t) s.campaigns[t] = defaults.campaigns[t].campaigns;
  s.crowds = defaults.crowds.crowds;
  s.newcomers = defaults.newcomers.shoppers;
  s.claim = defaults.genuine.claim;
  s.time_of_day = defaults.genuine.time_of_day;
  s.max_depth = train_defaults.max_depth;
  s.eta = train_defaults.eta;
  s.max_rounds = train_defaults.max_rounds;
  s.early_stopping = train_defaults.early_stopping_rounds;
  s.threads = train_defaults.threads;

  core::Flags flags(
      "candor-fraud-train",
      "Arguments: AMAZON_REVIEWS.json[.gz] ... (Amazon 2014 JSON lines, gzip or plain).\n"
      "Simulates genuine shoppers (the real reviews of the files; default: the Musical\n"
      "Instruments 5-core file in ../shared/data; also flash crowds, newcomers and genuine\n"
      "reviews of attacked products) and fraud campaigns, computes their features\n"
      "through the in-memory feature store, trains the XGBoost fraud model and writes\n"
      "<out-dir>/<version>.json, its .meta.json and a .report.md (README.md). Exit 0 on\n"
      "success, 1 on a failure, 2 on bad usage or when the reviews files are absent.");
  flags.AddInt("seed", "", &s.seed, "seed of the simulation and of XGBoost", 1, INT64_MAX);
  flags.AddString("version", "", &s.version,
                  "model version and file name (default fraud-gbt-<UTC date>-s<seed>)");
  flags.AddString("out-dir", "", &s.out_dir, "where the model, metadata and report go");
  flags.AddString("datacenter-cidrs", "", &s.datacenter_cidrs,
                  "datacenter CIDR list (the service's format)");
  flags.AddString("unseen", "", &s.unseen,
                  "campaign type held out of training entirely (aged_farm, review_bomb, "
                  "competitor_one_star, incentivised_burst, slow_drip)");
  for (int t = 0; t < kCampaignTypes; ++t) {
    flags.AddInt(
        absl::StrCat("campaigns-", absl::StrReplaceAll(KindName(CampaignKind(t)), {{"_", "-"}})),
        "", &s.campaigns[t], absl::StrCat("number of ", KindName(CampaignKind(t)), " campaigns"), 0,
        100000);
  }
  flags.AddInt("crowds", "", &s.crowds,
               "number of genuine flash crowds (many shoppers on one product within hours)", 0,
               100000);
  flags.AddInt("newcomers", "", &s.newcomers,
               "number of standalone genuine newcomers (new to Candor, no history)", 0, 10000000);
  flags.AddDouble("claim", "", &s.claim,
                  "share of accounts whose creation time the identity provider states", 0, 1);
  flags.AddDouble("time-of-day", "", &s.time_of_day,
                  "share of genuine shoppers whose reviews get a time of day (the others keep "
                  "the data's times)",
                  0, 1);
  flags.AddDouble("campaign-prior", "", &s.campaign_prior,
                  "campaign reviews' share of the training weight (genuine reviews are weighted "
                  "to make it so): the prior the scores are probabilities under",
                  0.01, 0.99);
  flags.AddInt("batch", "", &s.batch, "reviews per RecordBatch (as the scorer batches)", 1, 100000);
  flags.AddDouble("queue-threshold", "", &s.queue_threshold, "score from which a review is queued",
                  0, 1);
  flags.AddDouble("reject-threshold", "", &s.reject_threshold,
                  "score above which a review is rejected", 0, 1);
  flags.AddInt("max-depth", "", &s.max_depth, "XGBoost max_depth", 1, 16);
  flags.AddDouble("eta", "", &s.eta, "XGBoost learning rate", 0.001, 1);
  flags.AddInt("max-rounds", "", &s.max_rounds, "boosting rounds at most", 1, 100000);
  flags.AddInt("early-stopping", "", &s.early_stopping,
               "stop after this many rounds without a better validation logloss", 1, 100000);
  flags.AddInt("threads", "", &s.threads, "XGBoost threads while training", 1, 256);
  flags.AddBool("no-monotone", "", &s.no_monotone,
                "train without the monotone constraints (README.md)");
  if (const int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;

  const std::optional<Kind> unseen = ParseCampaignType(s.unseen);
  if (!unseen.has_value()) {
    std::cerr << "candor-fraud-train: --unseen: unknown campaign type '" << s.unseen << "'\n";
    return kSkipped;
  }
  if (s.queue_threshold > s.reject_threshold) {
    std::cerr << "candor-fraud-train: --queue-threshold must not exceed --reject-threshold\n";
    return kSkipped;
  }
  if (s.version.empty()) {
    s.version = absl::StrCat(
        "fraud-gbt-", absl::FormatTime("%Y%m%d", absl::Now(), absl::UTCTimeZone()), "-s", s.seed);
  }
  std::vector<std::string> files = flags.positional();
  if (files.empty()) files.push_back(std::string(CANDOR_SOURCE_DIR) + kDefaultData);

  // 1. Genuine shoppers' reviews.
  std::vector<SourceReview> source;
  nlohmann::json data = nlohmann::json::array();
  for (const std::string& file : files) {
    SourceStats stats;
    absl::StatusOr<std::vector<SourceReview>> reviews = ReadAmazonReviews(file, &stats);
    if (absl::IsNotFound(reviews.status())) {
      std::cerr << "candor-fraud-train: skipped: " << file
                << " is absent (the shared data folder is not here; pass Amazon JSON-lines "
                   "review files as arguments)\n";
      return kSkipped;
    }
    if (!reviews.ok()) return Fail(std::string(reviews.status().message()));
    std::cout << "read: " << file << ": " << stats.used << " reviews (" << stats.lines << " lines, "
              << stats.malformed << " malformed, " << stats.invalid << " refused by validation)\n";
    data.push_back({{"file", std::filesystem::path(file).filename().string()},
                    {"bytes", stats.bytes},
                    {"lines", stats.lines},
                    {"malformed", stats.malformed},
                    {"refused_by_validation", stats.invalid},
                    {"used", stats.used}});
    source.insert(source.end(), std::make_move_iterator(reviews->begin()),
                  std::make_move_iterator(reviews->end()));
  }

  // 2. The datacenter list, read as the service reads it.
  absl::StatusOr<fraud::CidrList> cidrs = fraud::CidrList::LoadFile(s.datacenter_cidrs);
  if (!cidrs.ok()) return Fail(std::string(cidrs.status().message()));
  std::ifstream cidr_in(s.datacenter_cidrs);
  std::stringstream cidr_text;
  cidr_text << cidr_in.rdbuf();
  absl::StatusOr<AddressBook> addresses = AddressBook::Make(cidr_text.str(), *cidrs);
  if (!addresses.ok()) {
    return Fail(absl::StrCat(s.datacenter_cidrs, ": ", addresses.status().message()));
  }

  // 3. The simulation.
  SimOptions options = defaults;
  options.seed = static_cast<uint64_t>(s.seed);
  options.unseen = *unseen;
  options.genuine.claim = s.claim;
  options.crowds.crowds = static_cast<int>(s.crowds);
  options.newcomers.shoppers = static_cast<int>(s.newcomers);
  options.genuine.time_of_day = s.time_of_day;
  for (int t = 0; t < kCampaignTypes; ++t) {
    options.campaigns[t].campaigns = static_cast<int>(s.campaigns[t]);
  }
  auto phase = std::chrono::steady_clock::now();
  const Simulation sim = Simulate(source, options, *addresses, &std::cout);
  std::cout << "simulate: " << sim.reviews.size() << " reviews in " << Seconds(phase) << " s\n";

  // 4. Features, in time order through the in-memory store.
  phase = std::chrono::steady_clock::now();
  FeaturePassStats feature_stats;
  const std::vector<fraud::FeatureVector> x =
      ComputeFeatures(sim.reviews, *cidrs, static_cast<int>(s.batch), &std::cout, &feature_stats);
  std::cout << "features: " << feature_stats.recorded << " reviews in " << feature_stats.batches
            << " batches, " << feature_stats.marks << " marked rejected, " << feature_stats.clamped
            << " with a feature clamped, in " << Seconds(phase) << " s\n";

  // 5. Training, with early stopping on the validation split.
  const std::vector<std::size_t> train_rows = RowsOf(sim, Split::kTrain);
  const std::vector<std::size_t> valid_rows = RowsOf(sim, Split::kValid);
  const std::vector<std::size_t> test_rows = RowsOf(sim, Split::kTest);
  int64_t train_genuine = 0;
  for (std::size_t i : train_rows) train_genuine += sim.reviews[i].kind == Kind::kGenuine;
  const auto train_campaign = static_cast<int64_t>(train_rows.size()) - train_genuine;
  // Genuine reviews weighted so that campaign reviews are --campaign-prior of the weight.
  const double genuine_weight =
      static_cast<double>(train_campaign) * (1 - s.campaign_prior) /
      (s.campaign_prior * static_cast<double>(std::max<int64_t>(train_genuine, 1)));
  const Dataset train = MakeDataset(sim, x, train_rows, genuine_weight);
  const Dataset valid = MakeDataset(sim, x, valid_rows, genuine_weight);
  TrainParams params;
  params.max_depth = static_cast<int>(s.max_depth);
  params.eta = s.eta;
  params.max_rounds = static_cast<int>(s.max_rounds);
  params.early_stopping_rounds = static_cast<int>(s.early_stopping);
  params.threads = static_cast<int>(s.threads);
  params.seed = static_cast<uint64_t>(s.seed);
  params.monotone = !s.no_monotone;
  std::error_code ec;
  std::filesystem::create_directories(s.out_dir, ec);
  const std::string model_path = s.out_dir + "/" + s.version + ".json";
  const std::string meta_path = model_path + ".meta.json";
  const std::string report_path = s.out_dir + "/" + s.version + ".report.md";
  phase = std::chrono::steady_clock::now();
  std::cout << "train: " << train.size() << " rows (" << train_genuine << " genuine, weight "
            << genuine_weight << "), " << valid.size() << " for validation\n";
  absl::StatusOr<TrainOutcome> outcome =
      Train(train, valid, params, s.version, model_path, &std::cout);
  if (!outcome.ok()) return Fail(std::string(outcome.status().message()));
  std::cout << "train: " << outcome->best_rounds << " trees kept of " << outcome->rounds_run
            << " rounds, in " << Seconds(phase) << " s; model " << model_path << "\n";

  // 6. The metadata as FraudModel::Load reads it; the evaluation is added below.
  nlohmann::json names = nlohmann::json::array();
  for (std::string_view n : fraud::FeatureNames()) names.push_back(n);
  std::vector<std::string> command(argv, argv + argc);
  command[0] = "candor-fraud-train";
  nlohmann::json training = ToJson(params);
  training["rounds_run"] = outcome->rounds_run;
  training["trees"] = outcome->best_rounds;
  training["best_valid_logloss"] = outcome->best_valid_logloss;
  training["best_valid_auc"] = outcome->best_valid_auc;
  training["campaign_prior"] = s.campaign_prior;
  training["genuine_weight"] = genuine_weight;
  training["batch"] = s.batch;
  nlohmann::json meta = {
      {"version", s.version},
      {"feature_names", names},
      {"thresholds", {{"queue", s.queue_threshold}, {"reject", s.reject_threshold}}},
      {"model_file", s.version + ".json"},
      {"trained_by", "candor-fraud-train"},
      {"command", absl::StrJoin(command, " ")},
      {"seed", s.seed},
      {"xgboost_version", XgboostVersion()},
      {"training", training},
      {"simulation", ToJson(options)},
      {"data", data},
      {"counts", Counts(sim)},
      {"feature_pass",
       {{"reviews", feature_stats.recorded},
        {"batches", feature_stats.batches},
        {"marked_rejected", feature_stats.marks},
        {"reviews_with_a_clamped_feature", feature_stats.clamped}}},
  };
  if (!WriteFile(meta_path, meta.dump(2) + "\n")) return Fail("cannot write " + meta_path);

  // 7. Evaluation on the held-out shoppers and campaigns, through FraudModel as the service
  // loads it.
  absl::StatusOr<std::unique_ptr<fraud::FraudModel>> model = fraud::FraudModel::Load(model_path);
  if (!model.ok()) return Fail(std::string(model.status().message()));
  std::vector<Scored> scored;
  // Genuine test reviews per origin: reviews, queued, rejected.
  std::array<std::array<int64_t, 3>, kOrigins> by_origin{};
  std::array<int64_t, fraud::kFeatureCount> first_reason{};
  int64_t flagged = 0;
  for (std::size_t i = 0; i < test_rows.size(); i += static_cast<std::size_t>(s.batch)) {
    std::vector<fraud::FeatureVector> rows;
    const std::size_t end = std::min(test_rows.size(), i + static_cast<std::size_t>(s.batch));
    for (std::size_t j = i; j < end; ++j) rows.push_back(x[test_rows[j]]);
    absl::StatusOr<std::vector<fraud::Prediction>> p = (*model)->PredictBatch(rows, kAllReasons);
    if (!p.ok()) return Fail(std::string(p.status().message()));
    for (std::size_t j = i; j < end; ++j) {
      const fraud::Prediction& pred = (*p)[j - i];
      const SimReview& r = sim.reviews[test_rows[j]];
      scored.push_back({pred.score, r.kind, r.campaign});
      if (r.kind == Kind::kGenuine) {
        std::array<int64_t, 3>& o = by_origin[static_cast<std::size_t>(r.origin)];
        const Route route = RouteOf(pred.score, s.queue_threshold, s.reject_threshold);
        o[0] += 1;
        o[1] += route == Route::kQueue ? 1 : 0;
        o[2] += route == Route::kReject ? 1 : 0;
      }
      if (pred.score >= s.queue_threshold && !pred.reasons.empty()) {
        ++first_reason[static_cast<std::size_t>(pred.reasons.front().feature)];
        ++flagged;
      }
    }
  }
  const Evaluation evaluation = Evaluate(scored, s.queue_threshold, s.reject_threshold);
  meta["evaluation"] = ToJson(evaluation);
  meta["evaluation"]["split"] = "test: held-out shoppers (by user) and held-out campaigns";
  meta["evaluation"]["unseen_type"] = s.unseen;
  nlohmann::json origins = nlohmann::json::object();
  for (int o = 0; o < kOrigins; ++o) {
    const std::array<int64_t, 3>& v = by_origin[static_cast<std::size_t>(o)];
    const auto n = static_cast<double>(std::max<int64_t>(v[0], 1));
    origins[OriginName(static_cast<Origin>(o))] = {{"reviews", v[0]},
                                                   {"queued", static_cast<double>(v[1]) / n},
                                                   {"rejected", static_cast<double>(v[2]) / n}};
  }
  meta["evaluation"]["genuine_by_origin"] = origins;

  absl::StatusOr<std::array<double, fraud::kFeatureCount>> gain = TotalGain(model_path);
  if (!gain.ok()) return Fail(std::string(gain.status().message()));
  double gain_total = 0;
  for (double g : *gain) gain_total += g;
  nlohmann::json importance = nlohmann::json::array();
  for (std::size_t f = 0; f < fraud::kFeatureCount; ++f) {
    importance.push_back(
        {{"feature", fraud::FeatureNames()[f]},
         {"total_gain_share", gain_total > 0 ? (*gain)[f] / gain_total : 0},
         {"first_reason_share",
          flagged > 0 ? static_cast<double>(first_reason[f]) / static_cast<double>(flagged) : 0}});
  }
  meta["feature_importance"] = importance;

  // 8. What the service's acceptance runs should see.
  phase = std::chrono::steady_clock::now();
  absl::StatusOr<Forecast> forecast =
      ForecastServiceRuns(source, options, *cidrs, **model, &std::cout);
  if (!forecast.ok()) return Fail(std::string(forecast.status().message()));
  meta["forecast"] = ToJson(*forecast);
  std::cout << "forecast: in " << Seconds(phase) << " s\n";

  if (!WriteFile(meta_path, meta.dump(2) + "\n")) return Fail("cannot write " + meta_path);
  if (!WriteFile(report_path, RenderReport(meta))) return Fail("cannot write " + report_path);
  // The pair as written must load.
  absl::StatusOr<std::unique_ptr<fraud::FraudModel>> check = fraud::FraudModel::Load(model_path);
  if (!check.ok()) return Fail(std::string(check.status().message()));

  std::cout << "evaluate: ROC AUC " << evaluation.roc_auc << ", PR AUC " << evaluation.pr_auc
            << "; genuine queued " << evaluation.genuine_queued * 100 << " %, rejected "
            << evaluation.genuine_rejected * 100 << " %; " << s.unseen << " (unseen) recall "
            << evaluation.types[CampaignIndex(*unseen)].recall_queue * 100 << " %\n"
            << "wrote " << model_path << ", " << meta_path << ", " << report_path << " in "
            << Seconds(started) << " s\n";
  return 0;
}

}  // namespace
}  // namespace candor::fraud_train

int main(int argc, char** argv) { return candor::fraud_train::Run(argc, argv); }
