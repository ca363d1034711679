#include "bench/pipeline/bench_util.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/log.h"

namespace candor::bench {

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  auto rank = static_cast<size_t>(std::ceil(q * n));
  if (rank < 1) rank = 1;
  if (rank > values.size()) rank = values.size();
  return values[rank - 1];
}

std::string RandomTag(std::mt19937_64& rng, int n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(kChars[rng() % 36]);
  return out;
}

std::string ReviewText(std::mt19937_64& rng, size_t chars) {
  static const char* kWords[] = {
      "great",    "kettle", "boils",   "fast",  "and",     "the",   "lid",    "closes",
      "well.",    "handle", "gets",    "warm,", "though",  "I",     "would",  "buy",
      "again.",   "sound",  "quality", "is",    "decent",  "for",   "price.", "battery",
      "lasts",    "two",    "days;",   "strap", "feels",   "cheap", "but",    "works.",
      "Shipping", "took",   "a",       "week",  "longer",  "than",  "said.",  "Solid",
      "build",    "no",     "rattles", "after", "months!", "Meh",   "colour", "faded"};
  constexpr size_t kCount = sizeof(kWords) / sizeof(kWords[0]);
  std::string out;
  out.reserve(chars + 16);
  while (out.size() < chars) {
    if (!out.empty()) out += ' ';
    out += kWords[rng() % kCount];
  }
  // A number makes every text distinct, as real reviews are (the fingerprint must differ).
  absl::StrAppend(&out, " #", rng() % 1000000000);
  return out;
}

int SkewedRating(std::mt19937_64& rng) {
  static constexpr int kRatings[] = {5, 5, 5, 5, 4, 4, 4, 3, 2, 1};
  return kRatings[rng() % 10];
}

std::string Table::Render() const {
  std::vector<size_t> width(header_.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  widen(header_);
  for (const auto& row : rows_) widen(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      if (i > 0) out += "  ";
      out += std::string(width[i] - cell.size(), ' ') + cell;
    }
    return out + "\n";
  };
  std::string out = line(header_);
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  out += std::string(total > 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

void DeleteProducts(pg::Pool& pool, redis::Client& redis, const std::vector<std::string>& asins) {
  if (asins.empty()) return;
  const std::string list = ArrayLiteral(asins);
  auto run = [&](bool triggers_off) {
    return pool.InTransaction([&](pqxx::work& tx) {
      const char* kIds = "SELECT review_id FROM reviews WHERE asin = ANY($1::text[])";
      tx.exec_params(absl::StrCat("DELETE FROM moderation_queue WHERE review_id IN (", kIds, ")"),
                     list);
      tx.exec_params(absl::StrCat("DELETE FROM fraud_audit WHERE review_id IN (", kIds, ")"), list);
      tx.exec_params(absl::StrCat("DELETE FROM helpful_votes WHERE review_id IN (", kIds, ")"),
                     list);
      tx.exec_params("DELETE FROM review_ranks WHERE asin = ANY($1::text[])", list);
      // Safe only because the dependants of exactly these reviews were deleted just above.
      if (triggers_off) tx.exec("SET LOCAL session_replication_role = replica");
      tx.exec_params("DELETE FROM reviews WHERE asin = ANY($1::text[])", list);
      tx.exec_params("DELETE FROM product_ratings WHERE asin = ANY($1::text[])", list);
    });
  };
  absl::Status s = run(true);
  if (!s.ok()) {
    // Not a superuser: delete with the foreign-key checks, slower but the same result.
    spdlog::warn("cleanup with triggers off failed ({}); deleting with them on", s);
    s = run(false);
  }
  if (!s.ok()) {
    spdlog::critical("cleanup of {} products failed: {}", asins.size(), s);
    std::abort();
  }
  // Dead rows and the statistics of the tables before the delete would otherwise slow down, or
  // mislead the planner in, whatever runs next.
  s = pool.WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec(
        "VACUUM ANALYZE reviews, fraud_audit, moderation_queue, product_ratings, helpful_votes, "
        "review_ranks");
  });
  if (!s.ok()) spdlog::warn("vacuum after cleanup: {}", s);
  Checkpoint(pool);
  for (size_t i = 0; i < asins.size(); i += 500) {
    std::vector<std::string> keys = {"DEL"};
    for (size_t j = i; j < std::min(asins.size(), i + 500); ++j) {
      keys.push_back("rating:" + asins[j]);
    }
    std::vector<std::string_view> args(keys.begin(), keys.end());
    if (auto r = redis.Command(args); !r.ok()) {
      spdlog::critical("cleanup of rating keys failed: {}", r.status());
      std::abort();
    }
  }
}

void Checkpoint(pg::Pool& pool) {
  absl::Status s = pool.WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("CHECKPOINT");
  });
  if (!s.ok()) spdlog::warn("checkpoint: {}", s);
}

std::string MachineLine() {
  std::string model = "unknown CPU";
  std::ifstream cpu("/proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  long mem_kb = 0;
  std::ifstream mem("/proc/meminfo");
  for (std::string line; std::getline(mem, line);) {
    if (line.rfind("MemTotal:", 0) == 0) {
      mem_kb = std::atol(line.c_str() + 9);
      break;
    }
  }
  return absl::StrCat(model, ", ", sysconf(_SC_NPROCESSORS_ONLN), " cores, ",
                      mem_kb / (1024 * 1024), " GiB RAM");
}

std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

void Check(const std::string& what, const absl::Status& s) {
  if (s.ok()) return;
  spdlog::critical("{}: {}", what, s);
  std::exit(1);
}

std::unique_ptr<pg::Pool> ConnectPostgres(const std::string& dsn, int connections) {
  auto pool = pg::Pool::Create(dsn, connections);
  Check("postgres", pool.status());
  return *std::move(pool);
}

std::unique_ptr<redis::Client> ConnectRedis(const std::string& addr, int connections,
                                            absl::Duration timeout) {
  auto client = redis::Client::Connect(addr, connections, timeout);
  Check("redis", client.status());
  return *std::move(client);
}

absl::StatusOr<std::vector<int64_t>> ParseIntList(const std::string& flag, const std::string& text,
                                                  int64_t min, int64_t max) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < min || v > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": '", part, "' is not an integer in ", min, "..", max));
    }
    out.push_back(v);
  }
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, " is empty"));
  return out;
}

std::optional<int> StartBench(const BenchSpec& spec, CommonOptions& common,
                              const std::function<void(core::Flags&)>& add_flags,
                              const std::function<std::string()>& validate, int argc, char** argv,
                              RunContext* run) {
  core::Flags flags(spec.program, spec.summary);
  flags.AddString("pg-dsn", "CANDOR_PG_DSN", &common.pg_dsn, "PostgreSQL connection string");
  flags.AddString("redis-addr", "CANDOR_REDIS_ADDR", &common.redis_addr, "Redis host:port");
  add_flags(flags);
  flags.AddString("json", "", &common.json, "write the figures to this JSON file");
  flags.AddString("log-level", "CANDOR_LOG_LEVEL", &common.log_level,
                  "progress log level (stderr)");
  if (int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (std::string bad = validate(); !bad.empty()) {
    std::cerr << bad << "\n";
    return 2;
  }
  core::InitLogging(spec.log_name, common.log_level);
  *run = RunContext{MachineLine(), LoadAverage()};
  spdlog::info("machine: {}; load average {}", run->machine, run->load_at_start);
  return std::nullopt;
}

std::string ReportTitle(const std::string& title, const RunContext& run) {
  return absl::StrCat("\n", title, " (", run.machine, "; load average at start ", run.load_at_start,
                      ")\n");
}

nlohmann::json JsonReport(const std::string& bench, const RunContext& run) {
  nlohmann::json j;
  j["bench"] = bench;
  j["machine"] = run.machine;
  j["load_average_at_start"] = run.load_at_start;
  return j;
}

bool WriteJson(const nlohmann::json& report, const std::string& path) {
  if (path.empty()) return true;
  std::ofstream f(path);
  f << report.dump(2) << "\n";
  if (!f) {
    spdlog::error("cannot write {}", path);
    return false;
  }
  spdlog::info("figures written to {}", path);
  return true;
}

}  // namespace candor::bench
