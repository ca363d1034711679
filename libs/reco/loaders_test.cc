#include "libs/reco/loaders.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/datafile/datafile_testing.h"
#include "libs/testing/temp_dir.h"

namespace candor::reco {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LoadersTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.Path(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string WriteBeauty(const std::string& items, const std::string& times) {
    Write("Beauty_item_org_rank.txt", items);
    Write("Beauty_time_org_rank.txt", times);
    return dir_.path().string();
  }
  candor::testing::TempDir dir_{"candor-reco-loaders"};
  LoadReport report_;
};

TEST_F(LoadersTest, TsvInternsIdsKeepsOrderAndReadsHeaderAndEmptyRating) {
  const std::string path = Write(
      "a.tsv", "user\titem\trating\tunix_time\nu1\tB\t4.5\t100\n\nu2\tA\t\t50\nu1\tA\t1\t200\n");
  absl::StatusOr<InteractionLog> log = LoadTsv(path, {}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report_.lines, 3);
  EXPECT_EQ(report_.interactions, 3);
  EXPECT_EQ(report_.skipped, 0);
  ASSERT_EQ(log->num_users(), 2);
  ASSERT_EQ(log->num_items(), 2);
  EXPECT_EQ(log->UserId(0), "u1");
  EXPECT_EQ(log->ItemId(0), "B");
  EXPECT_EQ(log->FindItem("A"), 1);
  EXPECT_EQ(log->FindUser("nobody"), std::nullopt);
  const auto& i = log->interactions();
  ASSERT_EQ(i.size(), 3u);
  EXPECT_EQ(i[0].user, 0);
  EXPECT_EQ(i[0].item, 0);
  EXPECT_FLOAT_EQ(i[0].rating, 4.5F);
  EXPECT_EQ(i[0].unix_time, 100);
  EXPECT_FALSE(HasRating(i[1]));
  EXPECT_EQ(i[2].user, 0);
  EXPECT_EQ(i[2].item, 1);
}

TEST_F(LoadersTest, LoadInteractionsTakesExactlyOneSource) {
  const std::string tsv = Write("one.tsv", "u1\tA\t5\t10\nu2\tB\t4\t20\n");
  absl::StatusOr<InteractionLog> log =
      LoadInteractions({.beauty_dir = "", .amazon_json = "", .tsv = tsv}, {}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->num_users(), 2);
  EXPECT_EQ(report_.source, tsv);

  for (const DataSource& bad :
       {DataSource{}, DataSource{.beauty_dir = "", .amazon_json = tsv, .tsv = tsv}}) {
    absl::StatusOr<InteractionLog> refused = LoadInteractions(bad, {}, &report_);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().message(),
              "pass exactly one of --beauty, --amazon-json, --tsv, --pg-dsn");
  }
}

TEST_F(LoadersTest, TsvReadsGzip) {
  const std::string path = dir_.Path("a.tsv.gz");
  ASSERT_NO_FATAL_FAILURE(datafile::testing::WriteGzip(path, "u\ti\t5\t1\n"));
  absl::StatusOr<InteractionLog> log = LoadTsv(path, {}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->interactions().size(), 1u);
}

TEST_F(LoadersTest, TsvStrictFailsOnTheFirstBadLineNamingFileAndLine) {
  const std::string path = Write("bad.tsv", "u\ti\t5\t1\nu i 5 1\nu\ti\tfive\t1\n");
  absl::StatusOr<InteractionLog> log = LoadTsv(path, {}, &report_);
  ASSERT_TRUE(absl::IsInvalidArgument(log.status())) << log.status();
  EXPECT_EQ(log.status().message(),
            path + ":2: expected 4 tab-separated fields (user item rating unix_time), found 1");
}

TEST_F(LoadersTest, TsvLenientSkipsCountsAndKeepsTheFirstReasons) {
  const std::string path = Write("bad.tsv",
                                 "u\ti\t5\t1\n"
                                 "\ti\t5\t1\n"
                                 "u\t\t5\t1\n"
                                 "u\ti\tfive\t1\n"
                                 "u\ti\tnan\t1\n"
                                 "u\ti\t5\t-3\n"
                                 "u\ti\t5\tsoon\n"
                                 "u\tj\t3\t2\n");
  absl::StatusOr<InteractionLog> log = LoadTsv(path, {.lenient = true, .max_reasons = 5}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->interactions().size(), 2u);
  EXPECT_EQ(report_.lines, 8);
  EXPECT_EQ(report_.skipped, 6);
  EXPECT_THAT(report_.reasons, ElementsAre(path + ":2: empty user", path + ":3: empty item",
                                           path + ":4: rating 'five' is not a finite number",
                                           path + ":5: rating 'nan' is not a finite number",
                                           path + ":6: time -3 is negative"));
}

TEST_F(LoadersTest, NothingUsableOrNoFileIsAnError) {
  EXPECT_TRUE(absl::IsNotFound(LoadTsv(dir_.Path("absent.tsv"), {}, &report_).status()));
  const std::string empty = Write("empty.tsv", "user\titem\trating\tunix_time\n\n");
  absl::Status s = LoadTsv(empty, {}, &report_).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("no interaction loaded"));
  const std::string all_bad = Write("bad.tsv", "x\n");
  EXPECT_TRUE(absl::IsInvalidArgument(LoadTsv(all_bad, {.lenient = true}, &report_).status()));
  EXPECT_EQ(report_.skipped, 1);
}

TEST_F(LoadersTest, BeautyPairsTheTwoFilesLineByLine) {
  const std::string dir = WriteBeauty("1 10 11 12\n2 11 13\n", "1 100 100 200\n2 50 60\n");
  absl::StatusOr<InteractionLog> log = LoadBeautySequences(dir, {}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report_.lines, 2);
  EXPECT_EQ(report_.interactions, 5);
  EXPECT_EQ(log->num_users(), 2);
  EXPECT_EQ(log->num_items(), 4);
  EXPECT_EQ(log->UserId(1), "2");
  EXPECT_EQ(log->ItemId(3), "13");
  const auto& i = log->interactions();
  EXPECT_EQ(i[2].item, 2);
  EXPECT_EQ(i[2].unix_time, 200);
  EXPECT_FALSE(HasRating(i[2]));
  EXPECT_EQ(i[4].user, 1);
  EXPECT_EQ(i[4].item, 3);
  EXPECT_EQ(i[4].unix_time, 60);
}

TEST_F(LoadersTest, BeautyBadLinesNameTheirReason) {
  const std::string dir = WriteBeauty(
      "1 10 11\n"  // ok
      "2 10\n"     // user differs in the time file
      "3 10 11\n"  // lengths differ
      "4 10\n"     // bad time
      "5\n"        // no item
      "1 12\n"     // user 1 again
      "6 10\n",    // no time line
      "1 5 6\n"
      "7 5\n"
      "3 5\n"
      "4 yesterday\n"
      "5\n"
      "1 9\n");
  absl::StatusOr<InteractionLog> strict = LoadBeautySequences(dir, {}, &report_);
  ASSERT_TRUE(absl::IsInvalidArgument(strict.status()));
  const std::string items = dir + "/Beauty_item_org_rank.txt";
  const std::string times = dir + "/Beauty_time_org_rank.txt";
  EXPECT_EQ(strict.status().message(), times + ":2: user '7' but '2' on the same line of " + items);

  absl::StatusOr<InteractionLog> lenient =
      LoadBeautySequences(dir, {.lenient = true, .max_reasons = 10}, &report_);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_EQ(lenient->interactions().size(), 2u);
  EXPECT_EQ(report_.lines, 7);
  EXPECT_EQ(report_.skipped, 6);
  EXPECT_THAT(
      report_.reasons,
      ElementsAre(times + ":2: user '7' but '2' on the same line of " + items,
                  times + ":3: 1 times for 2 items",
                  times + ":4: time 'yesterday' is not an integer",
                  items + ":5: expected `user item item ...`, found no item",
                  items + ":6: user '1' already has line 1", items + ":7: no line 7 in " + times));
}

TEST_F(LoadersTest, BeautyWithoutItsFilesIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(LoadBeautySequences(dir_.Path("nowhere"), {}, &report_).status()));
}

TEST_F(LoadersTest, AmazonJsonReadsReviewsAndRefusesBadOnes) {
  const std::string path =
      Write("r.json",
            R"({"reviewerID": "A1", "asin": "B1", "overall": 5.0, "unixReviewTime": 1393545600})"
            "\n\n"
            R"({"reviewerID": "A1", "asin": "B2", "overall": 7.0, "unixReviewTime": 1})"
            "\n"
            "not json\n"
            R"({"reviewerID": "A2", "asin": "B2", "overall": 2, "unixReviewTime": -1})"
            "\n"
            R"({"reviewerID": "A2", "asin": "B1", "overall": 3.0, "unixReviewTime": 1393000000})"
            "\r\n");
  absl::StatusOr<InteractionLog> strict = LoadAmazonJson(path, {}, &report_);
  ASSERT_TRUE(absl::IsInvalidArgument(strict.status()));
  EXPECT_EQ(strict.status().message(), path + ":3: overall 7 is not in 1..5");

  absl::StatusOr<InteractionLog> log =
      LoadAmazonJson(path, {.lenient = true, .max_reasons = 2}, &report_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report_.lines, 5);
  EXPECT_EQ(report_.skipped, 3);
  EXPECT_THAT(report_.reasons,
              ElementsAre(path + ":3: overall 7 is not in 1..5", path + ":4: not JSON"));
  ASSERT_EQ(log->interactions().size(), 2u);
  EXPECT_EQ(log->UserId(log->interactions()[1].user), "A2");
  EXPECT_EQ(log->ItemId(log->interactions()[1].item), "B1");
  EXPECT_FLOAT_EQ(log->interactions()[1].rating, 3.0F);
  EXPECT_EQ(log->interactions()[1].unix_time, 1393000000);
}

}  // namespace
}  // namespace candor::reco
