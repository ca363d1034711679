// Micro-benchmarks of the fraud model's prediction (libs/fraud/model.h) with the deployed model,
// models/fraud/current.json (what the service loads by default): FraudModel::PredictBatch per
// review, one review at a time and in the scorer's batch of 250, without reasons and with the top
// three (the second XGBoost call, per-feature contributions).
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/fraud/model.h"

namespace candor::bench {
namespace {

using fraud::At;
using fraud::Feature;

// The deployed model: models/fraud/current.json, a link to a versioned file beside it.
constexpr char kDeployedModel[] = CANDOR_SOURCE_DIR "/models/fraud/current.json";

struct Loaded {
  std::string path;
  absl::StatusOr<std::unique_ptr<fraud::FraudModel>> model;
};

// Loaded once and never destroyed: at exit, XGBoost's own static state may be gone before a
// static booster's destructor would run.
Loaded& Model() {
  static Loaded* loaded = [] {
    auto* l = new Loaded{kDeployedModel, absl::NotFoundError("not loaded")};
    l->model = fraud::FraudModel::Load(l->path);
    return l;
  }();
  return *loaded;
}

// Feature rows in the ranges reviews have: most like a shopper's, some like a campaign's, so the
// trees are walked down both sides.
std::vector<fraud::FeatureVector> Rows(std::size_t n) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<fraud::FeatureVector> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    fraud::FeatureVector& v = rows[i];
    const bool campaign = i % 5 == 0;
    At(v, Feature::kAccountAgeDays) = campaign ? u(rng) * 3 : u(rng) * 1500;
    At(v, Feature::kLifetimeReviews) = campaign ? 0 : std::floor(u(rng) * 30);
    At(v, Feature::kVerifiedRatio) = u(rng);
    At(v, Feature::kAvgRatingGiven) = 1 + 4 * u(rng);
    At(v, Feature::kRatingVariance) = 2 * u(rng);
    At(v, Feature::kReviews24h) = 1 + std::floor(u(rng) * 4);
    At(v, Feature::kReviews7d) = At(v, Feature::kReviews24h) + std::floor(u(rng) * 4);
    At(v, Feature::kDistinctProducts24h) = At(v, Feature::kReviews24h);
    At(v, Feature::kAvgTextLength7d) = 50 + u(rng) * 1000;
    At(v, Feature::kDatacenterIp) = u(rng) < 0.05F ? 1 : 0;
    At(v, Feature::kProductVelocityRatio) = campaign ? 50 + u(rng) * 600 : 10 * (1 + u(rng));
    At(v, Feature::kProductNewAccountRatio) = u(rng);
    At(v, Feature::kRatingSpikeDelta) = u(rng) * 0.5F;
    At(v, Feature::kNearDupSimilarity) = campaign ? 0.5F + u(rng) * 0.5F : u(rng) * 0.2F;
    At(v, Feature::kNearDupAccounts) = campaign ? std::floor(u(rng) * 50) : 0;
    At(v, Feature::kSharedIpRejected) = u(rng) < 0.1F ? 1 : 0;
    At(v, Feature::kSharedDeviceRejected) = 0;
    At(v, Feature::kRating) = 1 + std::floor(u(rng) * 5);
    At(v, Feature::kVerifiedPurchase) = u(rng) < 0.7F ? 1 : 0;
    At(v, Feature::kTextLength) = 50 + u(rng) * 1000;
    At(v, Feature::kRatingDeviation) = (u(rng) - 0.5F) * 4;
  }
  return rows;
}

// args: batch size, reasons kept per review. Items are reviews.
void BM_ModelPredict(benchmark::State& state) {
  Loaded& loaded = Model();
  if (!loaded.model.ok()) {
    state.SkipWithError(absl::StrCat(loaded.path, ": ", loaded.model.status().message()).c_str());
    return;
  }
  const auto batch = static_cast<std::size_t>(state.range(0));
  const int reasons = static_cast<int>(state.range(1));
  const std::vector<fraud::FeatureVector> all = Rows(1000);
  std::vector<std::vector<fraud::FeatureVector>> batches;
  for (std::size_t i = 0; i + batch <= all.size(); i += batch) {
    batches.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(i),
                         all.begin() + static_cast<std::ptrdiff_t>(i + batch));
  }
  std::size_t next = 0;
  for (auto _ : state) {
    absl::StatusOr<std::vector<fraud::Prediction>> p =
        (*loaded.model)->PredictBatch(batches[next], reasons);
    if (!p.ok()) {
      state.SkipWithError(std::string(p.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(p->data());
    if (++next == batches.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.SetLabel((*loaded.model)->metadata().version);
}
BENCHMARK(BM_ModelPredict)
    ->ArgNames({"batch", "reasons"})
    ->Args({1, 0})
    ->Args({1, 3})
    ->Args({250, 0})
    ->Args({250, 3})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace candor::bench
