// SearchReviews end to end in one process: the real App (on the stack's Redis and Postgres and an
// in-process Kafka mock cluster) serving a real Xapian index in a temporary directory, written
// here as index-writer would, through a real gRPC channel. Found words with facets, filters,
// sorts and pages; every bad input named; hostile syntax and raw invalid UTF-8 never INTERNAL; a
// missing index UNAVAILABLE, a corrupt one refused at start naming the rebuild command.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "absl/strings/str_cat.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/search/search_testing.h"
#include "libs/search/xapian_index.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/temp_dir.h"
#include "services/review-gateway/app.h"
#include "services/review-gateway/tests/app_testing.h"

namespace candor::gateway {
namespace {

namespace v1 = candor::review::v1;
constexpr char kSecret[] = "integration-test-secret-0123456789";

using search::testing::Id;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = search::XapianSearchIndex::Open(dir_, search::XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
    const absl::Time now = absl::Now();
    // Review n: helpfulness n, n helpful votes of n + 1.
    auto doc = [&](int n, int rating, bool verified, int days_ago, std::string title,
                   std::string body) {
      search::ReviewDocument d = search::testing::Doc(n, asin_, rating, verified, days_ago,
                                                      std::move(title), std::move(body), n, now);
      d.helpful_votes = n;
      d.total_votes = n + 1;
      return d;
    };
    ASSERT_TRUE(writer_
                    ->Upsert({
                        doc(1, 2, true, 3, "Strings buzz", "The strings buzz on the third fret."),
                        doc(2, 5, true, 100, "Great", "No string buzz at all after a setup."),
                        doc(3, 4, false, 500, "Tuner", "The tuner battery died in a week."),
                        doc(4, 1, false, 1, "Buzzing", "Buzzing everywhere & <b>high</b> action."),
                    })
                    .ok());
    ASSERT_TRUE(writer_->Commit().ok());
    cluster_ = std::make_unique<kafka::MockCluster>();
    cluster_->CreateTopic(events::kReviewSubmissionsTopic, 1);
    cluster_->CreateTopic(events::kHelpfulVotesTopic, 1);
    auto app = App::Create(ConfigFor(dir_));
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    stub_ = ReviewStub(app_->port());
  }
  void TearDown() override {
    app_.reset();
    writer_.reset();
  }

  Config ConfigFor(const std::string& dir) {
    Config c = IntegrationConfig(cluster_->bootstrap(), kSecret);
    c.search_index_dir = dir;
    return c;
  }

  static std::string Bearer(const std::string& role) { return BearerFor("someone", role, kSecret); }

  v1::SearchReviewsRequest Request(const std::string& query) const {
    v1::SearchReviewsRequest r;
    r.set_asin(asin_);
    r.set_query(query);
    r.set_sort(v1::SEARCH_SORT_RELEVANCE);
    return r;
  }

  grpc::Status Search(const v1::SearchReviewsRequest& req, v1::SearchReviewsResponse* resp,
                      const std::string& role = "customer",
                      v1::ReviewService::Stub* stub = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!role.empty()) ctx.AddMetadata("authorization", Bearer(role));
    return (stub != nullptr ? stub : stub_.get())->SearchReviews(&ctx, req, resp);
  }

  testing::TempDir root_{"candor-search-it"};  // declared first: removed after the App closed
  const std::string dir_ = root_.Path("index");
  std::string asin_ = testing::UniqueAsin();
  std::unique_ptr<search::XapianSearchIndex> writer_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<App> app_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
};

TEST_F(SearchTest, FindsWordsWithFacetsForEveryRole) {
  for (const char* role : {"customer", "moderator", "service"}) {
    v1::SearchReviewsResponse resp;
    grpc::Status s = Search(Request("buzz"), &resp, role);
    ASSERT_TRUE(s.ok()) << role << ": " << s.error_message();
    EXPECT_EQ(resp.total(), 3);
    ASSERT_EQ(resp.hits_size(), 3);
    ASSERT_EQ(resp.facets().stars_size(), 5);
    EXPECT_EQ(resp.facets().stars(0), 1);
    EXPECT_EQ(resp.facets().stars(1), 1);
    EXPECT_EQ(resp.facets().stars(4), 1);
    EXPECT_EQ(resp.facets().verified(), 2);
    EXPECT_EQ(resp.facets().unverified(), 1);
    EXPECT_EQ(resp.facets().last_30_days(), 2);
    EXPECT_EQ(resp.facets().last_year(), 1);
    EXPECT_EQ(resp.facets().older(), 0);
    EXPECT_TRUE(resp.next_cursor().empty());
  }
  v1::SearchReviewsResponse resp;
  ASSERT_TRUE(Search(Request("battery"), &resp).ok());
  ASSERT_EQ(resp.hits_size(), 1);
  const v1::SearchHit& hit = resp.hits(0);
  EXPECT_EQ(hit.review().review_id(), Id(3));
  EXPECT_EQ(hit.review().stars(), 4);
  EXPECT_EQ(hit.review().helpful_votes(), 3);
  EXPECT_EQ(hit.review().total_votes(), 4);
  EXPECT_GT(hit.relevance(), 0);
  EXPECT_NE(hit.snippet().find("<b>battery</b>"), std::string::npos) << hit.snippet();
  EXPECT_GT(hit.review().submitted_at().seconds(), 0);
  EXPECT_EQ(Search(Request("buzz"), &resp, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SearchTest, FiltersSortsAndPagesToTheEnd) {
  v1::SearchReviewsRequest req = Request("buzz");
  req.add_stars(1);
  req.add_stars(2);
  req.set_verified_purchase(true);
  v1::SearchReviewsResponse resp;
  ASSERT_TRUE(Search(req, &resp).ok());
  ASSERT_EQ(resp.hits_size(), 1);
  EXPECT_EQ(resp.hits(0).review().review_id(), Id(1));

  req = Request("buzz");
  req.mutable_submitted_from()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(48)));
  ASSERT_TRUE(Search(req, &resp).ok());
  ASSERT_EQ(resp.hits_size(), 1);
  EXPECT_EQ(resp.hits(0).review().review_id(), Id(4));

  req = Request("buzz");
  req.set_sort(v1::SEARCH_SORT_HELPFULNESS);
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 4; ++page) {
    v1::SearchReviewsResponse p;
    grpc::Status s = Search(req, &p);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& h : p.hits()) seen.push_back(h.review().review_id());
    if (p.next_cursor().empty()) break;
    req.set_cursor(p.next_cursor());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{Id(4), Id(2), Id(1)}));

  req = Request("buzz");
  req.set_sort(v1::SEARCH_SORT_NEWEST);
  ASSERT_TRUE(Search(req, &resp).ok());
  ASSERT_EQ(resp.hits_size(), 3);
  EXPECT_EQ(resp.hits(0).review().review_id(), Id(4));

  // A commit of the writer is seen by the next search; a removal too.
  const search::ReviewDocument fresh =
      search::testing::Doc(9, asin_, 3, false, 0, "", "Fret buzz again.", 0, absl::Now());
  ASSERT_TRUE(writer_->Upsert({fresh}).ok());
  ASSERT_TRUE(writer_->Remove({Id(1)}).ok());
  ASSERT_TRUE(writer_->Commit().ok());
  ASSERT_TRUE(Search(Request("buzz"), &resp).ok());
  EXPECT_EQ(resp.total(), 3);
  for (const auto& h : resp.hits()) EXPECT_NE(h.review().review_id(), Id(1));
}

TEST_F(SearchTest, BadInputsAreInvalidArgumentNamingTheField) {
  struct Case {
    v1::SearchReviewsRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  auto add = [&](const std::string& field, auto edit) {
    v1::SearchReviewsRequest r = Request("buzz");
    edit(r);
    cases.push_back({r, field});
  };
  add("asin", [](auto& r) { r.set_asin("b0"); });
  add("query", [](auto& r) { r.set_query(""); });
  add("query", [](auto& r) { r.set_query("   "); });
  add("query", [](auto& r) { r.set_query(std::string(10'000, 'x')); });
  add("query", [](auto& r) { r.set_query("buzz\x07"); });
  add("stars", [](auto& r) { r.add_stars(7); });
  add("sort", [](auto& r) { r.set_sort(v1::SEARCH_SORT_UNSPECIFIED); });
  add("sort", [](auto& r) { r.set_sort(static_cast<v1::SearchSort>(42)); });
  add("page_size", [](auto& r) { r.set_page_size(1000); });
  add("cursor", [](auto& r) { r.set_cursor("c1-10-0123456789abcdef"); });
  add("cursor", [](auto& r) { r.set_cursor("not a cursor"); });
  add("submitted_from", [](auto& r) {
    r.mutable_submitted_from()->set_seconds(2000);
    r.mutable_submitted_before()->set_seconds(1000);
  });
  add("submitted_before", [](auto& r) { r.mutable_submitted_before()->set_nanos(-1); });
  for (const Case& c : cases) {
    v1::SearchReviewsResponse resp;
    grpc::Status s = Search(c.request, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.field << ": " << s.error_code() << " " << s.error_message();
    EXPECT_EQ(s.error_message().rfind(c.field + ":", 0), 0u) << s.error_message();
  }
}

TEST_F(SearchTest, HostileQueriesAreNeverInternal) {
  for (const char* q : {"\"string buzz", "buzz AND", "-", "+", "((buzz", "buzz OR OR", "*", "NOT",
                        "\"\"\"", "tuner* batt*", "🎸", "title:buzz", "buzz -", "AND OR NOT"}) {
    v1::SearchReviewsResponse resp;
    grpc::Status s = Search(Request(q), &resp);
    EXPECT_TRUE(s.ok()) << q << ": " << s.error_code() << " " << s.error_message();
  }
  // Invalid UTF-8 sent as raw bytes (a client that is not ours): named, not INTERNAL.
  grpc::GenericStub stub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->port()),
                                             grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", Bearer("customer"));
  grpc::Slice slice(Request("buzz").SerializeAsString() + WireField(2, "buzz\xFF\xFE"));
  grpc::ByteBuffer req(&slice, 1);
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/candor.review.v1.ReviewService/SearchReviews", grpc::StubOptions(), &req,
                 &resp, [&done](grpc::Status st) { done.set_value(std::move(st)); });
  grpc::Status s = done.get_future().get();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("query:", 0), 0u) << s.error_message();
}

TEST_F(SearchTest, AMissingIndexIsUnavailableAndACorruptOneStopsTheStart) {
  auto waiting = App::Create(ConfigFor(root_.Path("not-yet")));
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  auto stub = ReviewStub((*waiting)->port());
  v1::SearchReviewsResponse resp;
  EXPECT_EQ(Search(Request("buzz"), &resp, "customer", stub.get()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  waiting->reset();

  const std::string corrupt = root_.Path("corrupt");
  {
    auto w = search::XapianSearchIndex::Open(corrupt, search::XapianSearchIndex::Mode::kWrite);
    ASSERT_TRUE(w.ok()) << w.status();
  }
  for (const auto& entry : std::filesystem::directory_iterator(corrupt)) {
    std::ofstream(entry.path(), std::ios::trunc) << "not a xapian table";
  }
  auto refused = App::Create(ConfigFor(corrupt));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss) << refused.status();
  EXPECT_NE(refused.status().message().find("candor-index-writer --rebuild"), std::string::npos)
      << refused.status();
}

}  // namespace
}  // namespace candor::gateway
