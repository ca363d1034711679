#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace candor::core {

// `items` split, in order, into runs of at most `size` (> 0) elements: the pages in which a job
// reads or writes a long list (the reconciliation's re-checks and repairs). Empty for an empty
// list. Pure.
template <typename T>
std::vector<std::vector<T>> Chunks(const std::vector<T>& items, size_t size) {
  std::vector<std::vector<T>> out;
  out.reserve((items.size() + size - 1) / size);
  for (size_t i = 0; i < items.size(); i += size) {
    const size_t end = std::min(items.size(), i + size);
    out.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(i),
                     items.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return out;
}

}  // namespace candor::core
