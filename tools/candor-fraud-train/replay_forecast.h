#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "libs/fraud/cidr_list.h"
#include "libs/fraud/model.h"
#include "nlohmann/json.hpp"
#include "tools/candor-fraud-train/amazon_reviews.h"
#include "tools/candor-fraud-train/simulator.h"

namespace candor::fraud_train {

// What the service will do with the acceptance runs of issue 10, forecast with the trained
// model on a fresh in-memory feature store (README.md, "Replay forecast"):
// - the replay of the source reviews through the import path: every review at its original
//   time, the account's age counted from its first review (no creation claim), verified as
//   candor-drive marks it (drive::VerifiedByHash), no client address or device;
// - then, 30 days after the last review, candor-drive's farm (tools/candor-drive/farm.h: 300
//   fresh accounts, spun five-star texts, one new product, within an hour);
// - and 10 days later a review bomb: 200 one-star reviews from fresh accounts on the most
//   reviewed product within 10 minutes;
// - 10 days later, genuine flash crowds: 300 shoppers within an hour on one product (a new one,
//   then 10 days later the second most reviewed), half of them the replay's shoppers held out
//   of training, half new to Candor with aged accounts (a creation claim 60-1859 days back) and
//   no history, each at an address of its own, with real texts and ratings of held-out shoppers;
// - 10 days later, the shape of scripts/demo.sh's generated traffic: candor-drive's generator
//   plan (drive::Generate, 2,000 submissions, 200 products) at 500 per second, the reviews the
//   gateway accepts, every shopper an aged, history-less account at an address of its own, with
//   real texts and ratings of held-out shoppers;
// - 40 days later (when the windows have forgotten the first) the same plan with the generator's
//   own word-list texts and ratings, as demo.sh sends it.
struct RouteShares {
  int64_t reviews = 0;
  double queued = 0;
  double rejected = 0;
};

struct Forecast {
  RouteShares replay;             // every replayed review
  RouteShares replay_test_users;  // those of the shoppers held out of training
  RouteShares farm;
  RouteShares bomb;
  RouteShares crowd_new;          // genuine flash crowd on a new product
  RouteShares crowd_established;  // on an established product
  RouteShares demo_real_texts;    // demo.sh's generated traffic with real texts
  RouteShares demo_generated;     // and as generated
};

absl::StatusOr<Forecast> ForecastServiceRuns(const std::vector<SourceReview>& source,
                                             const SimOptions& options,
                                             const fraud::CidrList& datacenters,
                                             fraud::FraudModel& model, std::ostream* progress);

nlohmann::json ToJson(const Forecast& f);

}  // namespace candor::fraud_train
