#include "services/review-gateway/list_page_cache.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

using LoadDone = std::function<void(absl::StatusOr<ListPage>)>;

ListPage PageOf(const std::string& token) {
  ListPage p;
  p.next_page_token = token;
  return p;
}

// Loads that the test finishes by hand, in any order.
class ListPageCacheTest : public ::testing::Test {
 protected:
  ListPageCache::Loader Loader(const std::string& key) {
    return [this, key](LoadDone d) { pending_.push_back({key, std::move(d)}); };
  }

  // Get's answer, when it came inline (nullopt: it waits on a load).
  std::optional<absl::StatusOr<std::string>> Get(const std::string& key) {
    auto got = std::make_shared<std::optional<absl::StatusOr<std::string>>>();
    answers_.push_back(got);
    cache_.Get(key, Loader(key), [got](absl::StatusOr<ListPageCache::Page> p) {
      if (p.ok()) {
        *got = (*p)->next_page_token;
      } else {
        *got = p.status();
      }
    });
    return *got;
  }

  // Finishes the oldest pending load with `result`.
  void Finish(absl::StatusOr<ListPage> result) {
    ASSERT_FALSE(pending_.empty());
    auto [key, done] = std::move(pending_.front());
    pending_.erase(pending_.begin());
    done(std::move(result));
  }

  core::ManualClock clock_{absl::FromUnixSeconds(1700000000)};
  ListPageCache cache_{clock_, absl::Milliseconds(1000), 3};
  std::vector<std::pair<std::string, LoadDone>> pending_;
  std::vector<std::shared_ptr<std::optional<absl::StatusOr<std::string>>>> answers_;
};

TEST_F(ListPageCacheTest, AFreshPageIsAnsweredFromMemoryWithoutALoad) {
  EXPECT_FALSE(Get("a").has_value());
  ASSERT_EQ(pending_.size(), 1u);
  Finish(PageOf("v1"));
  EXPECT_EQ(*answers_[0]->value(), "v1");
  clock_.Advance(absl::Milliseconds(749));
  auto again = Get("a");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->value(), "v1");
  EXPECT_TRUE(pending_.empty());
  EXPECT_EQ(cache_.counts().hits, 1);
  EXPECT_EQ(cache_.counts().loads, 1);
}

TEST_F(ListPageCacheTest, CallsForAMissingPageShareOneLoadAndAllGetItsAnswer) {
  EXPECT_FALSE(Get("a").has_value());
  EXPECT_FALSE(Get("a").has_value());
  EXPECT_FALSE(Get("a").has_value());
  ASSERT_EQ(pending_.size(), 1u);
  Finish(PageOf("v1"));
  for (const auto& a : answers_) EXPECT_EQ(a->value().value(), "v1");
  EXPECT_EQ(cache_.counts().loads, 1);
  EXPECT_EQ(cache_.counts().joined, 2);
}

TEST_F(ListPageCacheTest, AnAgeingPageIsServedWhileOneBackgroundLoadReplacesIt) {
  Get("a");
  Finish(PageOf("v1"));
  clock_.Advance(absl::Milliseconds(800));  // past three quarters of the 1 s
  EXPECT_EQ(Get("a")->value(), "v1");
  EXPECT_EQ(Get("a")->value(), "v1");
  ASSERT_EQ(pending_.size(), 1u) << "one refresh, however many calls";
  EXPECT_EQ(cache_.counts().refreshes, 1);
  Finish(PageOf("v2"));
  EXPECT_EQ(Get("a")->value(), "v2");
  clock_.Advance(absl::Milliseconds(499));
  EXPECT_EQ(Get("a")->value(), "v2");
  EXPECT_TRUE(pending_.empty());
}

TEST_F(ListPageCacheTest, APageAsOldAsMaxAgeIsNeverServed) {
  Get("a");
  Finish(PageOf("v1"));
  clock_.Advance(absl::Milliseconds(1000));
  EXPECT_FALSE(Get("a").has_value()) << "waits for a new load";
  Finish(PageOf("v2"));
  EXPECT_EQ(answers_.back()->value().value(), "v2");
}

TEST_F(ListPageCacheTest, AFailedLoadAnswersEveryWaiterAndIsNotRemembered) {
  Get("a");
  Get("a");
  Finish(absl::UnavailableError("postgres down"));
  for (const auto& a : answers_)
    EXPECT_EQ(a->value().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_FALSE(Get("a").has_value()) << "the next call loads again";
  Finish(PageOf("v1"));
  EXPECT_EQ(answers_.back()->value().value(), "v1");
  EXPECT_EQ(cache_.counts().load_errors, 1);
}

TEST_F(ListPageCacheTest, AFailedRefreshKeepsServingThePageUntilMaxAge) {
  Get("a");
  Finish(PageOf("v1"));
  clock_.Advance(absl::Milliseconds(800));
  EXPECT_EQ(Get("a")->value(), "v1");
  Finish(absl::UnavailableError("redis down"));
  EXPECT_EQ(Get("a")->value(), "v1");  // and a new refresh starts
  ASSERT_EQ(pending_.size(), 1u);
  clock_.Advance(absl::Milliseconds(200));
  EXPECT_FALSE(Get("a").has_value()) << "1 s old: the caller joins the running load";
  Finish(PageOf("v2"));
  EXPECT_EQ(answers_.back()->value().value(), "v2");
}

TEST_F(ListPageCacheTest, KeepsAtMostMaxPagesDroppingTheLeastRecentlyUsed) {
  for (const char* k : {"a", "b", "c"}) {
    Get(k);
    Finish(PageOf(k));
  }
  EXPECT_TRUE(Get("a").has_value());  // a is now the most recently used
  Get("d");
  Finish(PageOf("d"));
  EXPECT_EQ(cache_.size(), 3u);
  EXPECT_TRUE(Get("a").has_value());
  EXPECT_TRUE(Get("c").has_value());
  EXPECT_FALSE(Get("b").has_value()) << "b was the least recently used";
}

TEST_F(ListPageCacheTest, APageWhoseLoadRunsIsNotEvicted) {
  Get("a");  // loading
  for (const char* k : {"b", "c", "d", "e"}) {
    Get(k);
  }
  // Every slot loads: none can go, so the bound is exceeded until the loads finish.
  ASSERT_EQ(pending_.size(), 5u);
  for (int i = 0; i < 5; ++i) Finish(PageOf(pending_.front().first));
  for (const auto& a : answers_) EXPECT_TRUE(a->value().ok());
  EXPECT_EQ(answers_[0]->value().value(), "a");
  Get("f");
  Finish(PageOf("f"));
  EXPECT_EQ(cache_.size(), 3u);
}

}  // namespace
}  // namespace candor::gateway
