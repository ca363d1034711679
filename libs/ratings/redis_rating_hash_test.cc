#include "libs/ratings/redis_rating_hash.h"

#include "gtest/gtest.h"

namespace candor::ratings {
namespace {

redis::Reply Hash(const std::vector<std::pair<std::string, std::string>>& fields) {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  for (const auto& [field, value] : fields) {
    redis::Reply f, v;
    f.type = v.type = redis::Reply::Type::kString;
    f.str = field;
    v.str = value;
    r.elements.push_back(f);
    r.elements.push_back(v);
  }
  return r;
}

std::vector<std::pair<std::string, std::string>> AllFields() {
  return {{"version", "7"}, {"count", "3"}, {"sum", "13"}, {"vcount", "1"}, {"vsum", "5"},
          {"s1", "0"},      {"s2", "0"},    {"s3", "1"},   {"s4", "0"},     {"s5", "2"}};
}

TEST(ParseRatingHashTest, FullHashDecodes) {
  auto got = ParseRatingHash("B00004Y2UT", Hash(AllFields()));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  const review::RatingAggregate& a = **got;
  EXPECT_EQ(a.asin, "B00004Y2UT");
  EXPECT_EQ(a.version, 7);
  EXPECT_EQ(a.count, 3);
  EXPECT_EQ(a.sum, 13);
  EXPECT_EQ(a.verified_count, 1);
  EXPECT_EQ(a.verified_sum, 5);
  EXPECT_EQ(a.stars, (std::array<int64_t, 5>{0, 0, 1, 0, 2}));
}

TEST(ParseRatingHashTest, AbsentOrPartialHashIsAMiss) {
  auto empty = ParseRatingHash("B00004Y2UT", Hash({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  auto fields = AllFields();
  fields.pop_back();  // s5 evicted or never written
  auto partial = ParseRatingHash("B00004Y2UT", Hash(fields));
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
}

TEST(ParseRatingHashTest, UnknownFieldsAreIgnored) {
  auto fields = AllFields();
  fields.insert(fields.begin(), {"touched_at", "1700000000"});
  auto got = ParseRatingHash("B00004Y2UT", Hash(fields));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->count, 3);
}

TEST(ParseRatingHashTest, NonIntegerIsDataLossNamingKeyAndField) {
  auto fields = AllFields();
  fields[2].second = "thirteen";
  auto got = ParseRatingHash("B00004Y2UT", Hash(fields));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("rating:B00004Y2UT: field sum"), std::string::npos)
      << got.status();
}

TEST(RatingPutArgsTest, ScriptArgumentOrder) {
  review::RatingAggregate a;
  a.asin = "B00004Y2UT";
  a.version = 9;
  a.Apply(5, true, 1);
  a.Apply(2, false, 1);
  EXPECT_EQ(RatingPutArgs(a),
            (std::vector<std::string>{"9", "2", "7", "1", "5", "0", "1", "0", "0", "1"}));
  EXPECT_EQ(RatingHashGetCommand(a.asin),
            (std::vector<std::string>{"HGETALL", "rating:B00004Y2UT"}));
}

}  // namespace
}  // namespace candor::ratings
