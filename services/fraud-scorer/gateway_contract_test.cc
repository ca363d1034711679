// The contract between review-gateway and fraud-scorer on `review-submissions` (invariant I1):
// whatever the gateway answers OK, the scorer decodes. Random and hostile inputs go through the
// gateway's real domain step (ReviewIntake: validation, fingerprint, the fields it adds), are
// encoded by the topic's codec as KafkaSubmissionLog encodes them (events::EncodeReviewSubmitted),
// and must come out of the decoder fraud-scorer runs (events::DecodeReviewSubmitted) unchanged.

#include <optional>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/core/clock.h"
#include "libs/events/review_submitted.h"
#include "libs/review/hostile_text_testing.h"
#include "services/review-gateway/review_intake.h"

namespace candor::fraud_scorer {
namespace {

using review::testing::RandomText;

// Admits everything: the guard's rules are not what is tested here.
class AdmitAll final : public gateway::SubmissionGuard {
 public:
  void Admit(const review::Submission&, absl::Time, AdmitCallback done) override {
    done(gateway::GuardVerdict{});
  }
  void Confirm(const review::Submission&, absl::Time, DoneCallback done) override {
    done(absl::OkStatus());
  }
  void Release(const review::Submission&, DoneCallback done) override { done(absl::OkStatus()); }
  void WasConfirmed(const std::string&, const std::string&, absl::Time,
                    std::function<void(absl::StatusOr<bool>)> done) override {
    done(false);
  }
  const gateway::GuardPolicy& policy() const override { return policy_; }

 private:
  gateway::GuardPolicy policy_;
};

// Keeps what the gateway would publish.
class CapturingLog final : public gateway::SubmissionLog {
 public:
  void Publish(const review::Submission& s, std::function<void(absl::Status)> done) override {
    published = s;
    done(absl::OkStatus());
  }
  std::optional<review::Submission> published;
};

std::string Describe(const gateway::Caller& caller, const review::SubmissionInput& in) {
  return absl::StrCat("asin=", absl::CEscape(in.asin), " rating=", in.rating,
                      " title=", absl::CEscape(in.title).substr(0, 200),
                      " body=", absl::CEscape(in.body).substr(0, 200),
                      " device_id=", absl::CEscape(in.device_id).substr(0, 200),
                      " user_id=", absl::CEscape(caller.user_id).substr(0, 200),
                      " client_ip=", absl::CEscape(caller.client_ip).substr(0, 200));
}

class GatewayContractTest : public ::testing::Test {
 protected:
  // Runs `in` through the gateway; on OK, checks the scorer decodes the published message to the
  // same submission. Returns whether the gateway accepted it.
  bool Check(const gateway::Caller& caller, const review::SubmissionInput& in) {
    log_.published.reset();
    std::optional<absl::StatusOr<std::string>> answer;
    intake_.Submit(caller, in, [&](absl::StatusOr<std::string> r) { answer = std::move(r); });
    EXPECT_TRUE(answer.has_value());
    if (!answer.has_value()) return false;
    if (!answer->ok()) {
      // With the guard and the log always saying yes, a refusal can only be the input's fault.
      EXPECT_EQ(answer->status().code(), absl::StatusCode::kInvalidArgument)
          << answer->status() << "\n"
          << Describe(caller, in);
      return false;
    }
    EXPECT_TRUE(log_.published.has_value());
    if (!log_.published.has_value()) return false;
    const review::Submission& sent = *log_.published;
    absl::StatusOr<review::Submission> got =
        events::DecodeReviewSubmitted(events::EncodeReviewSubmitted(sent));
    EXPECT_TRUE(got.ok()) << "gateway answered OK, scorer refuses: " << got.status() << "\n"
                          << Describe(caller, in);
    if (!got.ok()) return true;
    EXPECT_EQ(got->review_id, **answer);
    EXPECT_EQ(got->asin, in.asin);
    EXPECT_EQ(got->rating, in.rating);
    EXPECT_EQ(got->title, in.title);
    EXPECT_EQ(got->body, in.body);
    EXPECT_EQ(got->device_id, in.device_id);
    EXPECT_EQ(got->user_id, caller.user_id);
    EXPECT_EQ(got->client_ip, caller.client_ip);
    EXPECT_EQ(got->account_created_at, caller.account_created_at);
    EXPECT_EQ(got->fingerprint, sent.fingerprint);
    return true;
  }

  // The same for the import path: on OK, the scorer decodes the published message unchanged,
  // imported, with the original time. Returns whether the gateway accepted it.
  bool CheckImport(const gateway::ImportInput& in) {
    log_.published.reset();
    std::optional<absl::StatusOr<std::string>> answer;
    intake_.Import(in, [&](absl::StatusOr<std::string> r) { answer = std::move(r); });
    EXPECT_TRUE(answer.has_value());
    if (!answer.has_value()) return false;
    if (!answer->ok()) {
      EXPECT_EQ(answer->status().code(), absl::StatusCode::kInvalidArgument) << answer->status();
      return false;
    }
    EXPECT_TRUE(log_.published.has_value());
    if (!log_.published.has_value()) return false;
    absl::StatusOr<review::Submission> got =
        events::DecodeReviewSubmitted(events::EncodeReviewSubmitted(*log_.published));
    EXPECT_TRUE(got.ok()) << "gateway answered OK to an import, scorer refuses: " << got.status()
                          << "\nuser_id=" << absl::CEscape(in.user_id)
                          << " client_ip=" << absl::CEscape(in.client_ip);
    if (!got.ok()) return true;
    EXPECT_EQ(*got, *log_.published);
    EXPECT_TRUE(got->imported);
    EXPECT_EQ(got->submitted_at, *in.submitted_at);
    return true;
  }

  static review::SubmissionInput Valid() {
    review::SubmissionInput in;
    in.asin = "B00004Y2UT";
    in.rating = 4;
    in.title = "Good";
    in.body = "Holds my guitar without wobbling.";
    return in;
  }

  AdmitAll guard_;
  CapturingLog log_;
  core::ManualClock clock_{absl::FromUnixMicros(1'700'000'000'123'457)};
  gateway::ReviewIntake intake_{guard_, log_, clock_};
};

TEST_F(GatewayContractTest, HostileTextInEveryFieldOnlyOkWhenTheScorerDecodesIt) {
  const gateway::Caller caller{"user-1", "10.0.0.1", absl::FromUnixSeconds(1'600'000'000)};
  int accepted = 0;
  for (const std::string& text : review::testing::HostileTexts()) {
    review::SubmissionInput in = Valid();
    in.body = text;
    accepted += Check(caller, in);
    in = Valid();
    in.title = text;
    accepted += Check(caller, in);
    in = Valid();
    in.device_id = text;
    accepted += Check(caller, in);
    accepted += Check({text, caller.client_ip, std::nullopt}, Valid());
    accepted += Check({caller.user_id, text, std::nullopt}, Valid());
  }
  EXPECT_GT(accepted, 50);
}

TEST_F(GatewayContractTest, RandomInputsOkImpliesDecoded) {
  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  auto chance = [&rng](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  int accepted = 0;
  constexpr int kRounds = 30000;
  for (int i = 0; i < kRounds; ++i) {
    review::SubmissionInput in = Valid();
    gateway::Caller caller{"user-1", "10.0.0.1", std::nullopt};
    if (chance(5)) in.asin = RandomText(rng);
    if (chance(5)) in.rating = std::uniform_int_distribution<int64_t>(-2, 8)(rng);
    if (chance(5)) in.rating = int64_t{1} << 32 | 4;  // an int32 cast would read 4
    if (chance(40)) in.title = RandomText(rng);
    if (chance(80)) in.body = RandomText(rng);
    if (chance(30)) in.device_id = RandomText(rng);
    if (chance(15)) caller.user_id = RandomText(rng);
    if (chance(15)) caller.client_ip = RandomText(rng);
    if (chance(5)) caller.client_ip = "2001:db8::1";
    if (chance(10))
      caller.account_created_at = absl::FromUnixSeconds(chance(50) ? 0 : 1'600'000'000);
    in.verified_purchase = chance(50);
    accepted += Check(caller, in);
    if (HasFailure()) break;  // one counter-example is enough to read
  }
  EXPECT_GT(accepted, kRounds / 10);
}

TEST_F(GatewayContractTest, RandomImportsOkImpliesDecoded) {
  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  auto chance = [&rng](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  const std::vector<std::string> addresses = {
      "",      "10.0.0.1",     "::ffff:10.0.0.1", "2001:DB8::1", "10.0.0.1:80",
      "[::1]", "fe80::1%eth0", "not an address"};
  int accepted = 0;
  constexpr int kRounds = 5000;
  for (int i = 0; i < kRounds; ++i) {
    gateway::ImportInput in;
    in.review = Valid();
    in.user_id = chance(15) ? RandomText(rng) : "A2IBPI20UZIR0U";
    if (chance(40)) in.review.body = RandomText(rng);
    in.client_ip = addresses[std::uniform_int_distribution<size_t>(0, addresses.size() - 1)(rng)];
    if (chance(10)) in.client_ip = RandomText(rng);
    // 1990..2030 around the gateway's clock (2023-11): some too early, some in the future.
    in.submitted_at =
        absl::FromUnixSeconds(std::uniform_int_distribution<int64_t>(631152000, 1893456000)(rng));
    if (chance(30)) in.account_created_at = absl::FromUnixSeconds(chance(50) ? 0 : 1'200'000'000);
    accepted += CheckImport(in);
    if (HasFailure()) break;
  }
  EXPECT_GT(accepted, kRounds / 10);
}

}  // namespace
}  // namespace candor::fraud_scorer
