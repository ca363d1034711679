#include "tools/candor-drive/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::drive {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RunResult Sample() {
  RunResult r;
  r.info.started_at = "2024-05-01T10:00:00Z";
  r.info.gateway = "127.0.0.1:50051";
  r.info.git_commit = "0123456789abcdef0123456789abcdef01234567";
  r.info.machine = {2, "AMD EPYC", "Linux 6.1 x86_64", 23000};
  r.info.mix = *ParseMix("submit=70,summary=30");
  r.info.rate = 2000;
  r.info.concurrency = 1000;
  r.info.channels = 4;
  r.info.warmup_s = 2;
  r.info.duration_s = 10;
  r.info.source = "generated";
  r.info.seed = 42;
  r.window_s = 10;
  OpStats& submit = r.ops[Op::kSubmit];
  for (int64_t i = 1; i <= 1000; ++i) {
    submit.latency_us.Record(i * 10);
    submit.service_us.Record(i * 5);
  }
  submit.calls = 1000;
  submit.late = 3;
  submit.codes[absl::StatusCode::kOk] = 990;
  submit.codes[absl::StatusCode::kResourceExhausted] = 10;
  OpStats& summary = r.ops[Op::kSummary];
  summary.calls = 500;
  summary.codes[absl::StatusCode::kOk] = 480;
  summary.codes[absl::StatusCode::kNotFound] = 20;
  for (int i = 0; i < 500; ++i) summary.latency_us.Record(300);
  r.schedule.scheduled = 1500;
  r.schedule.sent = 1500;
  r.schedule.late = 3;
  r.freshness.enabled = true;
  r.freshness.per_second = 1;
  r.freshness.probes = 10;
  r.freshness.readable = 9;
  r.freshness.timed_out = 1;
  for (int64_t i = 1; i <= 9; ++i) r.freshness.readable_us.Record(i * 100'000);
  r.client_cpu_s = 3;
  r.client_wall_s = 12;
  r.client_calls = 30000;
  return r;
}

TEST(ReportTest, JsonShape) {
  nlohmann::json j = ToJson(Sample());
  for (const char* key :
       {"tool", "schema", "started_at", "git_commit", "git_dirty", "machine", "config", "window_s",
        "interrupted", "warmup_calls", "ops", "total", "schedule", "freshness", "feed", "client"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["tool"], "candor-drive");
  EXPECT_EQ(j["machine"]["nproc"], 2);
  EXPECT_EQ(j["machine"]["cpu_model"], "AMD EPYC");
  EXPECT_EQ(j["config"]["mode"], "open");
  EXPECT_EQ(j["config"]["rate"], 2000.0);
  EXPECT_EQ(j["config"]["mix"]["submit"], 70.0);
  EXPECT_EQ(j["config"]["mix"]["summary"], 30.0);
  EXPECT_FALSE(j["config"]["mix"].contains("noop"));
  EXPECT_EQ(j["config"]["mix_text"], "submit=70,summary=30");

  const nlohmann::json& s = j["ops"]["submit"];
  EXPECT_EQ(s["calls"], 1000);
  EXPECT_EQ(s["ok"], 990);
  EXPECT_DOUBLE_EQ(s["throughput_per_s"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(s["ok_per_s"].get<double>(), 99.0);
  EXPECT_EQ(s["late"], 3);
  EXPECT_EQ(s["codes"]["OK"], 990);
  EXPECT_EQ(s["codes"]["RESOURCE_EXHAUSTED"], 10);
  for (const char* p : {"count", "p50", "p90", "p99", "p999", "max", "mean"}) {
    EXPECT_TRUE(s["latency_ms"].contains(p)) << p;
    EXPECT_TRUE(s["service_ms"].contains(p)) << p;
  }
  EXPECT_NEAR(s["latency_ms"]["p50"].get<double>(), 5.0, 0.1);
  EXPECT_DOUBLE_EQ(s["latency_ms"]["max"].get<double>(), 10.0);
  EXPECT_EQ(j["ops"]["summary"]["codes"]["NOT_FOUND"], 20);

  EXPECT_EQ(j["total"]["calls"], 1500);
  EXPECT_EQ(j["total"]["ok"], 1470);
  EXPECT_DOUBLE_EQ(j["total"]["throughput_per_s"].get<double>(), 150.0);

  EXPECT_EQ(j["schedule"]["late"], 3);
  EXPECT_TRUE(j["schedule"].contains("unsent"));
  EXPECT_TRUE(j["schedule"]["lag_ms"].contains("p99"));

  EXPECT_DOUBLE_EQ(j["client"]["cpu_us_per_call"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["client"]["cores"].get<double>(), 0.25);
  EXPECT_EQ(j["freshness"]["probes"], 10);
  EXPECT_EQ(j["freshness"]["readable"], 9);
  EXPECT_EQ(j["freshness"]["timed_out"], 1);
  EXPECT_NEAR(j["freshness"]["readable_ms"]["p50"].get<double>(), 500.0, 8.0);
  EXPECT_DOUBLE_EQ(j["freshness"]["readable_ms"]["max"].get<double>(), 900.0);
}

TEST(ReportTest, JsonWithoutGitCommitIsNull) {
  RunResult r = Sample();
  r.info.git_commit.reset();
  r.info.rate = 0;
  nlohmann::json j = ToJson(r);
  EXPECT_TRUE(j["git_commit"].is_null());
  EXPECT_EQ(j["config"]["mode"], "closed");
}

TEST(ReportTest, TextNamesEveryOperationAndCode) {
  std::string text = RenderText(Sample());
  EXPECT_THAT(text, HasSubstr("open loop at 2000/s"));
  EXPECT_THAT(text, HasSubstr("submit"));
  EXPECT_THAT(text, HasSubstr("summary"));
  EXPECT_THAT(text, HasSubstr("RESOURCE_EXHAUSTED 10"));
  EXPECT_THAT(text, HasSubstr("NOT_FOUND 20"));
  EXPECT_THAT(text, HasSubstr("3 late"));
  EXPECT_THAT(text, HasSubstr("9 readable"));
  EXPECT_THAT(text, Not(HasSubstr("reco-api")));  // only a mix with its operations names it
  EXPECT_THAT(text, Not(HasSubstr("items in the OK answers")));
}

TEST(ReportTest, RecoOperationsReportTheirItemsAndTarget) {
  RunResult r = Sample();
  r.info.mix = *ParseMix("recommend=1,noop=1");
  r.info.reco_target = "127.0.0.1:50062";
  r.ops.clear();
  OpStats& recommend = r.ops[Op::kRecommend];
  recommend.calls = 100;
  recommend.codes[absl::StatusCode::kOk] = 98;
  recommend.codes[absl::StatusCode::kPermissionDenied] = 2;
  recommend.items = 950;  // 95 answers of 10, 3 empty
  recommend.empty = 3;
  for (int i = 0; i < 100; ++i) recommend.latency_us.Record(4000);
  OpStats& noop = r.ops[Op::kNoop];
  noop.calls = 100;
  noop.codes[absl::StatusCode::kOk] = 100;

  nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["config"]["reco_target"], "127.0.0.1:50062");
  EXPECT_EQ(j["config"]["mix"]["recommend"], 1.0);
  EXPECT_EQ(j["ops"]["recommend"]["codes"]["PERMISSION_DENIED"], 2);
  EXPECT_NEAR(j["ops"]["recommend"]["items"]["per_ok"].get<double>(), 950.0 / 98, 0.001);
  EXPECT_EQ(j["ops"]["recommend"]["items"]["empty"], 3);
  EXPECT_FALSE(j["ops"]["noop"].contains("items"));  // a gateway operation returns no items

  const std::string text = RenderText(r);
  EXPECT_THAT(text, HasSubstr("reco-api 127.0.0.1:50062"));
  EXPECT_THAT(text, HasSubstr("recommend       100"));  // the op column fits the longest name
  EXPECT_THAT(text, HasSubstr("recommend 9.7 items per answer, 3 answers empty"));
  EXPECT_THAT(text, Not(HasSubstr("noop      0.0 items")));
}

TEST(ReportTest, TimelineInJsonAndWorstSecondsInText) {
  RunResult r = Sample();
  std::vector<Interval>& seconds = r.timeline[Op::kSubmit];
  seconds.push_back({1.0, false, 100, 2'000, 900'000, 950'000});  // warm-up: never the worst
  seconds.push_back({2.0, true, 2000, 2'000, 5'000, 6'000});
  seconds.push_back({3.0, true, 2000, 3'000, 340'000, 400'000});
  seconds.push_back({4.0, true, 2000, 2'000, 7'000, 9'000});
  nlohmann::json j = ToJson(r);
  ASSERT_EQ(j["timeline"]["submit"].size(), 4u);
  const nlohmann::json& third = j["timeline"]["submit"][2];
  EXPECT_DOUBLE_EQ(third["t_s"].get<double>(), 3.0);
  EXPECT_EQ(third["measured"], true);
  EXPECT_EQ(third["calls"], 2000);
  EXPECT_DOUBLE_EQ(third["p99_ms"].get<double>(), 340.0);
  EXPECT_DOUBLE_EQ(third["max_ms"].get<double>(), 400.0);
  EXPECT_EQ(j["timeline"]["submit"][0]["measured"], false);

  std::string text = RenderText(r);
  EXPECT_THAT(text, HasSubstr("submit p99 of each second: median 7.00 ms; worst 340.00 ms at 3 s, "
                              "7.00 ms at 4 s, 5.00 ms at 2 s"));
}

TEST(ReportTest, CpuModel) {
  EXPECT_EQ(CpuModelFromCpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\n"
                                "model name\t: AMD EPYC 7B13\nflags\t: fpu\n"
                                "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n"),
            "AMD EPYC 7B13");
  EXPECT_EQ(CpuModelFromCpuinfo("processor : 0\n"), "");
}

TEST(ReportTest, StarBarsAndReplayExitCode) {
  std::string bars = StarBars({1, 0, 10, 20, 60}, 6);
  EXPECT_EQ(bars, "5★ ██████ 60\n4★ ██ 20\n3★ █ 10\n2★ 0\n1★ █ 1\n");
  RunResult result;
  ReplayChecks& r = result.replay.emplace();
  EXPECT_EQ(ExitCode(result), 0);
  r.counts.unavailable = 1;
  EXPECT_EQ(ExitCode(result), 1);
  r.counts.unavailable = 0;
  r.convergence.state = FreshnessReport::State::kStale;
  EXPECT_EQ(ExitCode(result), 1);
  r.convergence.state = FreshnessReport::State::kFresh;
  r.expectations.limit_groups_failed = 1;
  EXPECT_EQ(ExitCode(result), 1);
  EXPECT_EQ(ToJson(result)["exit_code"], 1);
  r.expectations.limit_groups_failed = 0;
  result.interrupted = true;
  EXPECT_EQ(ExitCode(result), 1);
}

TEST(ReportTest, BenchExitCodeFailsOnlyWhenNothingReachedAServer) {
  RunResult r = Sample();
  EXPECT_EQ(ExitCode(r), 0);
  r.unreachable = r.client_calls;
  EXPECT_EQ(ExitCode(r), 1);
  EXPECT_EQ(ToJson(r)["mode"], "bench");
}

// The replay's figures sit beside the load's in one JSON: what bench/run_reliability.sh and
// scripts read (outcomes, convergence) and the per-operation table of every run.
TEST(ReportTest, ReplayJsonAndText) {
  RunResult result = Sample();
  result.info.mode = "replay";
  ReplayChecks& r = result.replay.emplace();
  r.planned = 1000;
  r.counts.ok = 990;
  r.counts.limited = 10;
  r.counts.by_code[absl::StatusCode::kOk] = 990;
  r.counts.by_code[absl::StatusCode::kResourceExhausted] = 10;
  r.duration_s = 2;
  r.convergence.state = FreshnessReport::State::kFresh;
  r.convergence.fresh_ms = 120;
  r.convergence.reviews_expected = 990;
  r.convergence.products = 7;
  nlohmann::json j = ToJson(result);
  EXPECT_EQ(j["mode"], "replay");
  EXPECT_EQ(j["outcomes"]["ok"], 990);
  EXPECT_EQ(j["outcomes"]["limited"], 10);
  EXPECT_EQ(j["convergence"]["state"], "fresh");
  EXPECT_EQ(j["convergence"]["reviews_missing"], 0);
  EXPECT_EQ(j["convergence"]["products_stale"], 0);
  EXPECT_EQ(j["freshness"]["probes"], 10);  // the probes keep their key
  EXPECT_DOUBLE_EQ(j["throughput_per_s"].get<double>(), 500.0);
  EXPECT_EQ(j["submit_latency_us"]["count"], 1000);
  EXPECT_EQ(j["ops"]["submit"]["calls"], 1000);
  EXPECT_EQ(j["exit_code"], 0);

  std::string text = RenderText(result);
  EXPECT_THAT(text, HasSubstr("Candor drive: 1000 submissions to 127.0.0.1:50051"));
  EXPECT_THAT(text, HasSubstr("all aggregates fresh 120 ms after the last OK"));
  EXPECT_THAT(text, HasSubstr("Submit latency  p50 2.5"));
  EXPECT_THAT(text, HasSubstr("Result          PASS"));
  EXPECT_THAT(text, Not(HasSubstr("Decisions")));  // not read: nothing to say
}

TEST(ReportTest, AFileReplayReportsImportsAndDecisions) {
  RunResult result = Sample();
  result.info.mode = "replay";
  // The replay of a file sends imports: its latency is the import's.
  result.ops[Op::kImport] = result.ops[Op::kSubmit];
  result.ops.erase(Op::kSubmit);
  ReplayChecks& r = result.replay.emplace();
  r.planned = 1000;
  r.counts.ok = 1000;
  r.counts.by_code[absl::StatusCode::kOk] = 1000;
  r.duration_s = 2;
  r.convergence.state = FreshnessReport::State::kFresh;
  r.convergence.reviews_expected = 1000;
  r.decisions = {{"active", 970}, {"held", 25}, {"rejected", 5}};
  std::string text = RenderText(result);
  EXPECT_THAT(text, HasSubstr("Candor drive: 1000 imports (original times) to"));
  EXPECT_THAT(text, HasSubstr("Import latency  p50 2.5"));
  EXPECT_THAT(text, HasSubstr("imports/s"));
  EXPECT_THAT(text, HasSubstr("Decisions       of 1000 accepted reviews: active 970 (97.00 %), "
                              "held 25 (2.50 %), rejected 5 (0.50 %), removed 0 (0.00 %)"));
  nlohmann::json j = ToJson(result);
  EXPECT_EQ(j["submit_latency_us"]["count"], 1000);  // the key stays: the replay's latency
  EXPECT_EQ(j["decisions"]["held"], 25);
  EXPECT_EQ(j["ops"]["import"]["calls"], 1000);
  r.decisions.clear();
  r.decisions_error = "connection refused";
  EXPECT_THAT(RenderText(result), HasSubstr("Decisions       not read: connection refused"));
}

TEST(ReportTest, AScenarioReportsItsSlowRateAndItsExpectation) {
  RunResult result = Sample();
  result.info.mode = "replay";
  result.info.rate = 310.0 / 3600;  // a farm spread over an hour
  ReplayChecks& r = result.replay.emplace();
  r.convergence.state = FreshnessReport::State::kFresh;
  ScenarioOutcome& s = r.scenario.emplace();
  s.kind = "farm";
  GroupTally& attack = s.groups[ScenarioGroup::kAttack];
  attack.submitted = attack.accepted = 300;
  attack.rejected = 299;
  attack.active = 1;
  s.expect_caught_pct = 95;
  EXPECT_THAT(RenderText(result), HasSubstr("open loop at 0.0861/s"));
  EXPECT_THAT(RenderText(result), HasSubstr("met (99.7 %)"));
  EXPECT_EQ(ExitCode(result), 0);
  EXPECT_EQ(ToJson(result)["scenario"]["groups"]["attack"]["rejected"], 299);
  s.expect_caught_pct = 99.9;
  EXPECT_EQ(ExitCode(result), 1);
}

}  // namespace
}  // namespace candor::drive
