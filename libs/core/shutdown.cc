#include "libs/core/shutdown.h"

#include <semaphore.h>

#include <csignal>

namespace candor::core {
namespace {

std::atomic<bool> g_requested{false};
sem_t g_sem;
std::atomic<bool> g_sem_ready{false};

void EnsureSem() {
  bool expected = false;
  if (g_sem_ready.compare_exchange_strong(expected, true)) sem_init(&g_sem, 0, 0);
}

extern "C" void OnSignal(int /*sig*/) {
  // sem_post is async-signal-safe; the waiting thread does the real work.
  g_requested.store(true);
  sem_post(&g_sem);
}

}  // namespace

void InstallSignalHandlers() {
  EnsureSem();
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

bool ShutdownRequested() { return g_requested.load(); }

void WaitForShutdown() {
  EnsureSem();
  while (!g_requested.load()) {
    sem_wait(&g_sem);
  }
  sem_post(&g_sem);  // wake any other waiter
}

void RequestShutdown() {
  EnsureSem();
  g_requested.store(true);
  sem_post(&g_sem);
}

}  // namespace candor::core
