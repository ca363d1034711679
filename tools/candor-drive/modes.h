#pragma once

#include <cstdint>
#include <string>

#include "libs/core/flags.h"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/report.h"
#include "tools/candor-drive/runner.h"

namespace candor::drive {

// The two modes of candor-drive (main.cc picks one by the first argument). Each parses its own
// flags and returns the process exit code: 0 good, 1 a check failed / interrupted / no server,
// 2 bad usage.
int RunReplay(int argc, char** argv);  // replay_mode.cc: the checked replay (the default)
int RunBench(int argc, char** argv);   // bench_mode.cc: open / closed loops over a mix

// Helpers both modes share (main.cc).
inline constexpr int kBadUsage = 2;

enum class Mode { kReplay, kBench };

// The flags both modes have. Each mode sets its defaults before AddCommonFlags.
struct CommonSettings {
  std::string gateway = "127.0.0.1:50051";
  double rate = 0;          // calls per second, open loop; 0 = closed loop
  int64_t concurrency = 0;  // calls in flight (see --help per mode)
  int64_t deadline_ms = 0;  // per call
  int64_t limit = 0;        // file: rows to read (0 = all)
  std::string user_prefix;  // prepended to every user id
  int64_t products = 200;   // generator: catalogue size
  int64_t seed = 0;         // 0 = pick one (PickSeed)
  std::string json_path;    // --json
  bool progress = true;
};

// Registers --gateway, --rate, --concurrency, --deadline-ms, --limit, --user-prefix, --products,
// --seed, --json and --progress, with `mode`'s help texts and ranges.
void AddCommonFlags(core::Flags& flags, Mode mode, CommonSettings& s);

// The run metadata from the common settings: mode, start time, commit, machine, gateway, rate,
// deadline, plus what the mode decides (the mix, the effective concurrency, channels, source).
RunInfo NewRunInfo(Mode mode, const CommonSettings& s, const Mix& mix, int64_t concurrency,
                   int64_t channels, std::string source);

// Prints "candor-drive: <message>\n(see --help)" and returns kBadUsage.
int Usage(const std::string& message);

// $CANDOR_JWT_SECRET, or "" when unset.
std::string JwtSecret();

// `flag` when non-zero, else a random seed of 53 bits (so it survives JSON tools that read
// numbers as doubles, and can be passed back as --seed). Never 0.
uint64_t PickSeed(int64_t flag);

// User + system CPU seconds of this process so far (all threads).
double ProcessCpuSeconds();

// Runs the load (RunLoad) and copies its figures and the client's CPU cost into `result`.
LoadResult RunAndRecord(RunTargets& targets, const RunnerOptions& options, RunResult& result);

// Prints the text report to stdout and, with a non-empty `json_path`, writes the JSON. Returns
// ExitCode(result), or 1 if the JSON could not be written.
int Emit(const RunResult& result, const std::string& json_path);

}  // namespace candor::drive
