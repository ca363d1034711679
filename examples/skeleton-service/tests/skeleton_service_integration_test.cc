// candor-skeleton-service as main runs it (CreateApp), in-process against librdkafka's mock
// cluster: its server answers grpc.health.v1 Health/Check SERVING while the loop consumes
// review-events, GetTally checks the caller's role and tells what was consumed, and after the
// stop nothing answers.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "candor/skeleton/v1/skeleton_service.grpc.pb.h"
#include "examples/skeleton-service/app.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"
#include "libs/rpc/health_check_client.h"
#include "libs/service/grpc_component.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"

namespace candor::skeleton {
namespace {

constexpr char kSecret[] = "skeleton-service-test-secret-0123456789";
constexpr int kServing = 1;  // grpc.health.v1.HealthCheckResponse.SERVING

class SkeletonServiceTest : public testing::ConsumerAppTest {
 protected:
  SkeletonServiceTest() : ConsumerAppTest({events::kReviewEventsTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    UseStack(&config_, "skeleton-service-test-");
    config_.grpc.listen = "127.0.0.1:0";
    config_.grpc.jwt_secret = kSecret;
  }

  // Starts the App main would run and returns the port its server bound.
  int StartAndWaitForPort() {
    absl::StatusOr<std::unique_ptr<service::ServiceApp>> app = CreateApp(config_);
    EXPECT_TRUE(app.ok()) << app.status();
    if (!app.ok()) return 0;
    const auto* grpc = (*app)->FindComponent<service::GrpcComponent>();
    EXPECT_NE(grpc, nullptr);
    if (grpc == nullptr) return 0;
    StartApp(std::move(app));
    EXPECT_TRUE(testing::WaitUntil([&] { return grpc->port() != 0; }));
    return grpc->port();
  }

  struct Answer {
    grpc::Status status;
    v1::Tally tally;
  };
  static Answer GetTally(int port, const std::string& role) {
    auto stub = v1::SkeletonService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization",
                    "Bearer " + auth::MintHs256({"caller-1", role, absl::Now() + absl::Hours(1)},
                                                kSecret, absl::Now()));
    Answer a;
    a.status = stub->GetTally(&ctx, {}, &a.tally);
    return a;
  }

  std::string Accepted() {
    review::ReviewEvent event;
    event.review_id = "0123456789abcdef0123456789abcdef";
    event.asin = asin_;
    review::ReviewAccepted accepted;
    accepted.rating = 4;
    event.change = accepted;
    return events::EncodeReviewEvent(event);
  }

  Config config_;
  std::string asin_ = testing::UniqueAsin();
};

TEST_F(SkeletonServiceTest, AnswersHealthServingWhileItConsumesAndChecksRoles) {
  const int port = StartAndWaitForPort();
  ASSERT_NE(port, 0);
  EXPECT_EQ(rpc::HealthCheck(port), kServing);
  EXPECT_EQ(rpc::HealthCheck(port, v1::SkeletonService::service_full_name()), kServing);

  Produce(asin_, Accepted());
  Produce(asin_, "not a protobuf");  // poison: dead-lettered, not counted
  Produce(asin_, Accepted());
  ASSERT_TRUE(testing::WaitUntil([&] { return GetTally(port, "service").tally.accepted() == 2; }));
  Answer moderator = GetTally(port, "moderator");
  EXPECT_TRUE(moderator.status.ok()) << moderator.status.error_message();
  EXPECT_EQ(moderator.tally.accepted(), 2);
  EXPECT_EQ(moderator.tally.removed(), 0);
  EXPECT_EQ(ReadTopic(std::string(events::kReviewEventsTopic) + ".dlq", 1).size(), 1u);
  EXPECT_EQ(rpc::HealthCheck(port), kServing);

  Answer customer = GetTally(port, "customer");
  EXPECT_EQ(customer.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(customer.status.error_message(),
            "/candor.skeleton.v1.SkeletonService/GetTally requires role 'moderator' or "
            "'service'; the token has role 'customer'");

  ExpectCleanStop();
  EXPECT_EQ(rpc::HealthCheck(port), -1);
}

TEST_F(SkeletonServiceTest, StartupFailsFastWithoutKafkaAndRefusesAMissingSecret) {
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(config_, CreateApp, kAdapters);
  config_.grpc.jwt_secret.clear();
  EXPECT_EQ(CreateApp(config_).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::skeleton
