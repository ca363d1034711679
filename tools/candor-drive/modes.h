#pragma once

#include <cstdint>
#include <string>

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

// Prints "candor-drive: <message>\n(see --help)" and returns kBadUsage.
int Usage(const std::string& message);

// $CANDOR_JWT_SECRET, or "" when unset.
std::string JwtSecret();

// `flag` when non-zero, else a random seed of 53 bits (so it survives JSON tools that read
// numbers as doubles, and can be passed back as --seed). Never 0.
uint64_t PickSeed(int64_t flag);

// User + system CPU seconds of this process so far (all threads).
double ProcessCpuSeconds();

// Fills the run metadata every report carries: start time, commit, machine.
void StampRunInfo(RunInfo& info);

// Runs the load (RunLoad) and copies its figures and the client's CPU cost into `result`.
LoadResult RunAndRecord(RunTargets& targets, const RunnerOptions& options, RunResult& result);

// Prints the text report to stdout and, with a non-empty `json_path`, writes the JSON. Returns
// ExitCode(result), or 1 if the JSON could not be written.
int Emit(const RunResult& result, const std::string& json_path);

}  // namespace candor::drive
