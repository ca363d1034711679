#include "bench/micro/redis_info.h"

#include <cstdlib>
#include <string>

namespace candor::bench {

double CpuSecondsFromInfo(std::string_view info) {
  double total = 0;
  while (!info.empty()) {
    const std::size_t eol = info.find("\r\n");
    const std::string_view line = info.substr(0, eol);
    info = eol == std::string_view::npos ? std::string_view() : info.substr(eol + 2);
    for (std::string_view key : {"used_cpu_user:", "used_cpu_sys:"}) {
      if (line.substr(0, key.size()) == key) {
        total += std::strtod(std::string(line.substr(key.size())).c_str(), nullptr);
      }
    }
  }
  return total;
}

}  // namespace candor::bench
