#pragma once

// Small helpers shared by the pipeline benchmarks (aggregator_bench.cc, scorer_bench.cc): a
// stopwatch, percentiles, a plain-text table, run tags and review text, the common flags and the
// frame of every report. Bench code only.

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
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

// --pg-dsn and --redis-addr (the stack's defaults), which every bench registers first.
void AddStoreFlags(core::Flags& flags, std::string* pg_dsn, std::string* redis_addr);
// --json and --log-level, which every bench registers last.
void AddOutputFlags(core::Flags& flags, std::string* json, std::string* log_level);

// The machine a run happens on, read when it starts.
struct RunContext {
  std::string machine;        // MachineLine()
  std::string load_at_start;  // LoadAverage()
};

// Reads the RunContext and logs it ("machine: ...; load average ...").
RunContext StartRun();

// The first line of a report on stdout, after a blank line:
// "<title> (<machine>; load average at start <load>)".
std::string ReportTitle(const std::string& title, const RunContext& run);

// The head of a report's JSON: {"bench": `bench`, "machine": ..., "load_average_at_start": ...}.
nlohmann::json JsonReport(const std::string& bench, const RunContext& run);

// Writes `report` to `path` (nothing when `path` is empty) and logs where. False, logged, when
// the file cannot be written.
bool WriteJson(const nlohmann::json& report, const std::string& path);

}  // namespace candor::bench
