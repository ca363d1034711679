#pragma once

#include <vector>

#include "prometheus/metric_family.h"

namespace candor::metrics {

// The standard process metrics (the names every Prometheus client library uses), read from
// /proc/self now: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. A value that cannot be read is left out (never a made-up zero).
// Thread-safe (reads files only).
std::vector<prometheus::MetricFamily> CollectProcessMetrics();

}  // namespace candor::metrics
