// One ServiceApp process with a consume loop and a gRPC server side by side (reco-api's shape), on
// librdkafka's mock cluster: health SERVING over gRPC while the loop consumes, a call answered
// from what the loop consumed, NOT_SERVING from the moment shutdown begins while the loop still
// finishes its batch, nothing served after the stop; a server that cannot listen fails the run
// before anything is consumed.
#include "libs/service/grpc_component.h"

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "candor/testing/v1/probe_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/rpc/health_check_client.h"
#include "libs/rpc/probe_testing.h"
#include "libs/service/service_app.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/wait.h"

namespace candor::service {
namespace {

namespace tv1 = candor::testing::v1;

constexpr char kSecret[] = "grpc-component-test-secret-0123456789";
constexpr char kTopic[] = "grpc-component-input";
constexpr int kServing = 1;
constexpr int kNotServing = 2;
constexpr int kUnreachable = -1;

// What the consume loop saw, shared by the loop's handler, the gRPC service and the test. A
// message "hold" keeps its batch open until the test calls Release.
class Consumed {
 public:
  void Add(const std::string& value) {
    std::unique_lock lock(mu_);
    values_.push_back(value);
    changed_.notify_all();
    if (value == "hold") changed_.wait(lock, [&] { return released_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  std::string Last() const {
    std::lock_guard lock(mu_);
    return values_.empty() ? std::string() : values_.back();
  }
  size_t Count() const {
    std::lock_guard lock(mu_);
    return values_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> values_;
  bool released_ = false;
};

class RecordingHandler final : public kafka::BatchHandler {
 public:
  explicit RecordingHandler(Consumed& consumed) : consumed_(consumed) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* /*poison*/) override {
    for (const kafka::Message& m : batch) consumed_.Add(m.value);
    return absl::OkStatus();
  }

 private:
  Consumed& consumed_;
};

// ProbeService answering from what the loop consumed: Echo (every role) with the last value
// consumed as its payload; ModeratorOnly with the caller.
class ConsumedProbe final : public rpc::GatedProbe {
 public:
  ConsumedProbe(const Consumed& consumed, auth::Verifier verifier)
      : GatedProbe(std::move(verifier)), consumed_(consumed) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const tv1::ProbeRequest* /*request*/,
                                 tv1::ProbeResponse* response) override {
    rpc::Call call = BeginEcho(ctx);
    if (absl::StatusOr<auth::Claims> caller = call.Authorize(); !caller.ok()) {
      return call.Finish(caller.status());
    }
    response->set_payload(consumed_.Last());
    return call.Finish(absl::OkStatus());
  }

 private:
  const Consumed& consumed_;
};

struct TestConfig {
  ServiceConfig service;
  ConsumerConfig consumer = {.input_topic = kTopic, .max_batch = 10};
  rpc::ServerOptions server;  // listens on 127.0.0.1:0
};

// The composition root of the test service: no store, one loop, the server. The component is
// declared after the service it serves, so it is destroyed (drained) first.
class TestDomain final : public ServiceDomain {
 public:
  TestDomain(const TestConfig& config, Consumed& consumed, auth::Verifier verifier)
      : consumer_(config.consumer),
        handler_(consumed),
        probe_(consumed, std::move(verifier)),
        grpc_(config.server) {
    grpc_.host().AddService(&probe_, probe_.gate());
  }
  std::vector<ConsumerLoop> consumers() override {
    return {{.config = consumer_, .handler = &handler_}};
  }
  std::vector<Component*> components() override { return {&grpc_}; }

 private:
  ConsumerConfig consumer_;
  RecordingHandler handler_;
  ConsumedProbe probe_;
  GrpcComponent grpc_;
};

absl::StatusOr<std::unique_ptr<ServiceApp>> CreateTestApp(const TestConfig& config,
                                                          Consumed& consumed) {
  absl::StatusOr<auth::Verifier> verifier = auth::Verifier::Create({.secret = kSecret});
  if (!verifier.ok()) return verifier.status();
  return ServiceApp::Create(config.service,
                            {.client_id = "candor-grpc-component-test", .adapters = {}},
                            [&](const Adapters& /*adapters*/) {
                              return std::make_unique<TestDomain>(config, consumed, *verifier);
                            });
}

class GrpcComponentTest : public testing::ConsumerAppTest {
 protected:
  GrpcComponentTest() : ConsumerAppTest({kTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    UseStack(&config_.service);
    UseFreshGroup(&config_.consumer, "grpc-component-");
  }

  // Creates and starts the App, then waits until its server listens; returns its port.
  int StartAndWaitForPort() {
    absl::StatusOr<std::unique_ptr<ServiceApp>> app = CreateTestApp(config_, consumed_);
    EXPECT_TRUE(app.ok()) << app.status();
    if (!app.ok()) return 0;
    const GrpcComponent* grpc = (*app)->FindComponent<GrpcComponent>();
    EXPECT_NE(grpc, nullptr);
    if (grpc == nullptr) return 0;
    StartApp(std::move(app));
    EXPECT_TRUE(testing::WaitUntil([&] { return grpc->port() != 0; }));
    return grpc->port();
  }

  // Echo with a customer token: the status and the payload (the last value consumed).
  static std::pair<grpc::StatusCode, std::string> Echo(int port) {
    auto stub = tv1::ProbeService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", rpc::ProbeBearer("shopper", "customer", kSecret));
    tv1::ProbeResponse response;
    grpc::Status s = stub->Echo(&ctx, {}, &response);
    return {s.error_code(), response.payload()};
  }

  TestConfig config_;
  Consumed consumed_;
};

TEST_F(GrpcComponentTest, ServesHealthAndCallsWhileTheLoopConsumesAndNothingAfterTheStop) {
  const int port = StartAndWaitForPort();
  ASSERT_NE(port, 0);
  EXPECT_EQ(rpc::HealthCheck(port), kServing);
  EXPECT_EQ(rpc::HealthCheck(port, tv1::ProbeService::service_full_name()), kServing);

  Produce("k", "m1");
  // The server answers from what the loop consumed, in the same process.
  ASSERT_TRUE(testing::WaitUntil([&] { return Echo(port).second == "m1"; }));
  EXPECT_EQ(rpc::HealthCheck(port), kServing);
  EXPECT_EQ(Echo(port).first, grpc::StatusCode::OK);

  ExpectCleanStop();
  EXPECT_EQ(rpc::HealthCheck(port), kUnreachable);
  EXPECT_EQ(Echo(port).first, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcComponentTest, HealthIsNotServingAsSoonAsShutdownBeginsWhileTheLoopFinishesItsBatch) {
  absl::Cleanup release = [&] { consumed_.Release(); };
  const int port = StartAndWaitForPort();
  ASSERT_NE(port, 0);
  Produce("k", "hold");
  ASSERT_TRUE(testing::WaitUntil([&] { return consumed_.Last() == "hold"; }));

  absl::Status stopped = absl::UnknownError("not stopped");
  std::thread stopper([&] { stopped = StopApp(); });
  absl::Cleanup join = [&] {
    consumed_.Release();
    stopper.join();
  };
  // The loop is still inside its batch; health says NOT_SERVING already, and calls are still
  // answered until the server is stopped after the loop.
  ASSERT_TRUE(testing::WaitUntil([&] { return rpc::HealthCheck(port) == kNotServing; }));
  EXPECT_EQ(Echo(port), std::make_pair(grpc::StatusCode::OK, std::string("hold")));
  EXPECT_EQ(consumed_.Count(), 1u);

  std::move(join).Invoke();
  EXPECT_TRUE(stopped.ok()) << stopped;
  EXPECT_EQ(rpc::HealthCheck(port), kUnreachable);
}

TEST_F(GrpcComponentTest, AServerThatCannotListenFailsTheRunBeforeAnythingIsConsumed) {
  config_.server.listen = "no-such-host.invalid:0";
  ASSERT_NO_FATAL_FAILURE(StartApp(CreateTestApp(config_, consumed_)));
  Produce("k", "m1");
  absl::Status s = StopApp();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(consumed_.Count(), 0u);
}

}  // namespace
}  // namespace candor::service
