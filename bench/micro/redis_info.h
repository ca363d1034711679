#pragma once

#include <string_view>

namespace candor::bench {

// The Redis server's CPU time so far (used_cpu_user + used_cpu_sys, seconds) from the text of
// `INFO cpu`; 0 when neither line is there.
double CpuSecondsFromInfo(std::string_view info);

}  // namespace candor::bench
