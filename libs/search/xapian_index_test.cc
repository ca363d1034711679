#include "libs/search/xapian_index.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "libs/search/search_testing.h"
#include "libs/search/xapian_reader_pool.h"

// Requests are written with designated initializers naming only what each test sets; GCC 12
// warns for the optional and vector members left to their defaults even though they have them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace candor::search {
namespace {

using testing::Doc;
using testing::Id;

const absl::Time kNow = testing::SampleNow();

// What only the embedded backend has: readers and writers in separate handles, the write lock,
// the reader pool, corrupt directories. The query semantics every backend shares are
// search_contract_test.cc's.
class XapianIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/candor-xapian-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/index";
    auto index = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
    ASSERT_TRUE(index_->Upsert(testing::GuitarAndTunerReviews()).ok());
    ASSERT_TRUE(index_->Commit().ok());
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
  }

  std::string dir_;
  std::unique_ptr<XapianSearchIndex> index_;
};

TEST_F(XapianIndexTest, AReaderSeesCommitsAndTheWriteLockIsExclusive) {
  auto reader = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kRead);
  ASSERT_TRUE(reader.ok()) << reader.status();
  SearchRequest r{.asin = "B000GUITAR", .now = kNow};
  EXPECT_EQ((*reader)->Search(r)->total, 4);
  ASSERT_TRUE(index_->Upsert({Doc(8, "B000GUITAR", 3, false, 2, "New", "Fresh review.")}).ok());
  EXPECT_EQ((*reader)->Search(r)->total, 4);  // not committed yet
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ((*reader)->Search(r)->total, 5);
  EXPECT_EQ((*reader)->Upsert({}).code(), absl::StatusCode::kFailedPrecondition);

  auto second = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kWrite);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
}

// A reader keeps every document's facets in memory by document id: the counts must stay exact
// as the writer adds, re-writes (with other stars), removes and restores documents, and when a
// rebuild moves another database into the directory.
TEST_F(XapianIndexTest, AReadersFacetCountsFollowEveryWriteAndARebuild) {
  auto reader = XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kRead);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const SearchRequest all{.asin = "B000GUITAR", .now = kNow};
  auto stars = [&](XapianSearchIndex& index) {
    absl::StatusOr<SearchResult> r = index.Search(all);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::vector<int64_t>(r->facets.stars.begin(), r->facets.stars.end())
                  : std::vector<int64_t>();
  };
  EXPECT_EQ(stars(**reader), (std::vector<int64_t>{1, 1, 0, 1, 1}));
  // Review 2 written again as 3 stars and unverified, review 4 removed, review 6 added.
  ASSERT_TRUE(index_
                  ->Upsert({Doc(2, "B000GUITAR", 3, false, 40, "Great guitar", "Warm."),
                            Doc(6, "B000GUITAR", 5, true, 2, "New", "Lovely.")})
                  .ok());
  ASSERT_TRUE(index_->Remove({Id(4)}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(stars(**reader), (std::vector<int64_t>{0, 1, 1, 1, 1}));
  absl::StatusOr<SearchResult> r = (*reader)->Search(all);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->facets.verified, 2);  // 1 and 6
  EXPECT_EQ(r->facets.unverified, 2);
  EXPECT_EQ(r->facets.last_30_days, 2);
  EXPECT_EQ(r->facets.last_year, 1);
  EXPECT_EQ(r->facets.older, 1);
  // Restored: counted again.
  ASSERT_TRUE(index_->Upsert({Doc(4, "B000GUITAR", 1, false, 5, "Buzzing mess", "Buzz.")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(stars(**reader), (std::vector<int64_t>{1, 1, 1, 1, 1}));
  // A rebuild: a new database (ids from 1 again, other documents) moved into the directory.
  index_.reset();
  const std::string fresh = dir_ + ".rebuild";
  {
    auto rebuilt = XapianSearchIndex::Open(fresh, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    ASSERT_TRUE((*rebuilt)
                    ->Upsert({Doc(7, "B000GUITAR", 3, true, 1, "Only", "One review now."),
                              Doc(8, "B000OTHERS", 4, true, 1, "Other", "Elsewhere.")})
                    .ok());
    ASSERT_TRUE((*rebuilt)->Commit().ok());
  }
  std::filesystem::rename(dir_, dir_ + ".old");
  std::filesystem::rename(fresh, dir_);
  EXPECT_EQ(stars(**reader), (std::vector<int64_t>{0, 0, 1, 0, 0}));
}

TEST_F(XapianIndexTest, AReaderPoolSearchesConcurrentlyAndIsReadOnly) {
  auto pool = XapianReaderPool::Open(dir_, 3);
  ASSERT_TRUE(pool.ok()) << pool.status();
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .now = kNow};
  std::vector<std::thread> threads;
  threads.reserve(6);
  std::atomic<int> right{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<SearchResult> got = (*pool)->Search(r);
        if (got.ok() && got->total == 3) ++right;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(right.load(), 120);
  ASSERT_TRUE(index_->Upsert({Doc(8, "B000GUITAR", 3, false, 2, "Buzz", "New buzz.")}).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ((*pool)->Search(r)->total, 4);  // every handle sees the last commit
  EXPECT_EQ(*(*pool)->DocumentCount(), 6);
  EXPECT_EQ((*pool)->Upsert({}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*pool)->Commit().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(XapianReaderPoolTest, AMissingIndexIsUnavailableUntilItIsCreated) {
  char tmpl[] = "/tmp/candor-xapian-pool-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/index";
  auto pool = XapianReaderPool::Open(dir, 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  SearchRequest r{.asin = "B000GUITAR", .query = "buzz", .now = kNow};
  absl::StatusOr<SearchResult> got = (*pool)->Search(r);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
  EXPECT_NE(got.status().message().find(dir), std::string::npos) << got.status();
  {
    auto writer = XapianSearchIndex::Open(dir, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "Buzz", "buzz")}).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  got = (*pool)->Search(r);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->total, 1);
  std::filesystem::remove_all(tmpl);
}

TEST(XapianIndexOpenTest, ACorruptIndexIsRefusedNamingTheRebuild) {
  char tmpl[] = "/tmp/candor-xapian-corrupt-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/index";
  {
    auto index = XapianSearchIndex::Open(dir, XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_TRUE((*index)->Upsert({Doc(1, "B000GUITAR", 2, true, 10, "t", "body")}).ok());
  }
  // Overwrite every table file with garbage.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".glass" || entry.path().filename() == "iamglass") {
      std::ofstream(entry.path(), std::ios::trunc) << "not a xapian table";
    }
  }
  for (auto mode : {XapianSearchIndex::Mode::kWrite, XapianSearchIndex::Mode::kRead}) {
    auto index = XapianSearchIndex::Open(dir, mode);
    EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
    EXPECT_NE(index.status().message().find("candor-index-writer --rebuild"), std::string::npos)
        << index.status();
  }
  auto pool = XapianReaderPool::Open(dir, 2);  // a server refuses it at start too
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kDataLoss) << pool.status();
  EXPECT_EQ(XapianSearchIndex::Open(std::string(tmpl) + "/absent", XapianSearchIndex::Mode::kRead)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace candor::search
