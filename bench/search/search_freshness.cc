// candor-search-freshness: how soon a new review is searchable (design.md 7: "new review
// searchable p99 <= 1 s at 2,000 submissions/s"), beside how soon it counts in its product's
// summary, on the same reviews in the same run.
//
// Each probe submits a review (4 stars, plain text no fraud rule flags, an aged account of its
// own, from an address of its own in the IPv6 documentation range sent as x-forwarded-for, which
// the gateway believes from loopback under bench/run_search.sh; so no shared-address or
// new-account rule holds it) about a product of its own that no other traffic touches ("Z" + 9
// characters), then polls, every
// --poll-ms, SearchReviews for the probe's own word on that product and GetProductSummary,
// until each shows the review: the time from the submit's OK to each first showing is recorded.
// The searchable time is fraud-scorer + index-writer (Postgres row, review-events, the index's
// commit, the gateway's reader reopening); the summary time is fraud-scorer + rating-aggregator,
// the reference the write path's own freshness target is measured by. The load (2,000
// submissions/s) comes from `candor-drive bench` running beside it (bench/run_search.sh).

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "libs/auth/jwt.h"
#include "libs/core/flags.h"

namespace {

namespace v1 = candor::review::v1;
using Clock = std::chrono::steady_clock;

struct Settings {
  std::string gateway = "127.0.0.1:50051";
  double per_second = 4;
  double duration_s = 30;
  int64_t poll_ms = 5;
  double timeout_s = 10;
  int64_t seed = 0;
};

// A shopper's token; `aged`: an account two years old (the `acct_created` claim), as a genuine
// reviewer's is, so fraud scoring does not hold the probe for a new account.
std::string Bearer(const std::string& user, const std::string& secret, bool aged) {
  const absl::Time now = absl::Now();
  candor::auth::Claims claims(user, "customer", now + absl::Hours(1));
  if (aged) claims.account_created = now - absl::Hours(24 * 730);
  return "Bearer " + candor::auth::MintHs256(claims, secret, now);
}

struct ProbeResult {
  bool submitted = false;
  double searchable_ms = -1;  // -1: not within the timeout
  double summary_ms = -1;
};

ProbeResult RunProbe(v1::ReviewService::Stub& stub, const Settings& s, const std::string& secret,
                     const std::string& run, int64_t k) {
  ProbeResult out;
  std::mt19937_64 rng(std::hash<std::string>{}(absl::StrCat(run, k)));
  constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string asin = "Z";
  for (int i = 0; i < 9; ++i) asin += kAlphabet[rng() % 36];
  // A word no other review holds: the probe's own, so a search finds exactly this review.
  const std::string word = absl::StrFormat("probe%s%d", run, k);
  const std::string user = absl::StrCat("search-probe-", run, "-", k);
  v1::SubmitReviewRequest req;
  req.set_asin(asin);
  req.set_rating(4);
  req.set_title("Freshness probe");
  req.set_body(absl::StrCat("Search freshness ", word,
                            ": a plain four star review that no fraud rule flags."));
  req.set_verified_purchase(true);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer(user, secret, /*aged=*/true));
    ctx.AddMetadata("x-forwarded-for",
                    absl::StrFormat("2001:db8:5e:%x::%x", k / 65536 + 1, k % 65536 + 1));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::SubmitReviewResponse resp;
    if (!stub.SubmitReview(&ctx, req, &resp).ok()) return out;
  }
  out.submitted = true;
  const Clock::time_point ok_at = Clock::now();
  const std::string reader = Bearer(absl::StrCat(user, "-reader"), secret, /*aged=*/false);
  const auto timeout = std::chrono::duration<double>(s.timeout_s);
  // Until `*ms` is set: one call of `sees` as the reader; when it sees the review, `*ms` becomes
  // the milliseconds since the submit's OK.
  auto poll = [&](double* ms, const auto& sees) {
    if (*ms >= 0) return;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", reader);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (sees(ctx)) *ms = std::chrono::duration<double, std::milli>(Clock::now() - ok_at).count();
  };
  while (Clock::now() - ok_at < timeout && (out.searchable_ms < 0 || out.summary_ms < 0)) {
    const Clock::time_point sent = Clock::now();
    poll(&out.searchable_ms, [&](grpc::ClientContext& ctx) {
      v1::SearchReviewsRequest q;
      q.set_asin(asin);
      q.set_query(word);
      q.set_sort(v1::SEARCH_SORT_NEWEST);
      v1::SearchReviewsResponse r;
      return stub.SearchReviews(&ctx, q, &r).ok() && r.total() >= 1;
    });
    poll(&out.summary_ms, [&](grpc::ClientContext& ctx) {
      v1::GetProductSummaryRequest q;
      q.set_asin(asin);
      v1::ProductSummary r;
      return stub.GetProductSummary(&ctx, q, &r).ok() && r.review_count() >= 1;
    });
    std::this_thread::sleep_until(sent + std::chrono::milliseconds(s.poll_ms));
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void Report(const std::string& name, const std::vector<double>& ms, int64_t missed) {
  std::cout << absl::StrFormat(
      "%-12s %4zu probes  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  not within the "
      "timeout: %d\n",
      name, ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99),
      Percentile(ms, 1.0), missed);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  candor::core::Flags flags(
      "candor-search-freshness",
      "Submit OK -> searchable (SearchReviews) beside submit OK -> counted (GetProductSummary),\n"
      "on the same probe reviews; run it beside a load (bench/run_search.sh).\n"
      "The tokens are minted from $CANDOR_JWT_SECRET (the gateway's secret).");
  flags.AddString("gateway", "CANDOR_GATEWAY_ADDR", &s.gateway, "the gateway's host:port");
  flags.AddDouble("per-second", "", &s.per_second, "probes started per second", 0.1, 100);
  flags.AddDouble("duration-s", "", &s.duration_s, "how long probes are started", 1, 3600);
  flags.AddInt("poll-ms", "", &s.poll_ms, "pause between a probe's polls", 1, 1000);
  flags.AddDouble("timeout-s", "", &s.timeout_s, "a probe not shown this long after its OK misses",
                  0.1, 600);
  flags.AddInt("seed", "", &s.seed, "names the run's probes (0: from the clock)", 0, 1LL << 40);
  if (int code = candor::core::ParseOrExit(flags, argc, argv); code >= 0) return code;
  const char* secret = std::getenv("CANDOR_JWT_SECRET");
  if (secret == nullptr) {
    std::cerr << "candor-search-freshness: CANDOR_JWT_SECRET is not set\n";
    return 2;
  }
  const std::string run =
      absl::StrFormat("%x", s.seed != 0 ? s.seed : absl::ToUnixMicros(absl::Now()) & 0xFFFFFFF);
  auto stub = v1::ReviewService::NewStub(
      grpc::CreateChannel(s.gateway, grpc::InsecureChannelCredentials()));

  const auto total = static_cast<int64_t>(s.per_second * s.duration_s);
  std::vector<ProbeResult> results(static_cast<size_t>(total));
  std::vector<std::thread> probes;
  probes.reserve(results.size());
  const Clock::time_point start = Clock::now();
  for (int64_t k = 0; k < total; ++k) {
    std::this_thread::sleep_until(
        start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * k / s.per_second)));
    probes.emplace_back(
        [&, k] { results[static_cast<size_t>(k)] = RunProbe(*stub, s, secret, run, k); });
  }
  for (std::thread& t : probes) t.join();

  std::vector<double> searchable, summary;
  int64_t submitted = 0, search_missed = 0, summary_missed = 0;
  for (const ProbeResult& r : results) {
    if (!r.submitted) continue;
    ++submitted;
    if (r.searchable_ms >= 0)
      searchable.push_back(r.searchable_ms);
    else
      ++search_missed;
    if (r.summary_ms >= 0)
      summary.push_back(r.summary_ms);
    else
      ++summary_missed;
  }
  std::cout << absl::StrFormat("%d probes, %d submitted (run %s, poll every %d ms)\n", total,
                               submitted, run, s.poll_ms);
  Report("searchable", searchable, search_missed);
  Report("summary", summary, summary_missed);
  return submitted > 0 && search_missed == 0 ? 0 : 1;
}
