// candor-search: one SearchReviews call against the gateway, printed for people: how many
// reviews matched, the facet counts and the top hits with their highlighted passages. The main
// job's report (scripts/demo.sh) shows its searches with it.
//
// The token is minted in-process from $CANDOR_JWT_SECRET (role customer), as candor-drive does.

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "libs/auth/jwt.h"
#include "libs/core/flags.h"

namespace {

namespace v1 = candor::review::v1;

constexpr int kBadUsage = 2;
constexpr int kFailed = 1;

int Fail(int code, const std::string& message) {
  std::cerr << "candor-search: " << message << "\n";
  return code;
}

// The snippet as terminal text: the index's <b>match</b> as [match], its HTML escapes undone.
std::string Plain(const std::string& snippet) {
  return absl::StrReplaceAll(snippet, {{"<b>", "["},
                                       {"</b>", "]"},
                                       {"&lt;", "<"},
                                       {"&gt;", ">"},
                                       {"&quot;", "\""},
                                       {"&#39;", "'"},
                                       {"&amp;", "&"}});
}

std::string Stars(int n) { return std::string(static_cast<size_t>(n), '*'); }

void Print(const std::string& asin, const std::string& query, const v1::SearchReviewsResponse& r) {
  const v1::SearchFacets& f = r.facets();
  std::cout << absl::StrFormat("search \"%s\" in %s: %d reviews match\n", query, asin, r.total());
  std::cout << "  stars    ";
  for (int s = 0; s < f.stars_size(); ++s) std::cout << (s + 1) << ":" << f.stars(s) << "  ";
  std::cout << absl::StrFormat(
      "\n  verified %d, unverified %d | last 30 days %d, last year %d, older %d\n", f.verified(),
      f.unverified(), f.last_30_days(), f.last_year(), f.older());
  int rank = 0;
  for (const v1::SearchHit& h : r.hits()) {
    const v1::ListedReview& rv = h.review();
    const std::string votes =
        rv.total_votes() == 0
            ? ""
            : absl::StrFormat(", %d of %d found it helpful", rv.helpful_votes(), rv.total_votes());
    std::cout << absl::StrFormat(
        "  %d. %-5s %s%s (relevance %.2f%s, %s)\n", ++rank, Stars(rv.stars()),
        rv.title().empty() ? "(no title)" : absl::StrCat("\"", rv.title(), "\""),
        rv.verified_purchase() ? " [verified]" : "", h.relevance(), votes,
        absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(rv.submitted_at().seconds()),
                         absl::UTCTimeZone()));
    std::cout << "     " << Plain(h.snippet()) << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string gateway = "127.0.0.1:50051";
  std::string asin;
  std::string sort = "relevance";
  std::string stars;
  std::string verified;
  int64_t top = 3;
  int64_t deadline_ms = 5000;
  candor::core::Flags flags(
      "candor-search",
      "Runs one SearchReviews call and prints the matches, facet counts and top hits.\n"
      "Usage: candor-search --asin ASIN [flags] QUERY\n"
      "The token is minted from $CANDOR_JWT_SECRET (the gateway's secret), role customer.");
  flags.AddString("gateway", "CANDOR_GATEWAY_ADDR", &gateway, "the gateway's host:port");
  flags.AddString("asin", "", &asin, "the product whose reviews are searched (required)");
  flags.AddString("sort", "", &sort, "relevance, helpfulness or newest");
  flags.AddString("stars", "", &stars,
                  "only these ratings, comma-separated (e.g. 1,2); empty: all");
  flags.AddString("verified", "", &verified, "yes: verified purchases only, no: unverified only");
  flags.AddInt("top", "", &top, "hits shown (the page size)", 1, 100);
  flags.AddInt("deadline-ms", "", &deadline_ms, "the call's deadline", 100, 600000);
  if (int code = candor::core::ParseOrExit(flags, argc, argv); code >= 0) return code;
  if (flags.positional().size() != 1) return Fail(kBadUsage, "one QUERY expected (see --help)");
  if (asin.empty()) return Fail(kBadUsage, "--asin is required");
  const std::string& query = flags.positional()[0];

  v1::SearchReviewsRequest req;
  req.set_asin(asin);
  req.set_query(query);
  req.set_page_size(static_cast<int32_t>(top));
  if (sort == "relevance") {
    req.set_sort(v1::SEARCH_SORT_RELEVANCE);
  } else if (sort == "helpfulness") {
    req.set_sort(v1::SEARCH_SORT_HELPFULNESS);
  } else if (sort == "newest") {
    req.set_sort(v1::SEARCH_SORT_NEWEST);
  } else {
    return Fail(kBadUsage, "--sort must be relevance, helpfulness or newest, got '" + sort + "'");
  }
  for (absl::string_view s : absl::StrSplit(stars, ',', absl::SkipEmpty())) {
    int star = 0;
    if (!absl::SimpleAtoi(s, &star)) return Fail(kBadUsage, "--stars: not a number");
    req.add_stars(star);  // the gateway names a star outside 1..5
  }
  if (verified == "yes") {
    req.set_verified_purchase(true);
  } else if (verified == "no") {
    req.set_verified_purchase(false);
  } else if (!verified.empty()) {
    return Fail(kBadUsage, "--verified must be yes or no");
  }

  const char* secret = std::getenv("CANDOR_JWT_SECRET");
  if (secret == nullptr) return Fail(kBadUsage, "CANDOR_JWT_SECRET is not set");
  const absl::Time now = absl::Now();
  const std::string token = candor::auth::MintHs256(
      candor::auth::Claims("candor-search", "customer", now + absl::Minutes(5)), secret, now);

  auto stub =
      v1::ReviewService::NewStub(grpc::CreateChannel(gateway, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
  v1::SearchReviewsResponse resp;
  grpc::Status s = stub->SearchReviews(&ctx, req, &resp);
  if (!s.ok()) {
    return Fail(kFailed,
                absl::StrCat("SearchReviews: code ", s.error_code(), ": ", s.error_message()));
  }
  Print(asin, query, resp);
  return 0;
}
