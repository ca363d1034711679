#include "services/review-gateway/list_page_cache.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

using Page = ListPageCache::Page;

Page PageOf(const std::string& token) {
  ListPage p;
  p.next_page_token = token;
  return std::make_shared<const ListPage>(std::move(p));
}

struct PendingLoad {
  std::string key;
  Page previous;
  ListPageCache::Answer done;
};

// Loads that the test finishes by hand, in any order.
class ListPageCacheTest : public ::testing::Test {
 protected:
  ListPageCache::Loader Loader(const std::string& key) {
    return [this, key](const Page& previous, ListPageCache::Answer d) {
      pending_.push_back({key, previous, std::move(d)});
    };
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
  void Finish(absl::StatusOr<Page> result) {
    ASSERT_FALSE(pending_.empty());
    PendingLoad load = std::move(pending_.front());
    pending_.erase(pending_.begin());
    load.done(std::move(result));
  }

  core::ManualClock clock_{absl::FromUnixSeconds(1700000000)};
  ListPageCache cache_{clock_, absl::Milliseconds(1000), 3, absl::Milliseconds(3000)};
  std::vector<PendingLoad> pending_;
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
  for (int i = 0; i < 5; ++i) Finish(PageOf(pending_.front().key));
  for (const auto& a : answers_) EXPECT_TRUE(a->value().ok());
  EXPECT_EQ(answers_[0]->value().value(), "a");
  Get("f");
  Finish(PageOf("f"));
  EXPECT_EQ(cache_.size(), 3u);
}

TEST_F(ListPageCacheTest, AReloadMayKeepThePageItIsHandedForItsShareOfRebuildAfter) {
  Get("a");
  ASSERT_EQ(pending_.size(), 1u);
  EXPECT_EQ(pending_[0].previous, nullptr) << "a first load has nothing to keep";
  const Page v1 = PageOf("v1");
  Finish(v1);
  // The first reload (0.8 s) is within any share (1.5 to 3 s): it is handed the page, and
  // keeping it counts as a load now.
  clock_.Advance(absl::Milliseconds(800));
  EXPECT_EQ(Get("a")->value(), "v1");
  ASSERT_EQ(pending_.size(), 1u);
  EXPECT_EQ(pending_[0].previous, v1);
  Finish(pending_[0].previous);
  EXPECT_EQ(cache_.counts().kept, 1);
  clock_.Advance(absl::Milliseconds(700));
  EXPECT_EQ(Get("a")->value(), "v1") << "kept at 0.8 s: 0.7 s old as loaded";
  EXPECT_TRUE(pending_.empty());
  // Reloads keep it until its share is over, 3 s after the build at the latest.
  absl::Duration since_build = absl::Milliseconds(1500);
  for (absl::Duration step = absl::Milliseconds(100);; step = absl::Milliseconds(800)) {
    clock_.Advance(step);  // 0.8 s after the last load: ageing
    since_build += step;
    EXPECT_EQ(Get("a")->value(), "v1");
    ASSERT_EQ(pending_.size(), 1u);
    if (pending_[0].previous == nullptr) break;
    ASSERT_LT(since_build, absl::Seconds(3));
    Finish(pending_[0].previous);
  }
  EXPECT_GE(since_build, absl::Milliseconds(1500));
  Finish(PageOf("v2"));
  // The new page's build time starts the count again.
  clock_.Advance(absl::Milliseconds(800));
  EXPECT_EQ(Get("a")->value(), "v2");
  ASSERT_EQ(pending_.size(), 1u);
  ASSERT_NE(pending_[0].previous, nullptr);
  EXPECT_EQ(pending_[0].previous->next_page_token, "v2");
}

TEST(ListPageCacheSpreadTest, PagesBuiltTogetherAreNotAllRebuiltTogether) {
  core::ManualClock clock{absl::FromUnixSeconds(1700000000)};
  ListPageCache cache(clock, absl::Milliseconds(1000), 1000, absl::Milliseconds(3000));
  int handed = 0;
  int not_handed = 0;
  const auto load = [&](const Page& previous, const ListPageCache::Answer& done) {
    if (previous != nullptr) {
      ++handed;
      done(previous);
    } else {
      done(PageOf("p"));
    }
  };
  const auto ignore = [](const absl::StatusOr<Page>&) {};
  for (int i = 0; i < 200; ++i) cache.Get(absl::StrCat("k", i), load, ignore);
  // 2.25 s after the build: past the share of about half the pages (1.5 to 3 s, evenly).
  clock.Advance(absl::Milliseconds(2250));
  handed = 0;
  for (int i = 0; i < 200; ++i) cache.Get(absl::StrCat("k", i), load, ignore);
  not_handed = 200 - handed;
  EXPECT_GT(handed, 50);
  EXPECT_GT(not_handed, 50);
}

TEST_F(ListPageCacheTest, AnExpiredPageKeptByItsLoadAnswersTheWaitingCallers) {
  Get("a");
  const Page v1 = PageOf("v1");
  Finish(v1);
  clock_.Advance(absl::Milliseconds(1500));  // older than max_age: callers wait
  EXPECT_FALSE(Get("a").has_value());
  EXPECT_FALSE(Get("a").has_value());
  ASSERT_EQ(pending_.size(), 1u);
  Finish(pending_[0].previous);
  EXPECT_EQ(answers_[1]->value().value(), "v1");
  EXPECT_EQ(answers_[2]->value().value(), "v1");
  EXPECT_EQ(Get("a")->value(), "v1") << "fresh again";
}

TEST_F(ListPageCacheTest, ALoadAnsweringNoPageIsAnError) {
  Get("a");
  Finish(Page());
  EXPECT_EQ(answers_[0]->value().status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST(ListPageCacheNoRebuildTest, ZeroRebuildAfterHandsNoPageToAReload) {
  core::ManualClock clock{absl::FromUnixSeconds(1700000000)};
  ListPageCache cache(clock, absl::Milliseconds(1000), 3, absl::ZeroDuration());
  std::vector<Page> handed;
  const auto load = [&](const Page& previous, const ListPageCache::Answer& done) {
    handed.push_back(previous);
    done(PageOf("p"));
  };
  cache.Get("a", load, [](const absl::StatusOr<Page>&) {});
  clock.Advance(absl::Milliseconds(800));
  cache.Get("a", load, [](const absl::StatusOr<Page>&) {});
  ASSERT_EQ(handed.size(), 2u);
  EXPECT_EQ(handed[0], nullptr);
  EXPECT_EQ(handed[1], nullptr);
}

}  // namespace
}  // namespace candor::gateway
