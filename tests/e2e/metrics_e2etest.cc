// The metrics end to end: the six services as real processes on their own stack, each serving
// /metrics, /healthz and /readyz on an admin port. `promtool check metrics` must pass on every
// exposition, and a real Prometheus (Debian's `prometheus`), started here on loopback with a
// generated config scraping all six every second, must answer PromQL for a request rate by
// code and a consumer lag after the test drove traffic through the gateway.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/metrics/admin_testing.h"
#include "libs/testing/wait.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/child_process.h"
#include "tests/e2e/e2e_env.h"

namespace candor::e2e {
namespace {

namespace v1 = candor::review::v1;
using metrics::testing::HttpGet;

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// One service process and the admin port it was given.
struct Service {
  const char* name;        // Prometheus' job label
  const char* binary_env;  // $... naming its binary
  const char* port_env;    // its admin port's environment variable
  int admin_port = 0;
  ChildProcess process;
};

class MetricsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(Env("CANDOR_E2E_STACK_DIR"));
    stack_ = new std::string(StackCommand(*dir_));
    RunCommand(*stack_ + " down --purge >/dev/null 2>&1");
    std::string exports;
    ASSERT_EQ(RunCommand(*stack_ + " up", &exports), 0) << "stack did not come up";
    gateway_addr_ = new std::string(absl::StrCat("127.0.0.1:", FreePort()));
    const std::vector<std::string> env = {
        "CANDOR_REDIS_ADDR=" + Exported(exports, "CANDOR_REDIS_ADDR"),
        "CANDOR_PG_DSN=" + Exported(exports, "CANDOR_PG_DSN"),
        "CANDOR_KAFKA_BROKERS=" + Exported(exports, "CANDOR_KAFKA_BROKERS"),
        std::string("CANDOR_JWT_SECRET=") + kJwtSecret,
        "CANDOR_GATEWAY_LISTEN=" + *gateway_addr_,
        "CANDOR_GATEWAY_HTTP_PORT=0",  // REST on a free port: 8080 may be taken
        "CANDOR_INDEX_DIR=" + *dir_ + "/search-index",
        "CANDOR_FRAUD_SCORER=rules",
        // reco-api without a model (popular lists) on free ports.
        absl::StrCat("CANDOR_RECO_LISTEN=127.0.0.1:", FreePort()),
        "CANDOR_RECO_HTTP_PORT=0",
    };
    services_ = new std::deque<Service>();
    // One after the other, each ready before the next starts: index-writer creates the search
    // index the gateway opens.
    for (auto [name, binary, port] :
         {std::tuple{"index-writer", "CANDOR_INDEX_WRITER_BIN", "CANDOR_INDEX_ADMIN_PORT"},
          {"fraud-scorer", "CANDOR_FRAUD_SCORER_BIN", "CANDOR_FRAUD_ADMIN_PORT"},
          {"rating-aggregator", "CANDOR_AGGREGATOR_BIN", "CANDOR_AGG_ADMIN_PORT"},
          {"helpfulness-ranker", "CANDOR_RANKER_BIN", "CANDOR_RANKER_ADMIN_PORT"},
          {"review-gateway", "CANDOR_GATEWAY_BIN", "CANDOR_GATEWAY_ADMIN_PORT"},
          {"reco-api", "CANDOR_RECO_API_BIN", "CANDOR_RECO_ADMIN_PORT"}}) {
      Service& s = services_->emplace_back();
      s.name = name;
      s.binary_env = binary;
      s.port_env = port;
      s.admin_port = FreePort();
      std::vector<std::string> own = env;
      own.push_back(absl::StrCat(port, "=", s.admin_port));
      // JSON logs in one service, to show they do not break anything.
      if (std::string(name) == "rating-aggregator") own.push_back("CANDOR_AGG_LOG_FORMAT=json");
      ASSERT_TRUE(s.process.Start({Env(binary)}, own, *dir_ + "/" + name + ".log")) << name;
      ASSERT_TRUE(testing::WaitUntil([&] { return HttpGet(s.admin_port, "/readyz").status == 200; },
                                     absl::Seconds(30)))
          << s.name << " never ready; see " << *dir_ << "/" << s.name << ".log";
    }
    auto channel = grpc::CreateChannel(*gateway_addr_, grpc::InsecureChannelCredentials());
    stub_ = v1::ReviewService::NewStub(channel).release();
  }

  static void TearDownTestSuite() {
    for (Service& s : *services_) {
      EXPECT_EQ(s.process.Stop(SIGTERM, 20000), std::optional<int>(0)) << s.name;
    }
    delete stub_;
    delete services_;
    // Logs stay for the post-mortem when something failed.
    RunCommand(*stack_ +
               (::testing::UnitTest::GetInstance()->Passed() ? " down --purge" : " down") +
               " >/dev/null 2>&1");
  }

  static grpc::StatusCode Submit(const std::string& user, const std::string& asin, int rating) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", Bearer(user, "customer"));
    v1::SubmitReviewRequest req;
    req.set_asin(asin);
    req.set_rating(rating);
    req.set_title("Metrics");
    req.set_body("A review long enough to pass every text rule of the scorer, number " + user);
    v1::SubmitReviewResponse resp;
    return stub_->SubmitReview(&ctx, req, &resp).error_code();
  }

  static std::string* dir_;
  static std::string* stack_;
  static std::string* gateway_addr_;
  static std::deque<Service>* services_;
  static v1::ReviewService::Stub* stub_;
};

std::string* MetricsE2eTest::dir_ = nullptr;
std::string* MetricsE2eTest::stack_ = nullptr;
std::string* MetricsE2eTest::gateway_addr_ = nullptr;
std::deque<Service>* MetricsE2eTest::services_ = nullptr;
v1::ReviewService::Stub* MetricsE2eTest::stub_ = nullptr;

TEST_F(MetricsE2eTest, EveryExpositionPassesPromtool) {
  // One call first, so the gateway's per-method series exist.
  ASSERT_EQ(Submit("promtool-user", "B000PROMTL", 4), grpc::StatusCode::OK);
  for (const Service& s : *services_) {
    const metrics::testing::HttpReply reply = HttpGet(s.admin_port, "/metrics");
    ASSERT_EQ(reply.status, 200) << s.name;
    EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(reply.body.find("\nprocess_cpu_seconds_total "), std::string::npos) << s.name;
    const std::string file = *dir_ + "/" + s.name + ".metrics";
    std::ofstream(file) << reply.body;
    std::string out;
    const int rc = RunCommand(
        absl::StrCat(Env("CANDOR_PROMTOOL_BIN"), " check metrics < ", file, " 2>&1"), &out);
    EXPECT_EQ(rc, 0) << s.name << ": promtool check metrics:\n" << out;
    EXPECT_EQ(HttpGet(s.admin_port, "/healthz").status, 200) << s.name;
  }
}

// Runs Prometheus on loopback against the six admin ports; stops it on destruction.
class Prometheus {
 public:
  bool Start(const std::string& dir, const std::deque<Service>& services) {
    port_ = FreePort();
    std::ofstream config(dir + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const Service& s : services) {
      config << "  - job_name: " << s.name
             << "\n    static_configs:\n      - targets: ['127.0.0.1:" << s.admin_port << "']\n";
    }
    config.close();
    RunCommand("rm -rf " + dir + "/prometheus-data");
    return process_.Start({Env("CANDOR_PROMETHEUS_BIN"), "--config.file=" + dir + "/prometheus.yml",
                           "--storage.tsdb.path=" + dir + "/prometheus-data",
                           absl::StrCat("--web.listen-address=127.0.0.1:", port_)},
                          {}, dir + "/prometheus.log");
  }
  ~Prometheus() { process_.Stop(SIGTERM, 10000); }

  // The instant vector `promql` evaluates to now: labels (as "k=v,...") -> value. Empty on any
  // error (Prometheus not up yet, no data).
  std::map<std::string, double> Query(const std::string& promql) const {
    const metrics::testing::HttpReply reply =
        HttpGet(port_, "/api/v1/query?query=" + UrlEncode(promql));
    std::map<std::string, double> out;
    if (reply.status != 200) return out;
    const nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return out;
    for (const nlohmann::json& r : j["data"]["result"]) {
      std::string labels;
      for (const auto& [k, v] : r["metric"].items()) {
        absl::StrAppend(&labels, labels.empty() ? "" : ",", k, "=", v.get<std::string>());
      }
      out[labels] = std::stod(r["value"][1].get<std::string>());
    }
    return out;
  }

  // Waits up to 30 s for the one value of `promql` (a sum without labels) to turn positive; a
  // test failure naming `what` and the last value when it does not.
  void ExpectTurnsPositive(const std::string& promql, const std::string& what) const {
    double last = 0;
    EXPECT_TRUE(testing::WaitUntil(
        [&] {
          last = Query(promql)[""];
          return last > 0;
        },
        absl::Seconds(30)))
        << what << ": " << last;
  }

  int port() const { return port_; }

 private:
  int port_ = 0;
  ChildProcess process_;
};

TEST_F(MetricsE2eTest, PrometheusScrapesRequestRateByCodeAndConsumerLag) {
  Prometheus prometheus;
  ASSERT_TRUE(prometheus.Start(*dir_, *services_));
  // Every target up: Prometheus scraped each admin port successfully.
  ASSERT_TRUE(
      testing::WaitUntil([&] { return prometheus.Query("sum(up)")[""] == 6; }, absl::Seconds(30)))
      << "see " << *dir_ << "/prometheus.log";

  // What came before (the other test's submission), so that this test counts only its own.
  const double before = prometheus.Query(
      "sum(candor_grpc_server_handled_total{method=\"SubmitReview\",code=\"OK\"})")[""];
  // Traffic spread over a few scrapes (the pause paces it; nothing waits on it): 60 accepted
  // submissions and 6 refused ones (rating 9).
  int ok = 0;
  for (int i = 0; i < 60; ++i) {
    ok += Submit(absl::StrCat("rate-user-", i), absl::StrCat("B000RATE", i % 10, "X"), 1 + i % 5) ==
          grpc::StatusCode::OK;
    if (i % 10 == 0) {
      EXPECT_EQ(Submit(absl::StrCat("bad-user-", i), "B000RATE0X", 9),
                grpc::StatusCode::INVALID_ARGUMENT);
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(ok, 60);

  // The submit rate by code, as the README's first query asks it.
  const std::string rate_query =
      "sum by (code) (rate(candor_grpc_server_handled_total{job=\"review-gateway\","
      "method=\"SubmitReview\"}[10s]))";
  std::map<std::string, double> rates;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        rates = prometheus.Query(rate_query);
        return rates["code=OK"] > 0 && rates["code=INVALID_ARGUMENT"] > 0;
      },
      absl::Seconds(30)))
      << "rates by code: " << rates.size();
  EXPECT_GT(rates["code=OK"], rates["code=INVALID_ARGUMENT"]);
  // What the counters say in total, through Prometheus: every answer counted once.
  std::map<std::string, double> totals;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        totals = prometheus.Query(
            "sum by (code) (candor_grpc_server_handled_total{method=\"SubmitReview\"})");
        return totals["code=OK"] == before + 60 && totals["code=INVALID_ARGUMENT"] == 6;
      },
      absl::Seconds(15)))
      << "OK " << totals["code=OK"] << ", INVALID_ARGUMENT " << totals["code=INVALID_ARGUMENT"];
  // A latency quantile can be computed from the histogram.
  EXPECT_FALSE(
      prometheus
          .Query("histogram_quantile(0.99, sum by (le) (rate("
                 "candor_grpc_server_handling_seconds_bucket{method=\"SubmitReview\"}[10s])))")
          .empty());

  // The consumer lag: the fraud-scorer's group on review-submissions and the aggregator's on
  // review-events, drained to 0 once every submission is scored and counted; and what they
  // consumed is what was accepted.
  std::map<std::string, double> lag;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        lag = prometheus.Query("sum by (job, topic) (candor_kafka_consumer_lag_messages)");
        return lag.count("job=fraud-scorer,topic=review-submissions") == 1 &&
               lag.count("job=rating-aggregator,topic=review-events") == 1 &&
               lag["job=fraud-scorer,topic=review-submissions"] == 0 &&
               lag["job=rating-aggregator,topic=review-events"] == 0;
      },
      absl::Seconds(30)))
      << "lag series: " << lag.size();
  std::map<std::string, double> consumed;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        consumed = prometheus.Query(
            "sum by (job) (candor_kafka_consumer_messages_total{job=~\"fraud-scorer|rating-"
            "aggregator\"})");
        return consumed["job=fraud-scorer"] == before + 60 && consumed["job=rating-aggregator"] > 0;
      },
      absl::Seconds(30)))
      << "fraud-scorer " << consumed["job=fraud-scorer"] << ", rating-aggregator "
      << consumed["job=rating-aggregator"];
  EXPECT_EQ(prometheus.Query("sum(candor_fraud_decisions_total)")[""], before + 60);
  // The domains' own counters: index-writer wrote the accepted reviews' documents; the ranker's
  // vote outcomes are exported (at zero: this test votes nothing).
  prometheus.ExpectTurnsPositive("sum(candor_index_documents_total{change=\"written\"})",
                                 "documents written");
  EXPECT_EQ(prometheus.Query("count(candor_ranker_votes_total)")[""], 3);
  // reco-api applied the accepted reviews to the users' histories.
  prometheus.ExpectTurnsPositive("sum(candor_reco_events_applied_total)", "reco events applied");
  // Postgres calls are timed by operation.
  EXPECT_GT(prometheus.Query("sum(candor_pg_calls_total{job=\"fraud-scorer\",op=\"transaction\","
                             "code=\"OK\"})")[""],
            0);
}

}  // namespace
}  // namespace candor::e2e
