// RunBatchLoop against librdkafka's mock cluster in-process, with a fake handler that behaves
// like a transactional store: a failed Handle applies nothing.
#include "libs/kafka/batch_loop.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/kafka_testing.h"
#include "libs/metrics/prometheus_registry.h"
#include "libs/testing/wait.h"

namespace candor::kafka {
namespace {

using testing::Drain;

std::string HeaderOf(const Message& m, const std::string& name) {
  for (const auto& [k, v] : m.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

// Applies a batch all or nothing. A message whose value starts with "bad" fails the whole batch
// with `deterministic`; "poison" is reported as poison; the first `transient_failures` calls fail
// with Unavailable. Not thread-safe: RunBatchLoop calls it on the test's own thread.
class FakeHandler final : public BatchHandler {
 public:
  absl::Status deterministic = absl::FailedPreconditionError("violates check constraint \"c\"");
  int transient_failures = 0;

  absl::Status Handle(const std::vector<Message>& batch, std::vector<Poison>* poison) override {
    batch_sizes_.push_back(batch.size());
    if (transient_failures > 0) {
      --transient_failures;
      return absl::UnavailableError("connection lost");
    }
    for (const Message& m : batch) {
      if (m.value.starts_with("bad")) return deterministic;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].value == "poison") {
        poison->push_back({i, "cannot decode"});
      } else {
        ++applied_[batch[i].value];
      }
    }
    return absl::OkStatus();
  }

  const std::map<std::string, int>& applied() const { return applied_; }
  std::string batch_sizes() const { return absl::StrJoin(batch_sizes_, ","); }

 private:
  std::map<std::string, int> applied_;
  std::vector<size_t> batch_sizes_;
};

// FakeHandler in two stages, for the pipelined loop: Prepare lists the poison and keeps the rest,
// Apply fails (transient_failures, then "bad" deterministically) or applies all of them. Records
// the order of the stages. Prepare and Apply run on two threads at once.
class StagedFakeHandler final : public StagedBatchHandler {
 public:
  absl::Status deterministic = absl::FailedPreconditionError("violates check constraint \"c\"");
  int transient_failures = 0;  // Apply's thread only
  // A batch holding this value always fails with Unavailable.
  std::string always_unavailable = "<none>";
  // When set, the Apply of the first batch waits (up to WaitUntil's deadline) until the next
  // batch is being prepared, and notes whether it was.
  bool wait_for_overlap = false;
  std::atomic<bool> overlapped{false};

  absl::StatusOr<std::unique_ptr<Prepared>> Prepare(const std::vector<Message>& batch,
                                                    std::vector<Poison>* poison) override {
    auto p = std::make_unique<Values>();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].value == "poison") {
        poison->push_back({i, "cannot decode"});
      } else {
        p->values.push_back(batch[i].value);
      }
    }
    prepared_.fetch_add(1);
    Note(absl::StrCat("prepare ", batch.front().value));
    return p;
  }

  absl::Status Apply(Prepared& prepared) override {
    const std::vector<std::string>& values = static_cast<Values&>(prepared).values;
    if (wait_for_overlap && applies_++ == 0) {
      overlapped = candor::testing::WaitUntil([&] { return prepared_.load() >= 2; });
    }
    if (transient_failures > 0) {
      --transient_failures;
      return absl::UnavailableError("connection lost");
    }
    for (const std::string& v : values) {
      if (v.starts_with("bad")) return deterministic;
      if (v == always_unavailable) return absl::UnavailableError("connection lost");
    }
    std::lock_guard lock(mu_);
    for (const std::string& v : values) {
      ++applied_[v];
      order_.push_back(v);
    }
    return absl::OkStatus();
  }

  int prepared() const { return prepared_.load(); }
  std::map<std::string, int> applied() const {
    std::lock_guard lock(mu_);
    return applied_;
  }
  std::vector<std::string> order() const {
    std::lock_guard lock(mu_);
    return order_;
  }
  std::vector<std::string> stages() const {
    std::lock_guard lock(mu_);
    return stages_;
  }

 private:
  struct Values final : Prepared {
    std::vector<std::string> values;
  };
  void Note(std::string what) {
    std::lock_guard lock(mu_);
    stages_.push_back(std::move(what));
  }

  mutable std::mutex mu_;
  std::atomic<int> prepared_{0};
  int applies_ = 0;  // Apply's thread only
  std::map<std::string, int> applied_;
  std::vector<std::string> order_;
  std::vector<std::string> stages_;
};

class BatchLoopTest : public testing::MockClusterTest {
 protected:
  void SetUp() override {
    MockClusterTest::SetUp();
    cluster_.CreateTopic("in", 1);
    cluster_.CreateTopic("in.dlq", 1);
    loop_.initial_backoff = absl::Milliseconds(10);
    loop_.max_backoff = absl::Milliseconds(40);
    loop_.dlq_timeout = absl::Seconds(5);
  }

  void Produce(const std::vector<std::string>& values) {
    for (const std::string& v : values) Send("in", "key", v);
  }

  // Runs the loop as group "g" until `done()` (checked between batches and during backoff) or 20
  // s passed; returns what RunBatchLoop returned.
  absl::Status RunUntil(BatchHandler& handler, const std::function<bool()>& done) {
    auto consumer = Consumer::Create(options_, "g", {"in"});
    if (!consumer.ok()) return consumer.status();
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    return RunBatchLoop(
        **consumer, *producer_, handler, loop_, [&] { return done() || absl::Now() > deadline; },
        &stats_);
  }

  // RunUntil the loop has handled `n` messages (stats_.messages).
  absl::Status RunUntilHandled(BatchHandler& handler, int64_t n) {
    return RunUntil(handler, [&] { return stats_.messages.load() >= n; });
  }

  // The values group "g" gets next, from its committed offsets.
  std::vector<std::string> NextForGroup(size_t want) {
    auto consumer = Consumer::Create(options_, "g", {"in"});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::vector<std::string> values;
    if (!consumer.ok()) return values;
    for (const Message& m : Drain(**consumer, want, absl::Seconds(20))) values.push_back(m.value);
    return values;
  }

  // Produces one more message and expects it to be the next group "g" gets: the loop committed
  // past everything before it.
  void ExpectCommittedPastEverything() {
    Produce({"after"});
    EXPECT_EQ(NextForGroup(1), std::vector<std::string>{"after"});
  }

  // The first `want` messages of the dead-letter topic (fewer when 20 s pass first).
  std::vector<Message> DeadLetters(size_t want) {
    auto reader = Consumer::Create(options_, "dlq-reader", {"in.dlq"});
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return {};
    return Drain(**reader, want, absl::Seconds(20));
  }

  BatchLoopOptions loop_;
  BatchLoopStats stats_;
};

// Decodes one message at a time: an integer, or poison naming the field.
absl::StatusOr<int> DecodeNumber(std::string_view bytes) {
  const absl::string_view text(bytes.data(), bytes.size());
  int n = 0;
  if (!absl::SimpleAtoi(text, &n)) {
    return absl::InvalidArgumentError(absl::StrCat("number: not an integer: ", text));
  }
  return n;
}

TEST(DecodingHandlerTest, PoisonsWhatDoesNotDecodeAndAppliesTheRestInOrder) {
  std::vector<std::vector<int>> applied;
  absl::Status answer = absl::OkStatus();
  DecodingHandler<int> handler(DecodeNumber, [&](const std::vector<int>& batch) {
    applied.push_back(batch);
    return answer;
  });
  auto batch = [](std::vector<std::string> values) {
    std::vector<Message> messages;
    for (std::string& v : values) {
      Message m;
      m.value = std::move(v);
      messages.push_back(std::move(m));
    }
    return messages;
  };

  std::vector<Poison> poison;
  EXPECT_TRUE(handler.Handle(batch({"3", "x", "1", "", "2"}), &poison).ok());
  ASSERT_EQ(poison.size(), 2u);
  EXPECT_EQ(poison[0].index, 1u);
  EXPECT_EQ(poison[0].reason, "number: not an integer: x");
  EXPECT_EQ(poison[1].index, 3u);
  EXPECT_EQ(applied, (std::vector<std::vector<int>>{{3, 1, 2}}));

  // The applier's status comes back unchanged (its code decides retry or bisection); an all
  // poison batch still reaches it, empty.
  answer = absl::FailedPreconditionError("violates check constraint");
  poison.clear();
  EXPECT_EQ(handler.Handle(batch({"y"}), &poison), answer);
  EXPECT_EQ(poison.size(), 1u);
  EXPECT_EQ(applied.back(), std::vector<int>{});
}

TEST(IsDeterministicFailureTest, OnlyCodesThatRepeatingCannotCure) {
  EXPECT_TRUE(IsDeterministicFailure(absl::InvalidArgumentError("22P02")));
  EXPECT_TRUE(IsDeterministicFailure(absl::FailedPreconditionError("23505")));
  EXPECT_TRUE(IsDeterministicFailure(absl::OutOfRangeError("22003")));
  EXPECT_FALSE(IsDeterministicFailure(absl::OkStatus()));
  EXPECT_FALSE(IsDeterministicFailure(absl::UnavailableError("connection lost")));
  EXPECT_FALSE(IsDeterministicFailure(absl::AbortedError("40001")));
  EXPECT_FALSE(IsDeterministicFailure(absl::DeadlineExceededError("57014")));
  EXPECT_FALSE(IsDeterministicFailure(absl::ResourceExhaustedError("53100")));
  EXPECT_FALSE(IsDeterministicFailure(absl::InternalError("42P01: no such table")));
}

// A message that can never be applied fails its whole batch; the loop finds it, dead-letters it
// alone after max_apply_attempts, applies the others and commits past it.
// The line of `series` ("name{labels}") in `text`, or "<absent>".
std::string SeriesLine(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return "<absent>";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST_F(BatchLoopTest, RecordsLagBatchSizesAndApplyLatency) {
  Produce({"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"});
  metrics::PrometheusRegistry registry(false);
  loop_.metrics = &registry;
  loop_.max_batch = 1;
  loop_.lag_interval = absl::ZeroDuration();  // after every poll
  FakeHandler handler;
  // Three batches of one: the last poll left the consumer at offset 3 of 10.
  ASSERT_TRUE(RunUntilHandled(handler, 3).ok());
  std::string text = registry.Exposition();
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_lag_messages{group=\"g\",topic=\"in\"}"),
            "candor_kafka_consumer_lag_messages{group=\"g\",topic=\"in\"} 7");
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_batch_size_count{group=\"g\"}"),
            "candor_kafka_consumer_batch_size_count{group=\"g\"} 3");
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_batch_size_sum{group=\"g\"}"),
            "candor_kafka_consumer_batch_size_sum{group=\"g\"} 3");
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_batch_apply_seconds_count{group=\"g\"}"),
            "candor_kafka_consumer_batch_apply_seconds_count{group=\"g\"} 3");
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_skipped_messages_total{group=\"g\"}"),
            "candor_kafka_consumer_skipped_messages_total{group=\"g\"} 0");

  // A new member of the group starts from the committed offset and drains the rest.
  loop_.max_batch = 100;
  ASSERT_TRUE(RunUntilHandled(handler, 10).ok());
  text = registry.Exposition();
  EXPECT_EQ(SeriesLine(text, "candor_kafka_consumer_lag_messages{group=\"g\",topic=\"in\"}"),
            "candor_kafka_consumer_lag_messages{group=\"g\",topic=\"in\"} 0");
}

TEST_F(BatchLoopTest, DeterministicFailureDeadLettersOnlyTheCulpritAndMovesOn) {
  Produce({"v0", "v1", "v2", "poison", "v4", "bad5", "v6", "v7", "v8", "v9"});
  FakeHandler handler;
  loop_.max_apply_attempts = 3;
  absl::Status run = RunUntilHandled(handler, 10);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(stats_.messages.load(), 10)
      << "the partition stalled; batch sizes handed in: " << handler.batch_sizes();

  const std::map<std::string, int>& applied = handler.applied();
  std::set<std::string> good;
  for (const auto& [value, times] : applied) good.insert(value);
  EXPECT_EQ(good, (std::set<std::string>{"v0", "v1", "v2", "v4", "v6", "v7", "v8", "v9"}));
  EXPECT_EQ(stats_.dead_lettered.load(), 1);
  EXPECT_EQ(stats_.poisoned.load(), 1);

  std::vector<Message> dead = DeadLetters(2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "poison");
  EXPECT_EQ(HeaderOf(dead[0], "dlq-reason"), "cannot decode");
  EXPECT_EQ(HeaderOf(dead[0], "dlq-attempts"), "1");
  EXPECT_EQ(dead[1].value, "bad5");
  EXPECT_EQ(dead[1].key, "key");
  EXPECT_EQ(HeaderOf(dead[1], "dlq-origin"), "in/0/5");
  EXPECT_EQ(HeaderOf(dead[1], "dlq-reason"),
            "FAILED_PRECONDITION: violates check constraint \"c\"");
  EXPECT_EQ(HeaderOf(dead[1], "dlq-attempts"), "3");

  // Offsets are committed past the culprit: the group's next message is a new one.
  ExpectCommittedPastEverything();
}

// A transient failure is retried (more times than max_apply_attempts) and then succeeds, with
// nothing dead-lettered.
TEST_F(BatchLoopTest, TransientFailureIsRetriedUntilItSucceedsWithoutDeadLetter) {
  Produce({"v0", "v1", "v2"});
  FakeHandler handler;
  handler.transient_failures = 5;
  loop_.max_apply_attempts = 2;
  absl::Status run = RunUntilHandled(handler, 3);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(stats_.messages.load(), 3);
  EXPECT_EQ(stats_.retries.load(), 5);
  EXPECT_EQ(stats_.dead_lettered.load(), 0);
  EXPECT_EQ(stats_.splits.load(), 0);
  EXPECT_EQ(handler.applied(), (std::map<std::string, int>{{"v0", 1}, {"v1", 1}, {"v2", 1}}));
  ExpectCommittedPastEverything();
}

// A message that always fails transiently stalls its partition (nothing is lost) until stop,
// which ends the loop during the backoff, leaving the batch uncommitted.
TEST_F(BatchLoopTest, StopEndsTheLoopDuringBackoffAndLeavesTheBatchUncommitted) {
  Produce({"v0"});
  FakeHandler handler;
  handler.transient_failures = 1'000'000;
  loop_.max_backoff = absl::Seconds(30);  // stop must not wait for it
  absl::Time stopped_at = absl::InfiniteFuture();
  absl::Status run = RunUntil(handler, [&] {
    if (stats_.retries.load() < 6) return false;
    if (stopped_at == absl::InfiniteFuture()) stopped_at = absl::Now();
    return true;
  });
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_LT(absl::Now() - stopped_at, absl::Seconds(2));
  EXPECT_EQ(stats_.dead_lettered.load(), 0);
  EXPECT_EQ(stats_.messages.load(), 0);
  EXPECT_EQ(NextForGroup(1), std::vector<std::string>{"v0"});
}

// Two messages that cannot be applied, at the edges of the batch, each go alone; with one attempt
// they go at once.
TEST_F(BatchLoopTest, EveryCulpritIsIsolatedWhateverItsPlace) {
  Produce({"bad0", "v1", "v2", "v3", "bad4"});
  FakeHandler handler;
  handler.deterministic = absl::InvalidArgumentError("value out of range for type smallint");
  loop_.max_apply_attempts = 1;
  absl::Status run = RunUntilHandled(handler, 5);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(stats_.dead_lettered.load(), 2) << "batch sizes handed in: " << handler.batch_sizes();
  const std::map<std::string, int>& applied = handler.applied();
  EXPECT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied.count("bad0") + applied.count("bad4"), 0u);

  std::vector<Message> dead = DeadLetters(2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "bad0");
  EXPECT_EQ(dead[1].value, "bad4");
  EXPECT_EQ(HeaderOf(dead[1], "dlq-attempts"), "1");
}

// The staged tests: a batch stays open until it holds max_batch messages (they are all produced
// before the loop starts), so the batches, and what overlaps, are known.
class StagedBatchLoopTest : public BatchLoopTest {
 protected:
  void SetUp() override {
    BatchLoopTest::SetUp();
    loop_.linger = absl::Milliseconds(200);
  }
};

// The pipeline: batch 2 is prepared while batch 1 is applied; every message is applied once, in
// offset order, and everything is committed.
TEST_F(StagedBatchLoopTest, StagedHandlerPreparesTheNextBatchWhileThisOneIsApplied) {
  std::vector<std::string> values;
  values.reserve(12);
  for (int i = 0; i < 12; ++i) values.push_back(absl::StrCat("v", i));
  Produce(values);
  StagedFakeHandler handler;
  handler.wait_for_overlap = true;
  loop_.max_batch = 4;
  absl::Status run = RunUntilHandled(handler, 12);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_TRUE(handler.overlapped.load()) << absl::StrJoin(handler.stages(), ", ");
  EXPECT_EQ(handler.order(), values);
  EXPECT_EQ(stats_.batches.load(), 3);
  ExpectCommittedPastEverything();
}

// A transient failure of Apply is retried on the same prepared batch (nothing prepared again),
// before the next batch is applied.
TEST_F(StagedBatchLoopTest, StagedHandlerRetriesApplyWithoutPreparingAgain) {
  Produce({"v0", "v1", "v2", "v3"});
  StagedFakeHandler handler;
  handler.transient_failures = 3;
  loop_.max_batch = 2;
  absl::Status run = RunUntilHandled(handler, 4);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(stats_.retries.load(), 3);
  EXPECT_EQ(handler.prepared(), 2);
  EXPECT_EQ(handler.order(), (std::vector<std::string>{"v0", "v1", "v2", "v3"}));
  EXPECT_EQ(stats_.dead_lettered.load(), 0);
}

// Poison and a message that fails deterministically: as with a plain handler, the culprit is
// isolated by splitting (the halves prepared again) and dead-lettered, the rest applied in
// order, and the partition moves on.
TEST_F(StagedBatchLoopTest, StagedHandlerSplitsADeterministicFailureAndDeadLettersOnlyTheCulprit) {
  Produce({"v0", "v1", "v2", "poison", "v4", "bad5", "v6", "v7", "v8", "v9"});
  StagedFakeHandler handler;
  loop_.max_apply_attempts = 2;
  loop_.max_batch = 4;
  absl::Status run = RunUntilHandled(handler, 10);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(handler.order(),
            (std::vector<std::string>{"v0", "v1", "v2", "v4", "v6", "v7", "v8", "v9"}));
  EXPECT_EQ(stats_.dead_lettered.load(), 1);
  EXPECT_EQ(stats_.poisoned.load(), 1);
  std::vector<Message> dead = DeadLetters(2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].value, "poison");
  EXPECT_EQ(dead[1].value, "bad5");
  EXPECT_EQ(HeaderOf(dead[1], "dlq-attempts"), "2");
  ExpectCommittedPastEverything();
}

// Stopped while a batch fails to apply and the next one is already prepared: neither is
// committed, so the group gets both again, from the first one on.
TEST_F(StagedBatchLoopTest, StagedHandlerStoppedBetweenStagesLeavesBothBatchesUncommitted) {
  Produce({"v0", "v1", "v2", "v3", "v4", "v5"});
  StagedFakeHandler handler;
  handler.always_unavailable = "v3";  // the second batch
  loop_.max_batch = 2;
  absl::Status run =
      RunUntil(handler, [&] { return handler.prepared() >= 3 && stats_.retries.load() >= 1; });
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(stats_.messages.load(), 2);
  EXPECT_EQ(NextForGroup(4), (std::vector<std::string>{"v2", "v3", "v4", "v5"}));
}

}  // namespace
}  // namespace candor::kafka
