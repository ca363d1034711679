#pragma once

namespace candor::core {

// Process-wide settings every Candor binary wants in production; call once from main, before
// any thread starts. Today: turns off absl::Mutex deadlock detection. Debian's absl is built
// with it on, so every Lock/Unlock of an absl::Mutex (gRPC takes many per call) also updates a
// global lock graph; `perf` put that at 2-3 % of the gateway's CPU under load
// (GraphCycles::GetId and friends). Our tests and sanitizer builds keep the library default.
void ConfigureRuntime();

}  // namespace candor::core
