#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace candor::testing {

// Moves the value of `result` into `*target` and succeeds, or fails naming `result`'s status
// (leaving `*target` alone). For a fixture's SetUp, in place of "check ok(), stream the status,
// move the value":
//   ASSERT_TRUE(testing::Assign(&pool_, pg::Pool::Create(testing::PgDsn(), 2)));
template <typename T, typename U>
::testing::AssertionResult Assign(T* target, absl::StatusOr<U> result) {
  if (!result.ok()) return ::testing::AssertionFailure() << result.status();
  *target = *std::move(result);
  return ::testing::AssertionSuccess();
}

}  // namespace candor::testing
