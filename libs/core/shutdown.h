#pragma once

#include <atomic>

namespace candor::core {

// Process-wide SIGTERM / SIGINT latch. InstallSignalHandlers() once from main; services poll
// ShutdownRequested() in their loops or block in WaitForShutdown(). Async-signal-safe.
void InstallSignalHandlers();
bool ShutdownRequested();
// Blocks the calling thread until a signal arrives or RequestShutdown() is called.
void WaitForShutdown();
// Triggers the same path as a signal (used by tests and fatal errors in worker threads).
void RequestShutdown();

}  // namespace candor::core
