#include "tools/candor-drive/farm.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/mix.h"

namespace candor::drive {
namespace {

// One farm script: slots of interchangeable phrases. A farm reuses one text and swaps a few
// words per account so that exact-duplicate checks (the gateway's fingerprint) miss it.
struct Slot {
  std::vector<const char*> choices;
};

const std::vector<std::vector<Slot>>& Scripts() {
  static const std::vector<std::vector<Slot>> kScripts = {
      {{{"This", "The", "Honestly this", "Wow, this"}},
       {{" product", " item", " unit", " thing"}},
       {{" is absolutely amazing.", " is just amazing.", " is truly amazing.",
         " is simply amazing."}},
       {{" I bought it for my", " Got it for my", " Picked it up for my", " Ordered it for my"}},
       {{" studio", " band", " son", " home setup", " church group"}},
       {{" and it works perfectly.", " and it works great.", " and it works flawlessly."}},
       {{" Best purchase I have made this year", " Best money I have spent this year",
         " Best buy of the year"}},
       {{".", "!"}},
       {{"", " Highly recommend to everyone.", " Recommend it to everyone.",
         " Would recommend to anyone."}}},
      {{{"Five stars", "5 stars", "Top marks", "Full marks"}},
       {{" from me.", " all the way.", ", no doubt."}},
       {{" Quality is", " Build quality is", " The quality is"}},
       {{" outstanding", " excellent", " superb", " first class"}},
       {{" and the seller shipped fast.", " and shipping was quick.", " and it arrived early."}},
       {{" Beats every other brand I tried", " Better than the expensive brands",
         " Nothing else comes close"}},
       {{".", "!"}},
       {{"", " Buy it, you will not regret it.", " You will not regret it.", " Do not hesitate."}}},
  };
  return kScripts;
}

constexpr const char* kTitles[] = {"Amazing",    "Must buy",  "Love it",
                                   "Five stars", "Best ever", "Perfect"};

}  // namespace

Farm::Farm(uint64_t seed, int64_t products) : seed_(seed) {
  char tag[16];
  std::snprintf(tag, sizeof(tag), "%06llx",
                static_cast<unsigned long long>((seed * 0x9E3779B97F4A7C15ULL) >> 40));
  tag_ = tag;
  const auto base = static_cast<int64_t>(UniformFor(seed, 0xFA53) * 1e6);
  for (int64_t k = 0; k < products; ++k) {
    char asin[16];
    std::snprintf(asin, sizeof(asin), "B0FM%06lld", static_cast<long long>((base + k) % 1000000));
    targets_.push_back(asin);
  }
}

Review Farm::Make(int64_t n) const {
  const auto& scripts = Scripts();
  const auto& script = scripts[seed_ % scripts.size()];
  Review r;
  r.user = absl::StrCat("farm", tag_, "-", n);
  r.asin = targets_[static_cast<size_t>(n) % targets_.size()];
  r.rating = 5;
  r.verified_purchase = false;  // farm accounts rarely buy what they review
  uint64_t salt = 1;
  for (const Slot& slot : script) {
    const double u = UniformFor(seed_ ^ (salt++ * 0x51ED27), static_cast<uint64_t>(n));
    r.body += slot.choices[static_cast<size_t>(u * static_cast<double>(slot.choices.size()))];
  }
  const double t = UniformFor(seed_ ^ 0x7171, static_cast<uint64_t>(n));
  r.title = kTitles[static_cast<size_t>(t * std::size(kTitles))];
  return r;
}

}  // namespace candor::drive
