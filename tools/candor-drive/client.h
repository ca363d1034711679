#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/time/time.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "tools/candor-drive/report.h"

namespace candor::drive {

using ReviewStub = review::v1::ReviewService::Stub;

// An insecure channel to the gateway (local stack), reconnecting within a second after the
// server (re)appears.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// Bearer tokens per user, minted in-process with libs/auth (HS256). Add() everyone before the
// run; BearerFor() is then safe to call from many threads.
class TokenBook {
 public:
  TokenBook(std::string secret, absl::Duration ttl) : secret_(std::move(secret)), ttl_(ttl) {}
  void Add(const std::string& user);
  // "Bearer <jwt>" for a user passed to Add (crashes otherwise: a bug).
  const std::string& BearerFor(const std::string& user) const;
  size_t size() const { return bearer_.size(); }

 private:
  std::string secret_;
  absl::Duration ttl_;
  std::unordered_map<std::string, std::string> bearer_;
};

// Calls GetProductSummary for every asin, at most `concurrency` calls in flight; one answer per
// asin, in order. `bearer` is the authorization metadata value ("" sends none). Blocks.
std::vector<SummaryAnswer> FetchSummaries(ReviewStub& stub, const std::string& bearer,
                                          const std::vector<std::string>& asins, int concurrency,
                                          absl::Duration deadline);

// One GetProductSummary call: true when a server answered, whatever the status, except
// UNAVAILABLE and DEADLINE_EXCEEDED (nobody listening, or not answering). `detail` says what
// came back.
bool Probe(ReviewStub& stub, const std::string& bearer, absl::Duration deadline,
           std::string* detail);

}  // namespace candor::drive
