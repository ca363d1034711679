#include "libs/metrics/metrics.h"

#include <mutex>

#include "absl/strings/str_cat.h"

namespace candor::metrics {
namespace {

class NoopCounter final : public Counter {
 public:
  void Increment(double) override {}
};
class NoopGauge final : public Gauge {
 public:
  void Set(double) override {}
  void Add(double) override {}
};
class NoopHistogram final : public Histogram {
 public:
  void Observe(double) override {}
};

class NoopRegistryImpl final : public Registry {
 public:
  Counter& GetCounter(std::string_view, std::string_view, const Labels&) override {
    return counter_;
  }
  Gauge& GetGauge(std::string_view, std::string_view, const Labels&) override { return gauge_; }
  Histogram& GetHistogram(std::string_view, std::string_view, const Labels&,
                          const std::vector<double>&) override {
    return histogram_;
  }
  void AddCounterCallback(std::string_view, std::string_view, const Labels&,
                          std::function<double()>) override {}
  void AddGaugeCallback(std::string_view, std::string_view, const Labels&,
                        std::function<double()>) override {}

 private:
  NoopCounter counter_;
  NoopGauge gauge_;
  NoopHistogram histogram_;
};

}  // namespace

void ExposeCounter(Registry& registry, std::string_view name, std::string_view help,
                   const Labels& labels, const std::atomic<int64_t>& value) {
  registry.AddCounterCallback(name, help, labels,
                              [&value] { return static_cast<double>(value.load()); });
}

void ExposeCounters(Registry& registry, std::string_view name, std::string_view help,
                    std::string_view label, std::initializer_list<LabelledCounter> counters) {
  for (const LabelledCounter& c : counters) {
    ExposeCounter(registry, name, help, {{std::string(label), std::string(c.label_value)}},
                  c.value);
  }
}

Registry& NoopRegistry() {
  // Leaked on purpose: store clients may still count on their threads during static destruction.
  static auto* registry = new NoopRegistryImpl();
  return *registry;
}

const std::vector<double>& LatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

const std::vector<double>& BatchSizeBuckets() {
  static const auto* buckets =
      new std::vector<double>{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
  return *buckets;
}

StoreCallMetrics::StoreCallMetrics(Registry& registry, std::string store)
    : registry_(registry),
      calls_name_(absl::StrCat("candor_", store, "_calls_total")),
      calls_help_(absl::StrCat("Calls to ", store, " by operation and outcome (absl status code)")),
      duration_name_(absl::StrCat("candor_", store, "_call_duration_seconds")),
      duration_help_(absl::StrCat("Latency of calls to ", store, " by operation, any outcome")) {}

void StoreCallMetrics::Record(std::string_view op, const absl::Status& status,
                              absl::Duration latency) {
  Record(op, status.code(), latency);
}

void StoreCallMetrics::Record(std::string_view op, absl::StatusCode code, absl::Duration latency) {
  std::string key(op);
  absl::StrAppend(&key, "|", static_cast<int>(code));
  Series series{};
  bool found = false;
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(key); it != series_.end()) {
      series = it->second;
      found = true;
    }
  }
  if (!found) {
    const std::string op_label(op);
    series = {&registry_.GetCounter(calls_name_, calls_help_,
                                    {{"op", op_label}, {"code", absl::StatusCodeToString(code)}}),
              &registry_.GetHistogram(duration_name_, duration_help_, {{"op", op_label}},
                                      LatencyBuckets())};
    std::unique_lock lock(mu_);
    series_.try_emplace(key, series);
  }
  series.calls->Increment();
  series.duration->Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace candor::metrics
