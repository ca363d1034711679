// candor-drive: drives real review traffic through the gateway's gRPC API and reports what came
// back (outcomes, expectations, latency, throughput), then how long the read side took to catch
// up. See README.md.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>

#include "libs/core/flags.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "libs/review/validation.h"
#include "tools/candor-drive/client.h"
#include "tools/candor-drive/driver.h"
#include "tools/candor-drive/freshness.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/pg_ledger.h"
#include "tools/candor-drive/report.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {
namespace {

constexpr int kBadUsage = 2;
constexpr char kReaderUser[] = "candor-drive";

struct Settings {
  // Source
  int64_t limit = 0;
  std::string user_prefix;
  int64_t products = 200;
  int64_t users = 2000;
  int64_t count = 2000;
  double retry_ratio = 0.03;
  int64_t seed = 0;
  // Load
  double rate = 500;
  int64_t concurrency = 64;
  std::string gateway = "127.0.0.1:50051";
  int64_t deadline_ms = 2000;
  // Checks and output
  std::string pg_dsn;
  int64_t fresh_timeout_s = 60;
  int64_t show = 3;
  std::string json_path;
  bool probe = false;
  bool progress = true;
};

int Usage(const std::string& message) {
  std::cerr << "candor-drive: " << message << "\n(see --help)\n";
  return kBadUsage;
}

// Products whose aggregates this run may have changed: those of answered, well-formed requests.
std::vector<std::string> TouchedProducts(const Plan& plan, const std::vector<Outcome>& outcomes) {
  std::set<std::string> asins;
  for (size_t n = 0; n < plan.size(); ++n) {
    const std::string& asin = plan.at(n).review.asin;
    if (outcomes[n].answered && review::IsValidAsin(asin)) asins.insert(asin);
  }
  return {asins.begin(), asins.end()};
}

std::vector<std::string> AcceptedIds(const std::vector<Outcome>& outcomes) {
  std::set<std::string> ids;
  for (const Outcome& o : outcomes) {
    if (o.answered && o.code == absl::StatusCode::kOk && !o.review_id.empty()) {
      ids.insert(o.review_id);
    }
  }
  return {ids.begin(), ids.end()};
}

int Run(int argc, char** argv) {
  Settings s;
  core::Flags flags(
      "candor-drive [REVIEWS_FILE]",
      "Drives review submissions through Candor's gRPC API and reports outcomes, latency,\n"
      "throughput and (with --pg-dsn) how soon the aggregates caught up.\n"
      "REVIEWS_FILE: Amazon JSON lines (gzip or plain); without it, generated traffic.\n"
      "The signing secret for the per-user tokens comes from $CANDOR_JWT_SECRET.\n"
      "Exit: 0 all good, 1 a check failed or the run was interrupted, 2 bad usage.");
  flags.AddInt("limit", "", &s.limit, "file: read at most N reviews (0 = all)", 0, 1'000'000'000);
  flags.AddString("user-prefix", "", &s.user_prefix,
                  "file: prepended to every reviewerID (fresh identities for a replay)");
  flags.AddInt("products", "", &s.products, "generator: catalogue size", kHeavyUserRequests,
               999'999);
  flags.AddInt("users", "", &s.users, "generator: ordinary shoppers", 1, 10'000'000);
  flags.AddInt("count", "", &s.count, "generator: submissions in all", 1, 10'000'000);
  flags.AddDouble("retry-ratio", "", &s.retry_ratio,
                  "generator: share of submissions that are client retries", 0, 0.4);
  flags.AddInt("seed", "", &s.seed, "generator: random seed (0 = pick one, printed)", 0, INT64_MAX);
  flags.AddDouble("rate", "", &s.rate, "submissions per second, open loop (0 = closed loop)", 0,
                  1'000'000);
  flags.AddInt("concurrency", "", &s.concurrency,
               "calls in flight at most (closed loop: kept at this)", 1, 100'000);
  flags.AddString("gateway", "CANDOR_GATEWAY_ADDR", &s.gateway, "review-gateway address");
  flags.AddInt("deadline-ms", "", &s.deadline_ms, "deadline of each call", 1, 600'000);
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &s.pg_dsn,
                  "Postgres DSN; enables the freshness check (empty = skip it)");
  flags.AddInt("fresh-timeout-s", "", &s.fresh_timeout_s,
               "how long the freshness check waits for the read side", 0, 3600);
  flags.AddInt("show", "", &s.show, "summaries of the N most-reviewed products to print", 0, 100);
  flags.AddString("json", "", &s.json_path, "also write the figures as JSON to this path");
  flags.AddBool("probe", "", &s.probe,
                "one GetProductSummary call; exit 0 if a server answered anything");
  flags.AddBool("progress", "", &s.progress, "a status line on stderr every second");
  if (int code = core::ParseOrExit(flags, argc, argv); code >= 0) return code;
  if (flags.positional().size() > 1) return Usage("at most one REVIEWS_FILE");

  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  const char* secret_env = std::getenv("CANDOR_JWT_SECRET");
  const std::string secret = secret_env != nullptr ? secret_env : "";
  std::shared_ptr<grpc::Channel> channel = MakeChannel(s.gateway);
  std::unique_ptr<ReviewStub> stub = review::v1::ReviewService::NewStub(channel);
  const absl::Duration deadline = absl::Milliseconds(s.deadline_ms);

  if (s.probe) {
    TokenBook reader(secret, absl::Minutes(5));
    if (!secret.empty()) reader.Add(kReaderUser);
    std::string detail;
    bool answered =
        Probe(*stub, secret.empty() ? "" : reader.BearerFor(kReaderUser), deadline, &detail);
    std::cerr << "candor-drive: " << s.gateway << (answered ? " answered " : " did not answer: ")
              << detail << "\n";
    return answered ? 0 : 1;
  }
  if (secret.empty()) {
    return Usage(
        "CANDOR_JWT_SECRET is not set (the gateway's token secret; tokens are minted "
        "per user)");
  }

  // The traffic.
  absl::StatusOr<Plan> plan;
  if (!flags.positional().empty()) {
    ReadStats stats;
    plan = ReadReviewsFile(flags.positional()[0], s.limit, s.user_prefix, &stats);
  } else {
    GeneratorOptions g;
    g.count = s.count;
    g.products = s.products;
    g.users = s.users;
    g.retry_ratio = s.retry_ratio;
    g.seed = s.seed != 0 ? static_cast<uint64_t>(s.seed)
                         : std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
    g.seed &= static_cast<uint64_t>(INT64_MAX);  // printable and reusable as --seed
    if (g.seed == 0) g.seed = 1;
    plan = Generate(g);
  }
  if (!plan.ok()) return Usage(std::string(plan.status().message()));

  TokenBook tokens(secret, absl::Hours(24));
  for (const PlannedRequest& p : plan->primaries) tokens.Add(p.review.user);
  for (const PlannedRequest& p : plan->follow_ups) tokens.Add(p.review.user);
  tokens.Add(kReaderUser);

  std::cerr << "candor-drive: " << plan->size() << " submissions from " << plan->source << " to "
            << s.gateway << " (" << tokens.size() - 1 << " users)\n";

  DriverOptions d;
  d.rate = s.rate;
  d.concurrency = s.concurrency;
  d.deadline = deadline;
  d.progress = s.progress;
  DriveResult result = Drive(*stub, *plan, tokens, d);

  RunReport report;
  report.target = s.gateway;
  report.source = plan->source;
  report.planned = static_cast<int64_t>(plan->size());
  report.counts = Tally(result.outcomes);
  report.expectations = CheckExpectations(*plan, result.outcomes);
  report.latency = LatencySummary::From(result.latency_us);
  report.duration_s = result.duration_s;
  report.target_rate = s.rate;
  report.concurrency = s.concurrency;
  report.interrupted = result.interrupted;

  const std::vector<std::string> products = TouchedProducts(*plan, result.outcomes);
  const std::string& reader_bearer = tokens.BearerFor(kReaderUser);
  auto fetch = [&](const std::vector<std::string>& asins) {
    return FetchSummaries(*stub, reader_bearer, asins, 32, deadline);
  };

  if (s.pg_dsn.empty()) {
    report.freshness.message = "no --pg-dsn / CANDOR_PG_DSN";
  } else if (result.interrupted) {
    report.freshness.message = "the run was interrupted";
  } else {
    std::cerr << "candor-drive: waiting up to " << s.fresh_timeout_s
              << " s for the read side to catch up\n";
    absl::StatusOr<std::unique_ptr<PgLedger>> ledger = PgLedger::Connect(s.pg_dsn);
    if (!ledger.ok()) {
      report.freshness.state = FreshnessReport::State::kError;
      report.freshness.message =
          std::string("cannot connect to Postgres: ") + std::string(ledger.status().message());
    } else {
      FreshnessOptions f;
      f.timeout = absl::Seconds(s.fresh_timeout_s);
      report.freshness =
          WaitForFreshness(**ledger, fetch, AcceptedIds(result.outcomes), products,
                           result.any_ok ? result.last_ok : std::chrono::steady_clock::now(), f,
                           [] { return core::ShutdownRequested(); });
    }
  }

  if (s.show > 0 && !products.empty() && !core::ShutdownRequested()) {
    std::vector<ProductView> views;
    for (const SummaryAnswer& a : fetch(products)) {
      if (a.code == absl::StatusCode::kOk) views.push_back(a.view);
    }
    std::sort(views.begin(), views.end(), [](const ProductView& a, const ProductView& b) {
      return a.review_count != b.review_count ? a.review_count > b.review_count : a.asin < b.asin;
    });
    if (views.size() > static_cast<size_t>(s.show)) views.resize(static_cast<size_t>(s.show));
    report.top_products = std::move(views);
  }

  std::cout << RenderText(report) << std::flush;
  if (!s.json_path.empty()) {
    std::ofstream out(s.json_path);
    out << ToJson(report).dump(2) << "\n";
    if (!out) {
      std::cerr << "candor-drive: cannot write " << s.json_path << "\n";
      return 1;
    }
  }
  return ExitCode(report);
}

}  // namespace
}  // namespace candor::drive

int main(int argc, char** argv) { return candor::drive::Run(argc, argv); }
