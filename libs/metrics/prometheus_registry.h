#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/metrics/metrics.h"

namespace prometheus {
class Registry;
}

namespace candor::metrics {

// The Prometheus adapter of the metrics port, on prometheus-cpp's core (Debian
// `prometheus-cpp-dev`): series live in a prometheus::Registry; Exposition() renders them, the
// callback series and the process metrics (process_metrics.h) in the text exposition format
// (version 0.0.4) that /metrics serves. Thread-safe: series are found under a reader lock and
// updated lock-free; Exposition may run while other threads count.
class PrometheusRegistry final : public Registry {
 public:
  // `process_metrics`: also expose process_cpu_seconds_total, process_resident_memory_bytes,
  // process_open_fds, process_max_fds, process_virtual_memory_bytes and
  // process_start_time_seconds, read from /proc at each scrape.
  explicit PrometheusRegistry(bool process_metrics = true);
  ~PrometheusRegistry() override;
  PrometheusRegistry(const PrometheusRegistry&) = delete;
  PrometheusRegistry& operator=(const PrometheusRegistry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help,
                      const Labels& labels = {}) override;
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {}) override;
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          const std::vector<double>& buckets) override;
  void AddCounterCallback(std::string_view name, std::string_view help, const Labels& labels,
                          std::function<double()> read) override;
  void AddGaugeCallback(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> read) override;

  // Every series now, in the Prometheus text format, families sorted by name.
  std::string Exposition() const;

  // The content type of Exposition() for an HTTP answer.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Series;
  struct Callback;
  enum class Kind { kCounter, kGauge, kHistogram };
  Series& Find(Kind kind, std::string_view name, std::string_view help, const Labels& labels,
               const std::vector<double>* buckets);
  void AddCallback(Kind kind, std::string_view name, std::string_view help, const Labels& labels,
                   std::function<double()> read);

  const bool process_metrics_;
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::shared_mutex mu_;
  // name + labels -> series; name -> kind, so that one name never has two types.
  absl::flat_hash_map<std::string, std::unique_ptr<Series>> series_;
  absl::flat_hash_map<std::string, Kind> kinds_;
  std::vector<std::unique_ptr<Callback>> callbacks_;
};

}  // namespace candor::metrics
