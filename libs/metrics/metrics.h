#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace candor::metrics {

// The metrics port: what code that counts things sees. It links nothing but absl, so a domain
// class, a store adapter or the Kafka loop can count without knowing Prometheus; the Prometheus
// adapter (prometheus_registry.h, target candor::metrics_prometheus) implements it and the
// admin server (admin_server.h) serves what it collects.
//
// Names follow Prometheus conventions: `candor_` prefix, base units (`_seconds`, `_bytes`),
// counters end in `_total`. Label values must come from a bounded set (a method, a status code,
// a topic), never from a user, a review or a product.

// Label name -> value. Ordered, so the same labels always make the same series.
using Labels = std::map<std::string, std::string>;

// A monotonically increasing count. Thread-safe, lock-free.
class Counter {
 public:
  virtual ~Counter() = default;
  virtual void Increment(double by = 1.0) = 0;  // `by` >= 0
};

// A value that goes up and down. Thread-safe.
class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void Set(double value) = 0;
  virtual void Add(double by) = 0;
};

// A distribution over fixed buckets (upper bounds). Thread-safe.
class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void Observe(double value) = 0;
};

// Where metrics are registered. Get* returns the series `name` with `labels`, creating it on
// first use: the same name and labels give the same object, which lives as long as the
// registry. Thread-safe. A name that is not a valid metric name, a name used before with another
// type, or a reserved label are bugs and crash with a message naming them.
class Registry {
 public:
  virtual ~Registry() = default;

  virtual Counter& GetCounter(std::string_view name, std::string_view help,
                              const Labels& labels = {}) = 0;
  virtual Gauge& GetGauge(std::string_view name, std::string_view help,
                          const Labels& labels = {}) = 0;
  // `buckets`: increasing upper bounds (e.g. LatencyBuckets()); a series' first Get fixes them.
  virtual Histogram& GetHistogram(std::string_view name, std::string_view help,
                                  const Labels& labels, const std::vector<double>& buckets) = 0;

  // A series whose value is read at each scrape, for counts a service keeps already (atomics in
  // its stats). `read` runs on the scraping thread: it must be thread-safe, fast and must not
  // block; what it captures must outlive every scrape (the owner stops the admin server before
  // destroying it). Registering the same name and labels twice is a bug.
  virtual void AddCounterCallback(std::string_view name, std::string_view help,
                                  const Labels& labels, std::function<double()> read) = 0;
  virtual void AddGaugeCallback(std::string_view name, std::string_view help, const Labels& labels,
                                std::function<double()> read) = 0;
};

// A counter a domain already keeps (an atomic in its stats struct) served at each scrape, so the
// domain counts once, for its stats line and for Prometheus alike. `value` must outlive every
// scrape (AddCounterCallback's rule).
void ExposeCounter(Registry& registry, std::string_view name, std::string_view help,
                   const Labels& labels, const std::atomic<int64_t>& value);

// One family of such counters split by one label: ExposeCounter for each (label value, counter)
// pair, all under `name` and `help`, e.g. ExposeCounters(r, "candor_x_total", "...", "outcome",
// {{"applied", s.applied}, {"early", s.early}}).
struct LabelledCounter {
  std::string_view label_value;
  const std::atomic<int64_t>& value;
};
void ExposeCounters(Registry& registry, std::string_view name, std::string_view help,
                    std::string_view label, std::initializer_list<LabelledCounter> counters);

// A registry that keeps nothing (every series is one shared no-op): the default where no
// metrics are wired. Thread-safe; never destroyed.
Registry& NoopRegistry();

// Bucket bounds in seconds for request and call latencies: 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

// Bucket bounds for batch sizes (messages): 1 to 10,000.
const std::vector<double>& BatchSizeBuckets();

// The counters and latency histogram of calls to one kind of store ("redis", "pg"), by
// operation:
//   candor_<store>_calls_total{op, code}  (code: "OK" or the absl status code's name)
//   candor_<store>_call_duration_seconds{op}
// `op` must come from a fixed set the adapter chooses (a command name, "transaction"). Caches
// its series per (op, code), found under a reader lock. Thread-safe; borrows the registry.
class StoreCallMetrics {
 public:
  StoreCallMetrics(Registry& registry, std::string store);
  void Record(std::string_view op, const absl::Status& status, absl::Duration latency);
  void Record(std::string_view op, absl::StatusCode code, absl::Duration latency);

 private:
  struct Series {
    Counter* calls;
    Histogram* duration;
  };

  Registry& registry_;
  std::string calls_name_;
  std::string calls_help_;
  std::string duration_name_;
  std::string duration_help_;
  std::shared_mutex mu_;
  absl::flat_hash_map<std::string, Series> series_;  // "<op>|<code>"
};

}  // namespace candor::metrics
