// VoteHelpful and ListReviews end to end in one process: the real App against the stack's Redis
// and Postgres and an in-process Kafka mock cluster, through a real gRPC channel. Every bad input
// of issue 11 gets its code; votes reach helpful-votes keyed by asin only after delivery.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>

#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/topics.h"
#include "libs/http/http_testing.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/review-gateway/app.h"
#include "services/review-gateway/tests/app_testing.h"

namespace candor::gateway {
namespace {

namespace v1 = candor::review::v1;
using review::ReviewStatus;
constexpr char kSecret[] = "integration-test-secret-0123456789";

class HelpfulTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<kafka::MockCluster>();
    cluster_->CreateTopic(events::kReviewSubmissionsTopic, 1);
    cluster_->CreateTopic(events::kHelpfulVotesTopic, 1);
    Config c = IntegrationConfig(cluster_->bootstrap(), kSecret);
    c.vote_limit = 4;
    c.rest.port = 0;  // ListReviews over REST too
    auto app = App::Create(c);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    stub_ = ReviewStub(app_->port());
    auto pool = pg::Pool::Create(testing::PgDsn(), 2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    author_ = testing::UniqueUser("author");
    review_ = reviewdb::testing::InsertReview(*pool_, {.asin = asin_, .user_id = author_});
  }

  static std::string Bearer(const std::string& user, const std::string& role = "customer") {
    return BearerFor(user, role, kSecret);
  }

  grpc::Status Vote(const std::string& auth, const std::string& review_id,
                    v1::HelpfulVoteValue vote, v1::VoteHelpfulResponse* resp = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!auth.empty()) ctx.AddMetadata("authorization", auth);
    v1::VoteHelpfulRequest req;
    req.set_review_id(review_id);
    req.set_vote(vote);
    v1::VoteHelpfulResponse ignored;
    return stub_->VoteHelpful(&ctx, req, resp ? resp : &ignored);
  }

  grpc::Status List(const v1::ListReviewsRequest& req, v1::ListReviewsResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", Bearer("reader", "moderator"));
    return stub_->ListReviews(&ctx, req, resp);
  }

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<App> app_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
  std::unique_ptr<pg::Pool> pool_;
  std::string asin_ = testing::UniqueAsin();
  std::string author_;
  std::string review_;
};

TEST_F(HelpfulTest, AVoteIsPublishedKeyedByAsinAfterDelivery) {
  const std::string voter = testing::UniqueUser("voter");
  v1::VoteHelpfulResponse resp;
  grpc::Status s = Vote(Bearer(voter), review_, v1::HELPFUL_VOTE_VALUE_HELPFUL, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.vote(), v1::HELPFUL_VOTE_VALUE_HELPFUL);
  auto consumer = kafka::Consumer::Create({cluster_->bootstrap(), "t", {}},
                                          testing::UniqueUser("g"), {events::kHelpfulVotesTopic});
  ASSERT_TRUE(consumer.ok());
  std::vector<kafka::Message> got;
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (got.empty() && absl::Now() < deadline) {
    auto batch = (*consumer)->PollBatch(10, absl::Milliseconds(200));
    ASSERT_TRUE(batch.ok());
    got = *batch;
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, asin_);
  auto v = events::DecodeHelpfulVote(got[0].value);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->user_id, voter);
  EXPECT_EQ(v->review_id, review_);
}

TEST_F(HelpfulTest, EveryBadVoteGetsItsCode) {
  const std::string voter = Bearer(testing::UniqueUser("voter"));
  EXPECT_EQ(Vote("", review_, v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Vote(Bearer("svc", "service"), review_, v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Vote(Bearer(author_), review_, v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Vote(voter, review_, v1::HELPFUL_VOTE_VALUE_UNSPECIFIED).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Vote(voter, "nope", v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Vote(voter, "00000000000000000000000000000000", v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
      grpc::StatusCode::NOT_FOUND);
  const std::string removed =
      reviewdb::testing::InsertReview(*pool_, {.asin = asin_, .status = ReviewStatus::kRemoved});
  const std::string flooder = Bearer(testing::UniqueUser("flood"));
  EXPECT_EQ(Vote(flooder, removed, v1::HELPFUL_VOTE_VALUE_HELPFUL).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A duplicate and a flip sent twice are OK (the ledger keeps one vote per user and review)...
  EXPECT_TRUE(Vote(flooder, review_, v1::HELPFUL_VOTE_VALUE_HELPFUL).ok());
  EXPECT_TRUE(Vote(flooder, review_, v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL).ok());
  EXPECT_TRUE(Vote(flooder, review_, v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL).ok());
  // ... until the flood limit (4 attempts per window here) answers RESOURCE_EXHAUSTED.
  grpc::Status limited = Vote(flooder, review_, v1::HELPFUL_VOTE_VALUE_RETRACTED);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(limited.error_message().find("retry after"), std::string::npos);
}

TEST_F(HelpfulTest, ListsPageByPageAndRefusesBadPages) {
  reviewdb::ReviewDb db(*pool_);
  std::vector<std::string> ids = {review_};
  for (int i = 0; i < 4; ++i)
    ids.push_back(reviewdb::testing::InsertReview(*pool_, {.asin = asin_}));
  // Ranked as the ranker would; the cache does not know the product, so Postgres serves.
  ASSERT_TRUE(db.ApplyVotes({}, ids, [](const reviewdb::RankedReview& r) {
                  return static_cast<double>(absl::ToUnixMicros(r.submitted_at));
                }).ok());
  v1::ListReviewsRequest req;
  req.set_asin(asin_);
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    v1::ListReviewsResponse resp;
    grpc::Status s = List(req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& r : resp.reviews()) seen.push_back(r.review_id());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen.size(), ids.size());

  v1::ListReviewsResponse resp;
  v1::ListReviewsRequest bad;
  bad.set_asin(asin_);
  bad.set_page_size(10000);
  grpc::Status s = List(bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "page_size: must be 0..100 (0: 50), got 10000");
  bad.set_page_size(0);
  bad.set_page_token("Zm9yZ2VkLmN1cnNvcg");
  s = List(bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("page_token: ", 0), 0u) << s.error_message();

  // A removed review leaves the list (I6): a page answered from memory is reloaded within
  // --list-cache-ms (1 s by default).
  v1::ListReviewsRequest all;
  all.set_asin(asin_);
  all.set_order(v1::REVIEW_ORDER_NEWEST);
  ASSERT_TRUE(List(all, &resp).ok());
  EXPECT_EQ(resp.reviews_size(), 5);
  reviewdb::testing::SetStatus(*pool_, ids[1], ReviewStatus::kRemoved);
  const absl::Time removed_at = absl::Now();
  EXPECT_TRUE(testing::WaitUntil([&] {
    resp.Clear();
    return List(all, &resp).ok() && resp.reviews_size() == 4;
  }));
  EXPECT_LT(absl::Now() - removed_at, absl::Milliseconds(1500));
  for (const auto& r : resp.reviews()) EXPECT_NE(r.review_id(), ids[1]);

  // The same page over REST (through the raw method, as bytes like any gRPC client's) ...
  const http::testing::HttpResponse rest = http::testing::HttpCall(
      app_->http_port(),
      {.method = "GET",
       .target = absl::StrCat("/v1/products/", asin_, "/reviews?order=REVIEW_ORDER_NEWEST"),
       .headers = {{"authorization", Bearer("reader")}}});
  EXPECT_EQ(rest.status, 200) << rest.body;
  for (const auto& r : resp.reviews()) EXPECT_NE(rest.body.find(r.review_id()), std::string::npos);
  EXPECT_EQ(rest.body.find(ids[1]), std::string::npos);
  // ... and bytes that are not a ListReviewsRequest are INVALID_ARGUMENT, not a crash.
  grpc::GenericStub generic(grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->port()),
                                                grpc::InsecureChannelCredentials()));
  grpc::ClientContext raw_ctx;
  raw_ctx.AddMetadata("authorization", Bearer("reader"));
  raw_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const std::string garbage = "\xff\xff\xff";
  grpc::Slice garbage_slice(garbage);
  grpc::ByteBuffer raw_request(&garbage_slice, 1);
  grpc::ByteBuffer raw_response;
  std::promise<grpc::Status> raw_done;
  generic.UnaryCall(&raw_ctx, "/candor.review.v1.ReviewService/ListReviews", grpc::StubOptions(),
                    &raw_request, &raw_response,
                    [&](grpc::Status st) { raw_done.set_value(std::move(st)); });
  const grpc::Status raw_status = raw_done.get_future().get();
  EXPECT_EQ(raw_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(raw_status.error_message(), "request: not a ListReviewsRequest");

  // How the pages were answered is on /metrics: the repeated calls above were hits.
  const http::testing::HttpResponse metrics =
      http::testing::HttpCall(app_->admin_port(), {.method = "GET", .target = "/metrics"});
  ASSERT_EQ(metrics.status, 200);
  for (const char* series :
       {"candor_gateway_list_pages_total{result=\"hit\"}",
        "candor_gateway_list_pages_total{result=\"load\"}", "candor_gateway_list_pages_cached"}) {
    const size_t at = metrics.body.find(std::string("\n") + series + " ");
    ASSERT_NE(at, std::string::npos) << series << " in\n" << metrics.body;
    const size_t end = metrics.body.find('\n', at + 1);
    const std::string line = metrics.body.substr(at + 1, end - at - 1);
    EXPECT_GT(std::stod(line.substr(line.rfind(' ') + 1)), 0) << line;
  }
}

}  // namespace
}  // namespace candor::gateway
