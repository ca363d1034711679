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
#include "libs/events/topics.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/search/xapian_index.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/index-writer/app.h"

namespace candor::index_writer {
namespace {

using review::ReviewStatus;
using reviewdb::testing::InsertReview;
using reviewdb::testing::SetStatus;

class IndexWriterTest : public testing::ConsumerAppTest {
 protected:
  IndexWriterTest() : ConsumerAppTest({events::kReviewEventsTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    UseStack(&config_, "index-writer-test-");
    char tmpl[] = "/tmp/candor-index-writer-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    config_.index_dir = root_ + "/index";
  }
  void TearDown() override {
    ConsumerAppTest::TearDown();
    std::filesystem::remove_all(root_);
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
  std::string root_;
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
