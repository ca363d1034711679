#include "tools/candor-drive/outcomes.h"

#include "absl/strings/str_cat.h"

namespace candor::drive {
namespace {

std::string Describe(const Plan& plan, size_t n, const Outcome& got, const std::string& wanted) {
  const Review& r = plan.at(n).review;
  std::string answer = CodeName(got.code);
  if (!got.message.empty()) absl::StrAppend(&answer, " (", got.message, ")");
  return absl::StrCat("request ", n, " (user ", r.user, ", asin ", r.asin, ", rating ", r.rating,
                      "): expected ", wanted, ", got ", answer);
}

}  // namespace

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return name;
}

const std::array<OutcomeBucket, 6> kOutcomeBuckets = {{
    {absl::StatusCode::kOk, "ok", "accepted (OK)", &OutcomeCounts::ok},
    {absl::StatusCode::kAlreadyExists, "duplicate", "duplicate (ALREADY_EXISTS)",
     &OutcomeCounts::duplicate},
    {absl::StatusCode::kResourceExhausted, "limited", "limited (RESOURCE_EXHAUSTED)",
     &OutcomeCounts::limited},
    {absl::StatusCode::kInvalidArgument, "invalid", "invalid (INVALID_ARGUMENT)",
     &OutcomeCounts::invalid},
    {absl::StatusCode::kUnauthenticated, "unauthenticated", "unauthenticated",
     &OutcomeCounts::unauthenticated},
    {absl::StatusCode::kUnavailable, "unavailable", "unavailable", &OutcomeCounts::unavailable},
}};

const OutcomeBucket* BucketOf(absl::StatusCode code) {
  for (const OutcomeBucket& bucket : kOutcomeBuckets) {
    if (bucket.code == code) return &bucket;
  }
  return nullptr;
}

OutcomeCounts Tally(const std::vector<Outcome>& outcomes) {
  OutcomeCounts c;
  for (const Outcome& o : outcomes) {
    if (!o.answered) {
      ++c.not_sent;
      continue;
    }
    ++c.by_code[o.code];
    const OutcomeBucket* bucket = BucketOf(o.code);
    ++(bucket != nullptr ? c.*(bucket->count) : c.other);
  }
  return c;
}

ExpectationReport CheckExpectations(const Plan& plan, const std::vector<Outcome>& outcomes,
                                    size_t max_examples) {
  ExpectationReport report;
  auto mismatch = [&](std::string what) {
    ++report.mismatched;
    if (report.examples.size() < max_examples) report.examples.push_back(std::move(what));
  };

  // The primary of each follow-up, to judge the follow-up against its first answer.
  std::vector<size_t> primary_of(plan.follow_ups.size(), 0);
  for (size_t i = 0; i < plan.primaries.size(); ++i) {
    if (plan.primaries[i].follow_up >= 0) primary_of[plan.primaries[i].follow_up] = i;
  }

  for (size_t n = 0; n < plan.size() && n < outcomes.size(); ++n) {
    const Outcome& got = outcomes[n];
    const PlannedRequest& req = plan.at(n);
    if (!got.answered || req.expect == Expect::kUnknown) continue;
    const bool is_follow_up = n >= plan.primaries.size();
    const Outcome* first = nullptr;
    if (is_follow_up) {
      first = &outcomes[primary_of[n - plan.primaries.size()]];
      if (!first->answered || first->code != absl::StatusCode::kOk) {
        ++report.inconclusive;
        continue;
      }
    }
    ++report.checked;
    switch (req.expect) {
      case Expect::kOk:
        if (got.code != absl::StatusCode::kOk) mismatch(Describe(plan, n, got, "OK"));
        break;
      case Expect::kInvalid:
        if (got.code != absl::StatusCode::kInvalidArgument) {
          mismatch(Describe(plan, n, got, "INVALID_ARGUMENT"));
        }
        break;
      case Expect::kDuplicate:
        if (got.code != absl::StatusCode::kAlreadyExists) {
          mismatch(Describe(plan, n, got, "ALREADY_EXISTS (second review of the product)"));
        }
        break;
      case Expect::kSameAsFirst:
        if (got.code == absl::StatusCode::kAlreadyExists) break;
        if (got.code == absl::StatusCode::kOk && got.review_id == first->review_id) break;
        mismatch(Describe(
            plan, n, got,
            absl::StrCat("ALREADY_EXISTS or OK with review_id ", first->review_id, " (retry)",
                         got.code == absl::StatusCode::kOk
                             ? absl::StrCat(", got review_id ", got.review_id)
                             : "")));
        break;
      case Expect::kUnknown:
        break;
    }
  }

  // Daily limits, per user.
  struct Tallies {
    int64_t requests = 0, ok = 0, limited = 0, other = 0;
  };
  std::vector<Tallies> groups(plan.user_limits.size());
  for (size_t n = 0; n < plan.size() && n < outcomes.size(); ++n) {
    int g = plan.at(n).user_limit;
    if (g < 0) continue;
    Tallies& t = groups[g];
    ++t.requests;
    const Outcome& o = outcomes[n];
    if (o.answered && o.code == absl::StatusCode::kOk) {
      ++t.ok;
    } else if (o.answered && o.code == absl::StatusCode::kResourceExhausted) {
      ++t.limited;
    } else {
      ++t.other;
    }
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const UserLimit& limit = plan.user_limits[g];
    const Tallies& t = groups[g];
    bool failed = t.ok > limit.max_ok;  // more than the limit is wrong whatever else happened
    if (limit.exact && t.other == 0) {
      int64_t want_ok = std::min<int64_t>(t.requests, limit.max_ok);
      failed = failed || t.ok != want_ok || t.limited != t.requests - want_ok;
    } else if (limit.exact && !failed) {
      ++report.inconclusive;  // other answers (UNAVAILABLE, ...) changed what the limit saw
      continue;
    }
    ++report.limit_groups_checked;
    if (failed) {
      ++report.limit_groups_failed;
      if (report.examples.size() < max_examples) {
        report.examples.push_back(absl::StrCat(
            "user ", limit.user, ": ", t.requests, " reviews, ", t.ok, " accepted, ", t.limited,
            " RESOURCE_EXHAUSTED; expected ", limit.exact ? "exactly " : "at most ", limit.max_ok,
            " accepted", limit.exact ? " and the rest RESOURCE_EXHAUSTED" : ""));
      }
    }
  }
  return report;
}

}  // namespace candor::drive
