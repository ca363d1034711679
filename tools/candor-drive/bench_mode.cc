// candor-drive bench: the benchmarks' load (open or closed loop, a weighted operation mix,
// latency histograms per operation, freshness probes). See README.md.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <ratio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/core/flags.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "tools/candor-drive/feed.h"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/modes.h"
#include "tools/candor-drive/operation.h"
#include "tools/candor-drive/prober.h"
#include "tools/candor-drive/runner.h"
#include "tools/candor-drive/schedule.h"

namespace candor::drive {
namespace {

constexpr int64_t kNoopPool = 4096;

// A flag's count of seconds (of milliseconds with std::milli) as the runner's Nanos.
template <typename Period = std::ratio<1>>
Nanos ToNanos(double count) {
  return std::chrono::duration_cast<Nanos>(std::chrono::duration<double, Period>(count));
}

struct Settings : CommonSettings {
  Settings() {
    rate = 1000;
    concurrency = 0;  // 64 closed, 1000 open
    deadline_ms = 5000;
  }
  std::string mix = "submit=100";
  int64_t channels = 4;
  double duration_s = 0;
  int64_t count = 0;
  double warmup_s = 2;
  double late_ms = 1;
  // Traffic
  bool include_refusals = false;
  double farm_ratio = 0;
  int64_t farm_products = 5;
  int64_t prefill = 0;
  // Freshness
  double probes = -1;
  double poll_ms = 5;
  double probe_timeout_s = 10;
  double wait_s = 10;
  // reco-api
  std::string reco_target = "127.0.0.1:50062";
  int64_t reco_count = 10;
  std::string reco_user_prefix;
  int64_t reco_users = 1000;
};

}  // namespace

int RunBench(int argc, char** argv) {
  Settings s;
  core::Flags flags(
      "candor-drive bench [REVIEWS_FILE]",
      "Drives a weighted mix of gRPC calls at Candor's review-gateway, as an open loop at --rate\n"
      "(latency counted from each call's due time, so a server that falls behind cannot hide\n"
      "it: coordinated omission is visible as 'late' calls) or a closed loop at the maximum\n"
      "(--rate 0 --concurrency N). Reports per operation: calls/s, p50/p90/p99/p99.9/max, answers\n"
      "by gRPC code; and how long an accepted review takes to be readable (freshness probes).\n"
      "Operations (--mix): submit (SubmitReview), summary (GetProductSummary), list\n"
      "(ListReviews: a product's first page), search (SearchReviews: words in a product's\n"
      "reviews; the gateway needs index-writer's index), noop (BenchService/Noop: the gateway\n"
      "must run with --bench-noop). vote is sent by the replay's --votes only. To reco-api\n"
      "(--reco-target): recommend (Recommend: a shopper's own list, their own token; with\n"
      "REVIEWS_FILE the file's authors, else synthetic shoppers) and similar (SimilarItems of\n"
      "a product drawn as for summary).\n"
      "REVIEWS_FILE: replay Amazon JSON lines (gzip or plain); without it, generated traffic\n"
      "(the replay's generator). Tokens are minted with $CANDOR_JWT_SECRET (required).\n"
      "Exit: 0 the run completed, 1 interrupted or no server answered, 2 bad usage.");
  AddCommonFlags(flags, Mode::kBench, s);
  flags.AddString("mix", "", &s.mix,
                  "operations and weights, e.g. submit=70,summary=30,noop=0 (a bare name = 1)");
  flags.AddInt("channels", "", &s.channels, "gRPC channels (TCP connections), used in turn", 1,
               256);
  flags.AddDouble("duration-s", "", &s.duration_s,
                  "measured seconds after the warm-up (0 with --count 0: 10 s)", 0, 86'400);
  flags.AddInt("count", "", &s.count,
               "measured calls after the warm-up (0 = bounded by --duration-s); with both, "
               "whichever comes first",
               0, 1'000'000'000);
  flags.AddDouble("warmup-s", "", &s.warmup_s,
                  "seconds of load at the start left out of every figure", 0, 3600);
  flags.AddDouble("late-ms", "", &s.late_ms,
                  "open loop: a call sent more than this after its due time is late", 0, 60'000);
  flags.AddBool("include-refusals", "", &s.include_refusals,
                "keep the generator's deliberate invalid / duplicate / over-limit requests "
                "(and a file's invalid rows); default: only requests the gateway should accept");
  flags.AddDouble("farm-ratio", "", &s.farm_ratio,
                  "share of submissions from a review farm: fresh accounts posting varied copies "
                  "of one 5-star text about a few target products",
                  0, 1);
  flags.AddInt("farm-products", "", &s.farm_products, "the farm's target products", 1, 1000);
  flags.AddInt("prefill", "", &s.prefill,
               "submissions generated before the run starts (0 = enough for the run: open loop "
               "exactly, closed loop assuming 6,000 submits/s)",
               0, 10'000'000);
  flags.AddDouble("freshness-probes", "", &s.probes,
                  "freshness probes per second during the measured part (-1 = 1 when the mix "
                  "submits, else 0; 0 = none)",
                  -1, 100);
  flags.AddDouble("freshness-poll-ms", "", &s.poll_ms, "how often a probe polls GetProductSummary",
                  1, 1000);
  flags.AddDouble("freshness-timeout-s", "", &s.probe_timeout_s,
                  "a probe not readable this long after its OK is a failure", 0.1, 600);
  flags.AddDouble("wait-s", "", &s.wait_s,
                  "wait this long for the gateway (and reco-api) to answer before starting", 0,
                  600);
  flags.AddString("reco-target", "CANDOR_RECO_ADDR", &s.reco_target,
                  "reco-api address (gRPC), for recommend and similar");
  flags.AddInt("reco-count", "", &s.reco_count, "items a recommend or similar call asks for", 1,
               100);
  flags.AddString("reco-user-prefix", "", &s.reco_user_prefix,
                  "recommend with REVIEWS_FILE: prepended to each reviewerID; empty: the users "
                  "as a replay of the file imported them, with their histories");
  flags.AddInt("reco-users", "", &s.reco_users,
               "recommend without REVIEWS_FILE: synthetic shoppers asking (new to reco-api: cold "
               "start)",
               1, 10'000'000);
  if (int code = core::ParseOrExit(flags, argc, argv); code >= 0) return code;
  if (flags.positional().size() > 1) return Usage("at most one REVIEWS_FILE");

  absl::StatusOr<Mix> mix = ParseMix(s.mix);
  if (!mix.ok()) return Usage(std::string(mix.status().message()));
  if (absl::Status served = CheckServed(*mix); !served.ok()) {
    return Usage(std::string(served.message()));
  }
  if (mix->Weight(Op::kVote) > 0) {
    // A vote needs a stored review to vote on, which the bench's traffic sources do not know.
    return Usage(
        "operation 'vote' is sent by the replay's --votes (a file's real votes on its stored "
        "reviews), not in bench mixes");
  }
  const std::string secret = JwtSecret();
  if (secret.empty()) return Usage("CANDOR_JWT_SECRET is not set (the gateway's token secret)");

  const uint64_t seed = PickSeed(s.seed);
  const bool open_loop = s.rate > 0;
  const int64_t concurrency = s.concurrency > 0 ? s.concurrency : open_loop ? 1000 : 64;
  if (s.duration_s == 0 && s.count == 0) s.duration_s = 10;
  RunShape shape;
  shape.rate = s.rate;
  shape.warmup = ToNanos(s.warmup_s);
  shape.duration = ToNanos(s.duration_s);
  shape.count = s.count;
  const double submit_share = mix->Share(Op::kSubmit);
  const double probes_per_s = s.probes >= 0 ? s.probes : (submit_share > 0 ? 1 : 0);
  // Submits and imports both take their reviews from the feed.
  const double feed_share = submit_share + mix->Share(Op::kImport);

  // Traffic.
  FeedOptions f;
  f.reviews_file = flags.positional().empty() ? "" : flags.positional()[0];
  f.file_limit = s.limit;
  f.user_prefix = s.user_prefix;
  if (!f.reviews_file.empty() && f.user_prefix.empty()) {
    f.user_prefix = absl::StrCat("lg", absl::Hex(seed % 0xFFFFFF, absl::kZeroPad6), "-");
  }
  f.products = s.products;
  f.seed = seed;
  f.include_refusals = s.include_refusals;
  f.farm_ratio = s.farm_ratio;
  f.farm_products = s.farm_products;
  f.jwt_secret = secret;
  f.reco_shoppers = mix->Weight(Op::kRecommend) > 0;
  f.reco_user_prefix = s.reco_user_prefix;
  f.reco_users = s.reco_users;
  absl::StatusOr<std::unique_ptr<SubmitFeed>> feed = SubmitFeed::Create(f);
  if (!feed.ok()) return Usage(std::string(feed.status().message()));

  int64_t prefill = s.prefill;
  if (prefill == 0 && feed_share > 0) {
    const double calls = open_loop     ? static_cast<double>(ScheduledCalls(shape))
                         : s.count > 0 ? static_cast<double>(s.count) + 6000.0 * s.warmup_s
                                       : 6000.0 * (s.warmup_s + s.duration_s);
    prefill = std::min<int64_t>(static_cast<int64_t>(calls * feed_share * 1.05) + 1000, 3'000'000);
  }
  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  std::vector<Request> noop_pool;
  const absl::Time gen_start = absl::Now();
  if (mix->Weight(Op::kNoop) > 0) noop_pool = (*feed)->Take(kNoopPool);
  if (prefill > 0) {
    std::cerr << "candor-drive: generating " << prefill << " submissions before the run\n";
    (*feed)->Prefill(prefill);
  }
  if (feed_share > 0) (*feed)->StartRefill(std::max<int64_t>(prefill / 4, 20'000));
  std::cerr << "candor-drive: traffic ready in " << absl::FormatDuration(absl::Now() - gen_start)
            << " (seed " << seed << ")\n";

  const bool to_reco = mix->Uses(Server::kRecoApi);
  std::vector<Connection> connections =
      Connect(s.gateway, static_cast<int>(s.channels), to_reco ? s.reco_target : "");
  const Operations ops = ServedOperations();
  const std::string reader = "candor-drive-reader";
  const std::string reader_bearer = MintBearer(reader, secret, absl::Hours(24));
  std::string detail;
  if (absl::Status ready = Preflight(ops, connections[0], *mix, reader_bearer, reader,
                                     absl::Seconds(s.wait_s), absl::Seconds(1),
                                     /*check_tokens=*/true, &detail);
      !ready.ok()) {
    std::cerr << "candor-drive: " << ready.message() << "\n";
    return 1;
  }

  std::unique_ptr<FreshnessProber> prober;
  if (probes_per_s > 0) {
    ProbeOptions p;
    p.per_second = probes_per_s;
    p.poll = ToNanos<std::milli>(s.poll_ms);
    p.timeout = ToNanos(s.probe_timeout_s);
    p.deadline = absl::Milliseconds(s.deadline_ms);
    p.seed = seed;
    p.user_prefix = s.user_prefix;
    p.jwt_secret = secret;
    prober = std::make_unique<FreshnessProber>(connections[0], ops, p);
  }

  RunResult result;
  RunInfo& info = result.info;
  info = NewRunInfo(Mode::kBench, s, *mix, concurrency, s.channels, (*feed)->source());
  info.warmup_s = s.warmup_s;
  info.duration_s = s.duration_s;
  info.count = s.count;
  info.farm_ratio = s.farm_ratio;
  info.seed = seed;
  if (to_reco) info.reco_target = s.reco_target;

  std::cerr << "candor-drive: "
            << (open_loop ? absl::StrCat("open loop at ", s.rate, "/s")
                          : absl::StrCat("closed loop, ", concurrency, " in flight"))
            << ", mix " << mix->ToString() << ", " << s.warmup_s << " s warm-up + "
            << (s.duration_s > 0 ? absl::StrCat(s.duration_s, " s") : "")
            << (s.duration_s > 0 && s.count > 0 ? " or " : "")
            << (s.count > 0 ? absl::StrCat(s.count, " calls") : "") << " against " << s.gateway
            << (to_reco ? absl::StrCat(" and reco-api ", s.reco_target) : "") << "\n";

  MixWorkload workload(*mix, seed, **feed, noop_pool, reader_bearer,
                       MintBearer(kImporterSubject, secret, absl::Hours(24), "service"),
                       static_cast<int32_t>(s.reco_count));
  RunTargets targets;
  targets.connections = &connections;
  targets.operations = &ops;
  targets.workload = &workload;
  targets.prober = prober.get();
  RunnerOptions o;
  o.shape = shape;
  o.concurrency = concurrency;
  o.deadline = absl::Milliseconds(s.deadline_ms);
  o.late_after = ToNanos<std::milli>(s.late_ms);
  o.mix = *mix;
  o.progress = s.progress;
  RunAndRecord(targets, o, result);
  if (prober != nullptr) {
    std::cerr << "candor-drive: waiting for the freshness probes under way\n";
    result.freshness = prober->Finish();
  } else {
    result.freshness.enabled = false;
  }
  result.feed_generated = (*feed)->generated();
  result.feed_stalls = (*feed)->stalls();

  result.client_process_cpu_s = ProcessCpuSeconds();
  const int code = Emit(result, s.json_path);
  if (result.client_calls > 0 && result.unreachable == result.client_calls) {
    std::cerr << "candor-drive: every call was UNAVAILABLE or DEADLINE_EXCEEDED\n";
  }
  return code;
}

}  // namespace candor::drive
