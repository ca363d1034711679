#include "libs/metrics/metrics.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/admin_testing.h"
#include "libs/metrics/grpc_call_metrics.h"
#include "libs/metrics/prometheus_registry.h"

namespace candor::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace beast = boost::beast;
namespace http = beast::http;

using Reply = testing::HttpReply;

Reply Get(int port, const std::string& target, http::verb verb = http::verb::get) {
  return testing::HttpGet(port, target, verb);
}

TEST(PrometheusRegistryTest, ExposesSeriesCallbacksAndProcessMetrics) {
  PrometheusRegistry registry;
  registry.GetCounter("candor_test_events_total", "events", {{"kind", "a"}}).Increment(2);
  // Same name and labels: the same series.
  registry.GetCounter("candor_test_events_total", "events", {{"kind", "a"}}).Increment();
  registry.GetCounter("candor_test_events_total", "events", {{"kind", "b"}}).Increment();
  registry.GetGauge("candor_test_depth", "depth").Set(7);
  Histogram& h =
      registry.GetHistogram("candor_test_duration_seconds", "duration", {}, LatencyBuckets());
  h.Observe(0.003);
  h.Observe(20);
  std::atomic<int64_t> kept{41};
  registry.AddCounterCallback("candor_test_kept_total", "kept", {{"loop", "main"}},
                              [&kept] { return static_cast<double>(kept.load()); });
  ++kept;

  const std::string text = registry.Exposition();
  EXPECT_THAT(text, HasSubstr("# TYPE candor_test_events_total counter"));
  EXPECT_THAT(text, HasSubstr("candor_test_events_total{kind=\"a\"} 3"));
  EXPECT_THAT(text, HasSubstr("candor_test_events_total{kind=\"b\"} 1"));
  EXPECT_THAT(text, HasSubstr("candor_test_depth 7"));
  EXPECT_THAT(text, HasSubstr("candor_test_duration_seconds_bucket{le=\"0.005\"} 1"));
  EXPECT_THAT(text, HasSubstr("candor_test_duration_seconds_bucket{le=\"+Inf\"} 2"));
  EXPECT_THAT(text, HasSubstr("candor_test_duration_seconds_count 2"));
  EXPECT_THAT(text, HasSubstr("# TYPE candor_test_kept_total counter"));
  EXPECT_THAT(text, HasSubstr("candor_test_kept_total{loop=\"main\"} 42"));
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_open_fds", "process_start_time_seconds"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + name)) << name;
  }
}

TEST(PrometheusRegistryTest, ExposeCountersServesOneSeriesPerLabelValue) {
  PrometheusRegistry registry;
  std::atomic<int64_t> applied{3};
  std::atomic<int64_t> early{0};
  ExposeCounters(registry, "candor_test_scores_total", "scores", "outcome",
                 {{"applied", applied}, {"early", early}});
  ++early;
  const std::string text = registry.Exposition();
  EXPECT_THAT(text, HasSubstr("# HELP candor_test_scores_total scores"));
  EXPECT_THAT(text, HasSubstr("candor_test_scores_total{outcome=\"applied\"} 3"));
  EXPECT_THAT(text, HasSubstr("candor_test_scores_total{outcome=\"early\"} 1"));
}

TEST(PrometheusRegistryTest, ProcessMetricsAreTrue) {
  PrometheusRegistry registry;
  const std::string text = registry.Exposition();
  // Started within the last day, and resident in more than a megabyte.
  auto value_of = [&](const std::string& name) {
    const size_t at = text.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name;
    return std::stod(text.substr(at + name.size() + 2));
  };
  const double now = absl::ToUnixSeconds(absl::Now());
  EXPECT_GT(value_of("process_start_time_seconds"), now - 86400);
  EXPECT_LE(value_of("process_start_time_seconds"), now + 1);
  EXPECT_GT(value_of("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(value_of("process_open_fds"), 3);
}

TEST(PrometheusRegistryDeathTest, TypeClashAndBadNamesAreBugs) {
  PrometheusRegistry registry;
  registry.GetCounter("candor_test_x_total", "x");
  EXPECT_DEATH(registry.GetGauge("candor_test_x_total", "x"), "registered as a counter");
  EXPECT_DEATH(registry.GetCounter("bad name", "x"), "bad name");
  EXPECT_DEATH(registry.GetHistogram("candor_test_h", "h", {}, {1, 1}), "strictly increasing");
}

TEST(NoopRegistryTest, TakesEverythingAndKeepsNothing) {
  Registry& noop = NoopRegistry();
  noop.GetCounter("anything", "x").Increment();
  noop.GetHistogram("anything", "x", {}, {}).Observe(1);
  noop.AddGaugeCallback("anything", "x", {}, [] { return 1.0; });
}

TEST(StoreCallMetricsTest, CountsByOperationAndCode) {
  PrometheusRegistry registry(false);
  StoreCallMetrics redis(registry, "redis");
  redis.Record("evalsha", absl::OkStatus(), absl::Milliseconds(2));
  redis.Record("evalsha", absl::UnavailableError("down"), absl::Milliseconds(1000));
  redis.Record("hgetall", absl::OkStatus(), absl::Microseconds(300));
  const std::string text = registry.Exposition();
  EXPECT_THAT(text, HasSubstr("candor_redis_calls_total{code=\"OK\",op=\"evalsha\"} 1"));
  EXPECT_THAT(text, HasSubstr("candor_redis_calls_total{code=\"UNAVAILABLE\",op=\"evalsha\"} 1"));
  EXPECT_THAT(text, HasSubstr("candor_redis_call_duration_seconds_count{op=\"evalsha\"} 2"));
  EXPECT_THAT(text, HasSubstr("candor_redis_call_duration_seconds_count{op=\"hgetall\"} 1"));
}

TEST(GrpcCallMetricsTest, CountsByServiceMethodAndCode) {
  PrometheusRegistry registry(false);
  GrpcCallMetrics observer(registry);
  rpc::CallObserver& port = observer;
  port.OnCallDone("/candor.review.v1.ReviewService/SubmitReview", absl::StatusCode::kOk,
                  absl::Milliseconds(3));
  port.OnCallDone("/candor.review.v1.ReviewService/SubmitReview", absl::StatusCode::kOk,
                  absl::Milliseconds(4));
  port.OnCallDone("/candor.review.v1.ReviewService/SubmitReview", absl::StatusCode::kAlreadyExists,
                  absl::Milliseconds(1));
  const std::string text = registry.Exposition();
  EXPECT_THAT(text, HasSubstr("candor_grpc_server_handled_total{code=\"OK\",method="
                              "\"SubmitReview\",service=\"candor.review.v1.ReviewService\"} 2"));
  EXPECT_THAT(text, HasSubstr("candor_grpc_server_handled_total{code=\"ALREADY_EXISTS\",method="
                              "\"SubmitReview\",service=\"candor.review.v1.ReviewService\"} 1"));
  EXPECT_THAT(text, HasSubstr("candor_grpc_server_handling_seconds_count{method=\"SubmitReview\","
                              "service=\"candor.review.v1.ReviewService\"} 3"));
  EXPECT_EQ(SplitMethod("/a.B/C"), std::make_pair(std::string_view("a.B"), std::string_view("C")));
  EXPECT_EQ(SplitMethod("odd"), std::make_pair(std::string_view(), std::string_view("odd")));
}

TEST(GrpcCallMetricsTest, ConcurrentCallsAllCounted) {
  PrometheusRegistry registry(false);
  GrpcCallMetrics observer(registry);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&observer, t] {
      for (int i = 0; i < 1000; ++i) {
        observer.OnCallDone("/s.S/M" + std::to_string(i % 7), static_cast<absl::StatusCode>(t),
                            absl::Microseconds(i));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const std::string text = registry.Exposition();
  EXPECT_THAT(text, HasSubstr("candor_grpc_server_handling_seconds_count{method=\"M0\","
                              "service=\"s.S\"} 572"));  // 143 of every thread's 1000, 4 threads
}

TEST(AdminServerTest, ServesMetricsHealthAndReadiness) {
  PrometheusRegistry registry(false);
  registry.GetCounter("candor_test_scrapes_total", "x").Increment(5);
  std::atomic<bool> ready{false};
  auto server =
      AdminServer::Start("127.0.0.1", 0,
                         {.metrics = [&registry] { return registry.Exposition(); },
                          .ready = [&ready]() -> absl::Status {
                            if (ready) return absl::OkStatus();
                            return absl::UnavailableError("starting: connecting to Kafka");
                          }});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  Reply metrics = Get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, PrometheusRegistry::kContentType);
  EXPECT_THAT(metrics.body, HasSubstr("candor_test_scrapes_total 5"));
  EXPECT_EQ(Get(port, "/metrics?x=1").status, 200);

  EXPECT_EQ(Get(port, "/healthz").status, 200);
  Reply not_ready = Get(port, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: starting: connecting to Kafka\n");
  ready = true;
  EXPECT_EQ(Get(port, "/readyz").status, 200);
  EXPECT_EQ(Get(port, "/readyz", http::verb::head).status, 200);

  EXPECT_EQ(Get(port, "/nope").status, 404);
  EXPECT_EQ(Get(port, "/metrics", http::verb::post).status, 405);
  EXPECT_EQ((*server)->requests(), 8);
}

TEST(AdminServerTest, RefusesWhatItCannotListenOn) {
  auto first = AdminServer::Start("127.0.0.1", 0, {});
  ASSERT_TRUE(first.ok()) << first.status();
  auto taken = AdminServer::Start("127.0.0.1", (*first)->port(), {});
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(taken.status().message(), HasSubstr("cannot listen on 127.0.0.1:"));
  EXPECT_EQ(AdminServer::Start("not-an-ip", 0, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AdminServer::Start("127.0.0.1", 70000, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AdminServerTest, ASilentClientDoesNotBlockTheNext) {
  auto server = AdminServer::Start("127.0.0.1", 0, {.metrics = [] { return std::string("x"); }});
  ASSERT_TRUE(server.ok());
  // A connection that never sends a request: the server's async reads keep serving others.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket idle(io);
  idle.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>((*server)->port())});
  EXPECT_EQ(Get((*server)->port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace candor::metrics
