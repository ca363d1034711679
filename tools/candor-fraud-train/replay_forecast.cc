#include "tools/candor-fraud-train/replay_forecast.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/farm.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-fraud-train/evaluation.h"
#include "tools/candor-fraud-train/feature_pass.h"
#include "tools/candor-fraud-train/random.h"
#include "tools/candor-fraud-train/spinner.h"

namespace candor::fraud_train {
namespace {

constexpr int kFarmReviews = 300;
constexpr int kBombReviews = 200;
constexpr int kCrowdReviews = 300;
// scripts/demo.sh's rate.
constexpr double kDemoRate = 500;
// The rows of one PredictBatch, as the scorer batches them.
constexpr std::size_t kPredictBatch = 250;

enum class Part {
  kReplayTrain,
  kReplayTest,
  kFarm,
  kBomb,
  kCrowdNew,
  kCrowdEstablished,
  kDemoReal,
  kDemoGenerated,
};
constexpr int kParts = 8;

// An imported review: no creation claim, address or device.
SimReview Imported(std::string id, std::string user, std::string asin, int rating,
                   std::string title, std::string body, bool verified, absl::Time at) {
  SimReview r;
  r.facts = FactsOfReview(std::move(id), std::move(user), std::move(asin), rating, std::move(title),
                          std::move(body), verified, at, "", "", std::nullopt);
  return r;
}

// A live submission: a creation claim, an address of its own, no device.
SimReview Submitted(std::string id, std::string user, std::string asin, const SourceReview& text,
                    bool verified, absl::Time at, std::string ip,
                    std::optional<absl::Time> created) {
  SimReview r;
  r.facts = FactsOfReview(std::move(id), std::move(user), std::move(asin), text.rating, text.title,
                          text.body, verified, at, std::move(ip), "", created);
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

  // Genuine flash crowds: half the replay's held-out shoppers (who have history), half newcomers
  // with aged accounts; real texts of held-out shoppers.
  std::vector<std::string> test_users;
  std::vector<std::size_t> test_texts;
  {
    std::map<std::string, bool> seen;
    for (std::size_t i = 0; i < source.size(); ++i) {
      if (GenuineSplit(source[i].user, options) != Split::kTest) continue;
      test_texts.push_back(i);
      if (seen.emplace(source[i].user, true).second) test_users.push_back(source[i].user);
    }
    if (test_texts.empty()) {
      for (std::size_t i = 0; i < source.size(); ++i) test_texts.push_back(i);
    }
    if (test_users.empty()) test_users.push_back(source.front().user);
    Shuffle(test_users, rng);
  }
  auto real_text = [&]() -> const SourceReview& {
    return source[test_texts[Index(rng, test_texts.size())]];
  };
  std::vector<std::pair<std::string, int>> by_count(per_product.begin(), per_product.end());
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const std::string established = by_count.size() > 1 ? by_count[1].first : by_count[0].first;
  const uint32_t net = drive::RunTag(options.seed) >> 8;
  uint32_t slot = 0;
  auto crowd = [&](Part part, const std::string& target, absl::Time start, std::size_t first_user) {
    for (int n = 0; n < kCrowdReviews; ++n) {
      const absl::Time at = start + absl::Seconds(Uniform(rng, 0, 3600));
      const bool newcomer = n % 2 == 1;
      const std::string user =
          newcomer ? absl::StrCat("crowd-newcomer-", static_cast<int>(part), "-", n)
                   : test_users[(first_user + static_cast<std::size_t>(n / 2)) % test_users.size()];
      std::optional<absl::Time> created;
      if (newcomer) created = at - absl::Hours(24 * Uniform(rng, 60, 1860));
      stream.push_back(Submitted(absl::StrCat("crowd-", static_cast<int>(part), "-", n), user,
                                 target, real_text(), Uniform(rng) < 0.7, at,
                                 drive::AccountAddress(net, slot++ & 0xffff), created));
      parts.push_back(part);
    }
  };
  const absl::Time crowd_start = bomb_start + absl::Hours(24 * 10);
  crowd(Part::kCrowdNew, "LAUNCH0000001", crowd_start, 0);
  crowd(Part::kCrowdEstablished, established, crowd_start + absl::Hours(24 * 10),
        static_cast<std::size_t>(kCrowdReviews / 2));

  // scripts/demo.sh's generated traffic: the reviews of candor-drive's plan that the gateway
  // accepts (no invalid one, no duplicate or retry, a heavy user's first 10), at its rate.
  const absl::Time demo_start = crowd_start + absl::Hours(24 * 30);
  for (int run = 0; run < 2; ++run) {
    drive::GeneratorOptions g;
    g.seed = options.seed + static_cast<uint64_t>(run);
    absl::StatusOr<drive::Plan> plan = drive::Generate(g);
    if (!plan.ok()) return plan.status();
    const absl::Time start = demo_start + absl::Hours(24 * 40 * run);
    std::map<std::string, int> accepted;
    int n = 0;
    for (const drive::PlannedRequest& p : plan->primaries) {
      const drive::Review& r = p.review;
      if (p.expect == drive::Expect::kInvalid ||
          ++accepted[r.user] > drive::kReviewsPerUserPerDay) {
        continue;
      }
      const absl::Time at = start + absl::Seconds(n / kDemoRate);
      SourceReview text;
      if (run == 0) {
        text = real_text();
      } else {
        text.rating = r.rating;
        text.title = r.title;
        text.body = r.body;
      }
      stream.push_back(Submitted(absl::StrCat("demo", run, "-", n), r.user, r.asin, text,
                                 r.verified_purchase, at, r.client_ip,
                                 drive::AccountCreatedByHash(r.user, at)));
      parts.push_back(run == 0 ? Part::kDemoReal : Part::kDemoGenerated);
      ++n;
    }
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
  std::array<std::vector<Route>, kParts> routes;
  const fraud::ModelMetadata& meta = model.metadata();
  for (std::size_t i = 0; i < x.size(); i += kPredictBatch) {
    const std::vector<fraud::FeatureVector> rows(
        x.begin() + static_cast<std::ptrdiff_t>(i),
        x.begin() + static_cast<std::ptrdiff_t>(std::min(x.size(), i + kPredictBatch)));
    absl::StatusOr<std::vector<fraud::Prediction>> p = model.PredictBatch(rows, 0);
    if (!p.ok()) return p.status();
    for (std::size_t j = 0; j < p->size(); ++j) {
      routes[static_cast<std::size_t>(sorted_parts[i + j])].push_back(
          RouteOf((*p)[j].score, meta.queue_threshold, meta.reject_threshold));
    }
  }
  auto of = [&](Part part) { return routes[static_cast<std::size_t>(part)]; };
  std::vector<Route> replay_all = of(Part::kReplayTrain);
  const std::vector<Route> replay_test = of(Part::kReplayTest);
  replay_all.insert(replay_all.end(), replay_test.begin(), replay_test.end());
  Forecast f{Shares(replay_all),          Shares(replay_test),
             Shares(of(Part::kFarm)),     Shares(of(Part::kBomb)),
             Shares(of(Part::kCrowdNew)), Shares(of(Part::kCrowdEstablished)),
             Shares(of(Part::kDemoReal)), Shares(of(Part::kDemoGenerated))};
  if (progress != nullptr) {
    *progress << "forecast: replay queues " << f.replay.queued * 100 << " %, rejects "
              << f.replay.rejected * 100 << " % of " << f.replay.reviews << " reviews; the farm is "
              << (f.farm.queued + f.farm.rejected) * 100 << " % queued or rejected, the bomb "
              << (f.bomb.queued + f.bomb.rejected) * 100 << " %; genuine flash crowds reject "
              << f.crowd_new.rejected * 100 << " % (new product), "
              << f.crowd_established.rejected * 100 << " % (established); demo traffic passes "
              << (1 - f.demo_real_texts.queued - f.demo_real_texts.rejected) * 100
              << " % (real texts), "
              << (1 - f.demo_generated.queued - f.demo_generated.rejected) * 100
              << " % (generated texts)\n";
  }
  return f;
}

nlohmann::json ToJson(const Forecast& f) {
  return {{"replay", ToJson(f.replay)},
          {"replay_test_users", ToJson(f.replay_test_users)},
          {"farm", ToJson(f.farm)},
          {"bomb", ToJson(f.bomb)},
          {"crowd_new_product", ToJson(f.crowd_new)},
          {"crowd_established_product", ToJson(f.crowd_established)},
          {"demo_real_texts", ToJson(f.demo_real_texts)},
          {"demo_generated", ToJson(f.demo_generated)}};
}

}  // namespace candor::fraud_train
