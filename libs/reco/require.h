#pragma once

#include <string_view>

namespace candor::reco {

// A broken precondition is a bug in the caller, not bad input (style.md): unless `ok`, prints
// "candor::reco: <what>" to stderr and aborts. `what` names the function and the broken rule.
void Require(bool ok, std::string_view what);

}  // namespace candor::reco
