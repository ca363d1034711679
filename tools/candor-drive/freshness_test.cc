#include "tools/candor-drive/freshness.h"

#include <set>

#include "gtest/gtest.h"
#include "tools/candor-drive/report.h"

namespace candor::drive {
namespace {

// The ledger and the read side of a pipeline that catches up one step per poll.
class FakeLedger : public ReviewLedger {
 public:
  absl::StatusOr<std::vector<std::string>> ExistingReviewIds(
      const std::vector<std::string>& ids) override {
    ++polls;
    if (fail) return absl::UnavailableError("connection refused");
    std::vector<std::string> out;
    for (const auto& id : ids) {
      if (rows.contains(id)) out.push_back(id);
    }
    // Rows show up over time.
    for (const auto& id : arriving) rows.insert(id);
    arriving.clear();
    return out;
  }
  absl::StatusOr<std::map<std::string, int64_t>> ActiveCounts(
      const std::vector<std::string>& asins) override {
    std::map<std::string, int64_t> out;
    for (const auto& a : asins) {
      if (active.contains(a)) out[a] = active[a];
    }
    return out;
  }
  absl::StatusOr<std::map<std::string, int64_t>> StatusCounts(
      const std::vector<std::string>& ids) override {
    std::map<std::string, int64_t> out;
    for (const auto& id : ids) {
      if (rows.contains(id)) ++out["active"];
    }
    return out;
  }
  std::set<std::string> rows, arriving;
  std::map<std::string, int64_t> active;
  bool fail = false;
  int polls = 0;
};

FreshnessOptions Fast(absl::Duration timeout = absl::Seconds(5)) {
  FreshnessOptions o;
  o.timeout = timeout;
  o.poll = absl::Milliseconds(1);
  return o;
}

TEST(FreshnessTest, ConvergesWhenRowsAndSummariesCatchUp) {
  FakeLedger ledger;
  ledger.rows = {"r1"};
  ledger.arriving = {"r2"};
  ledger.active = {{"A", 2}, {"B", 1}};
  std::map<std::string, int64_t> summary = {{"A", 0}};  // B: NOT_FOUND at first
  int fetches = 0;
  SummaryFetcher fetch = [&](const std::vector<std::string>& asins) {
    ++fetches;
    std::vector<Answer> out;
    for (const auto& a : asins) {
      Answer ans;
      ans.view.asin = a;
      if (summary.contains(a)) {
        ans.code = absl::StatusCode::kOk;
        ans.view.review_count = summary[a];
      } else {
        ans.code = absl::StatusCode::kNotFound;
      }
      out.push_back(ans);
    }
    summary["A"] = std::min<int64_t>(summary["A"] + 1, 2);  // the aggregator catches up
    summary["B"] = 1;
    return out;
  };
  FreshnessReport r =
      WaitForFreshness(ledger, fetch, {"r1", "r2"}, {"A", "B"}, std::chrono::steady_clock::now(),
                       Fast(), [] { return false; });
  EXPECT_EQ(r.state, FreshnessReport::State::kFresh) << r.message;
  EXPECT_GE(r.fresh_ms, 0);
  EXPECT_EQ(r.reviews_expected, 2);
  EXPECT_EQ(r.products, 2);
  EXPECT_GE(fetches, 3);
}

TEST(FreshnessTest, NotFoundCountsAsZero) {
  FakeLedger ledger;
  SummaryFetcher fetch = [](const std::vector<std::string>& asins) {
    std::vector<Answer> out(asins.size());
    for (auto& a : out) a.code = absl::StatusCode::kNotFound;
    return out;
  };
  FreshnessReport r = WaitForFreshness(ledger, fetch, {}, {"A"}, std::chrono::steady_clock::now(),
                                       Fast(), [] { return false; });
  EXPECT_EQ(r.state, FreshnessReport::State::kFresh);
}

TEST(FreshnessTest, StaleProductsAreNamed) {
  FakeLedger ledger;
  ledger.rows = {"r1"};
  ledger.active = {{"A", 3}, {"B", 1}};
  SummaryFetcher fetch = [](const std::vector<std::string>& asins) {
    std::vector<Answer> out;
    for (const auto& a : asins) {
      Answer ans;
      ans.view.asin = a;
      ans.code = a == "B" ? absl::StatusCode::kOk : absl::StatusCode::kInternal;
      ans.view.review_count = 1;
      ans.message = "boom";
      out.push_back(ans);
    }
    return out;
  };
  FreshnessReport r =
      WaitForFreshness(ledger, fetch, {"r1"}, {"A", "B"}, std::chrono::steady_clock::now(),
                       Fast(absl::Milliseconds(30)), [] { return false; });
  EXPECT_EQ(r.state, FreshnessReport::State::kStale);
  EXPECT_EQ(r.products_stale, 1);
  ASSERT_EQ(r.lagging.size(), 1u);
  EXPECT_EQ(r.lagging[0].asin, "A");
  EXPECT_EQ(r.lagging[0].db_count, 3);
  EXPECT_EQ(r.lagging[0].summary_count, -1);
  EXPECT_NE(r.lagging[0].error.find("boom"), std::string::npos);
}

TEST(FreshnessTest, MissingRowsAreAnI1Failure) {
  FakeLedger ledger;
  ledger.rows = {"r1"};
  SummaryFetcher fetch = [](const std::vector<std::string>& asins) {
    return std::vector<Answer>(asins.size());
  };
  FreshnessReport r =
      WaitForFreshness(ledger, fetch, {"r1", "lost"}, {"A"}, std::chrono::steady_clock::now(),
                       Fast(absl::Milliseconds(20)), [] { return false; });
  EXPECT_EQ(r.state, FreshnessReport::State::kStale);
  EXPECT_EQ(r.reviews_missing, 1);
  ASSERT_EQ(r.missing_examples.size(), 1u);
  EXPECT_EQ(r.missing_examples[0], "lost");
  EXPECT_NE(r.message.find("I1"), std::string::npos);
}

TEST(FreshnessTest, LedgerErrorsAndCancellation) {
  FakeLedger ledger;
  ledger.fail = true;
  SummaryFetcher fetch = [](const std::vector<std::string>& asins) {
    return std::vector<Answer>(asins.size());
  };
  FreshnessReport r =
      WaitForFreshness(ledger, fetch, {"r1"}, {"A"}, std::chrono::steady_clock::now(),
                       Fast(absl::Milliseconds(20)), [] { return false; });
  EXPECT_EQ(r.state, FreshnessReport::State::kError);
  EXPECT_NE(r.message.find("connection refused"), std::string::npos);

  ledger.fail = false;
  ledger.polls = 0;
  r = WaitForFreshness(ledger, fetch, {"never"}, {"A"}, std::chrono::steady_clock::now(),
                       Fast(absl::Hours(1)), [] { return true; });
  EXPECT_EQ(r.state, FreshnessReport::State::kStale);
  EXPECT_EQ(ledger.polls, 1);
  EXPECT_NE(r.message.find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace candor::drive
