#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace candor::drive {

// A text to spin, as review farms do it ("article spinning"): the same text posted by many
// accounts, varied just enough that no two copies are identical. Sentences are written in
// spintax, `{a|b|c}` choosing one alternative (not nested; an empty alternative is allowed, and
// a sentence that comes out empty is left out).
struct SpinTemplate {
  std::vector<std::string> sentences{};   // in the text's original order
  std::vector<std::string> insertions{};  // short spintax sentences a copy may add
  std::string title{};                    // spintax
};

// How a copy departs from the template, beyond its synonym choices.
struct SpinOptions {
  double swap_probability = 0.5;       // two neighbouring sentences (not the first) trade places
  double insertion_probability = 0.5;  // one insertion goes in at a random sentence boundary
};

// Expands every `{a|b|c}` of `spintax` with the alternative `pick(n)` chooses (an index below
// n, the number of alternatives). InvalidArgument on an unbalanced or nested brace.
absl::StatusOr<std::string> ExpandSpintax(std::string_view spintax,
                                          const std::function<size_t(size_t)>& pick);

// Spins one template into copies: copy n (n >= 0) picks each synonym uniformly, may swap two
// neighbouring sentences and may add one insertion (SpinOptions), all from a hash of (seed, n),
// so a copy is the same on every run with the same seed. Copies are near-duplicates: they share
// most of their word 3-shingles (what fraud scoring's MinHash compares); the farm scenario's
// test measures how much. Two copies can come out the same; Distinct skips repeats.
class TextSpinner {
 public:
  // InvalidArgument when a sentence, insertion or the title is not valid spintax, or there is
  // no sentence.
  static absl::StatusOr<TextSpinner> Create(SpinTemplate t, uint64_t seed,
                                            SpinOptions options = {});

  struct Copy {
    std::string title;
    std::string body;
  };
  Copy Make(int64_t n) const;

  // `count` copies whose bodies differ even as the gateway compares them (review::NormalizeText:
  // case, punctuation and spacing ignored): copy k is Make(m) for the k-th m whose normalised
  // body was not seen before. ResourceExhausted when the template cannot give that many within
  // 20 x count tries.
  absl::StatusOr<std::vector<Copy>> Distinct(int64_t count) const;

 private:
  TextSpinner(SpinTemplate t, uint64_t seed, SpinOptions options)
      : t_(std::move(t)), seed_(seed), options_(options) {}
  SpinTemplate t_;
  uint64_t seed_;
  SpinOptions options_;
};

// The farm scenario's template: a five-star review of a guitar tuner, six sentences with one or
// two synonym choices each, five possible insertions.
const SpinTemplate& FarmTemplate();

}  // namespace candor::drive
