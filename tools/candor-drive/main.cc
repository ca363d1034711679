// candor-drive: Candor's one traffic tool. `candor-drive [replay] ...` is the checked replay of
// review traffic (what scripts/demo.sh runs); `candor-drive bench ...` the benchmarks' open and
// closed loops over an operation mix. Both send through the same operations, rate controller,
// traffic sources and report. See README.md.

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/modes.h"

namespace candor::drive {

int Usage(const std::string& message) {
  std::cerr << "candor-drive: " << message << "\n(see --help)\n";
  return kBadUsage;
}

std::string JwtSecret() {
  const char* secret = std::getenv("CANDOR_JWT_SECRET");
  return secret != nullptr ? secret : "";
}

uint64_t PickSeed(int64_t flag) {
  if (flag != 0) return static_cast<uint64_t>(flag);
  const uint64_t seed = (std::random_device{}() | (uint64_t{std::random_device{}()} << 32)) &
                        ((uint64_t{1} << 53) - 1);
  return seed == 0 ? 1 : seed;
}

double ProcessCpuSeconds() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

void AddCommonFlags(core::Flags& flags, Mode mode, CommonSettings& s) {
  const bool replay = mode == Mode::kReplay;
  flags.AddString("gateway", "CANDOR_GATEWAY_ADDR", &s.gateway, "review-gateway address");
  flags.AddDouble("rate", "", &s.rate,
                  replay ? "submissions per second, follow-ups included, open loop (0 = closed "
                           "loop)"
                         : "calls per second in all, open loop; 0 = closed loop at the maximum",
                  0, 10'000'000);
  flags.AddInt("concurrency", "", &s.concurrency,
               replay ? "calls in flight at most (closed loop: kept at this)"
                      : "closed loop: calls kept in flight; open loop: the most in flight, beyond "
                        "which calls wait and turn late (0 = 64 closed, 1000 open)",
               replay ? 1 : 0, 100'000);
  flags.AddInt("deadline-ms", "", &s.deadline_ms, "deadline of each call", 1, 600'000);
  flags.AddInt("limit", "", &s.limit, "file: read at most N reviews (0 = all)", 0, 1'000'000'000);
  flags.AddString("user-prefix", "", &s.user_prefix,
                  replay ? "file: prepended to every reviewerID (fresh identities for a replay)"
                         : "prepended to every user id (file default: 'lg<seed tag>-', so each "
                           "run's replay is new to the dedup)");
  flags.AddInt("products", "", &s.products,
               "generator: catalogue size B0CD000000.. (Zipf-like popularity; bench: also what "
               "summary reads pick from)",
               kHeavyUserRequests, 999'999);
  flags.AddInt("seed", "", &s.seed, "random seed (0 = pick one, printed)", 0, INT64_MAX);
  flags.AddString("json", "", &s.json_path, "also write every figure as JSON to this path");
  flags.AddBool("progress", "", &s.progress, "a progress line on stderr every second");
}

RunInfo NewRunInfo(Mode mode, const CommonSettings& s, const Mix& mix, int64_t concurrency,
                   int64_t channels, std::string source) {
  RunInfo info;
  info.mode = mode == Mode::kReplay ? "replay" : "bench";
  info.started_at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  info.git_commit = GitCommit(&info.git_dirty);
  info.machine = ReadMachineInfo();
  info.gateway = s.gateway;
  info.mix = mix;
  info.rate = s.rate;
  info.concurrency = concurrency;
  info.channels = channels;
  info.deadline_ms = s.deadline_ms;
  info.source = std::move(source);
  return info;
}

LoadResult RunAndRecord(RunTargets& targets, const RunnerOptions& options, RunResult& result) {
  const double cpu_before = ProcessCpuSeconds();
  const absl::Time wall_before = absl::Now();
  result.load_started_unix_ms = absl::ToUnixMillis(wall_before);
  LoadResult load = RunLoad(targets, options);
  result.client_cpu_s = ProcessCpuSeconds() - cpu_before;
  result.client_wall_s = absl::ToDoubleSeconds(absl::Now() - wall_before);
  result.client_calls = load.answered;
  result.unreachable = load.unreachable;
  static_cast<LoadFigures&>(result) = load;
  return load;
}

int Emit(const RunResult& result, const std::string& json_path) {
  std::cout << RenderText(result) << std::flush;
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << ToJson(result).dump(2) << "\n";
    if (!out) {
      std::cerr << "candor-drive: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return ExitCode(result);
}

}  // namespace candor::drive

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "bench") == 0) {
    return candor::drive::RunBench(argc - 1, argv + 1);
  }
  if (argc > 1 && std::strcmp(argv[1], "replay") == 0) {
    return candor::drive::RunReplay(argc - 1, argv + 1);
  }
  return candor::drive::RunReplay(argc, argv);
}
