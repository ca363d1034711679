#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "libs/fraud/feature_store.h"
#include "libs/review/submission.h"

namespace candor::fraud {

// What the feature store is told about submission `s`: its ids, rating and flags; the body's
// length in code points; the review's own time (submitted_at: the submission time, or an imported
// review's original time); the MinHash signature of title and body; the client address reduced to
// the canonical text of its IP (ParseClientAddress: the port and the gRPC "ipv4:" prefix dropped,
// so one machine is one key; empty when it holds no IP); the device id. `account_created` is the
// identity provider's creation claim when the caller has one. Pure; costs one normalisation and
// one signature of the text (see bench/micro).
ReviewFacts FactsOf(const review::Submission& s,
                    std::optional<absl::Time> account_created = std::nullopt);

// Code points in valid UTF-8 `text` (bytes that are not continuation bytes).
int64_t CodePoints(std::string_view text);

}  // namespace candor::fraud
