#include "services/fraud-scorer/model_scorer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/fraud/memory_feature_store.h"
#include "services/fraud-scorer/model_reasons.h"

namespace candor::fraud_scorer {
namespace {

using fraud::At;
using fraud::Feature;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// A model that is a readable rule over the features, so the tests can say what it must decide:
// 0.9 when another account posted near-identical text on the product, 0.5 when the address is
// shared with a rejected account, else 0.1; the deciding feature is the only reason. Remembers
// every row it was given.
class RuleModel final : public fraud::FraudModel {
 public:
  const fraud::ModelMetadata& metadata() const override { return metadata_; }

  absl::StatusOr<std::vector<fraud::Prediction>> PredictBatch(
      const std::vector<fraud::FeatureVector>& rows, int top_reasons) override {
    ++calls;
    if (!error.ok()) return error;
    std::vector<fraud::Prediction> out;
    for (const fraud::FeatureVector& row : rows) {
      seen.push_back(row);
      fraud::Prediction p{.score = 0.1F, .reasons = {}};
      Feature why = Feature::kRating;
      if (At(row, Feature::kNearDupAccounts) > 0) {
        p.score = 0.9F;
        why = Feature::kNearDupAccounts;
      } else if (At(row, Feature::kSharedIpRejected) > 0) {
        p.score = 0.5F;
        why = Feature::kSharedIpRejected;
      }
      if (top_reasons > 0) p.reasons.push_back({why, At(row, why), 1.5F});
      out.push_back(std::move(p));
    }
    return out;
  }

  int calls = 0;
  absl::Status error;
  std::vector<fraud::FeatureVector> seen;

 private:
  fraud::ModelMetadata metadata_ = [] {
    fraud::ModelMetadata m;
    m.version = "test-model-1";
    return m;
  }();
};

// A feature store that cannot be reached.
class DownStore final : public fraud::FeatureStore {
 public:
  std::vector<absl::StatusOr<fraud::FeatureRow>> RecordBatch(
      const std::vector<fraud::ReviewFacts>& reviews) override {
    return {reviews.size(), absl::UnavailableError("redis: connection refused")};
  }
  void MarkRejected(const std::vector<fraud::ReviewFacts>& /*reviews*/) override {}
};

review::Submission Review(const std::string& user, const std::string& asin, const std::string& body,
                          const std::string& ip = "198.51.100.7") {
  review::Submission s;
  s.review_id = absl::StrCat("r-", user, "-", asin, "-", body.size());
  s.asin = asin;
  s.user_id = user;
  s.rating = 5;
  s.title = "Nice";
  s.body = body;
  s.submitted_at = kNow - absl::Minutes(5);
  s.client_ip = ip;
  return s;
}

const char kFarmText[] =
    "This guitar tuner is absolutely the best purchase I have made this year, it locks onto "
    "every string instantly and the display is bright and easy to read on a dark stage";

class ModelScorerTest : public ::testing::Test {
 protected:
  ModelScorerTest() {
    absl::StatusOr<fraud::CidrList> list = fraud::CidrList::Parse("203.0.113.0/24\n");
    EXPECT_TRUE(list.ok()) << list.status();
    datacenters_ = *std::move(list);
  }

  std::vector<absl::StatusOr<Decision>> Score(const std::vector<review::Submission>& batch) {
    ModelScorer scorer(store_, model_, datacenters_, Thresholds{0.30, 0.70});
    return scorer.ScoreBatch(batch, kNow);
  }

  fraud::MemoryFeatureStore store_;
  RuleModel model_;
  fraud::CidrList datacenters_;
};

TEST_F(ModelScorerTest, RoutesTheModelScoreAndStoresItsReasonsAndVersion) {
  std::vector<absl::StatusOr<Decision>> out =
      Score({Review("alice", "B000000001", "Works well, tunes fast, holds pitch.")});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].ok()) << out[0].status();
  EXPECT_EQ(out[0]->kind, Decision::Kind::kPass);
  EXPECT_FLOAT_EQ(out[0]->score, 0.1);
  EXPECT_EQ(out[0]->scorer, "test-model-1");
  ASSERT_EQ(out[0]->reasons.size(), 1u);
  EXPECT_EQ(out[0]->reasons[0].code, "rating");
  EXPECT_EQ(out[0]->reasons[0].value, 5);
  EXPECT_EQ(out[0]->reasons[0].weight, 1.5);
  EXPECT_EQ(out[0]->reasons[0].text, "5 stars");
  EXPECT_EQ(model_.calls, 1);
}

TEST_F(ModelScorerTest, AFarmIsRejectedAndItsAddressCountsAgainstTheNextAccount) {
  // Two accounts post the same text on one product in one batch: the second is a near duplicate
  // of the first (a later review of a batch sees the earlier ones) and is rejected.
  std::vector<absl::StatusOr<Decision>> out =
      Score({Review("farm-1", "B000000002", kFarmText, "192.0.2.10"),
             Review("farm-2", "B000000002", kFarmText, "192.0.2.10")});
  ASSERT_TRUE(out[0].ok() && out[1].ok());
  EXPECT_EQ(out[0]->kind, Decision::Kind::kPass);
  EXPECT_EQ(out[1]->kind, Decision::Kind::kReject);
  EXPECT_EQ(out[1]->reasons[0].code, "near_dup_accounts");
  EXPECT_THAT(out[1]->reasons[0].text, HasSubstr("1 other accounts posted near-identical text"));

  // The rejection was reported to the store: a third account on that address, writing something
  // else on another product, now shares an address with a rejected account.
  out = Score({Review("farm-3", "B000000003", "Different words entirely here.", "192.0.2.10")});
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(At(model_.seen.back(), Feature::kSharedIpRejected), 1.0F);
  EXPECT_EQ(out[0]->kind, Decision::Kind::kQueue);
}

TEST_F(ModelScorerTest, SetsTheDatacenterFeatureFromTheList) {
  Score({Review("a", "B000000004", "Fine strings, good tone.", "203.0.113.9"),
         Review("b", "B000000004", "Solid stand, no wobble.", "198.51.100.9")});
  ASSERT_EQ(model_.seen.size(), 2u);
  EXPECT_EQ(At(model_.seen[0], Feature::kDatacenterIp), 1.0F);
  EXPECT_EQ(At(model_.seen[1], Feature::kDatacenterIp), 0.0F);
}

TEST_F(ModelScorerTest, JudgesAReviewAtItsOwnTimeAndAFutureOneAtNow) {
  // An imported review from 2010 and its author's next one a day later: 1 review in 24 h each.
  review::Submission first = Review("old", "B000000005", "Good cable, no hum.");
  first.submitted_at = absl::FromUnixSeconds(1262304000);  // 2010-01-01
  review::Submission second = Review("old", "B000000006", "Good pedal, quiet switch.");
  second.submitted_at = first.submitted_at + absl::Hours(25);
  review::Submission future = Review("old", "B000000007", "Sturdy case, good latches.");
  future.submitted_at = kNow + absl::Hours(3);  // a skewed gateway clock
  Score({first, second, future});
  ASSERT_EQ(model_.seen.size(), 3u);
  EXPECT_EQ(At(model_.seen[1], Feature::kReviews24h), 1.0F);
  EXPECT_EQ(At(model_.seen[1], Feature::kReviews7d), 2.0F);
  EXPECT_EQ(At(model_.seen[1], Feature::kLifetimeReviews), 1.0F);
  // The future one is judged at now: years after the others, so alone in its windows.
  EXPECT_EQ(At(model_.seen[2], Feature::kReviews7d), 1.0F);
}

TEST_F(ModelScorerTest, FailsOpenWhenTheFeaturesCannotBeRead) {
  DownStore down;
  ModelScorer scorer(down, model_, datacenters_, Thresholds{0.30, 0.70});
  std::vector<absl::StatusOr<Decision>> out = scorer.ScoreBatch(
      {Review("a", "B000000008", "Nice."), Review("b", "B000000008", "Ok.")}, kNow);
  ASSERT_EQ(out.size(), 2u);
  for (const absl::StatusOr<Decision>& d : out) {
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->kind, Decision::Kind::kUnscored);
    ASSERT_EQ(d->reasons.size(), 1u);
    EXPECT_EQ(d->reasons[0].code, "features_unavailable");
    EXPECT_THAT(d->reasons[0].text, HasSubstr("connection refused"));
  }
  EXPECT_EQ(model_.calls, 0);  // nothing to predict
}

TEST_F(ModelScorerTest, FailsOpenWhenTheModelFails) {
  model_.error = absl::InternalError("xgboost: bad input");
  std::vector<absl::StatusOr<Decision>> out = Score({Review("a", "B000000009", "Nice.")});
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0]->kind, Decision::Kind::kUnscored);
  EXPECT_EQ(out[0]->reasons[0].code, "model_unavailable");
}

TEST(ModelReasonsTest, EveryFeatureHasATextAndAClampedFlagNamesIt) {
  for (size_t i = 0; i < fraud::kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    EXPECT_FALSE(ReasonText(f, 1.0F).empty()) << fraud::FeatureName(f);
  }
  EXPECT_EQ(ReasonText(Feature::kProductNewAccountRatio, 0.25F),
            "25% of the product's reviews in 24 hours come from accounts under 30 days old");
  fraud::FeatureVector v{};
  At(v, Feature::kAccountAgeDays) = 0;
  review::Reason r = ClampedReason(Feature::kAccountAgeDays, v);
  EXPECT_EQ(r.code, "clamped:account_age_days");
  EXPECT_EQ(r.weight, 0);
}

}  // namespace
}  // namespace candor::fraud_scorer
