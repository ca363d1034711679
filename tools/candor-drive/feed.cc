#include "tools/candor-drive/feed.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/tokens.h"

namespace candor::drive {

absl::StatusOr<std::unique_ptr<SubmitFeed>> SubmitFeed::Create(const FeedOptions& options) {
  if (options.jwt_secret.empty()) return absl::InvalidArgumentError("feed: no JWT secret");
  if (options.chunk < 1) return absl::InvalidArgumentError("feed: chunk must be >= 1");
  if (options.farm_ratio < 0 || options.farm_ratio > 1) {
    return absl::InvalidArgumentError("farm-ratio: must be 0..1");
  }
  std::unique_ptr<SubmitFeed> feed(new SubmitFeed(options));
  if (!options.reviews_file.empty()) {
    ReadStats stats;
    absl::StatusOr<Plan> plan =
        ReadReviewsFile(options.reviews_file, options.file_limit, "", &stats);
    if (!plan.ok()) return plan.status();
    if (!options.include_refusals) {
      std::erase_if(plan->primaries,
                    [](const PlannedRequest& p) { return p.expect == Expect::kInvalid; });
      if (plan->primaries.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(options.reviews_file, ": every row breaks the validation rules"));
      }
    }
    for (const PlannedRequest& p : plan->primaries) {
      feed->file_asins_.push_back(p.review.asin);
    }
    feed->source_ = absl::StrCat("replay of ", plan->source);
    feed->file_ = std::move(*plan);
  } else {
    // Validate the generator options once, on a tiny plan, so a bad flag fails at startup.
    GeneratorOptions g;
    g.count = 1;
    g.products = options.products;
    g.users = 1;
    g.retry_ratio = 0;
    g.seed = options.seed;
    if (absl::StatusOr<Plan> p = Generate(g); !p.ok()) return p.status();
    feed->source_ =
        absl::StrCat("generated (candor-drive generator, seed ", options.seed, ", ",
                     options.products, " products, fresh users per chunk of ", options.chunk, ")");
  }
  if (options.reco_shoppers) feed->MakeShoppers();
  if (options.farm_ratio > 0) {
    absl::StrAppend(&feed->source_, " + ", options.farm_ratio * 100, " % farm reviews (",
                    options.farm_products, " target products)");
  }
  return feed;
}

void SubmitFeed::MakeShoppers() {
  std::unordered_map<std::string, uint32_t> index;
  auto add = [&](const std::string& user) {
    auto [it, fresh] = index.try_emplace(user, static_cast<uint32_t>(shoppers_.size()));
    if (fresh) {
      shoppers_.push_back({user, MintBearer(user, options_.jwt_secret, options_.token_ttl)});
    }
    shopper_draws_.push_back(it->second);
  };
  if (!file_.primaries.empty()) {
    for (const PlannedRequest& p : file_.primaries) add(options_.reco_user_prefix + p.review.user);
    absl::StrAppend(&source_, "; recommend for the file's ", shoppers_.size(), " authors");
  } else {
    char tag[8];
    std::snprintf(tag, sizeof(tag), "%06x", RunTag(options_.seed));
    for (int64_t k = 0; k < std::max<int64_t>(options_.reco_users, 1); ++k) {
      add(absl::StrCat("rs", tag, "-", k));
    }
    absl::StrAppend(&source_, "; recommend for ", shoppers_.size(),
                    " synthetic shoppers without history");
  }
}

SubmitFeed::SubmitFeed(const FeedOptions& options)
    : options_(options),
      farm_(options.seed, options.farm_products),
      sampler_(options.products),
      rng_(options.seed ^ 0xFEEDULL) {}

SubmitFeed::~SubmitFeed() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  want_cv_.notify_all();
  ready_cv_.notify_all();
  if (refill_.joinable()) refill_.join();
}

void SubmitFeed::MakeChunk(std::vector<Request>* out) {
  std::lock_guard make_lock(make_mu_);
  std::vector<Review> source;
  if (!options_.reviews_file.empty()) {
    const auto& rows = file_.primaries;
    const std::string pass_prefix =
        absl::StrCat(options_.user_prefix, pass_ > 0 ? absl::StrCat("p", pass_, "-") : "");
    for (int64_t i = 0; i < options_.chunk; ++i) {
      Review r = rows[file_pos_].review;
      r.user = pass_prefix + r.user;
      source.push_back(std::move(r));
      if (++file_pos_ == rows.size()) {
        file_pos_ = 0;
        ++pass_;
        break;  // the next pass starts a new chunk (new prefix)
      }
    }
  } else {
    GeneratorOptions g;
    g.count = options_.chunk;
    g.products = options_.products;
    g.users = options_.chunk;  // about one review per user: far below every per-user rule
    g.retry_ratio = 0;
    g.seed = options_.seed + static_cast<uint64_t>(chunk_index_) * 0x9E3779B97F4A7C15ULL;
    if (g.seed == 0) g.seed = 1;
    absl::StatusOr<Plan> plan = Generate(g);
    if (!plan.ok()) {  // the options were checked in Create; this cannot happen
      std::fprintf(stderr, "candor-drive: bug: generator: %s\n",
                   std::string(plan.status().message()).c_str());
      std::abort();
    }
    for (PlannedRequest& p : plan->primaries) {
      if (!options_.include_refusals && (p.expect != Expect::kOk || p.user_limit >= 0)) {
        continue;
      }
      p.review.user = options_.user_prefix + p.review.user;
      source.push_back(std::move(p.review));
    }
    if (options_.include_refusals) {
      for (PlannedRequest& p : plan->follow_ups) {
        p.review.user = options_.user_prefix + p.review.user;
        source.push_back(std::move(p.review));
      }
    }
    // The generator lists invalid requests and heavy users last; spread them out.
    std::shuffle(source.begin(), source.end(), rng_);
  }
  ++chunk_index_;

  // Interleave farm reviews at the requested share, then mint the tokens.
  std::vector<std::pair<Review, bool>> reviews;
  reviews.reserve(source.size());
  std::uniform_real_distribution<double> uniform(0, 1);
  const double ratio = options_.farm_ratio;
  size_t i = 0;
  while (i < source.size()) {
    if (ratio >= 1 || (ratio > 0 && uniform(rng_) < ratio)) {
      reviews.emplace_back(farm_.Make(farm_next_++), true);
      if (ratio >= 1 && reviews.size() >= source.size()) break;
    } else {
      reviews.emplace_back(std::move(source[i++]), false);
    }
  }
  std::unordered_map<std::string, std::string> bearer;
  out->reserve(out->size() + reviews.size());
  for (auto& [review, farm] : reviews) {
    auto [it, fresh] = bearer.try_emplace(review.user);
    if (fresh) it->second = MintBearer(review.user, options_.jwt_secret, options_.token_ttl);
    out->push_back(Request{std::move(review), it->second, farm});
  }
}

void SubmitFeed::AddChunk() {
  std::vector<Request> chunk;
  MakeChunk(&chunk);  // outside the lock: generating text is the slow part
  std::lock_guard lock(mu_);
  for (Request& r : chunk) {
    farm_generated_ += r.farm ? 1 : 0;
    buffer_.push_back(std::move(r));
  }
  generated_ += static_cast<int64_t>(chunk.size());
  ready_cv_.notify_all();
}

void SubmitFeed::Prefill(int64_t n) {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (static_cast<int64_t>(buffer_.size()) >= n) return;
    }
    AddChunk();
  }
}

void SubmitFeed::StartRefill(int64_t low_water) {
  {
    std::lock_guard lock(mu_);
    low_water_ = std::max<int64_t>(low_water, 1);
  }
  if (!refill_.joinable()) refill_ = std::thread([this] { RefillLoop(); });
}

void SubmitFeed::RefillLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      want_cv_.wait(
          lock, [this] { return stopping_ || static_cast<int64_t>(buffer_.size()) < low_water_; });
      if (stopping_) return;
    }
    AddChunk();
  }
}

Request SubmitFeed::Next() {
  std::unique_lock lock(mu_);
  if (buffer_.empty()) ++stalls_;
  while (buffer_.empty()) {
    if (refill_.joinable()) {
      want_cv_.notify_one();
      ready_cv_.wait(lock, [this] { return !buffer_.empty(); });
    } else {
      // No background thread: produce in this thread rather than wait forever.
      lock.unlock();
      Prefill(1);
      lock.lock();
    }
  }
  Request r = std::move(buffer_.front());
  buffer_.pop_front();
  if (static_cast<int64_t>(buffer_.size()) < low_water_) want_cv_.notify_one();
  return r;
}

std::vector<Request> SubmitFeed::Take(int64_t n) {
  std::vector<Request> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(Next());
  return out;
}

std::string SubmitFeed::SummaryAsin() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  if (!file_asins_.empty()) {
    return file_asins_[std::uniform_int_distribution<size_t>(0, file_asins_.size() - 1)(rng)];
  }
  return ProductAsin(sampler_.Sample(rng));
}

const Shopper& SubmitFeed::RecoShopper() {
  if (shopper_draws_.empty()) {
    std::fprintf(stderr, "candor-drive: bug: RecoShopper without FeedOptions::reco_shoppers\n");
    std::abort();
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const size_t draw = std::uniform_int_distribution<size_t>(0, shopper_draws_.size() - 1)(rng);
  return shoppers_[shopper_draws_[draw]];
}

int64_t SubmitFeed::generated() const {
  std::lock_guard lock(mu_);
  return generated_;
}

int64_t SubmitFeed::farm_generated() const {
  std::lock_guard lock(mu_);
  return farm_generated_;
}

int64_t SubmitFeed::stalls() const {
  std::lock_guard lock(mu_);
  return stalls_;
}

}  // namespace candor::drive
