#include "tools/candor-drive/mix.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace candor::drive {

namespace {

// Every operation of the mix syntax, in the enum's order: its name on the command line and in the
// report, whether this version serves it, and the server it goes to.
struct OpInfo {
  Op op;
  std::string_view name;
  bool served;
  Server server;
};
constexpr std::array<OpInfo, kOpCount> kOps = {{
    {Op::kSubmit, "submit", true, Server::kGateway},
    {Op::kSummary, "summary", true, Server::kGateway},
    {Op::kNoop, "noop", true, Server::kGateway},
    {Op::kImport, "import", true, Server::kGateway},
    {Op::kVote, "vote", true, Server::kGateway},
    {Op::kList, "list", true, Server::kGateway},
    {Op::kSearch, "search", true, Server::kGateway},
    {Op::kRecommend, "recommend", true, Server::kRecoApi},
    {Op::kSimilar, "similar", true, Server::kRecoApi},
}};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < kOps.size(); ++i) {
    if (kOps[i].op != kAllOps[i]) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kOps lists every Op in kAllOps order");

const OpInfo& Info(Op op) { return kOps[static_cast<size_t>(op)]; }

}  // namespace

std::string_view OpName(Op op) { return Info(op).name; }

bool IsServed(Op op) { return Info(op).served; }

Server ServerOf(Op op) { return Info(op).server; }

std::vector<Op> Mix::Active() const {
  std::vector<Op> ops;
  for (Op op : kAllOps) {
    if (Weight(op) > 0) ops.push_back(op);
  }
  return ops;
}

bool Mix::Uses(Server server) const {
  for (Op op : Active()) {
    if (ServerOf(op) == server) return true;
  }
  return false;
}

Op Mix::Pick(double u) const {
  const double x = u * total_;
  double cumulative = 0;
  Op last = Op::kSubmit;
  for (Op op : kAllOps) {
    if (Weight(op) <= 0) continue;
    cumulative += Weight(op);
    last = op;
    if (x < cumulative) return op;
  }
  return last;  // u rounds up to 1: the last active operation
}

std::string Mix::ToString() const {
  std::vector<std::string> items;
  for (Op op : Active()) {
    std::string w = absl::StrCat(Weight(op));
    items.push_back(absl::StrCat(std::string(OpName(op)), "=", w));
  }
  return absl::StrJoin(items, ",");
}

absl::StatusOr<Mix> ParseMix(std::string_view text) {
  Mix mix;
  std::array<bool, kOpCount> seen{};
  const absl::string_view all(text.data(), text.size());
  if (absl::StripAsciiWhitespace(all).empty()) {
    return absl::InvalidArgumentError("mix: empty (expected e.g. submit=70,summary=30)");
  }
  for (absl::string_view raw : absl::StrSplit(all, ',')) {
    absl::string_view item = absl::StripAsciiWhitespace(raw);
    if (item.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("mix: empty item in '", all, "'"));
    }
    absl::string_view name = item;
    double weight = 1;
    if (auto eq = item.find('='); eq != absl::string_view::npos) {
      name = absl::StripAsciiWhitespace(item.substr(0, eq));
      absl::string_view value = absl::StripAsciiWhitespace(item.substr(eq + 1));
      if (!absl::SimpleAtod(value, &weight) || !std::isfinite(weight) || weight < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("mix: weight of '", name, "' must be a number >= 0, got '", value, "'"));
      }
    }
    int index = -1;
    for (const OpInfo& known : kOps) {
      if (absl::string_view(known.name.data(), known.name.size()) == name) {
        index = static_cast<int>(known.op);
      }
    }
    if (index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("mix: unknown operation '", name, "' (known: ",
                       absl::StrJoin(kOps, ", ",
                                     [](std::string* out, const OpInfo& known) {
                                       out->append(known.name.data(), known.name.size());
                                     }),
                       ")"));
    }
    if (seen[static_cast<size_t>(index)]) {
      return absl::InvalidArgumentError(absl::StrCat("mix: '", name, "' given twice"));
    }
    seen[static_cast<size_t>(index)] = true;
    mix.weights_[static_cast<size_t>(index)] = weight;
    mix.total_ += weight;
  }
  if (mix.total_ <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("mix: '", all, "' has no operation with a weight above zero"));
  }
  return mix;
}

absl::Status CheckServed(const Mix& mix) {
  for (Op op : mix.Active()) {
    if (!IsServed(op)) {
      return absl::FailedPreconditionError(absl::StrCat("operation '", std::string(OpName(op)),
                                                        "' is not served by this Candor version"));
    }
  }
  return absl::OkStatus();
}

double UniformFor(uint64_t seed, uint64_t n) {
  uint64_t z = seed + (n + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace candor::drive
