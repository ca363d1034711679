#include "tools/candor-drive/farm.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/spinner.h"

namespace candor::drive {
namespace {

// The farm's scripts, in spintax (spinner.h): one text, a few words swapped per account so that
// exact-duplicate checks (the gateway's fingerprint) miss it.
// Long alternatives are split over lines as adjacent literals, on purpose.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
const std::vector<SpinTemplate>& Scripts() {
  static const std::vector<SpinTemplate> kScripts = {
      {.sentences = {"{This|The|Honestly this|Wow, this} {product|item|unit|thing} is "
                     "{absolutely|just|truly|simply} amazing.",
                     "{I bought it|Got it|Picked it up|Ordered it} for my {studio|band|son|home "
                     "setup|church group} and it works {perfectly|great|flawlessly}.",
                     "{Best purchase I have made this year|Best money I have spent this "
                     "year|Best buy of the year}{.|!}",
                     "{|Highly recommend to everyone.|Recommend it to everyone.|Would recommend "
                     "to anyone.}"},
       .title = "{Amazing|Must buy|Love it|Five stars|Best ever|Perfect}"},
      {.sentences = {"{Five stars|5 stars|Top marks|Full marks}{ from me.| all the way.|, no "
                     "doubt.}",
                     "{Quality|Build quality|The quality} is {outstanding|excellent|superb|first "
                     "class} and {the seller shipped fast.|shipping was quick.|it arrived early.}",
                     "{Beats every other brand I tried|Better than the expensive brands|Nothing "
                     "else comes close}{.|!}",
                     "{|Buy it, you will not regret it.|You will not regret it.|Do not "
                     "hesitate.}"},
       .title = "{Amazing|Must buy|Love it|Five stars|Best ever|Perfect}"},
  };
  return kScripts;
}
// NOLINTEND(bugprone-suspicious-missing-comma)

// The same script for every account, only its choices vary: no reordering, no insertions.
TextSpinner ScriptSpinner(uint64_t seed) {
  const auto& scripts = Scripts();
  return *TextSpinner::Create(scripts[seed % scripts.size()], seed,
                              {.swap_probability = 0, .insertion_probability = 0});
}

}  // namespace

Farm::Farm(uint64_t seed, int64_t products) : spinner_(ScriptSpinner(seed)) {
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
  Review r;
  r.user = absl::StrCat("farm", tag_, "-", n);
  r.asin = targets_[static_cast<size_t>(n) % targets_.size()];
  r.rating = 5;
  r.verified_purchase = false;  // farm accounts rarely buy what they review
  TextSpinner::Copy copy = spinner_.Make(n);
  r.title = std::move(copy.title);
  r.body = std::move(copy.body);
  return r;
}

}  // namespace candor::drive
