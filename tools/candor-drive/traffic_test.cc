#include "tools/candor-drive/traffic.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/datafile/datafile_testing.h"
#include "libs/testing/temp_dir.h"

namespace candor::drive {
namespace {

constexpr char kRows[] =
    R"({"reviewerID": "A1", "asin": "1384719342", "reviewerName": "x", "helpful": [0, 0], )"
    R"("reviewText": "Works well.", "overall": 5.0, "summary": "good", "unixReviewTime": 1393545600})"
    "\n"
    R"({"reviewerID": "A2", "asin": "1384719342", "reviewText": "", "overall": 3.0, "summary": "meh"})"
    "\n"
    "\n"
    "not json at all\n"
    R"({"asin": "B000000001", "reviewText": "no reviewer"})"
    "\n"
    R"({"reviewerID": "A1", "asin": "B00004Y2UT", "reviewText": "Second one.", "overall": 2.0,)"
    R"( "summary": "so-so"})";  // no final newline

void WritePlain(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A fresh temporary directory per test, and reviews files written into it.
class ReviewsFileTest : public ::testing::Test {
 protected:
  // Writes `text` to `name` in the directory (gzip-compressed when the name ends in .gz), then
  // reads it back with ReadReviewsFile into `stats_`.
  absl::StatusOr<Plan> WriteAndRead(const std::string& name, const std::string& text,
                                    int64_t limit = 0, const std::string& user_prefix = "") {
    const std::string path = dir_.Path(name);
    if (name.ends_with(".gz")) {
      datafile::testing::WriteGzip(path, text);
    } else {
      WritePlain(path, text);
    }
    return ReadReviewsFile(path, limit, user_prefix, &stats_);
  }

  candor::testing::TempDir dir_{"candor-drive-test"};
  ReadStats stats_;
};

void ExpectRows(const Plan& plan) {
  ASSERT_EQ(plan.primaries.size(), 3u);
  EXPECT_TRUE(plan.follow_ups.empty());
  const Review& a = plan.primaries[0].review;
  EXPECT_EQ(a.user, "A1");
  EXPECT_EQ(a.asin, "1384719342");
  EXPECT_EQ(a.rating, 5);
  EXPECT_EQ(a.title, "good");
  EXPECT_EQ(a.body, "Works well.");
  EXPECT_EQ(a.verified_purchase, VerifiedByHash("A1", "1384719342"));
  EXPECT_EQ(a.submitted_at, absl::FromUnixSeconds(1393545600));  // unixReviewTime
  EXPECT_EQ(plan.primaries[0].expect, Expect::kUnknown);
  // Empty text breaks the gateway's rules: predicted INVALID_ARGUMENT.
  EXPECT_EQ(plan.primaries[1].expect, Expect::kInvalid);
  EXPECT_EQ(plan.primaries[2].review.body, "Second one.");
  EXPECT_EQ(plan.primaries[2].review.rating, 2);
  EXPECT_FALSE(plan.primaries[2].review.submitted_at.has_value());  // the row has no time
}

TEST_F(ReviewsFileTest, ReadsPlainAndGzipJsonLines) {
  for (const bool gzip : {false, true}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain");
    absl::StatusOr<Plan> plan = WriteAndRead(gzip ? "reviews.json.gz" : "reviews.json", kRows);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ExpectRows(*plan);
    EXPECT_EQ(stats_.gzip, gzip);
    EXPECT_EQ(stats_.lines, 5);
    EXPECT_EQ(stats_.malformed, 2);
    EXPECT_NE(plan->source.find(gzip ? "(gzip" : "(plain"), std::string::npos) << plan->source;
  }
}

TEST_F(ReviewsFileTest, LimitAndPrefix) {
  absl::StatusOr<Plan> plan = WriteAndRead("reviews.json.gz", kRows, 2, "run7-");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->primaries.size(), 2u);
  EXPECT_EQ(plan->primaries[0].review.user, "run7-A1");
}

TEST_F(ReviewsFileTest, LongLinesSurvive) {
  std::string body(200'000, 'x');
  absl::StatusOr<Plan> plan = WriteAndRead(
      "long.json",
      R"({"reviewerID":"A9","asin":"B000000002","overall":4,"reviewText":")" + body + "\"}\n");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->primaries[0].review.body.size(), body.size());
  EXPECT_EQ(plan->primaries[0].expect, Expect::kInvalid);  // over 5,000 characters
}

TEST_F(ReviewsFileTest, HelpfulVotesAreReadWhereTheyMakeSense) {
  absl::StatusOr<Plan> plan =
      WriteAndRead("votes.json", R"({"reviewerID":"A","asin":"B1","helpful":[3,5]}
{"reviewerID":"B","asin":"B1","helpful":[0,0]}
{"reviewerID":"C","asin":"B1"}
{"reviewerID":"D","asin":"B1","helpful":[6,5]}
{"reviewerID":"E","asin":"B1","helpful":[-1,5]}
{"reviewerID":"F","asin":"B1","helpful":"3/5"}
{"reviewerID":"G","asin":"B1","helpful":[1.5,2]}
)");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->primaries.size(), 7u);
  const auto& votes = [&](int i) { return plan->primaries[i].review.votes; };
  ASSERT_TRUE(votes(0).has_value());
  EXPECT_EQ(votes(0)->helpful, 3);
  EXPECT_EQ(votes(0)->total, 5);
  ASSERT_TRUE(votes(1).has_value());
  EXPECT_EQ(votes(1)->total, 0);
  for (int i = 2; i < 7; ++i) EXPECT_FALSE(votes(i).has_value()) << i;
  EXPECT_EQ(stats_.bad_votes, 4);  // C has no field at all, which is not an error
}

TEST_F(ReviewsFileTest, HeavyReplayedUsersGetAnInexactLimit) {
  std::string rows;
  for (int i = 0; i < 12; ++i) {
    rows += R"({"reviewerID":"HEAVY","asin":"B00000000)" + std::to_string(i % 10) +
            R"(","overall":5,"reviewText":"ok )" + std::to_string(i) + "\"}\n";
  }
  absl::StatusOr<Plan> plan = WriteAndRead("heavy.json", rows);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->user_limits.size(), 1u);
  EXPECT_FALSE(plan->user_limits[0].exact);
  EXPECT_EQ(plan->primaries[11].user_limit, 0);
}

TEST_F(ReviewsFileTest, ForImportDropsTheLimitAndExpectsTimelessRowsRefused) {
  std::string rows;
  for (int i = 0; i < 12; ++i) {
    rows += R"({"reviewerID":"HEAVY","asin":"B00000000)" + std::to_string(i % 10) +
            R"(","overall":5,"reviewText":"ok )" + std::to_string(i) + R"(","unixReviewTime":)" +
            std::to_string(1'300'000'000 + i * 86400) + "}\n";
  }
  rows += R"({"reviewerID":"OLD","asin":"B000000001","overall":4,"reviewText":"t",)"
          R"("unixReviewTime":700000000})"
          "\n";
  rows += R"({"reviewerID":"NOTIME","asin":"B000000001","overall":4,"reviewText":"t"})"
          "\n";
  rows += R"({"reviewerID":"LATER","asin":"B000000001","overall":4,"reviewText":"t",)"
          R"("unixReviewTime":1900000000})"
          "\n";
  absl::StatusOr<Plan> plan = WriteAndRead("import.json", rows);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->user_limits.size(), 1u);
  ForImport(*plan, absl::FromUnixSeconds(1'800'000'000));
  EXPECT_TRUE(plan->user_limits.empty());
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(plan->primaries[i].user_limit, -1);
    EXPECT_EQ(plan->primaries[i].expect, Expect::kUnknown);
  }
  EXPECT_EQ(plan->primaries[12].expect, Expect::kInvalid);  // 1992: before 1995
  EXPECT_EQ(plan->primaries[13].expect, Expect::kInvalid);  // no time
  EXPECT_EQ(plan->primaries[14].expect, Expect::kInvalid);  // after "now"
}

TEST_F(ReviewsFileTest, MissingAndEmptyFiles) {
  EXPECT_EQ(ReadReviewsFile(dir_.Path("nope.json"), 0, "", &stats_).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(WriteAndRead("junk.json", "hello\nworld\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewsFileTest, TruncatedGzipIsAnError) {
  std::string full = dir_.Path("full.json.gz");
  std::string rows;
  for (int i = 0; i < 2000; ++i) rows += kRows + std::string("\n");
  datafile::testing::WriteGzip(full, rows);
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Written as it is: half of a gzip stream.
  EXPECT_EQ(WriteAndRead("cut.json", bytes.substr(0, bytes.size() / 2)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(VerifiedByHashTest, DeterministicAndAboutSeventyPercent) {
  int verified = 0;
  for (int i = 0; i < 10'000; ++i) {
    std::string user = "u" + std::to_string(i);
    EXPECT_EQ(VerifiedByHash(user, "B000000001"), VerifiedByHash(user, "B000000001"));
    verified += VerifiedByHash(user, "B000000001") ? 1 : 0;
  }
  EXPECT_NEAR(verified / 10'000.0, 0.70, 0.03);
}

}  // namespace
}  // namespace candor::drive
