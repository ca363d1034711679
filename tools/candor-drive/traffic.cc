#include "tools/candor-drive/traffic.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/review/ip_address.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"
#include "nlohmann/json.hpp"

namespace candor::drive {
namespace {

// FNV-1a, 64 bit: stable across platforms and runs, unlike std::hash.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// True when the file starts with the gzip magic bytes 1f 8b. Only for the report: gzopen reads
// both forms transparently.
bool LooksGzipped(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char magic[2] = {0, 0};
  size_t n = std::fread(magic, 1, 2, f);
  std::fclose(f);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// Reads one line of any length (without its newline) with gzgets. False at end of file.
bool ReadLine(gzFile file, std::string* line) {
  line->clear();
  char buf[64 * 1024];
  while (gzgets(file, buf, sizeof(buf)) != nullptr) {
    line->append(buf);
    if (!line->empty() && line->back() == '\n') {
      line->pop_back();
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
  }
  return !line->empty();
}

std::string StringField(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// `helpful` = [helpful_yes, total_votes] as two integers with 0 <= yes <= total; else nullopt.
std::optional<Review::Votes> VotesOf(const nlohmann::json& helpful) {
  if (!helpful.is_array() || helpful.size() != 2) return std::nullopt;
  if (!helpful[0].is_number_integer() || !helpful[1].is_number_integer()) return std::nullopt;
  Review::Votes v{helpful[0].get<int64_t>(), helpful[1].get<int64_t>()};
  if (v.helpful < 0 || v.helpful > v.total) return std::nullopt;
  return v;
}

// Whether the gateway's validation rules (shared code: libs/review) refuse the review.
bool BreaksValidation(const Review& r) { return !review::ValidateSubmission(ShopperInput(r)).ok(); }

}  // namespace

review::SubmissionInput ShopperInput(const Review& r) {
  return review::SubmissionInput{r.asin,     r.rating, r.title, r.body, r.verified_purchase,
                                 r.device_id};
}

bool VerifiedByHash(const std::string& user, const std::string& asin) {
  return Fnv1a(absl::StrCat(user, ":", asin)) % 100 < 70;
}

absl::Time AccountCreatedByHash(const std::string& user, absl::Time now) {
  return now - absl::Hours(24 * (60 + static_cast<int64_t>(Fnv1a(user) % 1800)));
}

void AddUserLimits(Plan& plan, bool exact) {
  std::map<std::string, int> valid_per_user;
  for (const PlannedRequest& p : plan.primaries) {
    if (p.expect != Expect::kInvalid) ++valid_per_user[p.review.user];
  }
  std::map<std::string, int> group_of;
  for (const auto& [user, n] : valid_per_user) {
    if (n <= kReviewsPerUserPerDay) continue;
    group_of[user] = static_cast<int>(plan.user_limits.size());
    plan.user_limits.push_back({user, kReviewsPerUserPerDay, exact});
  }
  for (PlannedRequest& p : plan.primaries) {
    auto it = group_of.find(p.review.user);
    if (it != group_of.end() && p.expect != Expect::kInvalid) p.user_limit = it->second;
  }
}

void ForImport(Plan& plan, absl::Time now) {
  plan.user_limits.clear();
  for (std::vector<PlannedRequest>* requests : {&plan.primaries, &plan.follow_ups}) {
    for (PlannedRequest& p : *requests) {
      p.user_limit = -1;
      const std::optional<absl::Time>& at = p.review.submitted_at;
      if (!at || !review::ValidateImportTime(*at, now).ok()) p.expect = Expect::kInvalid;
    }
  }
}

absl::StatusOr<Plan> ReadReviewsFile(const std::string& path, int64_t limit,
                                     const std::string& user_prefix, ReadStats* stats) {
  *stats = ReadStats{};
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  stats->gzip = LooksGzipped(path);

  Plan plan;
  std::string line;
  bool at_end = false;
  while (limit <= 0 || static_cast<int64_t>(plan.primaries.size()) < limit) {
    if (!ReadLine(file, &line)) {
      at_end = true;
      break;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++stats->lines;
    nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded() || !row.is_object()) {
      ++stats->malformed;
      continue;
    }
    PlannedRequest p;
    Review& r = p.review;
    std::string reviewer = StringField(row, "reviewerID");
    r.asin = StringField(row, "asin");
    if (reviewer.empty() || r.asin.empty()) {
      ++stats->malformed;
      continue;
    }
    r.user = user_prefix + reviewer;
    if (auto it = row.find("overall"); it != row.end() && it->is_number()) {
      r.rating = static_cast<int32_t>(std::lround(it->get<double>()));
    }
    r.title = StringField(row, "summary");
    r.body = StringField(row, "reviewText");
    if (auto it = row.find("unixReviewTime"); it != row.end() && it->is_number_integer()) {
      r.submitted_at = absl::FromUnixSeconds(it->get<int64_t>());
    }
    if (auto it = row.find("helpful"); it != row.end()) {
      r.votes = VotesOf(*it);
      if (!r.votes) ++stats->bad_votes;
    }
    r.verified_purchase = VerifiedByHash(r.user, r.asin);
    p.expect = BreaksValidation(r) ? Expect::kInvalid : Expect::kUnknown;
    plan.primaries.push_back(std::move(p));
  }
  // gzgets returns null both at the end and on an error (a truncated or corrupt gzip stream).
  int error = Z_OK;
  const char* message = gzerror(file, &error);
  std::string what = message != nullptr ? message : "";
  gzclose(file);
  if (at_end && error != Z_OK) {
    return absl::DataLossError(absl::StrCat(path, ": read error: ", what));
  }
  if (plan.primaries.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no reviews found (", stats->lines, " lines, ", stats->malformed,
                     " malformed); expected JSON lines with reviewerID, asin, overall, ..."));
  }
  // Users of a replayed file may already have reviews in the window (an earlier replay), so the
  // daily-limit check can only be "at most 10 accepted".
  AddUserLimits(plan, /*exact=*/false);
  plan.source = absl::StrCat(
      path, " (", stats->gzip ? "gzip" : "plain", ", ", plan.primaries.size(), " reviews",
      stats->malformed > 0 ? absl::StrCat(", ", stats->malformed, " malformed lines skipped") : "",
      ")");
  return plan;
}

uint32_t RunTag(uint64_t seed) {
  return static_cast<uint32_t>((seed * 0x9E3779B97F4A7C15ULL) >> 40);
}

std::string AccountAddress(uint32_t net, uint32_t slot) {
  return review::IpAddress::Parse(absl::StrFormat("2001:db8:%x:%x::1", net & 0xffff, slot & 0xffff))
      ->ToString();
}

}  // namespace candor::drive
