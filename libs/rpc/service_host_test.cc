// The gRPC service scaffold over real gRPC on loopback: a test-only service
// (candor.testing.v1.ProbeService) hosted by ServiceHost on port 0, its calls gated by a
// ServiceGate. Roles, the metrics hook, status mapping, health, drain, limits, reflection.

#include "libs/rpc/service_host.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <mutex>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "candor/testing/v1/probe_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/core/log.h"
#include "libs/rpc/health_check_client.h"
#include "libs/rpc/probe_testing.h"
#include "spdlog/sinks/ostream_sink.h"

namespace candor::rpc {
namespace {

namespace tv1 = candor::testing::v1;
using auth::Role;
using auth::RoleSet;

constexpr char kSecret[] = "service-host-test-secret-0123456789";
constexpr char kModeratorOnly[] = "/candor.testing.v1.ProbeService/ModeratorOnly";
constexpr char kEcho[] = "/candor.testing.v1.ProbeService/Echo";
// What Echo fails with: internals a client must never see when the code is a server fault.
constexpr char kInternalText[] = "postgres 10.0.0.7:5432: connection refused";

auth::Verifier MakeVerifier() { return ProbeVerifier(kSecret); }

std::string Bearer(const std::string& subject, const std::string& role) {
  return ProbeBearer(subject, role, kSecret);
}

// Records every call the gate reports.
class RecordingObserver final : public CallObserver {
 public:
  struct Seen {
    std::string method;
    absl::StatusCode code;
    absl::Duration latency;
  };
  void OnCallDone(std::string_view method, absl::StatusCode code, absl::Duration latency) override {
    std::lock_guard lock(mu_);
    seen_.push_back({std::string(method), code, latency});
  }
  std::vector<Seen> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(seen_, {});
  }

 private:
  std::mutex mu_;
  std::vector<Seen> seen_;
};

// The service under test: ModeratorOnly for moderators, Echo for every role.
class Probe final : public GatedProbe {
 public:
  explicit Probe(CallObserver& observer = NoopObserver()) : GatedProbe(MakeVerifier(), observer) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const tv1::ProbeRequest* request,
                                 tv1::ProbeResponse* response) override {
    Call call = BeginEcho(ctx);
    absl::StatusOr<auth::Claims> caller = call.Authorize();
    if (!caller.ok()) return call.Finish(caller.status());
    if (request->fail_code() != 0) {
      return call.Finish(
          absl::Status(static_cast<absl::StatusCode>(request->fail_code()), kInternalText));
    }
    response->set_subject(caller->subject);
    response->set_payload(std::string(static_cast<size_t>(request->response_bytes()), 'x'));
    if (request->hold()) return Hold(call);
    return call.Finish(absl::OkStatus());
  }
};

std::unique_ptr<tv1::ProbeService::Stub> StubFor(int port) {
  return tv1::ProbeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

struct Answer {
  grpc::Status status;
  tv1::ProbeResponse response;
};

Answer CallMethod(tv1::ProbeService::Stub& stub, const std::string& method,
                  const std::string& header, const tv1::ProbeRequest& request = {}) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!header.empty()) ctx.AddMetadata("authorization", header);
  Answer a;
  a.status = method == kEcho ? stub.Echo(&ctx, request, &a.response)
                             : stub.ModeratorOnly(&ctx, request, &a.response);
  return a;
}

// A request the service answers with `code` (and kInternalText).
tv1::ProbeRequest Failing(absl::StatusCode code) {
  tv1::ProbeRequest r;
  r.set_fail_code(static_cast<int>(code));
  return r;
}

void ExpectStatus(const grpc::Status& s, grpc::StatusCode code, const std::string& fragment) {
  EXPECT_EQ(s.error_code(), code) << s.error_message();
  EXPECT_NE(s.error_message().find(fragment), std::string::npos) << s.error_message();
}

// Waits (up to 10 s) until `probe` returns true.
bool Eventually(const std::function<bool()>& probe) {
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (absl::Now() < until) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return probe();
}

class ServiceHostTest : public ::testing::Test {
 protected:
  // Starts a host for `probe_` with `options` (listening on 127.0.0.1:0).
  std::unique_ptr<ServiceHost> StartHost(ServerOptions options = {}) {
    auto host = std::make_unique<ServiceHost>(std::move(options));
    host->AddService(&probe_, probe_.gate());
    absl::Status s = host->Start();
    EXPECT_TRUE(s.ok()) << s;
    if (!s.ok()) return nullptr;
    EXPECT_GT(host->port(), 0);
    return host;
  }

  RecordingObserver observer_;
  Probe probe_{observer_};
};

TEST_F(ServiceHostTest, ModeratorOnlyMethodDeniesCustomerAndAllowsModerator) {
  auto host = StartHost();
  ASSERT_NE(host, nullptr);
  auto stub = StubFor(host->port());

  Answer customer = CallMethod(*stub, kModeratorOnly, Bearer("cust-1", "customer"));
  ExpectStatus(customer.status, grpc::StatusCode::PERMISSION_DENIED,
               "/candor.testing.v1.ProbeService/ModeratorOnly requires role 'moderator'");
  ExpectStatus(customer.status, grpc::StatusCode::PERMISSION_DENIED, "token has role 'customer'");

  Answer moderator = CallMethod(*stub, kModeratorOnly, Bearer("mod-1", "moderator"));
  EXPECT_TRUE(moderator.status.ok()) << moderator.status.error_message();
  EXPECT_EQ(moderator.response.subject(), "mod-1");

  // Authentication before authorisation: no token is UNAUTHENTICATED, not PERMISSION_DENIED.
  ExpectStatus(CallMethod(*stub, kModeratorOnly, "").status, grpc::StatusCode::UNAUTHENTICATED,
               "missing");
  ExpectStatus(CallMethod(*stub, kModeratorOnly, "Bearer not.a.token").status,
               grpc::StatusCode::UNAUTHENTICATED, "token");
  ExpectStatus(CallMethod(*stub, kModeratorOnly, Bearer("svc-1", "service")).status,
               grpc::StatusCode::PERMISSION_DENIED, "token has role 'service'");
  // A role outside the vocabulary is never allowed, even where every role is.
  ExpectStatus(CallMethod(*stub, kEcho, Bearer("x", "admin")).status,
               grpc::StatusCode::PERMISSION_DENIED, "token has role 'admin'");
  for (const char* role : {"customer", "moderator", "service"}) {
    Answer a = CallMethod(*stub, kEcho, Bearer("u", role));
    EXPECT_TRUE(a.status.ok()) << role << ": " << a.status.error_message();
  }
}

TEST_F(ServiceHostTest, ObserverSeesEveryCallWithItsMethodAndCode) {
  auto host = StartHost();
  ASSERT_NE(host, nullptr);
  auto stub = StubFor(host->port());

  CallMethod(*stub, kEcho, Bearer("u", "customer"));
  CallMethod(*stub, kModeratorOnly, Bearer("u", "customer"));
  CallMethod(*stub, kEcho, "");
  CallMethod(*stub, kEcho, Bearer("u", "customer"), Failing(absl::StatusCode::kNotFound));
  CallMethod(*stub, kModeratorOnly, Bearer("m", "moderator"));

  std::vector<RecordingObserver::Seen> seen = observer_.Take();
  ASSERT_EQ(seen.size(), 5u);
  const std::pair<const char*, absl::StatusCode> want[] = {
      {kEcho, absl::StatusCode::kOk},
      {kModeratorOnly, absl::StatusCode::kPermissionDenied},
      {kEcho, absl::StatusCode::kUnauthenticated},
      {kEcho, absl::StatusCode::kNotFound},
      {kModeratorOnly, absl::StatusCode::kOk}};
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].method, want[i].first) << i;
    EXPECT_EQ(seen[i].code, want[i].second) << i;
    EXPECT_GE(seen[i].latency, absl::ZeroDuration()) << i;
    EXPECT_LT(seen[i].latency, absl::Seconds(10)) << i;
  }
}

TEST_F(ServiceHostTest, ServerFaultsAreMappedWithoutInternals) {
  auto host = StartHost();
  ASSERT_NE(host, nullptr);
  auto stub = StubFor(host->port());
  Answer a =
      CallMethod(*stub, kEcho, Bearer("u", "customer"), Failing(absl::StatusCode::kUnavailable));
  EXPECT_EQ(a.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(a.status.error_message().find("10.0.0.7"), std::string::npos)
      << a.status.error_message();
  EXPECT_NE(a.status.error_message().find("error id e-"), std::string::npos)
      << a.status.error_message();
}

TEST_F(ServiceHostTest, ARequestIdIsEchoedAndCarriedByTheErrorLogLine) {
  // The process's log lines in JSON, into a string, for the length of the test.
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(core::MakeLogFormatter("service-host-test", "json"));
  std::shared_ptr<spdlog::logger> before = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  absl::Cleanup restore = [&] { spdlog::set_default_logger(before); };

  auto host = StartHost();
  ASSERT_NE(host, nullptr);
  auto stub = StubFor(host->port());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", Bearer("u", "customer"));
  ctx.AddMetadata("x-request-id", "req-42.a_b:c");
  tv1::ProbeResponse response;
  grpc::Status status = stub->Echo(&ctx, Failing(absl::StatusCode::kUnavailable), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  auto echoed = ctx.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, ctx.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "req-42.a_b:c");
  spdlog::default_logger()->flush();
  const std::string logged = out.str();
  EXPECT_NE(logged.find(R"("rpc":"/candor.testing.v1.ProbeService/Echo")"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(R"("request":"req-42.a_b:c")"), std::string::npos) << logged;
  // The operator's line has the cause the client was spared.
  EXPECT_NE(logged.find("connection refused"), std::string::npos) << logged;
}

TEST(RequestIdTest, OnlyShortPlainIdsAreTrusted) {
  auto id = [](const std::string& value) {
    std::multimap<grpc::string_ref, grpc::string_ref> md;
    if (!value.empty()) md.emplace("x-request-id", value);
    return RequestId(md);
  };
  EXPECT_EQ(id(""), "");
  EXPECT_EQ(id("3f2a-91"), "3f2a-91");
  EXPECT_EQ(id(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(id(std::string(65, 'a')), "");
  EXPECT_EQ(id("a\"\n{\"level\":\"error\"}"), "");
  EXPECT_EQ(id("has space"), "");
}

TEST_F(ServiceHostTest, StartRefusesAServiceWithAnUndeclaredMethod) {
  core::SystemClock clock;
  ServiceGate partial(tv1::ProbeService::service_full_name(),
                      {{"ModeratorOnly", {Role::kModerator}}}, MakeVerifier(), clock);
  ServiceHost host(ServerOptions{});
  host.AddService(&probe_, partial);
  absl::Status s = host.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("/candor.testing.v1.ProbeService/Echo does not say which roles"),
            absl::string_view::npos)
      << s;

  ServiceGate extra(tv1::ProbeService::service_full_name(),
                    {{"ModeratorOnly", {Role::kModerator}},
                     {"Echo", RoleSet::All()},
                     {"Delete", {Role::kService}}},
                    MakeVerifier(), clock);
  ServiceHost host2(ServerOptions{});
  host2.AddService(&probe_, extra);
  s = host2.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("/candor.testing.v1.ProbeService/Delete is declared"),
            absl::string_view::npos)
      << s;
}

TEST_F(ServiceHostTest, BadOptionsAndListenAddressesAreRefused) {
  ServerOptions bad;
  bad.drain_timeout = absl::Seconds(-1);
  EXPECT_EQ(bad.Check().code(), absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.max_send_bytes = 10;
  EXPECT_EQ(bad.Check().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ServerOptions{}.Check().ok());

  ServerOptions nowhere;
  nowhere.listen = "no-such-host.invalid:0";
  ServiceHost host(nowhere);
  host.AddService(&probe_, probe_.gate());
  absl::Status s = host.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("cannot listen on no-such-host.invalid:0"), absl::string_view::npos)
      << s;
}

TEST_F(ServiceHostTest, HealthFollowsItsSourcesForServerAndService) {
  std::mutex mu;
  absl::Status source = absl::OkStatus();
  ServerOptions options;
  options.health_poll_interval = absl::Milliseconds(20);
  auto host = std::make_unique<ServiceHost>(options);
  host->AddService(&probe_, probe_.gate());
  host->AddHealthSource("test source", [&] {
    std::lock_guard lock(mu);
    return source;
  });
  ASSERT_TRUE(host->Start().ok());
  const int port = host->port();
  EXPECT_EQ(HealthCheck(port), 1);
  EXPECT_EQ(HealthCheck(port, "candor.testing.v1.ProbeService"), 1);
  EXPECT_TRUE(host->serving());

  {
    std::lock_guard lock(mu);
    source = absl::UnavailableError("broker fenced us");
  }
  EXPECT_TRUE(Eventually([&] { return HealthCheck(port) == 2; }));
  EXPECT_EQ(HealthCheck(port, "candor.testing.v1.ProbeService"), 2);
  EXPECT_FALSE(host->serving());
  // NOT_SERVING is advice to load balancers; calls that still arrive are served.
  EXPECT_TRUE(CallMethod(*StubFor(port), kEcho, Bearer("u", "customer")).status.ok());

  {
    std::lock_guard lock(mu);
    source = absl::OkStatus();
  }
  EXPECT_TRUE(Eventually([&] { return HealthCheck(port) == 1; }));
  EXPECT_TRUE(host->serving());
  host->Shutdown();
  EXPECT_EQ(HealthCheck(port), -1);
}

TEST_F(ServiceHostTest, DrainTurnsHealthNotServingServesThroughGraceAndFinishesInFlightCalls) {
  ServerOptions options;
  options.drain_grace = absl::Milliseconds(300);
  options.drain_timeout = absl::Seconds(20);
  auto host = StartHost(options);
  ASSERT_NE(host, nullptr);
  const int port = host->port();
  auto stub = StubFor(port);

  // One call in flight, held by the service.
  tv1::ProbeRequest hold;
  hold.set_hold(true);
  std::future<Answer> in_flight = std::async(std::launch::async, [&] {
    return CallMethod(*stub, kEcho, Bearer("held", "customer"), hold);
  });
  ASSERT_TRUE(probe_.WaitHeld(1));
  // Whatever fails below, the held call is answered before the host is destroyed (its drain
  // waits for every handler to finish).
  absl::Cleanup release = [&] { probe_.ReleaseAll(); };

  // Draining: health says NOT_SERVING at once, the server still answers new calls.
  absl::Time drain_began = absl::Now();
  host->StartDraining();
  EXPECT_FALSE(host->serving());
  EXPECT_EQ(HealthCheck(port), 2);
  EXPECT_TRUE(CallMethod(*stub, kEcho, Bearer("u", "customer")).status.ok());

  std::future<absl::Time> shutdown = std::async(std::launch::async, [&] {
    host->Shutdown();
    return absl::Now();
  });
  // After the grace the server takes no new calls, while the held one is still open.
  EXPECT_TRUE(Eventually([&] {
    auto fresh = StubFor(port);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    ctx.AddMetadata("authorization", Bearer("u", "customer"));
    tv1::ProbeResponse r;
    return !fresh->Echo(&ctx, tv1::ProbeRequest(), &r).ok();
  }));
  EXPECT_EQ(in_flight.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(shutdown.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "Shutdown returned before the in-flight call finished";

  probe_.ReleaseAll();
  Answer held = in_flight.get();
  EXPECT_TRUE(held.status.ok()) << held.status.error_message();
  EXPECT_EQ(held.response.subject(), "held");
  EXPECT_GE(shutdown.get() - drain_began, absl::Milliseconds(300)) << "the grace was cut short";
  host->Shutdown();  // idempotent
}

TEST_F(ServiceHostTest, MessageSizeLimitsAnswerResourceExhausted) {
  ServerOptions options;
  options.max_receive_bytes = 2048;
  options.max_send_bytes = 2048;
  auto host = StartHost(options);
  ASSERT_NE(host, nullptr);
  auto stub = StubFor(host->port());
  tv1::ProbeRequest big;
  big.set_payload(std::string(4096, 'p'));
  EXPECT_EQ(CallMethod(*stub, kEcho, Bearer("u", "customer"), big).status.error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  tv1::ProbeRequest big_answer;
  big_answer.set_response_bytes(4096);
  EXPECT_EQ(CallMethod(*stub, kEcho, Bearer("u", "customer"), big_answer).status.error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  tv1::ProbeRequest small;
  small.set_payload(std::string(512, 'p'));
  small.set_response_bytes(512);
  EXPECT_TRUE(CallMethod(*stub, kEcho, Bearer("u", "customer"), small).status.ok());
}

// grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo with `list_services`, by hand
// (the reflection protos are not installed): the response bytes, or the failed status.
absl::StatusOr<std::string> ListServices(int port) {
  grpc::GenericStub stub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t want) {
    return cq.Next(&tag, &ok) && tag == reinterpret_cast<void*>(want) && ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1)) return absl::UnavailableError("cannot start the call");
  // ServerReflectionRequest { string list_services = 7; } with an empty string.
  std::string request_bytes = {0x3a, 0x00};
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  bool wrote = step(2);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  bool read = wrote && step(3);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!read) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), "");
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return absl::InternalError("dump");
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

TEST_F(ServiceHostTest, ReflectionListsTheHostedServiceUnlessTurnedOff) {
  auto host = StartHost();
  ASSERT_NE(host, nullptr);
  absl::StatusOr<std::string> listed = ListServices(host->port());
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_NE(listed->find("candor.testing.v1.ProbeService"), std::string::npos);

  ServerOptions off;
  off.reflection = false;
  auto quiet = StartHost(off);
  ASSERT_NE(quiet, nullptr);
  EXPECT_EQ(ListServices(quiet->port()).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(ServiceHostTest, KeepaliveSettingsAreAccepted) {
  ServerOptions options;
  options.keepalive_time = absl::Seconds(30);
  options.keepalive_timeout = absl::Seconds(5);
  options.keepalive_min_client_ping_interval = absl::Seconds(10);
  options.keepalive_permit_without_calls = true;
  auto host = StartHost(options);
  ASSERT_NE(host, nullptr);
  EXPECT_TRUE(CallMethod(*StubFor(host->port()), kEcho, Bearer("u", "customer")).status.ok());
}

}  // namespace
}  // namespace candor::rpc
