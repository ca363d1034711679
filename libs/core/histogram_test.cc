#include "libs/core/histogram.h"

#include "gtest/gtest.h"

namespace candor::core {
namespace {

// Within the documented resolution: at most 1/64 above the true value, never below it.
void ExpectNear(int64_t got, int64_t want) {
  EXPECT_GE(got, want);
  EXPECT_LE(got, want + want / 64 + 1) << "want " << want;
}

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
  EXPECT_EQ(h.Percentile(99.9), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 50);
  EXPECT_EQ(h.Percentile(90), 90);
  EXPECT_EQ(h.Percentile(99), 99);
  EXPECT_EQ(h.Percentile(100), 100);
  EXPECT_EQ(h.Percentile(0), 1);
  EXPECT_DOUBLE_EQ(h.Mean(), 50.5);
}

TEST(HistogramTest, UniformPercentilesWithinResolution) {
  Histogram h;
  for (int v = 1; v <= 1'000'000; ++v) h.Record(v);
  ExpectNear(h.Percentile(50), 500'000);
  ExpectNear(h.Percentile(90), 900'000);
  ExpectNear(h.Percentile(99), 990'000);
  ExpectNear(h.Percentile(99.9), 999'000);
  EXPECT_EQ(h.Percentile(100), 1'000'000);
  EXPECT_EQ(h.max(), 1'000'000);
  EXPECT_EQ(h.min(), 1);
}

TEST(HistogramTest, TailIsSeen) {
  // 990 fast calls and 10 slow ones: p99 is fast, p99.9 is slow.
  Histogram h;
  for (int i = 0; i < 990; ++i) h.Record(1'000);
  for (int i = 0; i < 10; ++i) h.Record(250'000);
  ExpectNear(h.Percentile(50), 1'000);
  ExpectNear(h.Percentile(99), 1'000);
  EXPECT_EQ(h.Percentile(99.9), 250'000);  // clamped to the exact max
}

TEST(HistogramTest, SingleValueIsExact) {
  Histogram h;
  h.Record(123'457);
  EXPECT_EQ(h.Percentile(50), 123'457);
  EXPECT_EQ(h.Percentile(99.9), 123'457);
}

TEST(HistogramTest, HugeAndNegativeValues) {
  Histogram h;
  h.Record(-5);
  h.Record(INT64_MAX / 2);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.Percentile(100), INT64_MAX / 2);
  EXPECT_EQ(h.Percentile(50), 0);
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  Histogram a, b, all;
  for (int v = 0; v < 5000; ++v) {
    (v % 2 ? a : b).Record(v * 37);
    all.Record(v * 37);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(a.Percentile(p), all.Percentile(p)) << p;
  }
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
}

}  // namespace
}  // namespace candor::core
