#include "tools/candor-drive/schedule.h"

#include "gtest/gtest.h"

namespace candor::drive {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ScheduleTest, DueTimesAreEvenlySpaced) {
  OpenLoopSchedule s(2000);
  EXPECT_EQ(s.Due(0), Nanos(0));
  EXPECT_EQ(s.Due(1), microseconds(500));
  EXPECT_EQ(s.Due(2000), seconds(1));
  OpenLoopSchedule third(3);
  EXPECT_EQ(third.Due(1), Nanos(333333333));
  EXPECT_EQ(third.Due(2), Nanos(666666667));
}

TEST(ScheduleTest, DueBeforeAgreesWithDue) {
  for (double rate : {1.0, 3.0, 7.5, 2000.0, 20000.0, 123457.0}) {
    OpenLoopSchedule s(rate);
    EXPECT_EQ(s.DueBefore(Nanos(0)), 0);
    EXPECT_EQ(s.DueBefore(Nanos(1)), 1) << rate;  // call 0 is due at 0
    for (int64_t n = 0; n < 2000; n += 37) {
      // Exactly at a due time: that call is not before it.
      EXPECT_EQ(s.DueBefore(s.Due(n)), n) << rate << " " << n;
      EXPECT_EQ(s.DueBefore(s.Due(n) + Nanos(1)), n + 1) << rate << " " << n;
    }
  }
  EXPECT_EQ(OpenLoopSchedule(2000).DueBefore(seconds(5)), 10000);
}

TEST(ScheduleTest, ScheduledCallsByDurationCountOrBoth) {
  RunShape shape;
  shape.rate = 2000;
  shape.warmup = seconds(2);
  shape.duration = seconds(10);
  EXPECT_EQ(ScheduledCalls(shape), 24000);
  shape.count = 5000;  // the count ends it first: 4000 warm-up calls + 5000
  EXPECT_EQ(ScheduledCalls(shape), 9000);
  shape.duration = Nanos(0);
  EXPECT_EQ(ScheduledCalls(shape), 9000);
  shape.count = 100000;
  shape.duration = seconds(1);  // now the duration ends it first
  EXPECT_EQ(ScheduledCalls(shape), 6000);
  shape.rate = 0;
  EXPECT_EQ(ScheduledCalls(shape), -1);  // closed loop: not known in advance
}

TEST(ScheduleTest, OpenLoopLatencyCountsFromTheDueTime) {
  // Due at 10 ms, could only leave at 25 ms (no free slot), answered at 27 ms.
  CallTiming t = Judge(true, milliseconds(10), milliseconds(25), milliseconds(27), milliseconds(1));
  EXPECT_EQ(t.latency_us, 17000);  // what a user waiting since 10 ms saw
  EXPECT_EQ(t.service_us, 2000);   // what the server took
  EXPECT_EQ(t.send_lag_us, 15000);
  EXPECT_TRUE(t.late);
}

TEST(ScheduleTest, OnTimeWithinTheTolerance) {
  CallTiming t = Judge(true, milliseconds(10), milliseconds(10) + microseconds(400),
                       milliseconds(12), milliseconds(1));
  EXPECT_FALSE(t.late);
  EXPECT_EQ(t.latency_us, 2000);
  EXPECT_EQ(t.send_lag_us, 400);
  // Exactly the tolerance is still on time; a nanosecond more is late.
  EXPECT_FALSE(Judge(true, Nanos(0), milliseconds(1), milliseconds(2), milliseconds(1)).late);
  EXPECT_TRUE(
      Judge(true, Nanos(0), milliseconds(1) + Nanos(1), milliseconds(2), milliseconds(1)).late);
  // Sent early (a clock quirk) is never negative lag.
  EXPECT_EQ(
      Judge(true, milliseconds(5), milliseconds(4), milliseconds(6), milliseconds(1)).send_lag_us,
      0);
}

TEST(ScheduleTest, ClosedLoopHasNoSchedule) {
  CallTiming t = Judge(false, milliseconds(3), milliseconds(3), milliseconds(8), milliseconds(1));
  EXPECT_EQ(t.latency_us, 5000);
  EXPECT_EQ(t.service_us, 5000);
  EXPECT_EQ(t.send_lag_us, 0);
  EXPECT_FALSE(t.late);
}

TEST(ScheduleTest, WarmupAndEndOfTheMeasuredPart) {
  RunShape shape;
  shape.rate = 100;
  shape.warmup = seconds(2);
  shape.duration = seconds(10);
  EXPECT_FALSE(Measured(shape, milliseconds(1999)));
  EXPECT_TRUE(Measured(shape, seconds(2)));
  EXPECT_TRUE(Measured(shape, milliseconds(11999)));
  EXPECT_FALSE(Measured(shape, seconds(12)));
  shape.duration = Nanos(0);  // count-bounded: no end
  EXPECT_TRUE(Measured(shape, seconds(1000)));
}

TEST(ScheduleTest, GiveUpOnlyAfterTheGraceOfADurationRun) {
  RunShape shape;
  shape.rate = 100;
  shape.warmup = seconds(1);
  shape.duration = seconds(10);
  EXPECT_FALSE(GiveUp(shape, seconds(11), seconds(1)));
  EXPECT_FALSE(GiveUp(shape, seconds(12), seconds(1)));
  EXPECT_TRUE(GiveUp(shape, seconds(12) + Nanos(1), seconds(1)));
  shape.duration = Nanos(0);
  shape.count = 10;
  EXPECT_FALSE(GiveUp(shape, seconds(1000), seconds(1)));
}

}  // namespace
}  // namespace candor::drive
