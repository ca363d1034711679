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
//   reviewed product within 10 minutes.
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
};

absl::StatusOr<Forecast> ForecastServiceRuns(const std::vector<SourceReview>& source,
                                             const SimOptions& options,
                                             const fraud::CidrList& datacenters,
                                             fraud::FraudModel& model, std::ostream* progress);

nlohmann::json ToJson(const Forecast& f);

}  // namespace candor::fraud_train
