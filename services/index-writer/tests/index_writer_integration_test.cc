// candor-index-writer as main runs it (CreateApp), in-process against librdkafka's mock cluster
// and the stack's Postgres: accepted reviews become searchable, a removal deletes and a
// restoration brings back (I5 for one product: the index holds exactly its active reviews), an
// event for a held review writes nothing, poison is dead-lettered, and a second writer on the
// same index is refused.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include "gtest/gtest.h"
#include "libs/events/review_events.h"
#include "libs/events/review_scores.h"
#include "libs/events/topics.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/search/xapian_index.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/wait.h"
#include "services/index-writer/app.h"

namespace candor::index_writer {
namespace {

using review::ReviewStatus;
using reviewdb::testing::InsertReview;
using reviewdb::testing::SetStatus;

class IndexWriterTest : public testing::ConsumerAppTest {
 protected:
  IndexWriterTest() : ConsumerAppTest({events::kReviewEventsTopic, events::kReviewScoresTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    UseStack(&config_, "index-writer-test-");
    config_.index_dir = root_.Path("index");
  }

  void Publish(
      const std::string& review_id,
      std::variant<review::ReviewAccepted, review::ReviewRemoved, review::ReviewRestored> change) {
    review::ReviewEvent e;
    e.review_id = review_id;
    e.asin = asin_;
    e.change = std::move(change);
    Produce(asin_, events::EncodeReviewEvent(e));
  }
  void Accepted(const std::string& id) {
    Publish(id, review::ReviewAccepted{.rating = 5, .verified_purchase = false, .user_id = ""});
  }

  // The ranker's work for `review_id`: its counts and key in review_ranks (in one transaction, as
  // ReviewDb::ApplyVotes writes them), then the score published to review-scores.
  void Rank(const std::string& review_id, int64_t helpful, double key) {
    absl::Status stored = pool_->InTransaction([&](pqxx::work& tx) {
      tx.exec_params(
          "INSERT INTO review_ranks (review_id, asin, helpful_votes, total_votes, sort_key) "
          "VALUES ($1, $2, $3, $3, $4) ON CONFLICT (review_id) DO UPDATE SET "
          "helpful_votes = excluded.helpful_votes, total_votes = excluded.total_votes, "
          "sort_key = excluded.sort_key",
          review_id, asin_, helpful, key);
    });
    ASSERT_TRUE(stored.ok()) << stored;
    review::ReviewScore s;
    s.review_id = review_id;
    s.asin = asin_;
    s.helpful_votes = helpful;
    s.total_votes = helpful;
    s.sort_key = key;
    s.scored_at = absl::Now();
    ProduceTo(events::kReviewScoresTopic, asin_, events::EncodeReviewScore(s));
  }

  // The product's most helpful review in the index, and its helpful votes.
  std::pair<std::string, int64_t> MostHelpful() {
    auto reader =
        search::XapianSearchIndex::Open(config_.index_dir, search::XapianSearchIndex::Mode::kRead);
    if (!reader.ok()) return {};
    search::SearchRequest r;
    r.asin = asin_;
    r.sort = search::SortOrder::kHelpfulness;
    absl::StatusOr<search::SearchResult> result = (*reader)->Search(r);
    if (!result.ok() || result->hits.empty()) return {};
    return {result->hits[0].review.review_id, result->hits[0].review.helpful_votes};
  }

  // What a shopper's search of the product finds now, through a reader as the gateway opens it.
  int64_t Found(const std::string& query = "") {
    auto reader =
        search::XapianSearchIndex::Open(config_.index_dir, search::XapianSearchIndex::Mode::kRead);
    if (!reader.ok()) return -1;
    search::SearchRequest r;
    r.asin = asin_;
    r.query = query;
    absl::StatusOr<search::SearchResult> result = (*reader)->Search(r);
    return result.ok() ? result->total : -1;
  }

  Config config_;
  testing::TempDir root_{"candor-index-writer-test"};  // removed after TearDown stopped the App
  std::string asin_ = testing::UniqueAsin();
};

TEST_F(IndexWriterTest, TheIndexHoldsExactlyTheProductsActiveReviews) {
  const std::string buzz =
      InsertReview(*pool_, {.asin = asin_, .body = "The strings buzz on the third fret."});
  const std::string tuner =
      InsertReview(*pool_, {.asin = asin_, .body = "The tuner battery lasts for months."});
  const std::string held = InsertReview(
      *pool_,
      {.asin = asin_, .body = "Strings buzz, buy mine instead.", .status = ReviewStatus::kHeld});
  StartApp(CreateApp(config_));

  Accepted(buzz);
  Accepted(tuner);
  Accepted(held);  // an event the store contradicts: the review is held, so it stays out
  Produce(asin_, "not a protobuf");
  ASSERT_TRUE(testing::WaitUntil([&] { return Found() == 2; })) << Found();
  EXPECT_EQ(Found("buzz"), 1);
  EXPECT_EQ(Found("\"tuner battery\""), 1);
  EXPECT_EQ(ReadTopic(std::string(events::kReviewEventsTopic) + ".dlq", 1).size(), 1u);

  SetStatus(*pool_, buzz, ReviewStatus::kRemoved);
  Publish(buzz, review::ReviewRemoved{.reason_code = "moderator"});
  ASSERT_TRUE(testing::WaitUntil([&] { return Found("buzz") == 0; }));
  EXPECT_EQ(Found(), 1);

  SetStatus(*pool_, buzz, ReviewStatus::kActive);
  Publish(buzz, review::ReviewRestored{.reason_code = "appeal"});
  ASSERT_TRUE(testing::WaitUntil([&] { return Found("buzz") == 1; }));

  // I5 for this product: the index holds exactly the reviews Postgres has active.
  reviewdb::ReviewDb db(*pool_);
  auto active = db.CountInStatus({asin_}, ReviewStatus::kActive);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(Found(), (*active)[asin_]);

  // One writer per index.
  EXPECT_EQ(CreateApp(config_).status().code(), absl::StatusCode::kFailedPrecondition);
  ExpectCleanStop();
}

TEST_F(IndexWriterTest, ScoresArriveBeforeOrAfterTheirReview) {
  const std::string early = InsertReview(*pool_, {.asin = asin_, .body = "Scored early."});
  const std::string late = InsertReview(*pool_, {.asin = asin_, .body = "Scored late."});
  StartApp(CreateApp(config_));
  // The score comes before the review's acceptance: nothing to update yet...
  Rank(early, 9, 1e6);
  ProduceTo(events::kReviewScoresTopic, asin_, "not a protobuf");
  EXPECT_EQ(ReadTopic(std::string(events::kReviewScoresTopic) + ".dlq", 1).size(), 1u);
  // ... and when the review arrives its upsert reads the ranker's counts from the row.
  Accepted(early);
  Accepted(late);
  ASSERT_TRUE(testing::WaitUntil([&] { return Found() == 2; })) << Found();
  EXPECT_EQ(MostHelpful(), std::make_pair(early, int64_t{9}));
  // The review is indexed first, its score comes after: the document changes in place.
  Rank(late, 20, 2e6);
  ASSERT_TRUE(testing::WaitUntil([&] { return MostHelpful().first == late; }));
  EXPECT_EQ(MostHelpful().second, 20);
  EXPECT_EQ(Found(), 2);
  ExpectCleanStop();
}

TEST_F(IndexWriterTest, StartupFailsFastAndACorruptIndexNamesTheRebuild) {
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(config_, CreateApp, kAdapters);
  std::filesystem::create_directories(config_.index_dir);
  std::ofstream(config_.index_dir + "/iamglass") << "garbage";
  absl::Status s = CreateApp(config_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("candor-index-writer --rebuild"), std::string::npos) << s;
}

}  // namespace
}  // namespace candor::index_writer
