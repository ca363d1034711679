// ReviewDb on the real Postgres of the test stack (ctest fixture `stack`). The scorer's insert is
// also covered through its adapter by services/fraud-scorer/fraud_scorer_storetest.cc, the ledger
// by services/rating-aggregator/rating_aggregator_storetest.cc.
#include <algorithm>
#include <cmath>
#include <map>

#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"

namespace candor::reviewdb {
namespace {

using review::ReviewStatus;
using testing::InsertReview;
using testing::ReadReview;

class ReviewDbTest : public testing::ReviewDbFixture {
 protected:
  NewReview Scored(ReviewStatus status, const std::string& body) {
    NewReview r;
    r.submission = review::Admitted({.asin = asin_,
                                     .rating = 3,
                                     .title = "",
                                     .body = body,
                                     .verified_purchase = false,
                                     .device_id = ""},
                                    candor::testing::UniqueUser(), /*client_ip=*/"", absl::Now());
    r.status = status;
    r.fraud_score = 0.5;
    r.decision = status == ReviewStatus::kHeld ? "queue" : "pass";
    r.scorer = "rules-v1";
    r.reasons = {{.code = "shouting", .value = 0.8, .weight = 0.2, .text = "80% upper case"},
                 {.code = "short_body", .value = 8, .weight = 0.1, .text = "quote \" and \\"}};
    r.queue_reason = "rules-v1 score 0.5: caps";
    return r;
  }

  // Writes a product_ratings row directly: `count` reviews of `star` stars, at `version`.
  void AddRatingRow(const std::string& asin, int count, int star, int64_t version) {
    review::RatingAggregate a;
    a.asin = asin;
    for (int i = 0; i < count; ++i) a.Apply(star, /*verified=*/false, +1);
    a.version = version;
    testing::PutRating(*pool_, a);
  }

  std::string asin_ = candor::testing::UniqueAsin();
};

TEST_F(ReviewDbTest, HeldReviewIsStoredAsHeldAndQueued) {
  const NewReview held = Scored(ReviewStatus::kHeld, "SHOUTY!!");
  const NewReview active = Scored(ReviewStatus::kActive, "fine kettle");
  auto stored = db_->InsertScored({held, active});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].status, ReviewStatus::kHeld);
  EXPECT_EQ((*stored)[1].status, ReviewStatus::kActive);
  EXPECT_EQ(ReadReview(*pool_, held.submission.review_id)->status, ReviewStatus::kHeld);

  std::optional<testing::QueueRow> queued =
      testing::QueueEntryOf(*pool_, held.submission.review_id);
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->state, "open");
  EXPECT_EQ(queued->reason, held.queue_reason);
  EXPECT_EQ(queued->reasons, held.reasons);  // the same structured reasons as the audit row
  EXPECT_FALSE(testing::QueueEntryOf(*pool_, active.submission.review_id).has_value());
  std::vector<testing::AuditRow> audit = testing::AuditOf(*pool_, held.submission.review_id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].decision, "queue");
  EXPECT_EQ(audit[0].reasons, held.reasons);
}

TEST_F(ReviewDbTest, ReviewDecisionIsTheRowAndItsLatestAudit) {
  const NewReview held = Scored(ReviewStatus::kHeld, "SHOUTY!!");
  const absl::Time before = absl::Now() - absl::Seconds(5);  // the clocks of test and database
  ASSERT_TRUE(db_->InsertScored({held}).ok());
  auto d = db_->GetReviewDecision(held.submission.review_id);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->review_id, held.submission.review_id);
  EXPECT_EQ((*d)->user_id, held.submission.user_id);
  EXPECT_EQ((*d)->status, ReviewStatus::kHeld);
  EXPECT_EQ((*d)->decision, "queue");
  ASSERT_TRUE((*d)->decided_at.has_value());
  EXPECT_GT(*(*d)->decided_at, before);
  EXPECT_EQ((*d)->reasons, held.reasons);

  // A later decision (a re-score) is the one read; rows from before reasons had structure
  // (plain "rule: detail" strings) read too.
  testing::AddAuditRow(*pool_, held.submission.review_id, "reject",
                       R"(["burst_24h: 6 submissions by this user in 24 h", "no code here"])");
  d = db_->GetReviewDecision(held.submission.review_id);
  ASSERT_TRUE(d.ok() && d->has_value()) << d.status();
  EXPECT_EQ((*d)->decision, "reject");
  ASSERT_EQ((*d)->reasons.size(), 2u);
  EXPECT_EQ((*d)->reasons[0],
            (review::Reason{"burst_24h", 0, 0, "6 submissions by this user in 24 h"}));
  EXPECT_EQ((*d)->reasons[1], (review::Reason{"", 0, 0, "no code here"}));

  // A review with no audit row (written by a test helper) has no decision.
  const std::string bare = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kActive});
  d = db_->GetReviewDecision(bare);
  ASSERT_TRUE(d.ok() && d->has_value()) << d.status();
  EXPECT_EQ((*d)->status, ReviewStatus::kActive);
  EXPECT_EQ((*d)->decision, "");
  EXPECT_FALSE((*d)->decided_at.has_value());
  EXPECT_TRUE((*d)->reasons.empty());

  // An unknown id: nothing.
  d = db_->GetReviewDecision(std::string(32, '0'));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->has_value());
}

TEST(ReasonsJsonTest, RoundTripsAndReadsTheOldShape) {
  const std::vector<review::Reason> reasons = {
      {.code = "reviews_24h", .value = 12, .weight = 0.31, .text = "12 reviews in 24 hours"},
      {.code = "x", .value = -0.5, .weight = 0, .text = "ünïcode and \"quotes\""}};
  EXPECT_EQ(ReasonsFromJson(ReasonsToJson(reasons)), reasons);
  EXPECT_EQ(ReasonsToJson({}), "[]");
  // Not finite: stored as 0 rather than failing the batch (JSON has no NaN).
  EXPECT_EQ(ReasonsFromJson(ReasonsToJson({{"c", std::nan(""), 1, ""}}))[0].value, 0);
  EXPECT_EQ(ReasonsFromJson(R"(["short_body: 5 characters, under 20"])")[0],
            (review::Reason{"short_body", 0, 0, "5 characters, under 20"}));
  EXPECT_EQ(ReasonsFromJson(R"(["Has Space: x"])")[0], (review::Reason{"", 0, 0, "Has Space: x"}));
  EXPECT_TRUE(ReasonsFromJson("not json").empty());
  EXPECT_TRUE(ReasonsFromJson("{}").empty());
  EXPECT_EQ(ReasonsFromJson(R"([1, {"code": "c"}])").size(), 1u);
}

TEST_F(ReviewDbTest, CountByStatusCountsTheGivenReviews) {
  const std::string a = InsertReview(*pool_, {.asin = asin_});
  const std::string b = InsertReview(*pool_, {.asin = asin_});
  const std::string held = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kHeld});
  const std::string rejected =
      InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kRejected});
  InsertReview(*pool_, {.asin = asin_});  // not asked about
  auto counts = db_->CountByStatus({a, b, held, rejected, std::string(32, '0')});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (std::map<ReviewStatus, int64_t>{{ReviewStatus::kActive, 2},
                                                      {ReviewStatus::kHeld, 1},
                                                      {ReviewStatus::kRejected, 1}}));
  EXPECT_TRUE(db_->CountByStatus({})->empty());
}

TEST_F(ReviewDbTest, AReviewAwaitingScoringIsNeverStored) {
  const NewReview r = Scored(ReviewStatus::kAwaitingScoring, "not scored yet");
  EXPECT_EQ(db_->InsertScored({r}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ReadReview(*pool_, r.submission.review_id).has_value());
}

TEST_F(ReviewDbTest, TransitionsMoveOnlyReviewsInTheFromStatus) {
  const std::string held = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kHeld});
  const std::string active = InsertReview(*pool_, {.asin = asin_});
  auto moved = db_->Transition({held, active}, ReviewStatus::kHeld, ReviewStatus::kActive);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, std::vector<std::string>{held});
  EXPECT_EQ(ReadReview(*pool_, held)->status, ReviewStatus::kActive);

  // Again: nothing is held any more.
  moved = db_->Transition({held}, ReviewStatus::kHeld, ReviewStatus::kActive);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE(moved->empty());

  moved = db_->Transition({held, active}, ReviewStatus::kActive, ReviewStatus::kRemoved);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->size(), 2u);
  EXPECT_EQ(ReadReview(*pool_, active)->status, ReviewStatus::kRemoved);

  EXPECT_EQ(db_->Transition({held}, ReviewStatus::kRemoved, ReviewStatus::kHeld).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadReview(*pool_, held)->status, ReviewStatus::kRemoved);
}

TEST_F(ReviewDbTest, CountsOnlyActiveReviewsAndUncountsThemOnceNoLongerActive) {
  const std::string active = InsertReview(*pool_, {.asin = asin_, .rating = 4});
  const std::string held =
      InsertReview(*pool_, {.asin = asin_, .rating = 1, .status = ReviewStatus::kHeld});
  const std::string rejected =
      InsertReview(*pool_, {.asin = asin_, .rating = 1, .status = ReviewStatus::kRejected});
  auto result = db_->ApplyCounts({{.count_ids = {active, held, rejected}}}, {asin_});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->counted, 1);
  EXPECT_EQ(result->products_changed, 1);
  ASSERT_EQ(result->aggregates.size(), 1u);
  EXPECT_EQ(result->aggregates[0].count, 1);
  EXPECT_EQ(result->aggregates[0].sum, 4);
  EXPECT_EQ(result->aggregates[0].version, 1);
  EXPECT_FALSE(ReadReview(*pool_, held)->counted);

  // An uncount of a review that is still active changes nothing; once removed, it uncounts.
  result = db_->ApplyCounts({{.uncount_ids = {active}}}, {asin_});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->uncounted, 0);
  EXPECT_EQ(result->aggregates[0].version, 1);
  ASSERT_TRUE(db_->Transition({active}, ReviewStatus::kActive, ReviewStatus::kRemoved).ok());
  result = db_->ApplyCounts({{.uncount_ids = {active}}}, {asin_});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->uncounted, 1);
  EXPECT_EQ(result->aggregates[0].count, 0);
  EXPECT_EQ(result->aggregates[0].version, 2);

  // A counted review a re-score held or rejected uncounts too (its Removed), once.
  const std::string now_held = InsertReview(*pool_, {.asin = asin_, .rating = 5});
  const std::string now_rejected = InsertReview(*pool_, {.asin = asin_, .rating = 2});
  ASSERT_TRUE(db_->ApplyCounts({{.count_ids = {now_held, now_rejected}}}, {asin_}).ok());
  testing::SetStatus(*pool_, now_held, ReviewStatus::kHeld);
  testing::SetStatus(*pool_, now_rejected, ReviewStatus::kRejected);
  for (int64_t uncounted : {2, 0}) {
    result = db_->ApplyCounts({{.uncount_ids = {now_held, now_rejected}}}, {asin_});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->uncounted, uncounted);
    EXPECT_EQ(result->aggregates[0].count, 0);
    EXPECT_EQ(result->aggregates[0].version, 4);
  }
}

// The reads a checker outside the services runs (candor-drive's freshness check): which reviews
// are stored, and how many of a product's are in a status.
TEST_F(ReviewDbTest, FindsStoredReviewsAndCountsThemByStatus) {
  const std::string other_asin = candor::testing::UniqueAsin();
  const std::string active = InsertReview(*pool_, {.asin = asin_});
  const std::string held = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kHeld});
  const std::string active_too = InsertReview(*pool_, {.asin = asin_});
  const std::string elsewhere = InsertReview(*pool_, {.asin = other_asin});
  const std::string missing = review::ReviewIdFromFingerprint(
      review::Fingerprint(asin_, candor::testing::UniqueUser(), "never submitted"));

  auto existing = db_->ExistingReviewIds({active, missing, held, active_too, elsewhere});
  ASSERT_TRUE(existing.ok()) << existing.status();
  std::sort(existing->begin(), existing->end());
  std::vector<std::string> want = {active, held, active_too, elsewhere};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*existing, want);
  EXPECT_TRUE(db_->ExistingReviewIds({})->empty());

  const std::string empty_asin = candor::testing::UniqueAsin();
  auto counts = db_->CountInStatus({asin_, other_asin, empty_asin}, ReviewStatus::kActive);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{asin_, 2}, {other_asin, 1}}));
  counts = db_->CountInStatus({asin_, other_asin}, ReviewStatus::kHeld);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{asin_, 1}}));
}

// What index-writer reads: a review's content and status by id, and the active reviews in pages
// on the primary key.
TEST_F(ReviewDbTest, ReadsContentAndPagesThroughActiveReviews) {
  const std::string active = InsertReview(
      *pool_, {.asin = asin_, .body = "strings buzz", .rating = 2, .verified_purchase = true});
  const std::string held = InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kHeld});
  auto content = db_->ReadContent({active, held, "0123456789abcdef0123456789abcdef"});
  ASSERT_TRUE(content.ok()) << content.status();
  ASSERT_EQ(content->size(), 2u);
  const ReviewContent& a = (*content)[0].review_id == active ? (*content)[0] : (*content)[1];
  const ReviewContent& h = (*content)[0].review_id == active ? (*content)[1] : (*content)[0];
  EXPECT_EQ(a.asin, asin_);
  EXPECT_EQ(a.body, "strings buzz");
  EXPECT_EQ(a.rating, 2);
  EXPECT_TRUE(a.verified_purchase);
  EXPECT_EQ(a.status, ReviewStatus::kActive);
  EXPECT_LT(absl::AbsDuration(a.submitted_at - absl::Now()), absl::Minutes(5));
  EXPECT_EQ(h.status, ReviewStatus::kHeld);
  EXPECT_EQ(a.helpful_votes, 0);
  EXPECT_FALSE(a.sort_key.has_value());  // not ranked yet
  EXPECT_TRUE(db_->ReadContent({})->empty());
  // The ranker's key on the row comes with the content (index-writer's upsert reads it).
  ASSERT_TRUE(
      db_->ApplyVotes({}, {active}, [](const reviewdb::RankedReview&) { return 4.5; }).ok());
  auto ranked = db_->ReadContent({active});
  ASSERT_TRUE(ranked.ok() && ranked->size() == 1u);
  EXPECT_EQ((*ranked)[0].sort_key, 4.5);

  // A page starts after the given id: a prefix of `active` sorts just before it.
  auto first = db_->ListActiveContent(active.substr(0, 31), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].review_id, active);
  // Every active review once, in id order, across pages; the held one never.
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto page = db_->ListActiveContent(after, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const ReviewContent& c : *page) {
      EXPECT_EQ(c.status, ReviewStatus::kActive);
      seen.push_back(c.review_id);
    }
    after = page->back().review_id;
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), active), 1);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), held), 0);
  EXPECT_EQ(db_->ListActiveContent("", 0).status().code(), absl::StatusCode::kInvalidArgument);

  // The interactions of the same scan: who, what, how, when; the held review never.
  std::vector<reviewdb::ReviewInteraction> interactions;
  after.clear();
  for (;;) {
    auto page = db_->ListActiveInteractions(after, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (reviewdb::ReviewInteraction& i : *page) interactions.push_back(std::move(i));
    after = interactions.back().review_id;
  }
  ASSERT_EQ(interactions.size(), seen.size());
  for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(interactions[k].review_id, seen[k]);
  auto mine =
      std::find_if(interactions.begin(), interactions.end(),
                   [&](const reviewdb::ReviewInteraction& i) { return i.review_id == active; });
  ASSERT_NE(mine, interactions.end());
  EXPECT_EQ(mine->asin, asin_);
  EXPECT_EQ(mine->rating, 2);
  EXPECT_FALSE(mine->user_id.empty());
  EXPECT_EQ(mine->submitted_at, a.submitted_at);
  EXPECT_EQ(db_->ListActiveInteractions("", 10001).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewDbTest, ReadsRatingRow) {
  EXPECT_FALSE(db_->GetRating(asin_)->has_value());
  AddRatingRow(asin_, 1, 4, 7);
  auto got = db_->GetRating(asin_);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->count, 1);
  EXPECT_EQ((*got)->stars[3], 1);
  EXPECT_EQ((*got)->version, 7);
}

// ListRatings pages in asin order and ListChangedRatings in change order; with pages smaller
// than the data both list every row once.
TEST_F(ReviewDbTest, ListsRatingsInPages) {
  // Five asins sharing a random 9-character prefix, so nothing else sorts among them.
  const std::string prefix = candor::testing::UniqueAsin().substr(0, 9);
  std::vector<std::string> ours;
  for (char c = '0'; c < '5'; ++c) ours.push_back(prefix + c);
  for (const std::string& asin : ours) AddRatingRow(asin, 1, 5, 3);

  std::vector<std::string> listed;
  std::string cursor = prefix;  // sorts just before prefix + '0'
  while (listed.size() < ours.size()) {
    auto page = db_->ListRatings(cursor, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_FALSE(page->aggregates.empty());
    for (const review::RatingAggregate& a : page->aggregates) listed.push_back(a.asin);
    cursor = page->next;
  }
  listed.resize(ours.size());
  EXPECT_EQ(listed, ours);

  std::map<std::string, int> seen;
  cursor.clear();
  do {
    auto page = db_->ListChangedRatings(absl::Minutes(10), absl::ZeroDuration(), cursor, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const review::RatingAggregate& a : page->aggregates) {
      ++seen[a.asin];
      if (a.asin.rfind(prefix, 0) == 0) {
        EXPECT_EQ(a.version, 3);
      }
    }
    cursor = page->next;
  } while (!cursor.empty());
  for (const std::string& asin : ours) EXPECT_EQ(seen[asin], 1) << asin;

  // Changed more recently than `older_than`: not listed yet.
  auto settled = db_->ListChangedRatings(absl::Minutes(10), absl::Minutes(5), "", 1000);
  ASSERT_TRUE(settled.ok()) << settled.status();
  for (const review::RatingAggregate& a : settled->aggregates) {
    EXPECT_NE(a.asin.rfind(prefix, 0), 0u) << a.asin;
  }
  EXPECT_EQ(db_->ListChangedRatings(absl::Minutes(1), absl::ZeroDuration(), "no separator", 10)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// The ledger's own sums count exactly the counted reviews, whatever their status now.
TEST_F(ReviewDbTest, CountedSumsAreTheSumsOverCountedReviews) {
  const std::string other = candor::testing::UniqueAsin();
  InsertReview(*pool_, {.asin = asin_, .rating = 5, .verified_purchase = true, .counted = true});
  InsertReview(*pool_, {.asin = asin_, .rating = 2, .counted = true});
  InsertReview(*pool_, {.asin = asin_, .rating = 1});  // active, not counted yet
  InsertReview(*pool_,
               {.asin = asin_, .rating = 3, .status = ReviewStatus::kRemoved, .counted = true});
  InsertReview(*pool_, {.asin = other, .rating = 4});  // no counted review: left out

  auto sums = db_->CountedSums({asin_, other, candor::testing::UniqueAsin()});
  ASSERT_TRUE(sums.ok()) << sums.status();
  review::RatingAggregate want;
  want.asin = asin_;
  want.Apply(5, /*verified=*/true, +1);
  want.Apply(2, /*verified=*/false, +1);
  want.Apply(3, /*verified=*/false, +1);
  ASSERT_EQ(sums->size(), 1u);
  EXPECT_EQ((*sums)[0].asin, asin_);
  EXPECT_TRUE((*sums)[0].SameCounts(want));
  EXPECT_EQ((*sums)[0].version, 0);
}

TEST_F(ReviewDbTest, UnratedCountedAsinsAreProductsWithCountedReviewsAndNoRow) {
  const std::string rated = candor::testing::UniqueAsin();
  const std::string uncounted = candor::testing::UniqueAsin();
  InsertReview(*pool_, {.asin = asin_, .rating = 4, .counted = true});  // no product_ratings row
  InsertReview(*pool_, {.asin = rated, .rating = 4, .counted = true});
  AddRatingRow(rated, 1, 4, 1);
  InsertReview(*pool_, {.asin = uncounted, .rating = 4});

  auto unrated = db_->UnratedCountedAsins(10000);
  ASSERT_TRUE(unrated.ok()) << unrated.status();
  EXPECT_NE(std::find(unrated->begin(), unrated->end(), asin_), unrated->end());
  EXPECT_EQ(std::find(unrated->begin(), unrated->end(), rated), unrated->end());
  EXPECT_EQ(std::find(unrated->begin(), unrated->end(), uncounted), unrated->end());
  EXPECT_TRUE(std::is_sorted(unrated->begin(), unrated->end()));
  EXPECT_EQ(db_->UnratedCountedAsins(0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewDbTest, RecountSetsTheCountedSumsWithAVersionPastBothCopies) {
  const std::string orphan = candor::testing::UniqueAsin();   // counted reviews, no row
  const std::string emptied = candor::testing::UniqueAsin();  // a row, no counted review
  InsertReview(*pool_, {.asin = asin_, .rating = 5, .verified_purchase = true, .counted = true});
  InsertReview(*pool_, {.asin = asin_, .rating = 2, .counted = true});
  InsertReview(*pool_, {.asin = asin_, .rating = 1});  // not counted: left out
  AddRatingRow(asin_, 7, 3, /*version=*/4);            // wrong sums
  InsertReview(*pool_, {.asin = orphan, .rating = 3, .counted = true});
  AddRatingRow(emptied, 2, 4, /*version=*/9);

  auto fresh = db_->RecountRatings({asin_, orphan, emptied}, {0, 0, 12});
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ASSERT_EQ(fresh->size(), 3u);
  std::map<std::string, review::RatingAggregate> by_asin;
  for (const review::RatingAggregate& a : *fresh) by_asin[a.asin] = a;
  auto sums = db_->CountedSums({asin_, orphan});
  ASSERT_TRUE(sums.ok()) << sums.status();
  ASSERT_EQ(sums->size(), 2u);
  for (const review::RatingAggregate& want : *sums) {
    EXPECT_TRUE(by_asin[want.asin].SameCounts(want)) << want.asin;
  }
  EXPECT_EQ(by_asin[asin_].count, 2);
  EXPECT_EQ(by_asin[asin_].version, 5);   // past its own 4
  EXPECT_EQ(by_asin[orphan].version, 1);  // a new row
  EXPECT_TRUE(by_asin[emptied].SameCounts(review::RatingAggregate{.asin = emptied}));
  EXPECT_EQ(by_asin[emptied].version, 13);  // past the 12 asked for, not only its own 9
  // What it returned is what is stored.
  for (const std::string& asin : {asin_, orphan, emptied}) {
    auto row = db_->GetRating(asin);
    ASSERT_TRUE(row.ok() && row->has_value()) << asin;
    EXPECT_TRUE((*row)->SameCounts(by_asin[asin])) << asin;
    EXPECT_EQ((*row)->version, by_asin[asin].version) << asin;
  }

  EXPECT_EQ(db_->RecountRatings({asin_, asin_}, {0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->RecountRatings({asin_}, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- re-scoring ---

// A review scored `decision` (stored in the status it routes to) at `at`, with the facts only
// the gateway knows.
NewReview Decided(const std::string& asin, const std::string& decision, absl::Time at) {
  const std::string user = candor::testing::UniqueUser();
  NewReview r;
  r.submission = review::Admitted({.asin = asin,
                                   .rating = 4,
                                   .title = "Title",
                                   .body = "body by " + user,
                                   .verified_purchase = true,
                                   .device_id = "device-" + user},
                                  user, "203.0.113.7", at);
  r.submission.account_created_at = at - absl::Hours(24 * 400);
  r.status = decision == "queue"    ? ReviewStatus::kHeld
             : decision == "reject" ? ReviewStatus::kRejected
                                    : ReviewStatus::kActive;
  r.fraud_score = 0.2;
  r.decision = decision;
  r.scorer = "model-v1";
  r.reasons = {{.code = "features_unavailable", .value = 0, .weight = 0, .text = "down"}};
  r.queue_reason = "held";
  return r;
}

std::vector<std::string> IdsOf(const std::vector<RescoreCandidate>& candidates) {
  std::vector<std::string> ids;
  ids.reserve(candidates.size());
  for (const RescoreCandidate& c : candidates) ids.push_back(c.submission.review_id);
  return ids;
}

// Every candidate of `selection`, page by page (`limit` each); fails the test on an error.
std::vector<RescoreCandidate> AllPages(ReviewDb& db, const RescoreSelection& selection, int limit) {
  std::vector<RescoreCandidate> all;
  std::string cursor;
  do {
    auto page = db.ListRescoreCandidates(selection, cursor, limit);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    EXPECT_LE(static_cast<int>(page->candidates.size()), limit);
    all.insert(all.end(), page->candidates.begin(), page->candidates.end());
    cursor = page->next;
  } while (!cursor.empty());
  return all;
}

TEST_F(ReviewDbTest, ACandidateIsTheSubmissionAsTheScorerHadIt) {
  const absl::Time at = absl::FromUnixMicros(1'700'000'000'123'456);
  NewReview r = Decided(asin_, "unscored", at);
  NewReview no_claim = Decided(asin_, "pass", at + absl::Seconds(1));
  no_claim.submission.account_created_at.reset();
  no_claim.submission.client_ip.clear();
  ASSERT_TRUE(db_->InsertScored({r, no_claim}).ok());

  const std::vector<RescoreCandidate> got = AllPages(*db_, {.from = at, .asin = asin_}, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].submission, r.submission);  // client address, device and claim included
  EXPECT_EQ(got[1].submission, no_claim.submission);
  EXPECT_EQ(got[0].status, ReviewStatus::kActive);
  EXPECT_FALSE(got[0].counted);
  EXPECT_GT(got[0].audit_id, 0);
  EXPECT_EQ(got[0].decision, "unscored");
  EXPECT_EQ(got[0].scorer, "model-v1");
  EXPECT_EQ(got[0].reasons, r.reasons);
  EXPECT_EQ(got[1].decision, "pass");

  // A review without an audit row (written by a test helper) has none.
  InsertReview(*pool_, {.asin = asin_});
  const std::vector<RescoreCandidate> with_bare = AllPages(*db_, {.asin = asin_}, 10);
  ASSERT_EQ(with_bare.size(), 3u);
  EXPECT_EQ(with_bare[2].audit_id, 0);
  EXPECT_EQ(with_bare[2].decision, "");
}

TEST_F(ReviewDbTest, ARangeIsPagedInTimeOrderWithinItsBounds) {
  const absl::Time t0 = absl::FromUnixSeconds(1'650'000'000);
  std::vector<NewReview> reviews;
  // Six reviews, two of them at the same time (the review id breaks the tie), one before and one
  // at the end bound (excluded).
  for (int s : {0, 10, 10, 20, 30, 40})
    reviews.push_back(Decided(asin_, "pass", t0 + absl::Seconds(s)));
  reviews.push_back(Decided(asin_, "pass", t0 - absl::Seconds(1)));
  reviews.push_back(Decided(asin_, "reject", t0 + absl::Seconds(50)));
  ASSERT_TRUE(db_->InsertScored(reviews).ok());
  InsertReview(*pool_, {.asin = candor::testing::UniqueAsin()});  // another product

  const RescoreSelection range{.from = t0, .to = t0 + absl::Seconds(50), .asin = asin_};
  auto count = db_->CountRescoreCandidates(range);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 6);
  for (int limit : {1, 2, 4, 100}) {
    const std::vector<RescoreCandidate> got = AllPages(*db_, range, limit);
    ASSERT_EQ(got.size(), 6u) << "limit " << limit;
    for (size_t i = 1; i < got.size(); ++i) {
      const review::Submission& a = got[i - 1].submission;
      const review::Submission& b = got[i].submission;
      EXPECT_TRUE(a.submitted_at < b.submitted_at ||
                  (a.submitted_at == b.submitted_at && a.review_id < b.review_id));
    }
    EXPECT_EQ(got.front().submission.submitted_at, t0);
  }
  EXPECT_EQ(db_->ListRescoreCandidates(range, "not a cursor", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewDbTest, UnscoredReviewsArePagedInAuditOrderUntilDecided) {
  const absl::Time at = absl::Now() - absl::Hours(1);
  std::vector<NewReview> unscored;
  unscored.reserve(5);
  for (int i = 0; i < 5; ++i) unscored.push_back(Decided(asin_, "unscored", at - absl::Minutes(i)));
  ASSERT_TRUE(db_->InsertScored(unscored).ok());
  ASSERT_TRUE(db_->InsertScored({Decided(asin_, "pass", at)}).ok());
  const RescoreSelection selection{.unscored_only = true, .asin = asin_};
  EXPECT_EQ(*db_->CountRescoreCandidates(selection), 5);

  // In the order the audit rows were written (the batch's), not by time.
  std::vector<std::string> want;
  want.reserve(unscored.size());
  for (const NewReview& r : unscored) want.push_back(r.submission.review_id);
  EXPECT_EQ(IdsOf(AllPages(*db_, selection, 2)), want);

  // A review decided since (a later audit row) drops out, and time bounds narrow the rest.
  testing::AddAuditRow(*pool_, want[1], "pass", "[]");
  EXPECT_EQ(*db_->CountRescoreCandidates(selection), 4);
  EXPECT_EQ(IdsOf(AllPages(*db_, selection, 3)),
            (std::vector<std::string>{want[0], want[2], want[3], want[4]}));
  const RescoreSelection recent{
      .unscored_only = true, .from = at - absl::Minutes(2) - absl::Seconds(1), .asin = asin_};
  EXPECT_EQ(IdsOf(AllPages(*db_, recent, 10)), (std::vector<std::string>{want[0], want[2]}));
  EXPECT_EQ(*db_->CountRescoreCandidates(recent), 2);
  EXPECT_EQ(db_->ListRescoreCandidates(selection, "x", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReviewDbTest, ApplyRescoresMovesAuditsAndQueuesReviewsStillAsRead) {
  const absl::Time at = absl::Now();
  const NewReview active = Decided(asin_, "unscored", at);
  const NewReview stays = Decided(asin_, "pass", at);
  const NewReview held = Decided(asin_, "queue", at);
  const NewReview rejected = Decided(asin_, "reject", at);
  const NewReview moderated = Decided(asin_, "pass", at);
  const NewReview redecided = Decided(asin_, "pass", at);
  ASSERT_TRUE(db_->InsertScored({active, stays, held, rejected, moderated, redecided}).ok());
  std::map<std::string, RescoreCandidate> read;
  for (RescoreCandidate& c : AllPages(*db_, {.asin = asin_}, 100)) {
    read[c.submission.review_id] = std::move(c);
  }
  ASSERT_EQ(read.size(), 6u);
  // Between the read and the apply: a moderator removes one, another decision lands on one.
  ASSERT_TRUE(db_->Transition({moderated.submission.review_id}, ReviewStatus::kActive,
                              ReviewStatus::kRemoved)
                  .ok());
  testing::AddAuditRow(*pool_, redecided.submission.review_id, "pass", "[]");

  const std::vector<review::Reason> reasons = {
      {.code = "near_dup_accounts", .value = 12, .weight = 1.5, .text = "12 accounts"}};
  auto decide = [&](const NewReview& r, ReviewStatus to, const std::string& decision) {
    const RescoreCandidate& c = read.at(r.submission.review_id);
    return RescoreDecision{.review_id = r.submission.review_id,
                           .seen_audit_id = c.audit_id,
                           .from = c.status,
                           .to = to,
                           .fraud_score = 0.5,
                           .decision = decision,
                           .scorer = "model-v2",
                           .reasons = reasons,
                           .queue_reason = "model-v2 score 0.5"};
  };
  auto applied = db_->ApplyRescores(
      {decide(active, ReviewStatus::kHeld, "queue"), decide(stays, ReviewStatus::kActive, "pass"),
       decide(held, ReviewStatus::kActive, "pass"), decide(rejected, ReviewStatus::kHeld, "queue"),
       decide(moderated, ReviewStatus::kRejected, "reject"),
       decide(redecided, ReviewStatus::kRejected, "reject")});
  ASSERT_TRUE(applied.ok()) << applied.status();
  std::map<std::string, AppliedRescore> by_id;
  for (const AppliedRescore& a : *applied) by_id[a.review_id] = a;
  ASSERT_EQ(by_id.size(), 4u);  // not the two that changed since they were read
  const AppliedRescore& a = by_id.at(active.submission.review_id);
  EXPECT_EQ(a.from, ReviewStatus::kActive);
  EXPECT_EQ(a.to, ReviewStatus::kHeld);
  EXPECT_GT(a.decided_at, at - absl::Seconds(30));

  // Statuses, audit rows and queue rows.
  EXPECT_EQ(ReadReview(*pool_, active.submission.review_id)->status, ReviewStatus::kHeld);
  EXPECT_EQ(ReadReview(*pool_, stays.submission.review_id)->status, ReviewStatus::kActive);
  EXPECT_EQ(ReadReview(*pool_, held.submission.review_id)->status, ReviewStatus::kActive);
  EXPECT_EQ(ReadReview(*pool_, rejected.submission.review_id)->status, ReviewStatus::kHeld);
  EXPECT_EQ(ReadReview(*pool_, moderated.submission.review_id)->status, ReviewStatus::kRemoved);
  EXPECT_EQ(ReadReview(*pool_, redecided.submission.review_id)->status, ReviewStatus::kActive);
  const std::vector<testing::AuditRow> audit =
      testing::AuditOf(*pool_, active.submission.review_id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].decision, "queue");
  EXPECT_EQ(audit[1].scorer, "model-v2");
  EXPECT_FLOAT_EQ(audit[1].score, 0.5);
  EXPECT_EQ(audit[1].reasons, reasons);
  EXPECT_EQ(testing::AuditOf(*pool_, stays.submission.review_id).size(), 2u);
  EXPECT_EQ(testing::AuditOf(*pool_, moderated.submission.review_id).size(), 1u);
  EXPECT_EQ(testing::AuditOf(*pool_, redecided.submission.review_id).size(), 2u);
  std::optional<testing::QueueRow> q = testing::QueueEntryOf(*pool_, active.submission.review_id);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->state, "open");
  EXPECT_EQ(q->reason, "model-v2 score 0.5");
  EXPECT_EQ(q->reasons, reasons);
  EXPECT_EQ(testing::QueueEntryOf(*pool_, held.submission.review_id)->state, kQueueStateRescored);
  EXPECT_EQ(testing::QueueEntryOf(*pool_, rejected.submission.review_id)->state, "open");
  EXPECT_FALSE(testing::QueueEntryOf(*pool_, stays.submission.review_id).has_value());

  // The same decisions again: each review has moved on (a new audit row), nothing is enacted.
  std::vector<RescoreDecision> again = {decide(active, ReviewStatus::kHeld, "queue"),
                                        decide(stays, ReviewStatus::kActive, "pass")};
  applied = db_->ApplyRescores(again);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(applied->empty());
  EXPECT_EQ(testing::AuditOf(*pool_, stays.submission.review_id).size(), 2u);

  // A held review that the next re-score queues again after passing gets its queue row reopened.
  auto reread = AllPages(*db_, {.asin = asin_}, 100);
  for (RescoreCandidate& c : reread) read[c.submission.review_id] = std::move(c);
  applied = db_->ApplyRescores({decide(held, ReviewStatus::kHeld, "queue")});
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->size(), 1u);
  EXPECT_EQ(testing::QueueEntryOf(*pool_, held.submission.review_id)->state, "open");
}

TEST_F(ReviewDbTest, ApplyRescoresRefusesWhatARescoreCannotDecide) {
  const NewReview r = Decided(asin_, "pass", absl::Now());
  ASSERT_TRUE(db_->InsertScored({r}).ok());
  const RescoreDecision ok{.review_id = r.submission.review_id,
                           .seen_audit_id = 1,
                           .decision = "pass",
                           .scorer = "model-v2"};
  RescoreDecision removed = ok;
  removed.to = ReviewStatus::kRemoved;
  RescoreDecision unscored = ok;
  unscored.decision = "unscored";
  for (const std::vector<RescoreDecision>& bad :
       {std::vector<RescoreDecision>{removed}, {unscored}, {ok, ok}}) {
    EXPECT_EQ(db_->ApplyRescores(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(testing::AuditOf(*pool_, r.submission.review_id).size(), 1u);
  EXPECT_TRUE(db_->ApplyRescores({})->empty());
}

}  // namespace
}  // namespace candor::reviewdb
