// candor-drive's checked replay: drives review submissions (a reviews file or generated traffic)
// through the gateway, judges every answer it can predict, and then waits until the read side
// has caught up. See README.md.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/flags.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "libs/review/validation.h"
#include "tools/candor-drive/freshness.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/modes.h"
#include "tools/candor-drive/operation.h"
#include "tools/candor-drive/pg_ledger.h"
#include "tools/candor-drive/scenario.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-drive/votes.h"

namespace candor::drive {
namespace {

constexpr char kReaderUser[] = "candor-drive";

struct Settings : CommonSettings {
  Settings() {
    rate = 500;
    concurrency = 64;
    deadline_ms = 2000;
  }
  // Generator
  int64_t users = 2000;
  int64_t count = 2000;
  double retry_ratio = 0.03;
  // Checks
  std::string pg_dsn;
  int64_t fresh_timeout_s = 60;
  int64_t show = 3;
  bool probe = false;
  // Scenario
  std::string scenario;
  int64_t attack = 0;
  int64_t spread_s = 0;
  int64_t background = ScenarioOptions{}.background;
  int64_t history = ScenarioOptions{}.history;
  std::string target;
  bool forwarded_for = true;
  double expect_caught = -1;  // percent; < 0 = no expectation
  // Real votes
  bool votes = false;
  double vote_rate = 2000;
  int64_t top_reviews = 5;
};

// Products whose aggregates this run may have changed: those of answered, well-formed requests.
std::vector<std::string> TouchedProducts(const Plan& plan, const std::vector<Outcome>& outcomes) {
  std::set<std::string> asins;
  for (size_t n = 0; n < plan.size(); ++n) {
    const std::string& asin = plan.at(n).review.asin;
    if (outcomes[n].answered && review::IsValidAsin(asin)) asins.insert(asin);
  }
  return {asins.begin(), asins.end()};
}

// The plan as a workload: request n sends plan.at(n), as a submit with its author's token, or as
// an import with the importer's (service) token; a primary's answer releases its follow-up
// (Plan::FollowUpNumber). Records every answer as an Outcome.
class PlanWorkload final : public Workload {
 public:
  // `importer_bearer` empty: submits; else imports sent with it.
  PlanWorkload(const Plan& plan, const TokenBook& tokens, std::string importer_bearer)
      : plan_(plan), tokens_(tokens), importer_bearer_(std::move(importer_bearer)) {
    outcomes_.resize(plan.size());
  }

  Op Make(uint64_t n, CallInput* input) override {
    input->review = plan_.at(n).review;
    if (!importer_bearer_.empty()) {
      input->bearer = importer_bearer_;
      return Op::kImport;
    }
    input->bearer = tokens_.BearerFor(input->review.user);
    input->forwarded_for = input->review.client_ip;
    return Op::kSubmit;
  }

  int64_t OnAnswer(uint64_t n, const Answer& a) override {
    std::lock_guard lock(mu_);
    Outcome& o = outcomes_[n];
    o.answered = true;
    o.code = a.code;
    o.review_id = a.review_id;
    o.message = a.message;
    switch (a.code) {
      case absl::StatusCode::kOk:
        ++ok_;
        any_ok_ = true;
        last_ok_ = std::chrono::steady_clock::now();
        break;
      case absl::StatusCode::kAlreadyExists:
        ++duplicate_;
        break;
      case absl::StatusCode::kResourceExhausted:
        ++limited_;
        break;
      case absl::StatusCode::kInvalidArgument:
        ++invalid_;
        break;
      default:
        ++failed_;
    }
    return n < plan_.primaries.size() ? plan_.FollowUpNumber(n) : -1;
  }

  std::string ProgressNote() override {
    std::lock_guard lock(mu_);
    return absl::StrFormat("ok %d  dup %d  limited %d  invalid %d  errors %d  of %d", ok_,
                           duplicate_, limited_, invalid_, failed_, plan_.size());
  }

  // After the run (no call in flight).
  const std::vector<Outcome>& outcomes() const { return outcomes_; }
  // When the last OK answer arrived, or now if none did.
  std::chrono::steady_clock::time_point last_ok() const {
    return any_ok_ ? last_ok_ : std::chrono::steady_clock::now();
  }

 private:
  const Plan& plan_;
  const TokenBook& tokens_;
  const std::string importer_bearer_;
  std::mutex mu_;
  std::vector<Outcome> outcomes_;
  int64_t ok_ = 0, duplicate_ = 0, limited_ = 0, invalid_ = 0, failed_ = 0;
  bool any_ok_ = false;
  std::chrono::steady_clock::time_point last_ok_;
};

// The vote replay's calls: vote n is votes[n], from its synthetic voter with the voter's token.
// Records every answer's code.
class VoteWorkload final : public Workload {
 public:
  VoteWorkload(const std::vector<PlannedVote>& votes, const TokenBook& voters)
      : votes_(votes), voters_(voters), codes_(votes.size()) {}

  Op Make(uint64_t n, CallInput* input) override {
    const PlannedVote& v = votes_[n];
    input->review_id = v.review_id;
    input->vote = v.helpful ? review::v1::HELPFUL_VOTE_VALUE_HELPFUL
                            : review::v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL;
    input->bearer = voters_.BearerFor(v.voter);
    return Op::kVote;
  }

  int64_t OnAnswer(uint64_t n, const Answer& a) override {
    std::lock_guard lock(mu_);
    codes_[n] = a.code;
    ++answered_;
    if (a.code == absl::StatusCode::kOk) {
      ++ok_;
      any_ok_ = true;
      last_ok_ = std::chrono::steady_clock::now();
    }
    return -1;
  }

  std::string ProgressNote() override {
    std::lock_guard lock(mu_);
    return absl::StrFormat("votes ok %d  answered %d  of %d", ok_, answered_, votes_.size());
  }

  // After the run (no call in flight).
  const std::vector<std::optional<absl::StatusCode>>& codes() const { return codes_; }
  std::chrono::steady_clock::time_point last_ok() const {
    return any_ok_ ? last_ok_ : std::chrono::steady_clock::now();
  }

 private:
  const std::vector<PlannedVote>& votes_;
  const TokenBook& voters_;
  std::mutex mu_;
  std::vector<std::optional<absl::StatusCode>> codes_;
  int64_t ok_ = 0, answered_ = 0;
  bool any_ok_ = false;
  std::chrono::steady_clock::time_point last_ok_;
};

// --votes: the file's real helpful votes as VoteHelpful calls on the stored reviews, then waits
// until the ranker has applied them (each review's counts equal its OK votes), checks I4 on the
// voted products, and reads the most-voted product's top reviews (ListReviews).
VoteReplayOutcome ReplayVotes(const Settings& s, const Plan& plan,
                              const std::vector<Outcome>& outcomes, const std::string& secret,
                              std::vector<Connection>& connections, const Operations& ops,
                              PgLedger& ledger, const std::string& reader_bearer) {
  VoteReplayOutcome v;
  std::vector<VotedReview> voted;
  std::set<std::string> ids;
  for (size_t n = 0; n < plan.size() && n < outcomes.size(); ++n) {
    const Review& row = plan.at(n).review;
    if (!row.votes || row.votes->total <= 0) continue;
    std::optional<std::string> id = StoredReviewId(row, outcomes[n]);
    if (!id) {
      ++v.reviews_no_id;
      continue;
    }
    if (ids.insert(*id).second) voted.push_back({*id, row.asin, *row.votes});
  }
  v.reviews = static_cast<int64_t>(voted.size());
  const std::vector<PlannedVote> votes = PlanRealVotes(voted, PickSeed(s.seed));
  v.planned = static_cast<int64_t>(votes.size());
  TokenBook voters(secret, absl::Hours(24));
  for (const PlannedVote& pv : votes) {
    voters.Add(pv.voter);
    if (pv.helpful) ++v.planned_helpful;
  }
  if (votes.empty()) {
    v.message = "no replayed review carries helpful votes";
    return v;
  }
  std::cerr << "candor-drive: replaying " << votes.size() << " helpful votes on " << voted.size()
            << " reviews from as many synthetic voters\n";

  VoteWorkload workload(votes, voters);
  RunnerOptions o;
  o.shape.rate = s.vote_rate;
  o.shape.count = static_cast<int64_t>(votes.size());
  o.concurrency = s.concurrency;
  o.deadline = absl::Milliseconds(s.deadline_ms);
  o.mix = *ParseMix("vote");
  o.progress = s.progress;
  RunTargets targets;
  targets.connections = &connections;
  targets.operations = &ops;
  targets.workload = &workload;
  const LoadResult load = RunLoad(targets, o);
  v.duration_s = load.active_s;
  for (const std::optional<absl::StatusCode>& code : workload.codes()) {
    if (code) {
      ++v.codes[*code];
    } else {
      ++v.not_sent;
    }
  }
  if (load.interrupted || core::ShutdownRequested()) {
    v.message = "the run was interrupted";
    return v;
  }

  // Wait for the ranker: every review's counts equal its OK votes.
  const auto expected = ExpectedCounts(votes, workload.codes());
  std::map<std::string, std::pair<int64_t, int64_t>> per_product;  // asin -> (OK votes, reviews)
  std::map<std::string, std::string> asin_of;
  for (const VotedReview& r : voted) asin_of[r.review_id] = r.asin;
  for (const auto& [id, counts] : expected) {
    auto& [n_votes, n_reviews] = per_product[asin_of[id]];
    n_votes += counts.second;
    if (counts.second > 0) ++n_reviews;
  }
  std::vector<std::string> asins;
  asins.reserve(per_product.size());
  for (const auto& [asin, ignored] : per_product) asins.push_back(asin);
  std::cerr << "candor-drive: waiting up to " << s.fresh_timeout_s
            << " s for helpfulness-ranker to apply the votes\n";
  const absl::Time give_up = absl::Now() + absl::Seconds(s.fresh_timeout_s);
  v.state = VoteReplayOutcome::State::kStale;
  while (true) {
    absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> checks = ledger.VoteCounts(asins);
    if (!checks.ok()) {
      v.state = VoteReplayOutcome::State::kError;
      v.message = std::string(checks.status().message());
    } else if (CompareVoteCounts(expected, *checks, v)) {
      v.state = VoteReplayOutcome::State::kApplied;
      v.message.clear();
      v.applied_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - workload.last_ok())
                         .count();
      break;
    } else {
      v.state = VoteReplayOutcome::State::kStale;
    }
    if (absl::Now() >= give_up || core::ShutdownRequested()) {
      if (v.message.empty()) {
        v.message =
            absl::StrCat("not within ", s.fresh_timeout_s, " s (is helpfulness-ranker running?)");
      }
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }

  // The most-voted product's page.
  for (const auto& [asin, counts] : per_product) {
    if (counts.first > v.top_asin_votes) {
      v.top_asin = asin;
      v.top_asin_votes = counts.first;
      v.top_asin_reviews = counts.second;
    }
  }
  if (!v.top_asin.empty() && s.top_reviews > 0) {
    absl::StatusOr<std::vector<TopReview>> top =
        FetchTopReviews(connections[0], reader_bearer, v.top_asin, static_cast<int>(s.top_reviews),
                        absl::Milliseconds(s.deadline_ms));
    if (top.ok()) {
      v.top = *std::move(top);
      ScoreTop(v.top, absl::Now(), helpfulness::ScoreParams{}, &v.top_in_score_order);
    } else {
      v.top_error = std::string(top.status().message());
    }
  }
  return v;
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

}  // namespace

int RunReplay(int argc, char** argv) {
  Settings s;
  core::Flags flags(
      "candor-drive [replay] [REVIEWS_FILE]",
      "Drives review submissions through Candor's gRPC API and reports outcomes, latency,\n"
      "throughput and (with --pg-dsn) how soon the aggregates caught up.\n"
      "REVIEWS_FILE: Amazon JSON lines (gzip or plain), imported with their original times\n"
      "(ImportReview, a service-role token); without it, generated traffic (SubmitReview),\n"
      "or with --scenario farm|bomb an attack on one product from fresh accounts.\n"
      "The signing secret for the tokens comes from $CANDOR_JWT_SECRET.\n"
      "Benchmarks (open / closed loops over an operation mix): candor-drive bench --help.\n"
      "Exit: 0 all good, 1 a check failed or the run was interrupted, 2 bad usage.");
  AddCommonFlags(flags, Mode::kReplay, s);
  flags.AddInt("users", "", &s.users, "generator: ordinary shoppers", 1, 10'000'000);
  flags.AddInt("count", "", &s.count, "generator: submissions in all", 1, 10'000'000);
  flags.AddDouble("retry-ratio", "", &s.retry_ratio,
                  "generator: share of submissions that are client retries", 0, 0.4);
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &s.pg_dsn,
                  "Postgres DSN; enables the freshness check (empty = skip it)");
  flags.AddInt("fresh-timeout-s", "", &s.fresh_timeout_s,
               "how long the freshness check waits for the read side", 0, 3600);
  flags.AddInt("show", "", &s.show, "summaries of the N most-reviewed products to print", 0, 100);
  flags.AddBool("probe", "", &s.probe,
                "one GetProductSummary call; exit 0 if a server answered anything");
  flags.AddString("scenario", "", &s.scenario,
                  "an attack instead of the generator: 'farm' (fresh accounts, spun five-star "
                  "texts, one product) or 'bomb' (new accounts, one-star, one product); needs "
                  "--pg-dsn, ignores --rate and --count");
  flags.AddInt("attack", "", &s.attack, "scenario: attack reviews (0 = farm 300, bomb 200)", 0,
               20'000);
  flags.AddInt("spread-s", "", &s.spread_s,
               "scenario: seconds the attack and background are spread over, evenly (0 = farm "
               "3600, bomb 600)",
               0, 82'800);
  flags.AddInt("background", "", &s.background,
               "scenario: genuine live reviews of the target during the attack", 0, 20'000);
  flags.AddInt("history", "", &s.history,
               "scenario: genuine reviews of the target from the 90 days before (imported first "
               "with their times)",
               0, 20'000);
  flags.AddString("target", "", &s.target,
                  "scenario: the attacked product (default: a product of the run's own)");
  flags.AddBool("forwarded-for", "", &s.forwarded_for,
                "scenario: send each account's own address as x-forwarded-for (the gateway must "
                "trust this client: --trusted-proxies 127.0.0.1/32)");
  flags.AddDouble("expect-caught", "", &s.expect_caught,
                  "scenario: exit 1 unless at least this percent of the accepted attack reviews "
                  "were held or rejected (< 0 = no expectation)",
                  -1, 100);
  flags.AddBool("votes", "", &s.votes,
                "file: then replay its real helpful votes ([yes, total] per review) as VoteHelpful "
                "calls from synthetic voters, wait until helpfulness-ranker applied them, check "
                "I4 and show the most-voted product's top reviews; needs --pg-dsn");
  flags.AddDouble("vote-rate", "", &s.vote_rate,
                  "--votes: votes per second, open loop (0 = closed loop)", 0, 1'000'000);
  flags.AddInt("top-reviews", "", &s.top_reviews,
               "--votes: reviews of the most-voted product to show (ListReviews)", 0, 100);
  if (int code = core::ParseOrExit(flags, argc, argv); code >= 0) return code;
  if (flags.positional().size() > 1) return Usage("at most one REVIEWS_FILE");
  if (!s.scenario.empty() && !flags.positional().empty()) {
    return Usage("--scenario sends its own traffic: no REVIEWS_FILE with it");
  }
  if (s.votes && flags.positional().empty()) {
    return Usage("--votes replays a file's helpful votes: it needs a REVIEWS_FILE");
  }
  if (s.votes && s.pg_dsn.empty()) {
    return Usage("--votes checks the counts in Postgres: it needs --pg-dsn (or CANDOR_PG_DSN)");
  }
  if (!s.scenario.empty() && s.pg_dsn.empty()) {
    return Usage(
        "--scenario reads the decisions from Postgres: it needs --pg-dsn (or CANDOR_PG_DSN)");
  }

  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  const std::string secret = JwtSecret();
  std::vector<Connection> connections = Connect(s.gateway, 1);
  Connection& conn = connections[0];
  const Operations ops = ServedOperations();
  const absl::Duration deadline = absl::Milliseconds(s.deadline_ms);
  // A reviews file is history: it goes through the import path with its original times (the
  // fraud scorer judges each review at its own time); generated traffic is live shoppers.
  const bool import = !flags.positional().empty();
  absl::StatusOr<Mix> mix = ParseMix(import ? "import" : "submit");

  if (s.probe) {
    std::string detail;
    const std::string bearer =
        secret.empty() ? "" : MintBearer(kReaderUser, secret, absl::Minutes(5));
    const bool answered = Preflight(ops, conn, *mix, bearer, kReaderUser, absl::ZeroDuration(),
                                    deadline, /*check_tokens=*/false, &detail)
                              .ok();
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
  std::optional<Scenario> scenario;
  if (!s.scenario.empty()) {
    const std::optional<ScenarioKind> kind = ParseScenarioKind(s.scenario);
    if (!kind) return Usage("--scenario: 'farm' or 'bomb', not '" + s.scenario + "'");
    ScenarioOptions so;
    so.kind = *kind;
    so.attack = s.attack;
    so.spread = absl::Seconds(s.spread_s);
    so.background = s.background;
    so.history = s.history;
    so.target = s.target;
    so.forwarded_for = s.forwarded_for;
    so.seed = PickSeed(s.seed);
    absl::StatusOr<Scenario> built = BuildScenario(so, absl::Now());
    if (!built.ok()) return Usage(std::string(built.status().message()));
    scenario = *std::move(built);
    plan = scenario->live;
  } else if (!flags.positional().empty()) {
    ReadStats stats;
    plan = ReadReviewsFile(flags.positional()[0], s.limit, s.user_prefix, &stats);
    if (plan.ok()) ForImport(*plan, absl::Now());
  } else {
    GeneratorOptions g;
    g.count = s.count;
    g.products = s.products;
    g.users = s.users;
    g.retry_ratio = s.retry_ratio;
    g.seed = PickSeed(s.seed);
    plan = Generate(g);
  }
  if (!plan.ok()) return Usage(std::string(plan.status().message()));

  // Imports carry their authors as user ids under one service-role token; submits need a token
  // per author.
  TokenBook tokens(secret, absl::Hours(24));
  std::set<std::string> users;
  for (const std::vector<PlannedRequest>* requests : {&plan->primaries, &plan->follow_ups}) {
    for (const PlannedRequest& p : *requests) {
      users.insert(p.review.user);
      if (!import) tokens.Add(p.review.user, p.review.account_created);
    }
  }
  tokens.Add(kReaderUser);
  const std::string importer_bearer =
      import || scenario ? MintBearer(kImporterSubject, secret, absl::Hours(24), "service") : "";

  // A scenario's target gets its history first: imported, so it is in Kafka before the attack.
  std::vector<Outcome> history_outcomes;
  if (scenario && !scenario->history.primaries.empty()) {
    std::cerr << "candor-drive: importing " << scenario->history.size() << " genuine reviews of "
              << scenario->target << " from before the attack\n";
    PlanWorkload history(scenario->history, tokens, importer_bearer);
    RunnerOptions h;
    h.shape.count = static_cast<int64_t>(scenario->history.size());
    h.concurrency = std::min<int64_t>(s.concurrency, 16);
    h.deadline = deadline;
    h.mix = *ParseMix("import");
    h.progress = false;
    RunTargets targets;
    targets.connections = &connections;
    targets.operations = &ops;
    targets.workload = &history;
    RunLoad(targets, h);
    history_outcomes = history.outcomes();
  }

  std::cerr << "candor-drive: " << plan->size() << (import ? " imports" : " submissions")
            << " from " << plan->source << " to " << s.gateway << " (" << users.size()
            << " users)\n";

  RunResult result;
  result.info = NewRunInfo(Mode::kReplay, s, *mix, s.concurrency, 1, plan->source);
  result.info.count = static_cast<int64_t>(plan->size());
  if (scenario) result.info.rate = scenario->rate();

  // Primaries are spaced so that, with their follow-ups, the whole plan goes at `rate`; a
  // scenario's over its spread.
  const auto primaries = static_cast<double>(plan->primaries.size());
  RunnerOptions o;
  o.shape.rate = s.rate > 0 ? s.rate * primaries / static_cast<double>(plan->size()) : 0;
  if (scenario) o.shape.rate = scenario->rate();
  o.shape.count = static_cast<int64_t>(plan->primaries.size());
  o.concurrency = s.concurrency;
  o.deadline = deadline;
  o.mix = *mix;
  o.progress = s.progress;
  PlanWorkload workload(*plan, tokens, import ? importer_bearer : "");
  RunTargets targets;
  targets.connections = &connections;
  targets.operations = &ops;
  targets.workload = &workload;
  const LoadResult load = RunAndRecord(targets, o, result);

  ReplayChecks& checks = result.replay.emplace();
  checks.planned = static_cast<int64_t>(plan->size());
  checks.counts = Tally(workload.outcomes());
  checks.expectations = CheckExpectations(*plan, workload.outcomes());
  checks.duration_s = load.active_s;

  const std::vector<std::string> products = TouchedProducts(*plan, workload.outcomes());
  const std::string& reader_bearer = tokens.BearerFor(kReaderUser);
  const Operation& summary = *ops[static_cast<size_t>(Op::kSummary)];
  auto fetch = [&](const std::vector<std::string>& asins) {
    return FetchSummaries(summary, conn, reader_bearer, asins, 32, deadline);
  };

  if (s.pg_dsn.empty()) {
    checks.convergence.message = "no --pg-dsn / CANDOR_PG_DSN";
  } else if (result.interrupted) {
    checks.convergence.message = "the run was interrupted";
  } else {
    std::cerr << "candor-drive: waiting up to " << s.fresh_timeout_s
              << " s for the read side to catch up\n";
    // Postgres may be restarting or still recovering (a chaos run kills it): keep trying until
    // the same deadline the read side has to catch up by.
    const absl::Time give_up = absl::Now() + absl::Seconds(s.fresh_timeout_s);
    absl::StatusOr<std::unique_ptr<PgLedger>> ledger = PgLedger::Connect(s.pg_dsn);
    while (!ledger.ok() && absl::Now() < give_up && !core::ShutdownRequested()) {
      std::cerr << "candor-drive: Postgres not reachable yet (" << ledger.status().message()
                << "); retrying\n";
      absl::SleepFor(absl::Seconds(1));
      ledger = PgLedger::Connect(s.pg_dsn);
    }
    if (!ledger.ok()) {
      checks.convergence.state = FreshnessReport::State::kError;
      checks.convergence.message =
          std::string("cannot connect to Postgres: ") + std::string(ledger.status().message());
    } else {
      FreshnessOptions f;
      f.timeout = absl::Seconds(s.fresh_timeout_s);
      std::vector<std::string> accepted = AcceptedIds(workload.outcomes());
      for (const std::string& id : AcceptedIds(history_outcomes)) accepted.push_back(id);
      checks.convergence = WaitForFreshness(**ledger, fetch, accepted, products, workload.last_ok(),
                                            f, [] { return core::ShutdownRequested(); });
      // Every accepted review is stored now: how did fraud scoring decide them?
      if (checks.convergence.state == FreshnessReport::State::kFresh && !accepted.empty()) {
        absl::StatusOr<std::map<std::string, int64_t>> decided = (*ledger)->StatusCounts(accepted);
        if (decided.ok()) {
          checks.decisions = *std::move(decided);
        } else {
          checks.decisions_error = std::string(decided.status().message());
        }
      }
      if (s.votes) {
        if (checks.convergence.state == FreshnessReport::State::kFresh) {
          checks.votes = ReplayVotes(s, *plan, workload.outcomes(), secret, connections, ops,
                                     **ledger, tokens.BearerFor(kReaderUser));
        } else {
          checks.votes.emplace().message = "the reviews did not all reach Postgres";
        }
      }
      if (scenario) {
        absl::StatusOr<std::map<std::string, reviewdb::ReviewDecision>> decisions =
            (*ledger)->Decisions(accepted);
        checks.scenario = TallyScenario(
            *scenario, history_outcomes, workload.outcomes(),
            decisions.ok() ? *decisions : std::map<std::string, reviewdb::ReviewDecision>{});
        if (!decisions.ok()) checks.scenario->error = std::string(decisions.status().message());
      }
    }
  }
  if (s.votes && !checks.votes) checks.votes.emplace().message = checks.convergence.message;
  if (scenario && !checks.scenario) {
    checks.scenario = TallyScenario(*scenario, history_outcomes, workload.outcomes(), {});
    checks.scenario->error = checks.convergence.message;
  }
  if (checks.scenario && s.expect_caught >= 0) checks.scenario->expect_caught_pct = s.expect_caught;

  if (s.show > 0 && !products.empty() && !core::ShutdownRequested()) {
    std::vector<ProductView> views;
    for (const Answer& a : fetch(products)) {
      if (a.code == absl::StatusCode::kOk) views.push_back(a.view);
    }
    std::sort(views.begin(), views.end(), [](const ProductView& a, const ProductView& b) {
      return a.review_count != b.review_count ? a.review_count > b.review_count : a.asin < b.asin;
    });
    if (views.size() > static_cast<size_t>(s.show)) views.resize(static_cast<size_t>(s.show));
    checks.top_products = std::move(views);
  }
  result.client_process_cpu_s = ProcessCpuSeconds();
  return Emit(result, s.json_path);
}

}  // namespace candor::drive
