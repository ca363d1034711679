#include "libs/metrics/prometheus_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/metrics/process_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace candor::metrics {
namespace {

// A bad name or label is a bug in the code that registers it: crash naming it.
[[noreturn]] void Die(std::string_view what, std::string_view name, std::string_view why) {
  std::fprintf(stderr, "metrics: %.*s '%.*s': %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data(), static_cast<int>(why.size()),
               why.data());
  std::abort();
}

std::string Key(std::string_view name, const Labels& labels) {
  std::string key(name);
  // absl::string_view, not std's, is what Debian's absl takes (the values are std::strings).
  for (const auto& [k, v] : labels) absl::StrAppend(&key, "\x1f", k, "\x1e", v);
  return key;
}

const char* KindName(int kind) {
  static constexpr const char* kNames[] = {"counter", "gauge", "histogram"};
  return kNames[kind];
}

class PromCounter final : public Counter {
 public:
  explicit PromCounter(prometheus::Counter& c) : c_(c) {}
  void Increment(double by) override { c_.Increment(by); }

 private:
  prometheus::Counter& c_;
};

class PromGauge final : public Gauge {
 public:
  explicit PromGauge(prometheus::Gauge& g) : g_(g) {}
  void Set(double value) override { g_.Set(value); }
  void Add(double by) override { g_.Increment(by); }

 private:
  prometheus::Gauge& g_;
};

class PromHistogram final : public Histogram {
 public:
  explicit PromHistogram(prometheus::Histogram& h) : h_(h) {}
  void Observe(double value) override { h_.Observe(value); }

 private:
  prometheus::Histogram& h_;
};

}  // namespace

struct PrometheusRegistry::Series {
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
};

struct PrometheusRegistry::Callback {
  Kind kind;
  std::string name;
  std::string help;
  Labels labels;
  std::function<double()> read;
};

PrometheusRegistry::PrometheusRegistry(bool process_metrics)
    : process_metrics_(process_metrics), registry_(std::make_shared<prometheus::Registry>()) {}

PrometheusRegistry::~PrometheusRegistry() = default;

PrometheusRegistry::Series& PrometheusRegistry::Find(Kind kind, std::string_view name,
                                                     std::string_view help, const Labels& labels,
                                                     const std::vector<double>* buckets) {
  // The kind is part of the key, so asking for a counter's name as a gauge misses and is caught
  // below.
  std::string key = Key(name, labels);
  key.push_back(static_cast<char>('0' + static_cast<int>(kind)));
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(key); it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  if (auto it = series_.find(key); it != series_.end()) return *it->second;
  if (auto it = kinds_.find(std::string(name)); it != kinds_.end() && it->second != kind) {
    Die("metric", name,
        absl::StrCat("registered as a ", KindName(static_cast<int>(it->second)),
                     ", asked for as a ", KindName(static_cast<int>(kind))));
  }
  auto series = std::make_unique<Series>();
  try {
    const prometheus::Labels prom_labels(labels.begin(), labels.end());
    // Registers (or finds) the family `name` of the builder's kind.
    auto family = [&](auto builder) -> auto& {
      return builder.Name(std::string(name)).Help(std::string(help)).Register(*registry_);
    };
    switch (kind) {
      case Kind::kCounter:
        series->counter =
            std::make_unique<PromCounter>(family(prometheus::BuildCounter()).Add(prom_labels));
        break;
      case Kind::kGauge:
        series->gauge =
            std::make_unique<PromGauge>(family(prometheus::BuildGauge()).Add(prom_labels));
        break;
      case Kind::kHistogram:
        series->histogram = std::make_unique<PromHistogram>(
            family(prometheus::BuildHistogram())
                .Add(prom_labels, prometheus::Histogram::BucketBoundaries(*buckets)));
        break;
    }
  } catch (const std::exception& e) {
    Die("metric", name, e.what());
  }
  kinds_[std::string(name)] = kind;
  Series& out = *series;
  series_[key] = std::move(series);
  return out;
}

Counter& PrometheusRegistry::GetCounter(std::string_view name, std::string_view help,
                                        const Labels& labels) {
  return *Find(Kind::kCounter, name, help, labels, nullptr).counter;
}

Gauge& PrometheusRegistry::GetGauge(std::string_view name, std::string_view help,
                                    const Labels& labels) {
  return *Find(Kind::kGauge, name, help, labels, nullptr).gauge;
}

Histogram& PrometheusRegistry::GetHistogram(std::string_view name, std::string_view help,
                                            const Labels& labels,
                                            const std::vector<double>& buckets) {
  if (buckets.empty() || !std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end()) {
    Die("histogram", name, "buckets must be non-empty and strictly increasing");
  }
  return *Find(Kind::kHistogram, name, help, labels, &buckets).histogram;
}

void PrometheusRegistry::AddCallback(Kind kind, std::string_view name, std::string_view help,
                                     const Labels& labels, std::function<double()> read) {
  std::unique_lock lock(mu_);
  if (auto it = kinds_.find(std::string(name)); it != kinds_.end() && it->second != kind) {
    Die("metric", name, "registered before with another type");
  }
  for (const auto& c : callbacks_) {
    if (c->name == name && c->labels == labels) Die("metric", name, "callback registered twice");
  }
  kinds_[std::string(name)] = kind;
  callbacks_.push_back(std::make_unique<Callback>(
      Callback{kind, std::string(name), std::string(help), labels, std::move(read)}));
}

void PrometheusRegistry::AddCounterCallback(std::string_view name, std::string_view help,
                                            const Labels& labels, std::function<double()> read) {
  AddCallback(Kind::kCounter, name, help, labels, std::move(read));
}

void PrometheusRegistry::AddGaugeCallback(std::string_view name, std::string_view help,
                                          const Labels& labels, std::function<double()> read) {
  AddCallback(Kind::kGauge, name, help, labels, std::move(read));
}

std::string PrometheusRegistry::Exposition() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    std::shared_lock lock(mu_);
    for (const auto& c : callbacks_) {
      auto it = std::find_if(families.begin(), families.end(),
                             [&](const prometheus::MetricFamily& f) { return f.name == c->name; });
      if (it == families.end()) {
        prometheus::MetricFamily family;
        family.name = c->name;
        family.help = c->help;
        family.type = c->kind == Kind::kCounter ? prometheus::MetricType::Counter
                                                : prometheus::MetricType::Gauge;
        families.push_back(std::move(family));
        it = families.end() - 1;
      }
      prometheus::ClientMetric metric;
      for (const auto& [k, v] : c->labels) metric.label.push_back({k, v});
      const double value = c->read();
      if (c->kind == Kind::kCounter) {
        metric.counter.value = value;
      } else {
        metric.gauge.value = value;
      }
      it->metric.push_back(std::move(metric));
    }
  }
  if (process_metrics_) {
    for (prometheus::MetricFamily& f : CollectProcessMetrics()) families.push_back(std::move(f));
  }
  std::sort(families.begin(), families.end(),
            [](const prometheus::MetricFamily& a, const prometheus::MetricFamily& b) {
              return a.name < b.name;
            });
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace candor::metrics
