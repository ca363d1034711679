// The real App in-process: librdkafka's mock cluster for Kafka, the stack's Postgres and Redis.
// Invariant I4 (helpful counts equal the vote ledger) after random changed, retracted and
// duplicated votes; a removed review leaves the ranking; poison is dead-lettered. And the whole
// vote path on real votes: review-gateway's App beside the ranker, a sample of the Musical
// Instruments file's helpful pairs replayed through VoteHelpful as candor-drive --votes plans
// them, then random changed and retracted votes; I4, the counts ListReviews shows, and a removed
// review gone from ListReviews.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/review_events.h"
#include "libs/events/review_scores.h"
#include "libs/events/topics.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/helpfulness-ranker/app.h"
#include "services/helpfulness-ranker/pg_vote_ledger.h"
#include "services/review-gateway/app.h"
#include "tools/candor-drive/operation.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-drive/votes.h"

namespace candor::helpfulness_ranker {
namespace {

using review::ReviewStatus;
using review::Vote;

class HelpfulnessRankerIntegrationTest : public testing::ConsumerAppTest {
 protected:
  HelpfulnessRankerIntegrationTest()
      : ConsumerAppTest({events::kHelpfulVotesTopic, events::kReviewEventsTopic},
                        {events::kReviewScoresTopic, events::kReviewSubmissionsTopic}) {}

  void Start(int64_t top_n = 1000) {
    Config config;
    UseStack(&config, "helpfulness-ranker-test-");
    config.top_n = top_n;
    ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));
  }

  std::string AddReview(ReviewStatus status = ReviewStatus::kActive) {
    return reviewdb::testing::InsertReview(*pool_, {.asin = asin_, .status = status});
  }

  void SendVote(const std::string& review_id, const std::string& user, Vote v, int64_t at) {
    ProduceTo(events::kHelpfulVotesTopic, asin_,
              events::EncodeHelpfulVote(
                  {review_id, asin_, user, v, absl::FromUnixSeconds(1'700'000'000 + at)}));
  }

  void SendEvent(const std::string& review_id, decltype(review::ReviewEvent::change) change) {
    ProduceTo(events::kReviewEventsTopic, asin_,
              events::EncodeReviewEvent({review_id, asin_, absl::Now(), std::move(change)}));
  }

  // The review ids of helpful:{asin}, best first; nullopt while Redis does not know the product.
  std::optional<std::vector<std::string>> Cached() { return Cached(asin_); }
  std::optional<std::vector<std::string>> Cached(const std::string& asin) {
    auto r = redis_->Eval(rankcache::ReadScript(),
                          {rankcache::SetKey(asin), rankcache::FloorKey(asin)}, {"1000"});
    if (!r.ok()) return std::nullopt;
    auto parsed = rankcache::ParseRead(*r);
    if (!parsed.ok() || !parsed->has_value()) return std::nullopt;
    std::vector<std::string> ids;
    for (const rankcache::Entry& e : **parsed) ids.push_back(e.review_id);
    return ids;
  }

  // The expected (helpful, total) of each review from the votes sent, the newest per user.
  std::map<std::string, std::pair<int64_t, int64_t>> Expected() const {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const auto& [key, v] : latest_) {
      auto& [h, t] = out[key.first];
      if (v.first == Vote::kRetracted) continue;
      ++t;
      if (v.first == Vote::kHelpful) ++h;
    }
    return out;
  }

  bool CountsAre(const std::map<std::string, std::pair<int64_t, int64_t>>& want) {
    reviewdb::ReviewDb db(*pool_);
    auto checks = db.CheckVoteCounts({asin_});
    if (!checks.ok()) return false;
    std::map<std::string, std::pair<int64_t, int64_t>> got;
    for (const reviewdb::VoteCountCheck& c : *checks) {
      // I4: the counts on the row equal the ledger's sums, always (one transaction).
      EXPECT_EQ(c.row_helpful, c.ledger_helpful) << c.review_id;
      EXPECT_EQ(c.row_total, c.ledger_total) << c.review_id;
      if (c.row_total != 0) got[c.review_id] = {c.row_helpful, c.row_total};
    }
    std::map<std::string, std::pair<int64_t, int64_t>> nonzero;
    for (const auto& [id, ht] : want) {
      if (ht.second != 0) nonzero[id] = ht;
    }
    return got == nonzero;
  }

  std::string asin_ = testing::UniqueAsin();
  std::map<std::pair<std::string, std::string>, std::pair<Vote, int64_t>> latest_;
};

namespace v1 = candor::review::v1;
constexpr char kSecret[] = "integration-test-secret-0123456789";
constexpr char kMusicalInstruments[] =
    "/../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz";

// review-gateway's App on the same mock cluster and stack, and a client of it.
class Gateway {
 public:
  explicit Gateway(const std::string& kafka_brokers) {
    gateway::Config c;
    c.grpc.listen = "127.0.0.1:0";
    c.grpc.jwt_secret = kSecret;
    c.kafka_brokers = kafka_brokers;
    c.redis_addr = testing::RedisAddr();
    c.pg_dsn = testing::PgDsn();
    c.log_level = "warn";
    auto app = gateway::App::Create(c);
    EXPECT_TRUE(app.ok()) << app.status();
    if (!app.ok()) return;
    app_ = std::move(*app);
    stub_ = v1::ReviewService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->port()),
                                                           grpc::InsecureChannelCredentials()));
  }
  ~Gateway() {
    if (app_) app_->Shutdown();
  }
  bool ok() const { return app_ != nullptr; }
  std::string target() const { return absl::StrCat("127.0.0.1:", app_->port()); }

  // The traffic tool's `list` operation (the page received as bytes, not parsed) on `asin`.
  drive::Answer DriveList(const std::string& asin, const std::string& bearer) {
    std::vector<drive::Connection> connections = drive::Connect(target(), 1);
    const drive::Operations ops = drive::ServedOperations();
    drive::CallInput in;
    in.asin = asin;
    in.bearer = bearer;
    std::promise<drive::Answer> answered;
    ops[static_cast<size_t>(drive::Op::kList)]->Start(
        connections[0], std::move(in), absl::Seconds(10),
        [&answered](drive::Answer a) { answered.set_value(std::move(a)); });
    return answered.get_future().get();
  }
  static std::string Bearer(const std::string& user) {
    return "Bearer " +
           auth::MintHs256({user, "customer", absl::Now() + absl::Hours(1)}, kSecret, absl::Now());
  }

  grpc::StatusCode Cast(const std::string& voter, const std::string& review_id, Vote v) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", Bearer(voter));
    v1::VoteHelpfulRequest req;
    req.set_review_id(review_id);
    req.set_vote(v == Vote::kHelpful      ? v1::HELPFUL_VOTE_VALUE_HELPFUL
                 : v == Vote::kNotHelpful ? v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL
                                          : v1::HELPFUL_VOTE_VALUE_RETRACTED);
    v1::VoteHelpfulResponse resp;
    return stub_->VoteHelpful(&ctx, req, &resp).error_code();
  }

  // Every page of ListReviews (most helpful first) of `asin`: (review id, helpful, total) in
  // order; nullopt when a call failed.
  std::optional<std::vector<std::tuple<std::string, int64_t, int64_t>>> ListAll(
      const std::string& asin) {
    std::vector<std::tuple<std::string, int64_t, int64_t>> out;
    std::string token;
    do {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      ctx.AddMetadata("authorization", Bearer("reader"));
      v1::ListReviewsRequest req;
      req.set_asin(asin);
      req.set_page_size(7);  // several pages, so the continuation below the cache is used too
      req.set_page_token(token);
      v1::ListReviewsResponse resp;
      const grpc::Status status = stub_->ListReviews(&ctx, req, &resp);
      if (!status.ok()) {
        ADD_FAILURE() << "ListReviews " << asin << ": " << status.error_code() << " "
                      << status.error_message();
        return std::nullopt;
      }
      for (const v1::ListedReview& r : resp.reviews()) {
        out.emplace_back(r.review_id(), r.helpful_votes(), r.total_votes());
      }
      token = resp.next_page_token();
    } while (!token.empty());
    return out;
  }

 private:
  std::unique_ptr<gateway::App> app_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
};

TEST_F(HelpfulnessRankerIntegrationTest, CountsEqualTheLedgerAfterChangedRetractedAndDuplicates) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::vector<std::string> ids;
  ids.reserve(6);
  for (int i = 0; i < 6; ++i) ids.push_back(AddReview());
  for (const std::string& id : ids) SendEvent(id, review::ReviewAccepted{5, false, "author"});

  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    const std::string& id = ids[rng() % ids.size()];
    const std::string user = absl::StrCat("voter-", rng() % 20);
    const Vote v = static_cast<Vote>(rng() % 3);
    const int64_t at = i;
    SendVote(id, user, v, at);
    if (rng() % 4 == 0) SendVote(id, user, v, at);  // a duplicate (a client's retry)
    auto& slot = latest_[{id, user}];
    slot = {v, at};
  }
  // A vote older than what the ledger holds changes nothing.
  const auto& [old_key, old_vote] = *latest_.begin();
  SendVote(old_key.first, old_key.second,
           old_vote.first == Vote::kHelpful ? Vote::kNotHelpful : Vote::kHelpful, -1);

  const auto want = Expected();
  EXPECT_TRUE(testing::WaitUntil([&] { return CountsAre(want); }));
  EXPECT_TRUE(testing::WaitUntil([&] {
    auto cached = Cached();
    return cached && cached->size() == ids.size();
  }));
  // The cached order is the ledger's: the same as Postgres' by sort key.
  reviewdb::ReviewDb db(*pool_);
  auto top = db.TopRanked(asin_, 1000);
  ASSERT_TRUE(top.ok());
  std::vector<std::string> pg_order;
  for (const auto& [k, id] : *top) pg_order.push_back(id);
  EXPECT_TRUE(testing::WaitUntil([&] { return Cached() == pg_order; }));
  // Scores were published for the search index.
  auto scores = ReadTopic(events::kReviewScoresTopic, ids.size());
  ASSERT_GE(scores.size(), ids.size());
  EXPECT_TRUE(events::DecodeReviewScore(scores.front().value).ok());
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, AShardedLedgerAppliesABatchAsOneTransactionWould) {
  // PgVoteLedger with three concurrent parts beside the plain ReviewDb on a second product: the
  // same votes, batches and replays give the same counts, outcomes and touched reviews.
  auto pool = pg::Pool::Create(testing::PgDsn(), 3);
  ASSERT_TRUE(pool.ok()) << pool.status();
  PgVoteLedger sharded(**pool, 3);
  reviewdb::ReviewDb plain(**pool);
  const std::string other = testing::UniqueAsin();
  std::vector<std::string> ids, other_ids;
  ids.reserve(9);
  other_ids.reserve(9);
  for (int i = 0; i < 9; ++i) {
    ids.push_back(AddReview());
    other_ids.push_back(reviewdb::testing::InsertReview(*pool_, {.asin = other}));
  }
  auto key = [](const reviewdb::RankedReview& r) { return static_cast<double>(r.helpful_votes); };
  std::mt19937 rng(5);
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<review::HelpfulVote> votes, other_votes;
    votes.reserve(41);
    other_votes.reserve(41);
    for (int i = 0; i < 40; ++i) {
      const size_t r = rng() % ids.size();
      const std::string user = absl::StrCat("voter-", rng() % 15);
      const auto v = static_cast<Vote>(rng() % 3);
      const absl::Time at =
          absl::FromUnixSeconds(1'700'000'000 + batch * 100 + static_cast<int64_t>(rng() % 100));
      votes.push_back({ids[r], asin_, user, v, at});
      other_votes.push_back({other_ids[r], other, user, v, at});
    }
    votes.push_back({"0123456789abcdef0123456789abcdef", asin_, "u", Vote::kHelpful, absl::Now()});
    other_votes.push_back(votes.back());
    for (int replay = 0; replay < 2; ++replay) {
      absl::StatusOr<reviewdb::VoteResult> a = sharded.Apply(votes, {ids[batch % 9]}, key);
      absl::StatusOr<reviewdb::VoteResult> b =
          plain.ApplyVotes(other_votes, {other_ids[batch % 9]}, key);
      ASSERT_TRUE(a.ok()) << a.status();
      ASSERT_TRUE(b.ok()) << b.status();
      EXPECT_EQ(a->changed, b->changed);
      EXPECT_EQ(a->unchanged, b->unchanged);
      EXPECT_EQ(a->unknown, 1);
      EXPECT_EQ(b->unknown, 1);
      if (replay == 1) {
        EXPECT_EQ(a->changed, 0);
      }
      ASSERT_EQ(a->reviews.size(), b->reviews.size());
    }
  }
  // I4 on both products, and each review's counts equal its twin's.
  reviewdb::ReviewDb db(*pool_);
  auto mine = db.CheckVoteCounts({asin_});
  auto theirs = db.CheckVoteCounts({other});
  ASSERT_TRUE(mine.ok() && theirs.ok());
  std::map<std::string, std::pair<int64_t, int64_t>> a, b;
  for (const reviewdb::VoteCountCheck& c : *mine) {
    EXPECT_EQ(c.row_helpful, c.ledger_helpful);
    EXPECT_EQ(c.row_total, c.ledger_total);
    a[c.review_id] = {c.row_helpful, c.row_total};
  }
  for (const reviewdb::VoteCountCheck& c : *theirs) {
    EXPECT_EQ(c.row_helpful, c.ledger_helpful);
    EXPECT_EQ(c.row_total, c.ledger_total);
    b[c.review_id] = {c.row_helpful, c.row_total};
  }
  ASSERT_FALSE(a.empty());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(a[ids[i]], b[other_ids[i]]) << i;
}

TEST_F(HelpfulnessRankerIntegrationTest, ARemovedReviewLeavesTheRankingAndARestoredOneReturns) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string kept = AddReview();
  const std::string removed = AddReview();
  SendEvent(kept, review::ReviewAccepted{4, false, "author"});
  SendEvent(removed, review::ReviewAccepted{4, false, "author"});
  SendVote(removed, "v1", Vote::kHelpful, 1);
  ASSERT_TRUE(testing::WaitUntil([&] {
    auto c = Cached();
    return c && c->size() == 2 && c->front() == removed;
  }));
  reviewdb::testing::SetStatus(*pool_, removed, ReviewStatus::kRemoved);
  SendEvent(removed, review::ReviewRemoved{"spam"});
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return Cached() == std::optional<std::vector<std::string>>({kept}); }));
  reviewdb::ReviewDb db(*pool_);
  EXPECT_EQ(db.TopRanked(asin_, 10)->size(), 1u);
  // Its votes stay in the ledger (I4 holds), and come back with it on restore.
  EXPECT_TRUE(CountsAre({{removed, {1, 1}}}));
  reviewdb::testing::SetStatus(*pool_, removed, ReviewStatus::kActive);
  SendEvent(removed, review::ReviewRestored{"appeal"});
  EXPECT_TRUE(testing::WaitUntil([&] {
    return Cached() == std::optional<std::vector<std::string>>({removed, kept});
  }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, RealVotesThroughTheGatewayKeepI4AndARemovedReviewLeaves) {
  const std::string path = std::string(CANDOR_SOURCE_DIR) + kMusicalInstruments;
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no " << path << ": the real votes come from ../shared/data (its README)";
  }
  ASSERT_NO_FATAL_FAILURE(Start());
  Gateway gw(cluster_.bootstrap());
  ASSERT_TRUE(gw.ok());

  // A sample of the file: its first 60 reviews that carry votes, stored as active reviews of
  // products of this test's own (one per file product) and accepted into the ranking.
  drive::ReadStats stats;
  absl::StatusOr<drive::Plan> file = drive::ReadReviewsFile(path, 3000, "", &stats);
  ASSERT_TRUE(file.ok()) << file.status();
  std::map<std::string, std::string> asin_of_product;  // the file's asin -> this test's
  std::vector<drive::VotedReview> voted;
  for (const drive::PlannedRequest& p : file->primaries) {
    if (!p.review.votes || p.review.votes->total == 0) continue;
    auto [it, fresh] = asin_of_product.emplace(p.review.asin, "");
    if (fresh) it->second = testing::UniqueAsin();
    const std::string id = reviewdb::testing::InsertReview(
        *pool_, {.asin = it->second, .user_id = testing::UniqueUser(p.review.user)});
    ASSERT_FALSE(id.empty());
    ProduceTo(events::kReviewEventsTopic, it->second,
              events::EncodeReviewEvent(
                  {id, it->second, absl::Now(), review::ReviewAccepted{5, false, "author"}}));
    voted.push_back({id, it->second, *p.review.votes});
    if (voted.size() == 60) break;
  }
  ASSERT_EQ(voted.size(), 60u);

  // The real votes, as the demo's replay plans them, through VoteHelpful.
  const std::vector<drive::PlannedVote> votes = drive::PlanRealVotes(voted, 5);
  std::map<std::pair<std::string, std::string>, Vote> latest;  // (review, voter) -> vote
  int64_t file_helpful = 0;
  for (const drive::PlannedVote& v : votes) {
    const Vote value = v.helpful ? Vote::kHelpful : Vote::kNotHelpful;
    ASSERT_EQ(gw.Cast(v.voter, v.review_id, value), grpc::StatusCode::OK) << v.voter;
    latest[{v.review_id, v.voter}] = value;
    if (v.helpful) ++file_helpful;
  }
  // Then a quarter of the voters change their mind (flip or take it back), some twice, some
  // send a vote again (a client's retry).
  std::mt19937 rng(23);
  for (size_t i = 0; i < votes.size() / 4; ++i) {
    const drive::PlannedVote& v = votes[rng() % votes.size()];
    Vote& now = latest[{v.review_id, v.voter}];
    // Retract, or flip (a retracted vote comes back as helpful).
    const Vote next = rng() % 3 == 0          ? Vote::kRetracted
                      : now == Vote::kHelpful ? Vote::kNotHelpful
                                              : Vote::kHelpful;
    ASSERT_EQ(gw.Cast(v.voter, v.review_id, next), grpc::StatusCode::OK);
    if (rng() % 5 == 0) {
      ASSERT_EQ(gw.Cast(v.voter, v.review_id, next), grpc::StatusCode::OK);
    }
    now = next;
  }
  std::map<std::string, std::pair<int64_t, int64_t>> want;
  for (const drive::VotedReview& r : voted) want[r.review_id] = {0, 0};
  for (const auto& [key, v] : latest) {
    auto& [h, t] = want[key.first];
    if (v == Vote::kRetracted) continue;
    ++t;
    if (v == Vote::kHelpful) ++h;
  }
  std::vector<std::string> asins;
  asins.reserve(asin_of_product.size());
  for (const auto& [file_asin, asin] : asin_of_product) asins.push_back(asin);

  // I4 on every review, and each review's counts are its voters' latest word.
  auto counts_are_latest = [&] {
    reviewdb::ReviewDb db(*pool_);
    auto checks = db.CheckVoteCounts(asins);
    if (!checks.ok()) return false;
    drive::VoteReplayOutcome outcome;
    const bool match = drive::CompareVoteCounts(want, *checks, outcome);
    EXPECT_EQ(outcome.i4_broken, 0) << outcome.i4_examples.front();
    return match;
  };
  EXPECT_TRUE(testing::WaitUntil(counts_are_latest))
      << votes.size() << " votes, " << file_helpful << " helpful";

  // ListReviews shows those counts, best first as Postgres ranks them, on every product (the
  // cache is written just after the Postgres commit: wait for it).
  auto listing_is_ranked = [&](const std::string& asin, std::string* why) {
    auto fail = [why](std::string reason) {
      *why = std::move(reason);
      return false;
    };
    auto listed = gw.ListAll(asin);
    reviewdb::ReviewDb db(*pool_);
    auto ranked = db.TopRanked(asin, 1000);
    if (!listed || !ranked.ok()) return fail("a read failed");
    if (listed->size() != ranked->size()) {
      return fail(absl::StrCat(listed->size(), " listed, ", ranked->size(), " ranked"));
    }
    for (size_t i = 0; i < listed->size(); ++i) {
      const auto& [id, helpful, total] = (*listed)[i];
      if (id != (*ranked)[i].second) return fail(absl::StrCat("#", i, " differs"));
      if (std::make_pair(helpful, total) != want.at(id)) {
        return fail(absl::StrCat(id, ": ", helpful, "/", total));
      }
    }
    return true;
  };
  std::string top_asin;
  std::string top_review;
  size_t most = 0;
  for (const std::string& asin : asins) {
    std::string why;
    EXPECT_TRUE(testing::WaitUntil([&] { return listing_is_ranked(asin, &why); }))
        << asin << ": " << why;
    auto listed = gw.ListAll(asin);
    ASSERT_TRUE(listed.has_value()) << asin;
    if (listed->size() > most) {
      most = listed->size();
      top_asin = asin;
      top_review = std::get<0>(listed->front());
    }
  }
  ASSERT_GE(most, 2u);
  // The traffic tool's list call (its benchmarks' ListReviews, by method name with the page left
  // as bytes) reaches the same method: OK with a token, UNAUTHENTICATED without.
  const drive::Answer listed_raw = gw.DriveList(top_asin, Gateway::Bearer("reader"));
  EXPECT_EQ(listed_raw.code, absl::StatusCode::kOk) << listed_raw.message;
  EXPECT_EQ(listed_raw.view.asin, top_asin);
  EXPECT_EQ(gw.DriveList(top_asin, "").code, absl::StatusCode::kUnauthenticated);

  // Removing the best review of the biggest product: gone from the ranking and from ListReviews;
  // a vote on it is refused; its votes stay in the ledger (I4 still holds).
  reviewdb::testing::SetStatus(*pool_, top_review, ReviewStatus::kRemoved);
  ProduceTo(events::kReviewEventsTopic, top_asin,
            events::EncodeReviewEvent(
                {top_review, top_asin, absl::Now(), review::ReviewRemoved{"spam"}}));
  EXPECT_TRUE(testing::WaitUntil([&] {
    auto cached = Cached(top_asin);
    return cached && cached->size() == most - 1 &&
           std::find(cached->begin(), cached->end(), top_review) == cached->end();
  }));
  // ListReviews answers a hot page from memory for up to --list-cache-ms (1 s): the removal
  // shows there within that.
  std::optional<std::vector<std::tuple<std::string, int64_t, int64_t>>> listed;
  EXPECT_TRUE(testing::WaitUntil([&] {
    listed = gw.ListAll(top_asin);
    return listed && listed->size() == most - 1;
  }));
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), most - 1);
  for (const auto& [id, helpful, total] : *listed) EXPECT_NE(id, top_review);
  EXPECT_EQ(gw.Cast("late-voter", top_review, Vote::kHelpful),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(counts_are_latest());
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, ACacheLostWithRedisIsRebuiltAndBoundedByTopN) {
  ASSERT_NO_FATAL_FAILURE(Start(/*top_n=*/10));
  std::vector<std::string> ids;
  ids.reserve(15);
  for (int i = 0; i < 15; ++i) ids.push_back(AddReview());
  for (const std::string& id : ids) SendEvent(id, review::ReviewAccepted{4, false, "author"});
  // The set keeps fewer than top_n (its last is the floor); the rest is Postgres's.
  ASSERT_TRUE(testing::WaitUntil([&] {
    reviewdb::ReviewDb db(*pool_);
    auto top = db.TopRanked(asin_, 100);
    return top.ok() && top->size() == ids.size();
  }));
  ASSERT_TRUE(redis_->Command({"DEL", rankcache::SetKey(asin_), rankcache::FloorKey(asin_)}).ok());
  SendVote(ids[3], "v", Vote::kHelpful, 1);
  EXPECT_TRUE(testing::WaitUntil([&] {
    auto c = Cached();
    return c && !c->empty() && c->front() == ids[3] && c->size() <= 10;
  }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, PoisonIsDeadLetteredAndTheLoopMovesOn) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = AddReview();
  ProduceTo(events::kHelpfulVotesTopic, asin_, "\xff\xff");
  SendVote(id, "v", Vote::kHelpful, 1);
  auto dead = ReadTopic(events::DeadLetterTopic(events::kHelpfulVotesTopic), 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(testing::HeaderOf(dead[0], "dlq-reason"), "cannot decode candor.review.v1.HelpfulVote");
  EXPECT_TRUE(testing::WaitUntil([&] { return CountsAre({{id, {1, 1}}}); }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, StartupFailsFastWhenAnAdapterIsUnreachable) {
  Config config;
  config.consumer.group = "helpfulness-ranker-test-unreachable";
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(config, CreateApp, kAdapters);
}

}  // namespace
}  // namespace candor::helpfulness_ranker
