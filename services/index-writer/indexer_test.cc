#include "services/index-writer/indexer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/search/xapian_index.h"
#include "libs/testing/temp_dir.h"
#include "services/index-writer/app.h"
#include "services/index-writer/index_maintenance.h"

namespace candor::index_writer {
namespace {

using review::ReviewStatus;

std::string Id(int n) { return absl::StrFormat("%032x", n); }

// The store as a map: what a unit test of the domain needs from the port (the Postgres adapter
// is tested against the stack's Postgres in tests/index_writer_integration_test.cc).
class MapSource final : public ReviewSource {
 public:
  void Put(int n, ReviewStatus status, std::string body = "a review", double helpfulness = 0,
           int64_t helpful_votes = 0) {
    SourceRow row;
    row.document.review_id = Id(n);
    row.document.asin = "B000GUITAR";
    row.document.rating = 4;
    row.document.body = std::move(body);
    row.document.created = absl::FromUnixSeconds(1'700'000'000 + n);
    row.document.helpfulness = helpfulness;
    row.document.helpful_votes = helpful_votes;
    row.document.total_votes = helpful_votes;
    row.status = status;
    rows_[row.document.review_id] = row;
  }
  absl::StatusOr<std::vector<SourceRow>> Read(const std::vector<std::string>& ids) override {
    if (down_) return absl::UnavailableError("store down");
    std::vector<SourceRow> out;
    for (const std::string& id : ids) {
      if (auto it = rows_.find(id); it != rows_.end()) out.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<SourcePage> ListActive(const std::string& after, int limit) override {
    if (down_) return absl::UnavailableError("store down");
    SourcePage page;
    for (auto it = rows_.upper_bound(after); it != rows_.end(); ++it) {
      if (it->second.status != ReviewStatus::kActive) continue;
      page.documents.push_back(it->second.document);
      if (static_cast<int>(page.documents.size()) == limit) {
        page.next_after = it->first;
        break;
      }
    }
    return page;
  }
  bool down_ = false;

 private:
  std::map<std::string, SourceRow> rows_;
};

class IndexerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    auto index = search::XapianSearchIndex::Open(dir_, search::XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
  }
  int64_t Total(const std::string& query = "") {
    search::SearchRequest r;
    r.asin = "B000GUITAR";
    r.query = query;
    absl::StatusOr<search::SearchResult> result = index_->Search(r);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->total : -1;
  }

  candor::testing::TempDir root_{"candor-indexer-test"};
  const std::string dir_ = root_.Path("index");
  MapSource source_;
  std::unique_ptr<search::XapianSearchIndex> index_;  // closed before root_ is removed
};

TEST_F(IndexerTest, TheIndexFollowsTheStoreWhateverTheEventsSay) {
  Indexer indexer(source_, *index_);
  source_.Put(1, ReviewStatus::kActive, "strings buzz");
  source_.Put(2, ReviewStatus::kActive);
  source_.Put(3, ReviewStatus::kHeld);
  ASSERT_TRUE(indexer.Sync({Id(1), Id(2), Id(3), Id(1)}).ok());  // 1 twice: one document
  EXPECT_EQ(Total(), 2);
  EXPECT_EQ(Total("buzz"), 1);
  // Redelivered: nothing changes.
  ASSERT_TRUE(indexer.Sync({Id(1), Id(2), Id(3)}).ok());
  EXPECT_EQ(Total(), 2);
  // Removed in the store: an event naming it deletes it, whatever kind of event it was.
  source_.Put(1, ReviewStatus::kRemoved, "strings buzz");
  ASSERT_TRUE(indexer.Sync({Id(1)}).ok());
  EXPECT_EQ(Total("buzz"), 0);
  // Restored: back.
  source_.Put(1, ReviewStatus::kActive, "strings buzz");
  ASSERT_TRUE(indexer.Sync({Id(1)}).ok());
  EXPECT_EQ(Total("buzz"), 1);
  // A review the store does not have is deleted (never written).
  ASSERT_TRUE(indexer.Sync({Id(99)}).ok());
  EXPECT_EQ(Total(), 2);
  EXPECT_EQ(indexer.stats().batches.load(), 5);
}

review::ReviewScore Score(int n, double key, int64_t helpful, int64_t seconds = 1) {
  review::ReviewScore s;
  s.review_id = Id(n);
  s.asin = "B000GUITAR";
  s.helpful_votes = helpful;
  s.total_votes = helpful;
  s.sort_key = key;
  s.scored_at = absl::FromUnixSeconds(seconds);
  return s;
}

TEST_F(IndexerTest, ScoresReachTheIndexInEitherOrder) {
  Indexer indexer(source_, *index_);
  source_.Put(1, ReviewStatus::kActive, "one");
  source_.Put(2, ReviewStatus::kActive, "two");
  ASSERT_TRUE(indexer.Sync({Id(1), Id(2)}).ok());
  auto helpful_first = [&] {
    search::SearchRequest r;
    r.asin = "B000GUITAR";
    r.sort = search::SortOrder::kHelpfulness;
    absl::StatusOr<search::SearchResult> got = index_->Search(r);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() && !got->hits.empty() ? got->hits[0].review : search::ReviewDocument{};
  };
  // Review first, then its score (the newest of two in one batch wins).
  ASSERT_TRUE(indexer.Apply({}, {Score(1, 9.0, 4, 20), Score(1, 5.0, 2, 10)}).ok());
  EXPECT_EQ(helpful_first().review_id, Id(1));
  EXPECT_EQ(helpful_first().helpful_votes, 4);
  EXPECT_EQ(indexer.stats().scores_applied.load(), 1);

  // Score first: review 3 is not indexed yet, so the score is skipped; the ranker has put the
  // same counts and key in the store, which the review's upsert reads.
  ASSERT_TRUE(indexer.Apply({}, {Score(3, 50.0, 7)}).ok());
  EXPECT_EQ(indexer.stats().scores_early.load(), 1);
  source_.Put(3, ReviewStatus::kActive, "three", 50.0, 7);
  ASSERT_TRUE(indexer.Sync({Id(3)}).ok());
  EXPECT_EQ(helpful_first().review_id, Id(3));
  EXPECT_EQ(helpful_first().helpful_votes, 7);

  // A review synced in the same batch takes the store's values (newer than any score in it).
  source_.Put(2, ReviewStatus::kActive, "two", 99.0, 12);
  ASSERT_TRUE(indexer.Apply({Id(2)}, {Score(2, 1.0, 1)}).ok());
  EXPECT_EQ(helpful_first().review_id, Id(2));
  EXPECT_EQ(helpful_first().helpful_votes, 12);

  // An unranked score changes nothing; the review's own removal deletes it.
  review::ReviewScore gone = Score(2, 0, 0);
  gone.ranked = false;
  ASSERT_TRUE(indexer.Apply({}, {gone}).ok());
  EXPECT_EQ(helpful_first().review_id, Id(2));
  EXPECT_EQ(indexer.stats().scores_unranked.load(), 1);
  EXPECT_EQ(Total(), 3);
}

TEST_F(IndexerTest, AStoreOutageChangesNothingAndIsTransient) {
  Indexer indexer(source_, *index_);
  source_.Put(1, ReviewStatus::kActive);
  source_.down_ = true;
  absl::Status s = indexer.Sync({Id(1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Total(), 0);
  source_.down_ = false;
  ASSERT_TRUE(indexer.Sync({Id(1)}).ok());
  EXPECT_EQ(Total(), 1);
}

TEST_F(IndexerTest, CheckCountsTheDifferenceAndRebuildRepairsIt) {
  for (int n = 1; n <= 7; ++n) source_.Put(n, ReviewStatus::kActive, "tuner battery");
  Indexer indexer(source_, *index_);
  ASSERT_TRUE(indexer.Sync({Id(1), Id(2), Id(3), Id(4), Id(5)}).ok());
  source_.Put(2, ReviewStatus::kRemoved);  // removed, but its event never came: still indexed
  auto check = CheckIndex(source_, *index_, 2);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->active, 6);
  EXPECT_EQ(check->indexed, 5);
  EXPECT_EQ(check->missing, 2);  // 6 and 7
  EXPECT_EQ(check->extra, 1);    // 2
  EXPECT_FALSE(check->clean());
  EXPECT_EQ(check->examples.size(), 3u);

  index_.reset();  // the rebuild needs the write lock
  std::vector<int64_t> progress;
  auto stats = RebuildXapianIndex(source_, dir_, 4, [&](int64_t n) { progress.push_back(n); });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->documents, 6);
  EXPECT_EQ(progress, (std::vector<int64_t>{4, 6}));
  EXPECT_FALSE(std::filesystem::exists(dir_ + ".rebuild"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + ".old"));
  Open();
  check = CheckIndex(source_, *index_, 1000);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->clean()) << check->missing << " missing, " << check->extra << " extra";
  EXPECT_EQ(Total("battery"), 6);
}

// The Elasticsearch rebuild (no directory to swap) through the port, on a real Xapian index.
TEST_F(IndexerTest, ARebuildInPlaceWritesTheActiveAndDeletesTheRest) {
  for (int n = 1; n <= 7; ++n) source_.Put(n, ReviewStatus::kActive, "tuner battery");
  Indexer indexer(source_, *index_);
  ASSERT_TRUE(indexer.Sync({Id(1), Id(2), Id(3), Id(4), Id(5)}).ok());
  source_.Put(2, ReviewStatus::kRemoved);  // its event never came: still indexed
  std::vector<int64_t> progress;
  auto stats = RebuildInPlace(source_, *index_, 4, [&](int64_t n) { progress.push_back(n); });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->documents, 6);
  EXPECT_EQ(stats->removed, 1);
  EXPECT_EQ(progress, (std::vector<int64_t>{4, 6}));
  auto check = CheckIndex(source_, *index_, 1000);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->clean()) << check->missing << " missing, " << check->extra << " extra";
  EXPECT_EQ(Total("battery"), 6);
}

TEST_F(IndexerTest, ARebuildReplacesACorruptIndex) {
  source_.Put(1, ReviewStatus::kActive, "string buzz");
  index_.reset();
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    std::ofstream(entry.path(), std::ios::trunc) << "garbage";
  }
  EXPECT_EQ(search::XapianSearchIndex::Open(dir_, search::XapianSearchIndex::Mode::kWrite)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  auto stats = RebuildXapianIndex(source_, dir_, 100, nullptr);
  ASSERT_TRUE(stats.ok()) << stats.status();
  Open();
  EXPECT_EQ(Total("buzz"), 1);
}

// The backend is chosen before any adapter connects: a bad choice, or a cluster that does not
// answer, stops the start naming it.
TEST(IndexWriterStartTest, TheSearchBackendIsCheckedFirst) {
  Config config;
  config.search_backend.backend = "elasticsearch";
  EXPECT_NE(CreateApp(config).status().message().find("--es-url: required"), std::string::npos);
  config.search_backend.es_url = "http://127.0.0.1:1";  // nothing listens on port 1
  config.search_backend.es_timeout_ms = 500;
  absl::Status s = CreateApp(config).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("Elasticsearch at http://127.0.0.1:1 does not answer"),
            std::string::npos)
      << s;
  config.search_backend.backend = "sphinx";
  EXPECT_EQ(CreateApp(config).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::index_writer
