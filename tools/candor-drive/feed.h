#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/candor-drive/farm.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// A shopper who reads (recommend: their own list), with a customer token of their own.
struct Shopper {
  std::string user;
  std::string bearer;  // "Bearer <jwt>"
};

// One submission ready to send: the review and its author's bearer token.
struct Request {
  Review review;
  std::string bearer;  // "Bearer <jwt>"
  bool farm = false;
};

struct FeedOptions {
  // A reviews file (Amazon JSON lines, gzip or plain) to replay; empty = generated traffic.
  std::string reviews_file;
  int64_t file_limit = 0;   // rows to read (0 = all)
  std::string user_prefix;  // prepended to every user id (file: to reviewerID)
  // Generated traffic (candor-drive's generator, tools/candor-drive/generator.h).
  int64_t products = 200;
  int64_t chunk = 10000;  // reviews generated per step
  uint64_t seed = 1;
  // Keep the generator's deliberate refusals (invalid requests, heavy users over the daily
  // limit, second reviews) and, for a file, rows that break validation. Off: only requests the
  // gateway should accept, so throughput compares like with like.
  bool include_refusals = false;
  // Share of submissions replaced by farm reviews (see farm.h), 0..1.
  double farm_ratio = 0;
  int64_t farm_products = 5;
  // Shoppers who ask for their recommendations (reco_shoppers on): with a reviews file, the
  // file's authors as `reco_user_prefix` + reviewerID (the replay imports them with their ids as
  // they are, so "" names the users whose histories a replay stored), each drawn as the author of
  // a uniformly chosen row (so active reviewers more often); without a file, `reco_users`
  // synthetic shoppers "rs<tag>-<k>" (tag from the seed) whom reco-api has never seen (cold start).
  bool reco_shoppers = false;
  std::string reco_user_prefix;
  int64_t reco_users = 1000;
  // Tokens: HS256 with this secret, role customer.
  std::string jwt_secret;
  absl::Duration token_ttl = absl::Hours(24);
};

// An endless supply of fresh submissions (each sent once: a second send would be a duplicate).
// Generated traffic comes in chunks from Generate with a new seed per chunk (so new users;
// same catalogue "B0CD000000"...); a file is replayed in order and, when it runs out, again with
// a pass prefix ("p1-", "p2-", ...) added to every user id so that each pass is new to the
// gateway's dedup. A background thread keeps a buffer filled. Thread-safe.
class SubmitFeed {
 public:
  static absl::StatusOr<std::unique_ptr<SubmitFeed>> Create(const FeedOptions& options);
  ~SubmitFeed();

  // Fills the buffer to at least `n` requests in the calling thread (before a run, so that
  // generating text does not compete with the server for the CPU while it is measured).
  void Prefill(int64_t n);
  // From now on a background thread refills the buffer whenever it holds fewer than
  // `low_water` requests.
  void StartRefill(int64_t low_water);
  // The next request; blocks when the buffer is empty (counted in stalls()).
  Request Next();
  // `n` requests taken from the feed at once (e.g. a reusable pool for no-op calls).
  std::vector<Request> Take(int64_t n);

  // A product for a summary read: generated traffic, Zipf-like over the catalogue as the
  // submissions are; a file, the asin of a uniformly chosen row (so popular products more
  // often). Thread-safe.
  std::string SummaryAsin();
  // A shopper asking for their recommendations (FeedOptions::reco_shoppers; crashes without: a
  // bug), drawn at random. Thread-safe.
  const Shopper& RecoShopper();
  int64_t reco_shoppers() const { return static_cast<int64_t>(shoppers_.size()); }

  std::string source() const { return source_; }
  int64_t generated() const;
  int64_t farm_generated() const;
  int64_t stalls() const;
  const std::vector<std::string>& farm_targets() const { return farm_.targets(); }

 private:
  explicit SubmitFeed(const FeedOptions& options);
  // Appends the next chunk of requests to `out` (outside the lock).
  void MakeChunk(std::vector<Request>* out);
  // Makes the next chunk and appends it to the buffer, waking any Next() waiting.
  void AddChunk();
  void RefillLoop();
  // Fills shoppers_ and shopper_draws_ (FeedOptions::reco_shoppers), after the file is read.
  void MakeShoppers();

  FeedOptions options_;
  std::string source_;
  Farm farm_;
  ProductSampler sampler_;
  Plan file_;  // the file's rows (replay only)
  std::vector<std::string> file_asins_;
  std::vector<Shopper> shoppers_;        // distinct reco shoppers, each with a token
  std::vector<uint32_t> shopper_draws_;  // index into shoppers_: one per file row, or each once

  // Producer-side state, touched only by whoever runs MakeChunk (one at a time: make_mu_).
  std::mutex make_mu_;
  int64_t chunk_index_ = 0;
  size_t file_pos_ = 0;
  int64_t pass_ = 0;
  int64_t farm_next_ = 0;
  std::mt19937_64 rng_;

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::condition_variable want_cv_;
  std::deque<Request> buffer_;
  int64_t low_water_ = 0;
  bool stopping_ = false;
  int64_t generated_ = 0;
  int64_t farm_generated_ = 0;
  int64_t stalls_ = 0;
  std::thread refill_;
};

}  // namespace candor::drive
