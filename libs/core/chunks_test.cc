#include "libs/core/chunks.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace candor::core {
namespace {

TEST(ChunksTest, SplitsInOrderWithAShortLastRun) {
  const std::vector<int> items = {1, 2, 3, 4, 5};
  EXPECT_EQ(Chunks(items, 2), (std::vector<std::vector<int>>{{1, 2}, {3, 4}, {5}}));
  EXPECT_EQ(Chunks(items, 5), (std::vector<std::vector<int>>{{1, 2, 3, 4, 5}}));
  EXPECT_EQ(Chunks(items, 9), (std::vector<std::vector<int>>{{1, 2, 3, 4, 5}}));
  EXPECT_TRUE(Chunks(std::vector<std::string>{}, 3).empty());
}

}  // namespace
}  // namespace candor::core
