#include "tools/candor-fraud-train/replay_forecast.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/farm.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-fraud-train/evaluation.h"
#include "tools/candor-fraud-train/feature_pass.h"
#include "tools/candor-fraud-train/random.h"
#include "tools/candor-fraud-train/spinner.h"

namespace candor::fraud_train {
namespace {

constexpr int kFarmReviews = 300;
constexpr int kBombReviews = 200;
// The rows of one PredictBatch, as the scorer batches them.
constexpr std::size_t kPredictBatch = 250;

enum class Part { kReplayTrain, kReplayTest, kFarm, kBomb };

// An imported review: no creation claim, address or device.
SimReview Imported(std::string id, std::string user, std::string asin, int rating,
                   std::string title, std::string body, bool verified, absl::Time at) {
  SimReview r;
  r.facts = FactsOfReview(std::move(id), std::move(user), std::move(asin), rating, std::move(title),
                          std::move(body), verified, at, "", "", std::nullopt);
  return r;
}

RouteShares Shares(const std::vector<Route>& routes) {
  RouteShares s;
  s.reviews = static_cast<int64_t>(routes.size());
  for (Route r : routes) {
    s.queued += r == Route::kQueue ? 1 : 0;
    s.rejected += r == Route::kReject ? 1 : 0;
  }
  if (s.reviews > 0) {
    s.queued /= static_cast<double>(s.reviews);
    s.rejected /= static_cast<double>(s.reviews);
  }
  return s;
}

nlohmann::json ToJson(const RouteShares& s) {
  return {{"reviews", s.reviews}, {"queued", s.queued}, {"rejected", s.rejected}};
}

}  // namespace

absl::StatusOr<Forecast> ForecastServiceRuns(const std::vector<SourceReview>& source,
                                             const SimOptions& options,
                                             const fraud::CidrList& datacenters,
                                             fraud::FraudModel& model, std::ostream* progress) {
  std::vector<SimReview> stream;
  std::vector<Part> parts;
  std::map<std::string, int> per_product;
  absl::Time last = absl::InfinitePast();
  for (std::size_t i = 0; i < source.size(); ++i) {
    const SourceReview& r = source[i];
    stream.push_back(Imported(absl::StrCat("g", i), r.user, r.asin, r.rating, r.title, r.body,
                              drive::VerifiedByHash(r.user, r.asin), r.at));
    parts.push_back(GenuineSplit(r.user, options) == Split::kTest ? Part::kReplayTest
                                                                  : Part::kReplayTrain);
    ++per_product[r.asin];
    last = std::max(last, r.at);
  }
  std::mt19937_64 rng(StableHash("forecast", options.seed));
  const drive::Farm farm(options.seed, 1);
  const absl::Time farm_start = last + absl::Hours(24 * 30);
  for (int n = 0; n < kFarmReviews; ++n) {
    const drive::Review f = farm.Make(n);
    stream.push_back(Imported(absl::StrCat("farm-", n), f.user, f.asin, f.rating, f.title, f.body,
                              f.verified_purchase,
                              farm_start + absl::Seconds(Uniform(rng, 0, 3600))));
    parts.push_back(Part::kFarm);
  }
  const std::string bomb_target =
      std::max_element(per_product.begin(), per_product.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  const absl::Time bomb_start = farm_start + absl::Hours(24 * 10);
  const Spinner rant(NegativeScripts()[Index(rng, NegativeScripts().size())], 0.5, rng);
  for (int n = 0; n < kBombReviews; ++n) {
    std::string title = rant.Title(rng);
    std::string body = rant.Body(rng);
    const absl::Time at = bomb_start + absl::Seconds(Uniform(rng, 0, 600));
    stream.push_back(Imported(absl::StrCat("bomb-", n), absl::StrCat("bomb-user-", n), bomb_target,
                              1, std::move(title), std::move(body), false, at));
    parts.push_back(Part::kBomb);
  }
  std::vector<std::size_t> order(stream.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return stream[a].facts.at < stream[b].facts.at;
  });
  std::vector<SimReview> sorted;
  std::vector<Part> sorted_parts;
  for (std::size_t i : order) {
    sorted.push_back(std::move(stream[i]));
    sorted_parts.push_back(parts[i]);
  }

  FeaturePassStats stats;
  const std::vector<fraud::FeatureVector> x =
      ComputeFeatures(sorted, datacenters, static_cast<int>(kPredictBatch), nullptr, &stats);
  std::vector<Route> replay_all, replay_test, farm_routes, bomb_routes;
  const fraud::ModelMetadata& meta = model.metadata();
  for (std::size_t i = 0; i < x.size(); i += kPredictBatch) {
    const std::vector<fraud::FeatureVector> rows(
        x.begin() + static_cast<std::ptrdiff_t>(i),
        x.begin() + static_cast<std::ptrdiff_t>(std::min(x.size(), i + kPredictBatch)));
    absl::StatusOr<std::vector<fraud::Prediction>> p = model.PredictBatch(rows, 0);
    if (!p.ok()) return p.status();
    for (std::size_t j = 0; j < p->size(); ++j) {
      const Route route = RouteOf((*p)[j].score, meta.queue_threshold, meta.reject_threshold);
      switch (sorted_parts[i + j]) {
        case Part::kReplayTest:
          replay_test.push_back(route);
          replay_all.push_back(route);
          break;
        case Part::kReplayTrain:
          replay_all.push_back(route);
          break;
        case Part::kFarm:
          farm_routes.push_back(route);
          break;
        case Part::kBomb:
          bomb_routes.push_back(route);
          break;
      }
    }
  }
  Forecast f{Shares(replay_all), Shares(replay_test), Shares(farm_routes), Shares(bomb_routes)};
  if (progress != nullptr) {
    *progress << "forecast: replay queues " << f.replay.queued * 100 << " %, rejects "
              << f.replay.rejected * 100 << " % of " << f.replay.reviews << " reviews; the farm is "
              << (f.farm.queued + f.farm.rejected) * 100 << " % queued or rejected, the bomb "
              << (f.bomb.queued + f.bomb.rejected) * 100 << " %\n";
  }
  return f;
}

nlohmann::json ToJson(const Forecast& f) {
  return {{"replay", ToJson(f.replay)},
          {"replay_test_users", ToJson(f.replay_test_users)},
          {"farm", ToJson(f.farm)},
          {"bomb", ToJson(f.bomb)}};
}

}  // namespace candor::fraud_train
