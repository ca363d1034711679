#pragma once

// Tests only: the review facts the feature stores' tests record, and features read from a row.
// Header-only (needs gtest).

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/fraud/feature_store.h"
#include "libs/fraud/features.h"
#include "libs/fraud/text_signature.h"

namespace candor::fraud::testing {

// Review `id` by `user` of `asin` at `at`, rated `rating`, 100 code points long, with a text of
// its own (so no near-duplicates unless a test says otherwise); no address, device or account
// claim.
inline ReviewFacts Review(const std::string& id, const std::string& user, const std::string& asin,
                          absl::Time at, int rating = 5) {
  ReviewFacts r;
  r.review_id = id;
  r.user_id = user;
  r.asin = asin;
  r.rating = rating;
  r.at = at;
  r.text_length = 100;
  r.signature = MinHashSignature(absl::StrCat("unique text of review ", id, " by ", user));
  return r;
}

// Feature `f` of `row`.
inline float Get(const FeatureRow& row, Feature f) { return At(row.values, f); }

// Expects each feature of `want` in `row` to hold its value (as EXPECT_FLOAT_EQ does), naming
// the feature when it does not.
inline void ExpectFeatures(const FeatureRow& row,
                           std::initializer_list<std::pair<Feature, float>> want) {
  for (const auto& [feature, value] : want) {
    EXPECT_FLOAT_EQ(Get(row, feature), value) << FeatureName(feature);
  }
}

}  // namespace candor::fraud::testing
