#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace candor::drive {

// Every operation the mix syntax knows; this Candor version serves them all. A name added for a
// later RPC is accepted by the parser first (so scripts written for later versions parse) and
// refused by CheckServed until its Operation exists.
enum class Op { kSubmit, kSummary, kNoop, kImport, kVote, kList, kSearch, kRecommend, kSimilar };
inline constexpr int kOpCount = 9;
inline constexpr std::array<Op, kOpCount> kAllOps = {Op::kSubmit, Op::kSummary,   Op::kNoop,
                                                     Op::kImport, Op::kVote,      Op::kList,
                                                     Op::kSearch, Op::kRecommend, Op::kSimilar};

// The server an operation is sent to: review-gateway (--gateway), or reco-api (--reco-target) for
// the recommendation RPCs.
enum class Server { kGateway, kRecoApi };

// "submit", "summary", ... as used on the command line and in the JSON report.
std::string_view OpName(Op op);
// True for the operations this version can send: submit (ReviewService/SubmitReview), summary
// (ReviewService/GetProductSummary), noop (BenchService/Noop, needs the gateway's
// --bench-noop), import (ReviewService/ImportReview, with a service-role token), vote
// (ReviewService/VoteHelpful: the replay's --votes), list (ReviewService/ListReviews: a
// product's first page, most helpful first) and search (ReviewService/SearchReviews: words
// inside one product's reviews, by relevance), recommend (reco-api's
// RecommendationService/Recommend: a shopper's own list) and similar
// (RecommendationService/SimilarItems: products like one product). Each has an Operation in
// operation.cc (ServedOperations checks they agree).
bool IsServed(Op op);
// Which server `op` goes to.
Server ServerOf(Op op);

// The weighted operation mix of a run, e.g. "submit=70,summary=30,noop=0".
class Mix {
 public:
  // The weight of `op` (0 when absent).
  double Weight(Op op) const { return weights_[static_cast<size_t>(op)]; }
  // Share of `op` among all calls, 0..1.
  double Share(Op op) const { return total_ > 0 ? Weight(op) / total_ : 0; }
  // Operations with a weight above zero, in kAllOps order.
  std::vector<Op> Active() const;
  // True when an operation with a weight above zero goes to `server`.
  bool Uses(Server server) const;
  // The operation for a uniform draw `u` in [0, 1): the mix's cumulative weights in kAllOps
  // order. Pure and deterministic.
  Op Pick(double u) const;
  // The canonical text, "submit=70,summary=30" (weights above zero only, kAllOps order).
  std::string ToString() const;

 private:
  friend absl::StatusOr<Mix> ParseMix(std::string_view text);
  std::array<double, kOpCount> weights_{};
  double total_ = 0;
};

// Parses "name=weight[,name=weight...]": names from kAllOps, weights non-negative numbers,
// spaces around items ignored, each name at most once, total weight above zero. A bare name
// ("submit") means weight 1. InvalidArgument naming the offending item otherwise. Does not
// check that the operations are served (see CheckServed).
absl::StatusOr<Mix> ParseMix(std::string_view text);

// FailedPrecondition "operation '<name>' is not served by this Candor version" for the first
// operation with a weight above zero that IsServed refuses; OK otherwise.
absl::Status CheckServed(const Mix& mix);

// A uniform double in [0, 1) from a 64-bit sequence number and seed (splitmix64), so which
// operation call number n performs is reproducible and free of shared random state.
double UniformFor(uint64_t seed, uint64_t n);

}  // namespace candor::drive
