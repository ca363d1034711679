#include "libs/reco/require.h"

#include <cstdio>
#include <cstdlib>

namespace candor::reco {

void Require(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "candor::reco: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace candor::reco
