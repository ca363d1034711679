#include "tools/candor-drive/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace candor::drive {
namespace {

using Rng = std::mt19937_64;

// ---------------------------------------------------------------------------------------------
// Word lists. Enough variety that texts differ in length and wording, not a language model.

constexpr const char* kItems[] = {
    "strings", "tuner",      "capo",       "strap", "cable",     "pedal",      "stand",
    "gig bag", "picks",      "mic",        "clip",  "amp",       "headphones", "adapter",
    "case",    "pop filter", "humidifier", "slide", "metronome", "drum sticks"};
constexpr const char* kFeatures[] = {
    "sound",   "build quality", "price",        "finish",       "packaging", "fit",
    "tone",    "cable",         "battery life", "instructions", "padding",   "zipper",
    "display", "clamp",         "spring",       "connectors",   "weight",    "feel"};
constexpr const char* kGood[] = {"great",    "excellent",   "solid",   "sturdy",    "clean",
                                 "warm",     "reliable",    "perfect", "well made", "bright",
                                 "accurate", "comfortable", "quiet",   "smooth"};
constexpr const char* kBad[] = {"cheap",         "flimsy",  "noisy",     "loose",
                                "disappointing", "useless", "scratchy",  "weak",
                                "unreliable",    "thin",    "too stiff", "wobbly"};
constexpr const char* kSoSo[] = {"okay",       "decent",          "average",     "fine",
                                 "acceptable", "nothing special", "a bit uneven"};
constexpr const char* kUses[] = {
    "my acoustic guitar", "my bass",     "the home studio",    "my daughter's violin", "practice",
    "gigs on weekends",   "my keyboard", "recording podcasts", "band rehearsals"};
constexpr const char* kGoodLines[] = {
    "Does exactly what it says.", "Would buy again.",
    "Highly recommended.",        "Arrived quickly and well packed.",
    "Worth every penny.",         "My teacher approved of it too.",
    "Five stars, no complaints.", "Better than the name brand one I had."};
constexpr const char* kBadLines[] = {
    "Stopped working after two weeks.", "Returned it.",
    "Do not waste your money.",         "Broke the first time I used it.",
    "Customer service never answered.", "Looks nothing like the photos.",
    "Had to glue it back together."};
constexpr const char* kSoSoLines[] = {
    "It does the job, nothing more.", "Good enough for practice.", "You get what you pay for.",
    "Fine for a beginner.",           "Not bad, not great.",       "Took a while to arrive."};
constexpr const char* kGoodTitles[] = {"Great value",       "Love it",           "Five stars",
                                       "Excellent",         "Does the job well", "Solid buy",
                                       "Just what I needed"};
constexpr const char* kBadTitles[] = {"Disappointed",     "Junk",    "Broke quickly", "Avoid",
                                      "Not as described", "One star"};
constexpr const char* kSoSoTitles[] = {"It's okay", "Average", "Meh", "Could be better",
                                       "Decent for the price"};

template <size_t N>
const char* Pick(Rng& rng, const char* const (&list)[N]) {
  return list[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

// 1..5 stars at 2/3/8/20/67 %, the shape of real review data (J-shaped).
int32_t JShapedRating(Rng& rng) {
  int r = std::uniform_int_distribution<int>(0, 99)(rng);
  if (r < 2) return 1;
  if (r < 5) return 2;
  if (r < 13) return 3;
  if (r < 33) return 4;
  return 5;
}

std::string Sentence(Rng& rng, int32_t rating) {
  const bool good = rating >= 4;
  const bool bad = rating <= 2;
  auto adjective = [&] {
    // Mostly on-sentiment, sometimes a contrasting remark, as real reviews have.
    int mood = std::uniform_int_distribution<int>(0, 9)(rng);
    if (mood == 0) return Pick(rng, kSoSo);
    if (good) return mood == 1 ? Pick(rng, kBad) : Pick(rng, kGood);
    if (bad) return mood == 1 ? Pick(rng, kGood) : Pick(rng, kBad);
    return mood < 4 ? Pick(rng, kGood) : mood < 7 ? Pick(rng, kBad) : Pick(rng, kSoSo);
  };
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0:
      return absl::StrCat("The ", Pick(rng, kFeatures), " is ", adjective(), ".");
    case 1:
      return absl::StrCat("I use it with ", Pick(rng, kUses), " and the ", Pick(rng, kFeatures),
                          " is ", adjective(), ".");
    case 2:
      return absl::StrCat("Compared to my old ", Pick(rng, kItems), ", the ", Pick(rng, kFeatures),
                          " feels ", adjective(), ".");
    case 3:
      return good ? Pick(rng, kGoodLines) : bad ? Pick(rng, kBadLines) : Pick(rng, kSoSoLines);
    case 4:
      return absl::StrCat("Bought it as a replacement ", Pick(rng, kItems), " for ",
                          Pick(rng, kUses), ".");
    default:
      return absl::StrCat("The ", Pick(rng, kFeatures), " and the ", Pick(rng, kFeatures),
                          " are both ", adjective(), ".");
  }
}

// From one short sentence to a few hundred words: most reviews are short, a few are essays.
std::string Body(Rng& rng, int32_t rating) {
  int sentences = 1 + static_cast<int>(std::exponential_distribution<double>(1.0 / 3)(rng));
  if (std::uniform_int_distribution<int>(0, 19)(rng) == 0) {
    sentences += std::uniform_int_distribution<int>(15, 45)(rng);
  }
  // At most 60 sentences of at most 76 characters: always under the 5,000-character limit.
  sentences = std::min(sentences, 60);
  std::string body;
  for (int i = 0; i < sentences; ++i) {
    if (i > 0) body += ' ';
    body += Sentence(rng, rating);
  }
  return body;
}

std::string Title(Rng& rng, int32_t rating) {
  if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) return "";  // titles are optional
  if (rating >= 4) return Pick(rng, kGoodTitles);
  if (rating <= 2) return Pick(rng, kBadTitles);
  return Pick(rng, kSoSoTitles);
}

// Picks (user, product) pairs so that no ordinary user goes over kMaxPerUser submissions and no
// user reviews a product twice, except where the plan asks for it on purpose.
class Assigner {
 public:
  Assigner(int64_t users, int64_t products, const ProductSampler& sampler)
      : load_(static_cast<size_t>(users), 0), products_(products), sampler_(sampler) {}

  // `submissions` is what the user will send for this product (2 with a follow-up).
  bool Assign(Rng& rng, int submissions, int64_t* user, int64_t* product) {
    const auto users = static_cast<int64_t>(load_.size());
    auto has_room = [&](int64_t u) { return load_[u] + submissions <= kMaxPerUser; };
    int64_t u = -1;
    for (int t = 0; t < 64 && u < 0; ++t) {
      int64_t c = std::uniform_int_distribution<int64_t>(0, users - 1)(rng);
      if (has_room(c)) u = c;
    }
    if (u < 0) {  // nearly full: scan from a random start
      int64_t start = std::uniform_int_distribution<int64_t>(0, users - 1)(rng);
      for (int64_t i = 0; i < users && u < 0; ++i) {
        if (has_room((start + i) % users)) u = (start + i) % users;
      }
    }
    if (u < 0) return false;
    int64_t p = -1;
    for (int t = 0; t < 32 && p < 0; ++t) {
      int64_t c = sampler_.Sample(rng);
      if (!reviewed_.contains(Key(u, c))) p = c;
    }
    // A user has reviewed at most kMaxPerUser products, so one of the first kMaxPerUser + 1 is
    // free (products >= kHeavyUserRequests > kMaxPerUser).
    for (int64_t c = 0; p < 0 && c < products_; ++c) {
      if (!reviewed_.contains(Key(u, c))) p = c;
    }
    if (p < 0) return false;
    load_[u] += static_cast<uint8_t>(submissions);
    reviewed_.insert(Key(u, p));
    *user = u;
    *product = p;
    return true;
  }

 private:
  uint64_t Key(int64_t u, int64_t p) const {
    return static_cast<uint64_t>(u) * static_cast<uint64_t>(products_) + static_cast<uint64_t>(p);
  }
  std::vector<uint8_t> load_;
  int64_t products_;
  const ProductSampler& sampler_;
  std::unordered_set<uint64_t> reviewed_;
};

enum class FollowUp { kNone, kRetry, kSecondReview };

}  // namespace

ProductSampler::ProductSampler(int64_t products) : cumulative_(static_cast<size_t>(products)) {
  double total = 0;
  for (int64_t k = 0; k < products; ++k) {
    total += 1.0 / static_cast<double>(k + 1);
    cumulative_[static_cast<size_t>(k)] = total;
  }
}

int64_t ProductSampler::Sample(std::mt19937_64& rng) const {
  double x = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
  return std::min<int64_t>(it - cumulative_.begin(), static_cast<int64_t>(cumulative_.size()) - 1);
}

int64_t HeavyUsersFor(int64_t count) {
  if (count < 200) return 0;
  return std::clamp<int64_t>(count / 400, 1, 50);
}

int32_t SampleRating(std::mt19937_64& rng) { return JShapedRating(rng); }
std::string GeneratedTitle(std::mt19937_64& rng, int32_t rating) { return Title(rng, rating); }
std::string GeneratedBody(std::mt19937_64& rng, int32_t rating) { return Body(rng, rating); }

std::string ProductAsin(int64_t index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "B0CD%06lld", static_cast<long long>(index % 1000000));
  return buf;
}

absl::StatusOr<Plan> Generate(const GeneratorOptions& o) {
  if (o.count < 1) return absl::InvalidArgumentError("count: must be >= 1");
  if (o.products < kHeavyUserRequests || o.products > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("products: must be ", kHeavyUserRequests, "..1000000"));
  }
  if (o.users < 1) return absl::InvalidArgumentError("users: must be >= 1");

  const int64_t heavy_users = HeavyUsersFor(o.count);
  const int64_t rest = o.count - heavy_users * kHeavyUserRequests;
  const int64_t invalid = std::llround(static_cast<double>(o.count) * kInvalidRatio);
  const int64_t seconds = std::llround(static_cast<double>(o.count) * kSecondReviewRatio);
  const int64_t retries = std::llround(static_cast<double>(o.count) * o.retry_ratio);
  // Each follow-up rides on its own ordinary, valid primary.
  const int64_t normal = rest - invalid - seconds - retries;
  if (normal < seconds + retries) {
    return absl::InvalidArgumentError(
        absl::StrCat("retry-ratio: ", o.retry_ratio, " leaves too few first submissions to retry"));
  }
  const int64_t ordinary_submissions = rest;
  if (o.users * kMaxPerUser < ordinary_submissions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "users: ", o.users, " users cannot send ", ordinary_submissions,
        " submissions while staying under the daily limit (", kMaxPerUser,
        " each); use --users >= ", (ordinary_submissions + kMaxPerUser - 1) / kMaxPerUser));
  }

  Rng rng(o.seed);
  char tag[16];
  std::snprintf(tag, sizeof(tag), "%06x", RunTag(o.seed));
  const uint32_t net = RunTag(o.seed) >> 8;
  const absl::Time now = absl::Now();
  auto user_name = [&](int64_t u) { return absl::StrCat("u", tag, "-", u); };

  ProductSampler sampler(o.products);
  Assigner assigner(o.users, o.products, sampler);
  auto review_for = [&](int64_t u, int64_t p, int32_t rating) {
    Review r;
    r.user = user_name(u);
    r.asin = ProductAsin(p);
    r.rating = rating;
    r.title = Title(rng, rating);
    r.body = Body(rng, rating);
    r.verified_purchase = VerifiedByHash(r.user, r.asin);
    // Every shopper its own machine (sent as x-forwarded-for; see traffic.h).
    r.client_ip = AccountAddress(net, static_cast<uint32_t>(u));
    r.account_created = AccountCreatedByHash(r.user, now);
    return r;
  };

  std::vector<std::pair<PlannedRequest, FollowUp>> primaries;
  primaries.reserve(static_cast<size_t>(o.count));
  for (int64_t i = 0; i < normal + invalid; ++i) {
    const bool is_invalid = i >= normal;
    FollowUp follow = i < retries             ? FollowUp::kRetry
                      : i < retries + seconds ? FollowUp::kSecondReview
                                              : FollowUp::kNone;
    int64_t u = 0;
    int64_t p = 0;
    if (!assigner.Assign(rng, follow == FollowUp::kNone ? 1 : 2, &u, &p)) {
      return absl::InternalError("generator: could not place a review (users too few?)");
    }
    PlannedRequest req;
    req.review = review_for(u, p, JShapedRating(rng));
    req.expect = Expect::kOk;
    if (is_invalid) {
      req.expect = Expect::kInvalid;
      switch (i % 3) {
        case 0:
          req.review.rating = 0;
          break;
        case 1:
          req.review.rating = 6;
          break;
        default:
          req.review.body.clear();
      }
    }
    primaries.emplace_back(std::move(req), follow);
  }
  for (int64_t h = 0; h < heavy_users; ++h) {
    std::string user = absl::StrCat("u", tag, "-heavy-", h);
    std::unordered_set<int64_t> seen;
    while (static_cast<int>(seen.size()) < kHeavyUserRequests) {
      int64_t p = sampler.Sample(rng);
      if (!seen.insert(p).second) continue;
      PlannedRequest req;
      int32_t rating = JShapedRating(rng);
      req.review.user = user;
      req.review.asin = ProductAsin(p);
      req.review.rating = rating;
      req.review.title = Title(rng, rating);
      req.review.body = Body(rng, rating);
      req.review.verified_purchase = VerifiedByHash(user, req.review.asin);
      req.review.client_ip = AccountAddress(net, static_cast<uint32_t>(0xffff - h));
      req.review.account_created = AccountCreatedByHash(user, now);
      req.expect = Expect::kUnknown;  // judged as a group by its UserLimit
      primaries.emplace_back(std::move(req), FollowUp::kNone);
    }
  }
  std::shuffle(primaries.begin(), primaries.end(), rng);

  Plan plan;
  plan.primaries.reserve(primaries.size());
  for (auto& [req, follow] : primaries) {
    if (follow != FollowUp::kNone) {
      PlannedRequest next;
      if (follow == FollowUp::kRetry) {
        next.review = req.review;
        next.expect = Expect::kSameAsFirst;
      } else {
        int32_t rating = JShapedRating(rng);
        next.review = req.review;
        next.review.rating = rating;
        next.review.title = Title(rng, rating);
        next.review.body = absl::StrCat("Update: ", Body(rng, rating));
        next.expect = Expect::kDuplicate;
      }
      req.follow_up = static_cast<int>(plan.follow_ups.size());
      plan.follow_ups.push_back(std::move(next));
    }
    plan.primaries.push_back(std::move(req));
  }
  AddUserLimits(plan, /*exact=*/true);
  plan.source = absl::StrCat("generator (seed ", o.seed, ": ", o.products, " products, ", o.users,
                             " users + ", heavy_users, " heavy; ", retries, " retries, ", seconds,
                             " second reviews, ", invalid, " invalid)");
  return plan;
}

}  // namespace candor::drive
