#include "tools/candor-drive/mix.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::drive {
namespace {

using ::testing::HasSubstr;

TEST(MixTest, ParsesWeights) {
  absl::StatusOr<Mix> mix = ParseMix("submit=70,summary=30,noop=0");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_DOUBLE_EQ(mix->Weight(Op::kSubmit), 70);
  EXPECT_DOUBLE_EQ(mix->Weight(Op::kSummary), 30);
  EXPECT_DOUBLE_EQ(mix->Weight(Op::kNoop), 0);
  EXPECT_DOUBLE_EQ(mix->Share(Op::kSubmit), 0.7);
  EXPECT_THAT(mix->Active(), ::testing::ElementsAre(Op::kSubmit, Op::kSummary));
  EXPECT_EQ(mix->ToString(), "submit=70,summary=30");
  EXPECT_TRUE(CheckServed(*mix).ok());
}

TEST(MixTest, SpacesBareNamesAndFractions) {
  absl::StatusOr<Mix> mix = ParseMix(" noop , summary = 0.5 ");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_DOUBLE_EQ(mix->Weight(Op::kNoop), 1);
  EXPECT_DOUBLE_EQ(mix->Weight(Op::kSummary), 0.5);
  EXPECT_EQ(mix->ToString(), "summary=0.5,noop=1");
}

TEST(MixTest, RejectsBadSyntax) {
  for (const char* bad : {"", " ", "submit=", "submit=-1", "submit=x", "submit=1,,noop=1",
                          "submit=1,submit=2", "submit=0,noop=0", "submit=nan", "submit=inf"}) {
    absl::StatusOr<Mix> mix = ParseMix(bad);
    EXPECT_FALSE(mix.ok()) << "'" << bad << "' parsed";
    if (!mix.ok()) {
      EXPECT_EQ(mix.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(MixTest, UnknownOperationIsNamed) {
  absl::StatusOr<Mix> mix = ParseMix("submit=1,browse=2");
  ASSERT_FALSE(mix.ok());
  EXPECT_THAT(std::string(mix.status().message()), HasSubstr("unknown operation 'browse'"));
}

TEST(MixTest, EveryKnownOperationIsServed) {
  absl::StatusOr<Mix> mix =
      ParseMix("submit=50,search=10,vote=5,list=5,summary=1,noop=1,import=1,recommend=2,similar=1");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_TRUE(CheckServed(*mix).ok());
  for (Op op : kAllOps) EXPECT_TRUE(IsServed(op)) << OpName(op);

  // A weight of zero asks for nothing, so it is fine.
  mix = ParseMix("submit=1,search=0,vote=0,list=0");
  ASSERT_TRUE(mix.ok());
  EXPECT_TRUE(CheckServed(*mix).ok());
}

TEST(MixTest, RecoOperationsGoToRecoApi) {
  EXPECT_EQ(OpName(Op::kRecommend), "recommend");
  EXPECT_EQ(OpName(Op::kSimilar), "similar");
  for (Op op : kAllOps) {
    const bool reco = op == Op::kRecommend || op == Op::kSimilar;
    EXPECT_EQ(ServerOf(op), reco ? Server::kRecoApi : Server::kGateway) << OpName(op);
  }
  absl::StatusOr<Mix> mix = ParseMix("recommend=1,noop=1");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_TRUE(mix->Uses(Server::kRecoApi));
  EXPECT_TRUE(mix->Uses(Server::kGateway));
  EXPECT_EQ(mix->ToString(), "noop=1,recommend=1");
  mix = ParseMix("similar,recommend=3");
  ASSERT_TRUE(mix.ok());
  EXPECT_TRUE(mix->Uses(Server::kRecoApi));
  EXPECT_FALSE(mix->Uses(Server::kGateway));
  mix = ParseMix("summary=1,recommend=0");  // a weight of zero sends nothing there
  ASSERT_TRUE(mix.ok());
  EXPECT_FALSE(mix->Uses(Server::kRecoApi));
}

TEST(MixTest, PickFollowsCumulativeWeights) {
  absl::StatusOr<Mix> mix = ParseMix("submit=70,summary=30");
  ASSERT_TRUE(mix.ok());
  EXPECT_EQ(mix->Pick(0.0), Op::kSubmit);
  EXPECT_EQ(mix->Pick(0.6999), Op::kSubmit);
  EXPECT_EQ(mix->Pick(0.7), Op::kSummary);
  EXPECT_EQ(mix->Pick(0.99999999), Op::kSummary);
  EXPECT_EQ(mix->Pick(1.0), Op::kSummary);  // rounding up never picks a zero-weight op
}

TEST(MixTest, SharesConvergeOverSequenceNumbers) {
  absl::StatusOr<Mix> mix = ParseMix("submit=70,summary=25,noop=5");
  ASSERT_TRUE(mix.ok());
  std::map<Op, int> counts;
  constexpr int kN = 200000;
  for (uint64_t n = 0; n < kN; ++n) ++counts[mix->Pick(UniformFor(42, n))];
  EXPECT_NEAR(counts[Op::kSubmit] / double{kN}, 0.70, 0.005);
  EXPECT_NEAR(counts[Op::kSummary] / double{kN}, 0.25, 0.005);
  EXPECT_NEAR(counts[Op::kNoop] / double{kN}, 0.05, 0.005);
}

TEST(MixTest, UniformForIsDeterministicAndInRange) {
  for (uint64_t n = 0; n < 10000; ++n) {
    double u = UniformFor(7, n);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_EQ(u, UniformFor(7, n));
  }
  EXPECT_NE(UniformFor(7, 1), UniformFor(8, 1));
}

}  // namespace
}  // namespace candor::drive
