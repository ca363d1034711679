#pragma once

// Small helpers shared by the pipeline benchmarks (aggregator_bench.cc, scorer_bench.cc,
// ranker_bench.cc): a stopwatch, percentiles, a plain-text table, run tags and review text, the
// common flags and the frame of every report. Bench code only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/core/flags.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "nlohmann/json.hpp"

namespace candor::bench {

using pg::ArrayLiteral;  // the bench files bind batches as arrays too

// Monotonic time in seconds since an arbitrary point.
inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs `fn`, adds its wall time to `seconds` and returns what it returned: the body of every
// timing decorator the benches put around a port.
template <typename Fn>
auto AddTime(double& seconds, Fn&& fn) {
  const double t0 = NowSeconds();
  auto result = fn();
  seconds += NowSeconds() - t0;
  return result;
}

// AddTime for a total that several threads add to (a compare-and-swap loop).
template <typename Fn>
auto AddTime(std::atomic<double>& seconds, Fn&& fn) {
  double s = 0;
  auto result = AddTime(s, std::forward<Fn>(fn));
  double v = seconds.load();
  while (!seconds.compare_exchange_weak(v, v + s)) {
  }
  return result;
}

// The q-quantile (0..1) of `values` by nearest rank; 0 for an empty vector. Sorts a copy.
double Quantile(std::vector<double> values, double q);

// A random tag of `n` characters from A-Z0-9, so every run's asins, users and ids are its own.
std::string RandomTag(std::mt19937_64& rng, int n);

// Review-like English text of about `chars` bytes (ASCII, no NUL), different for every call.
std::string ReviewText(std::mt19937_64& rng, size_t chars);

// A rating drawn from a shop-like skewed distribution (mostly 4 and 5 stars).
int SkewedRating(std::mt19937_64& rng);

// A plain-text table: a header row, then rows, printed with right-aligned columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// printf-style number formatting for table cells.
std::string Fixed(double v, int decimals);

// Deletes every row the benchmarks created for `asins`: moderation_queue and fraud_audit rows of
// their reviews, the reviews, and the product_ratings rows; then the Redis `rating:{asin}`
// hashes. The reviews are deleted with foreign-key triggers off (session_replication_role =
// replica) after their dependants are gone in the same transaction: with the triggers on, a
// million-row delete spends most of its time proving that no audit row points at each review.
// Then VACUUM ANALYZE, so the next run meets neither dead rows nor stale statistics.
// Aborts the process on failure (the bench cannot leave half its rows behind silently).
void DeleteProducts(pg::Pool& pool, redis::Client& redis, const std::vector<std::string>& asins);

// Runs CHECKPOINT (flushes every dirty page now, so a checkpoint does not land in a measurement).
// Needs a superuser, as the stack's `postgres` is; logs a warning otherwise.
void Checkpoint(pg::Pool& pool);

// Describes this machine in one line (CPU model, cores, memory) for the reports.
std::string MachineLine();

// /proc/loadavg's 1, 5 and 15 minute figures ("0.52 0.61 0.70"): other work on the machine
// skews every figure, so the reports say how busy it was.
std::string LoadAverage();

// Logs `what: s` as critical and exits 1 unless `s` is OK: a bench cannot go on without it.
void Check(const std::string& what, const absl::Status& s);

// A Postgres pool of `connections` to `dsn`, or a logged exit (Check).
std::unique_ptr<pg::Pool> ConnectPostgres(const std::string& dsn, int connections);
// A Redis client of `connections` to `addr`, or a logged exit (Check).
std::unique_ptr<redis::Client> ConnectRedis(const std::string& addr, int connections,
                                            absl::Duration timeout = absl::Seconds(5));

// Parses a comma list of integers in [min, max] ("1,2,4"); InvalidArgument naming `flag` and the
// offending item, or an empty list.
absl::StatusOr<std::vector<int64_t>> ParseIntList(const std::string& flag, const std::string& text,
                                                  int64_t min, int64_t max);

// The options every bench has: where the stores are (the stack's defaults) and where the
// figures go.
struct CommonOptions {
  std::string pg_dsn = "postgresql://postgres@127.0.0.1:5440/candor";
  std::string redis_addr = "127.0.0.1:6390";
  std::string json;
  std::string log_level = "info";
};

// The machine a run happens on, read when it starts.
struct RunContext {
  std::string machine;        // MachineLine()
  std::string load_at_start;  // LoadAverage()
};

// The start of every bench's main: the flags of `spec.program`: --pg-dsn and --redis-addr, then the
// bench's own flags (`add_flags`), then --json and --log-level; parses argv and runs `validate` (a
// message for a bad combination, "" when fine); starts logging as `spec.log_name` and reads the
// RunContext (logged: "machine: ...; load average ..."). Returns the exit code when the process
// must stop
// (--help: 0, bad flags: 2), nullopt to go on.
struct BenchSpec {
  std::string program;   // "candor-aggregator-bench", for --help
  std::string summary;   // what it measures and needs, for --help
  std::string log_name;  // the logger's name
};
std::optional<int> StartBench(const BenchSpec& spec, CommonOptions& common,
                              const std::function<void(core::Flags&)>& add_flags,
                              const std::function<std::string()>& validate, int argc, char** argv,
                              RunContext* run);

// The first line of a report on stdout, after a blank line:
// "<title> (<machine>; load average at start <load>)".
std::string ReportTitle(const std::string& title, const RunContext& run);

// The head of a report's JSON: {"bench": `bench`, "machine": ..., "load_average_at_start": ...}.
nlohmann::json JsonReport(const std::string& bench, const RunContext& run);

// Writes `report` to `path` (nothing when `path` is empty) and logs where. False, logged, when
// the file cannot be written.
bool WriteJson(const nlohmann::json& report, const std::string& path);

}  // namespace candor::bench
