#pragma once

#include <functional>

#include "services/review-gateway/executor.h"

// Tests only: an Executor that runs each task at once, on the caller's thread.
namespace candor::gateway::testing {

// Runs each task inside TrySubmit; while `full`, refuses it as a full queue would.
class InlineExecutor final : public Executor {
 public:
  bool TrySubmit(std::function<void()> task) override {
    if (full) return false;
    task();
    return true;
  }
  bool full = false;
};

}  // namespace candor::gateway::testing
