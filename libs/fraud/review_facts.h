#pragma once

#include <cstdint>
#include <string_view>

#include "libs/fraud/feature_store.h"
#include "libs/review/submission.h"

namespace candor::fraud {

// What the feature store is told about submission `s`: its ids, rating and flags; the body's
// length in code points; the review's own time (submitted_at: the submission time, or an imported
// review's original time); the account's creation time as the identity provider states it
// (account_created_at, when given); the MinHash signature of title and body; the client address
// and the device id as they are (the gateway writes client_ip as canonical IpAddress::ToString()
// text or leaves it empty, so one machine is one key). Pure; costs one normalisation and one
// signature of the text (see bench/micro).
ReviewFacts FactsOf(const review::Submission& s);

// Code points in valid UTF-8 `text` (bytes that are not continuation bytes).
int64_t CodePoints(std::string_view text);

}  // namespace candor::fraud
