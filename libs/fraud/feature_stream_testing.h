#pragma once

// Tests only: a random stream of reviews for the feature stores, with what makes them hard:
// near-duplicate texts from a farm of accounts, old imports out of time order, redeliveries,
// creation claims (some in the future), shared addresses and devices, marks of rejected reviews,
// texts without words. Deterministic from its seed. Also the check that holds a store equal to
// MemoryFeatureStore on such a stream. Header-only.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/fraud/feature_store.h"
#include "libs/fraud/features.h"
#include "libs/fraud/memory_feature_store.h"
#include "libs/fraud/text_signature.h"

namespace candor::fraud::stream {

struct StreamOptions {
  int reviews = 3000;
  int users = 40;
  int farm_users = 10;  // of `users`, posting spun copies of a few texts on two products
  int products = 12;
  int addresses = 10;
  int devices = 15;
  int max_batch = 60;
  uint64_t seed = 1;
  absl::Time start = absl::FromUnixSeconds(1'700'000'000);
  absl::Duration mean_gap = absl::Minutes(6);  // between live reviews
};

// One step: mark these rejected, then record this batch.
struct StreamStep {
  std::vector<ReviewFacts> marks;
  std::vector<ReviewFacts> batch;
};

inline std::vector<StreamStep> RandomStream(const StreamOptions& o) {
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  std::vector<std::string> words;
  words.reserve(300);
  for (int i = 0; i < 300; ++i) words.push_back(absl::StrCat("w", i, i % 7 == 0 ? "x" : ""));
  auto random_text = [&](int n) {
    std::vector<std::string> t;
    t.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) t.push_back(words[static_cast<std::size_t>(uniform(0, 299))]);
    return t;
  };
  std::vector<std::vector<std::string>> farm_texts = {random_text(60), random_text(40),
                                                      random_text(25)};
  // Creation claims: none for most, a past one for some, a future one (clock skew) for one.
  std::vector<std::optional<absl::Time>> claims(static_cast<std::size_t>(o.users));
  for (int u = 0; u < o.users; ++u) {
    if (u % 5 == 1)
      claims[static_cast<std::size_t>(u)] = o.start - absl::Hours(24 * uniform(1, 900));
    if (u == 3) claims[static_cast<std::size_t>(u)] = o.start + absl::Hours(24 * 400);
  }
  std::exponential_distribution<double> gap(1.0 / absl::ToDoubleSeconds(o.mean_gap));
  absl::Time now = o.start;
  std::vector<ReviewFacts> sent;
  std::vector<StreamStep> steps;
  std::vector<ReviewFacts> pending_marks;
  int made = 0;
  while (made < o.reviews) {
    StreamStep step;
    step.marks = std::move(pending_marks);
    pending_marks.clear();
    const int n = uniform(1, o.max_batch);
    for (int i = 0; i < n && made < o.reviews; ++i, ++made) {
      if (!sent.empty() && chance(0.03)) {
        // A redelivery of one of the recent reviews, exactly as it was.
        const std::size_t back = std::min<std::size_t>(sent.size(), 100);
        step.batch.push_back(
            sent[sent.size() - 1 -
                 static_cast<std::size_t>(uniform(0, static_cast<int>(back) - 1))]);
        continue;
      }
      now += absl::Seconds(gap(rng));
      ReviewFacts r;
      r.review_id = absl::StrCat("rv", made);
      const int u = uniform(0, o.users - 1);
      const bool farm = u < o.farm_users;
      r.user_id = absl::StrCat("user", u);
      r.asin = farm && chance(0.8) ? absl::StrCat("P", uniform(0, 1))
                                   : absl::StrCat("P", uniform(0, o.products - 1));
      r.rating = farm ? (chance(0.7) ? 5 : 1) : uniform(1, 5);
      r.verified_purchase = chance(farm ? 0.1 : 0.7);
      r.at = chance(0.05) ? now - absl::Seconds(uniform(3600, 60 * 86400)) : now;
      r.account_created = claims[static_cast<std::size_t>(u)];
      r.client_ip =
          chance(0.1) ? ""
                      : absl::StrCat("10.0.0.", farm ? uniform(0, 2) : uniform(0, o.addresses - 1));
      r.device_id =
          chance(0.2) ? "" : absl::StrCat("dev", farm ? uniform(0, 3) : uniform(0, o.devices - 1));
      std::vector<std::string> text;
      if (farm) {
        text = farm_texts[static_cast<std::size_t>(uniform(0, 2))];
        for (int k = uniform(0, 3); k > 0; --k) {
          text[static_cast<std::size_t>(uniform(0, static_cast<int>(text.size()) - 1))] =
              words[static_cast<std::size_t>(uniform(0, 299))];
        }
        if (chance(0.5)) {
          const auto k = static_cast<std::size_t>(uniform(0, static_cast<int>(text.size()) - 2));
          std::swap(text[k], text[k + 1]);
        }
      } else if (chance(0.03)) {
        text = {"!!!"};  // no words: an empty signature
      } else {
        text = random_text(uniform(1, 70));
      }
      std::string joined;
      for (const std::string& w : text) absl::StrAppend(&joined, joined.empty() ? "" : " ", w);
      r.text_length = static_cast<int64_t>(joined.size());
      r.signature = MinHashSignature(joined);
      if (r.rating == 1 || (farm && chance(0.2))) pending_marks.push_back(r);
      sent.push_back(r);
      step.batch.push_back(std::move(r));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

// Names the features where two rows differ.
inline std::string Diff(const FeatureRow& a, const FeatureRow& b) {
  std::string out;
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    if (a.values[i] != b.values[i]) {
      absl::StrAppend(&out, std::string(FeatureNames()[i]), ": ", a.values[i], " vs ", b.values[i],
                      "; ");
    }
  }
  if (a.clamped != b.clamped) absl::StrAppend(&out, "clamped lists differ");
  return out;
}

// Feeds the stream of `o` to `batched` a step at a time (MarkRejected, then RecordBatch) and to
// `single` review by review (the same marks, then Record), and compares the rows. Returns every
// row, in stream order; nullopt after failing the test at the first review whose rows differ
// (values or clamped list) or that `batched` did not record.
inline std::optional<std::vector<FeatureRow>> ExpectSameRows(FeatureStore& batched,
                                                             MemoryFeatureStore& single,
                                                             const StreamOptions& o) {
  std::vector<FeatureRow> rows;
  for (const StreamStep& step : RandomStream(o)) {
    batched.MarkRejected(step.marks);
    single.MarkRejected(step.marks);
    std::vector<absl::StatusOr<FeatureRow>> got = batched.RecordBatch(step.batch);
    if (got.size() != step.batch.size()) {
      ADD_FAILURE() << "a batch of " << step.batch.size() << " gave " << got.size() << " rows";
      return std::nullopt;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
      const std::size_t n = rows.size();
      if (!got[i].ok()) {
        ADD_FAILURE() << "review " << n << ": " << got[i].status();
        return std::nullopt;
      }
      FeatureRow want = single.Record(step.batch[i]);
      if (got[i]->values != want.values || got[i]->clamped != want.clamped) {
        ADD_FAILURE() << "review " << n << " (" << step.batch[i].review_id
                      << "): " << Diff(*got[i], want);
        return std::nullopt;
      }
      rows.push_back(std::move(want));
    }
  }
  return rows;
}

}  // namespace candor::fraud::stream
