#include "tools/candor-fraud-train/simulator.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/fraud/review_facts.h"
#include "libs/review/submission.h"
#include "tools/candor-fraud-train/random.h"
#include "tools/candor-fraud-train/spinner.h"

namespace candor::fraud_train {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
// How far around its anchor review a campaign may start, and how far (in the time-ordered
// stream) its further targets lie from the anchor's product.
constexpr double kAnchorSpreadDays = 7;
constexpr std::size_t kNeighbourReviews = 200;
// Fresh accounts are created at most this long before their first review.
constexpr double kFreshDays = 3;
// The catalogue beyond the data's products that aged accounts' warm-up reviews land in: large,
// as a real shop's, so that they do not crowd the data's products.
constexpr std::size_t kOtherProducts = 1'000'000;

absl::Duration Days(double d) { return absl::Seconds(d * 86400); }

int Round(double v) { return static_cast<int>(std::lround(v)); }

// Seeds of independent sub-streams, so that one part's parameters do not shift another's draws.
std::mt19937_64 Stream(uint64_t seed, std::string_view name) {
  return std::mt19937_64(StableHash(name, seed));
}

std::string Hex(uint64_t v) { return absl::StrFormat("%016x", v); }

std::string FormatV4(uint32_t a) {
  return absl::StrFormat("%d.%d.%d.%d", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

int Weighted(const std::array<double, 5>& weights, std::mt19937_64& rng) {
  double total = 0;
  for (double w : weights) total += w;
  double u = Uniform(rng) * total;
  for (int i = 0; i < 5; ++i) {
    if (u < weights[i]) return i + 1;
    u -= weights[i];
  }
  return 5;
}

// Every review its own text: another real review's (an incentivised reviewer writes their own).
class OwnTexts final : public Writer {
 public:
  OwnTexts(const std::vector<SourceReview>& source, const std::vector<std::size_t>& pool)
      : source_(source), pool_(pool) {}
  std::string Body(std::mt19937_64& rng) const override {
    next_ = pool_[Index(rng, pool_.size())];
    return source_[next_].body;
  }
  // The title of the body drawn last.
  std::string Title(std::mt19937_64& /*rng*/) const override { return source_[next_].title; }

 private:
  const std::vector<SourceReview>& source_;
  const std::vector<std::size_t>& pool_;
  mutable std::size_t next_ = 0;
};

// A genuine shopper: one of the data's, or one new to Candor.
struct Person {
  std::string user;
  absl::Time first;                   // the first review (for the data's: as the data has it)
  std::optional<absl::Time> created;  // the identity provider's creation claim, if any
  double verified = 0;                // share of verified purchases
  bool unknown = false;               // neither address nor device (imported)
  std::string home;
  std::vector<std::string> devices;
};

struct Context {
  const std::vector<SourceReview>& source;
  std::vector<std::size_t> by_time;  // source indices in time order
  const SimOptions& options;
  const AddressBook& addresses;
  std::vector<std::string> carrier;  // addresses many shoppers share (mobile carriers' NAT)
  // Source reviews whose texts campaigns take: praise (4-5 stars), complaints (1-2 stars), and
  // anything but a complaint (warm-ups).
  std::vector<std::size_t> positive;
  std::vector<std::size_t> negative;
  std::vector<std::size_t> ordinary;
  Simulation& sim;
  int new_products = 0;
  int launches = 0;
  // The data's shoppers, by split: who joins a crowd or reviews a product under attack.
  std::array<std::vector<Person>, 3> people;
};

Split SplitOf(double u, const SimOptions& o) {
  if (u < o.train_share) return Split::kTrain;
  return u < o.train_share + o.valid_share ? Split::kValid : Split::kTest;
}

// The splits of `count` crowds or campaigns of one kind: the shares of SimOptions as nearly as
// whole units allow, in an order shuffled by the sub-stream `stream`.
std::vector<Split> SpreadSplits(int count, const SimOptions& o, std::string_view stream) {
  std::vector<int> order(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) order[i] = i;
  std::mt19937_64 rng = Stream(o.seed, stream);
  Shuffle(order, rng);
  std::vector<Split> splits(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) splits[order[i]] = SplitOf((i + 0.5) / count, o);
  return splits;
}

// Where one review of `p` comes from: home, a carrier's shared address or a datacenter (VPN),
// and one of the shopper's devices or none (web).
void Where(Context& c, const Person& p, std::mt19937_64& rng, std::string& ip,
           std::string& device) {
  const GenuineSpec& g = c.options.genuine;
  if (p.unknown) return;
  const double where = Uniform(rng);
  ip = where < g.vpn              ? c.addresses.Datacenter(rng)
       : where < g.vpn + g.mobile ? c.carrier[Index(rng, c.carrier.size())]
                                  : p.home;
  if (Uniform(rng) >= g.no_device) device = p.devices[Index(rng, p.devices.size())];
}

// One genuine review by `p` with the text and rating of source review `text`.
SimReview GenuineReview(Context& c, const Person& p, std::string id, const SourceReview& text,
                        std::string asin, absl::Time at, Origin origin, Split split,
                        std::mt19937_64& rng) {
  std::string ip;
  std::string device;
  Where(c, p, rng, ip, device);
  SimReview s;
  s.facts =
      FactsOfReview(std::move(id), p.user, std::move(asin), text.rating, text.title, text.body,
                    Uniform(rng) < p.verified, at, std::move(ip), std::move(device), p.created);
  s.kind = Kind::kGenuine;
  s.origin = origin;
  s.split = split;
  if (Uniform(rng) < c.options.genuine.mistaken_rejection) {
    s.rejected_at = at + Days(c.options.confirm_days.Draw(rng));
  }
  return s;
}

// A shopper new to Candor whose first review here is at `first`: an account the identity
// provider created long before (stated at the `claim` share), and no history.
Person Newcomer(Context& c, absl::Time first, std::mt19937_64& rng) {
  const NewcomerSpec& n = c.options.newcomers;
  const GenuineSpec& g = c.options.genuine;
  Person p;
  p.user = absl::StrCat("n", c.sim.newcomers++);
  p.first = first;
  if (Uniform(rng) < n.claim) p.created = first - Days(n.age_days.Draw(rng));
  p.verified = g.verified.Draw(rng);
  p.unknown = Uniform(rng) < g.unknown_address;
  p.home = c.addresses.Residential(rng);
  p.devices = {"d-" + Hex(rng())};
  if (Uniform(rng) < 0.3) p.devices.push_back("d-" + Hex(rng()));
  return p;
}

// One of the data's shoppers of `split` who had reviewed before `at`, not in `taken`; nullopt
// when a few draws find none.
std::optional<std::size_t> Established(Context& c, Split split, absl::Time at,
                                       const std::set<std::size_t>& taken, std::mt19937_64& rng) {
  const std::vector<Person>& pool = c.people[static_cast<std::size_t>(split)];
  if (pool.empty()) return std::nullopt;
  for (int attempt = 0; attempt < 30; ++attempt) {
    const std::size_t i = Index(rng, pool.size());
    if (pool[i].first < at && !taken.contains(i)) return i;
  }
  return std::nullopt;
}

// The shopper of one genuine review at `at`: with chance 1 - `newcomers` one of the data's
// shoppers of `split` not in `taken` (then added to it), otherwise (or when none is found) a
// newcomer, kept in `fresh`.
const Person& ShopperAt(Context& c, Split split, absl::Time at, double newcomers,
                        std::set<std::size_t>& taken, std::optional<Person>& fresh,
                        std::mt19937_64& rng) {
  std::optional<std::size_t> who;
  if (Uniform(rng) >= newcomers) who = Established(c, split, at, taken, rng);
  if (!who.has_value()) {
    fresh = Newcomer(c, at, rng);
    return *fresh;
  }
  taken.insert(*who);
  return c.people[static_cast<std::size_t>(split)][*who];
}

// A real review's text and rating, drawn from the whole data.
const SourceReview& AnyText(Context& c, std::mt19937_64& rng) {
  return c.source[Index(rng, c.source.size())];
}

// A product reviewed in the data at about `at` (one of the reviews near it in time).
std::string ProductNear(Context& c, absl::Time at, std::mt19937_64& rng) {
  const auto it = std::lower_bound(c.by_time.begin(), c.by_time.end(), at,
                                   [&](std::size_t i, absl::Time t) { return c.source[i].at < t; });
  const auto pos = static_cast<std::size_t>(it - c.by_time.begin());
  const std::size_t lo = pos > kNeighbourReviews ? pos - kNeighbourReviews : 0;
  const std::size_t hi = std::min(c.by_time.size(), pos + kNeighbourReviews + 1);
  return c.source[c.by_time[lo + Index(rng, hi - lo)]].asin;
}

void AddGenuine(Context& c) {
  const GenuineSpec& g = c.options.genuine;
  std::map<std::string, std::vector<std::size_t>> users;
  for (std::size_t i = 0; i < c.source.size(); ++i) users[c.source[i].user].push_back(i);
  c.sim.genuine_users = static_cast<int64_t>(users.size());
  for (auto& [user, rows] : users) {
    std::mt19937_64 rng(StableHash(user, c.options.seed));
    const Split split = GenuineSplit(user, c.options);
    std::stable_sort(rows.begin(), rows.end(),
                     [&](std::size_t a, std::size_t b) { return c.source[a].at < c.source[b].at; });
    Person p;
    p.user = user;
    p.first = c.source[rows.front()].at;
    if (Uniform(rng) < g.claim) {
      p.created = p.first - (Uniform(rng) < g.recent_signup ? Days(Uniform(rng, 0, 30))
                                                            : Days(g.signup_days.Draw(rng)));
    }
    p.verified = g.verified.Draw(rng);
    const bool time_of_day = Uniform(rng) < g.time_of_day;
    p.unknown = Uniform(rng) < g.unknown_address;
    p.home = c.addresses.Residential(rng);
    p.devices = {"d-" + Hex(rng())};
    if (Uniform(rng) < 0.3) p.devices.push_back("d-" + Hex(rng()));

    // A time of day for each review, in the order the data gives within a day.
    std::vector<absl::Time> times;
    for (std::size_t i = 0; i < rows.size();) {
      std::size_t j = i;
      while (j < rows.size() && c.source[rows[j]].at == c.source[rows[i]].at) ++j;
      std::vector<double> offsets;
      for (std::size_t k = i; k < j; ++k) offsets.push_back(time_of_day ? Uniform(rng, 0, 1) : 0);
      std::sort(offsets.begin(), offsets.end());
      for (double o : offsets) times.push_back(c.source[rows[i]].at + Days(o));
      i = j;
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const SourceReview& r = c.source[rows[k]];
      c.sim.reviews.push_back(GenuineReview(c, p, absl::StrCat("g", rows[k]), r, r.asin, times[k],
                                            Origin::kData, split, rng));
    }
    c.people[static_cast<std::size_t>(split)].push_back(std::move(p));
  }
}

// Standalone newcomers: each reviews a product then reviewed in the data, at a time of day, and
// perhaps a few more later.
void AddNewcomers(Context& c) {
  const NewcomerSpec& n = c.options.newcomers;
  std::mt19937_64 rng = Stream(c.options.seed, "newcomers");
  for (int k = 0; k < n.shoppers; ++k) {
    const SourceReview& anchor = c.source[c.by_time[Index(rng, c.by_time.size())]];
    absl::Time at = anchor.at + Days(Uniform(rng));
    Person p = Newcomer(c, at, rng);
    const Split split = GenuineSplit(p.user, c.options);
    const int reviews = std::max(1, Round(n.reviews.Draw(rng)));
    std::set<std::string> done;
    for (int j = 0; j < reviews; ++j) {
      std::string asin = j == 0 ? anchor.asin : ProductNear(c, at, rng);
      if (!done.insert(asin).second) continue;
      c.sim.reviews.push_back(GenuineReview(c, p, absl::StrCat(p.user, "-", j), AnyText(c, rng),
                                            std::move(asin), at, Origin::kNewcomer, split, rng));
      at += Days(n.gap_days.Draw(rng));
    }
  }
}

// When and how big a burst of reviews (a crowd or a campaign) is: anchored on a review of the
// data (a position in `by_time`), starting within kAnchorSpreadDays of it, lasting `span_hours`,
// of at least one review.
struct Burst {
  std::size_t anchor_pos = 0;
  absl::Time start;
  absl::Duration span;
  int reviews = 0;
};

Burst DrawBurst(const Context& c, const Range& span_hours, const Range& reviews,
                std::mt19937_64& rng) {
  Burst b;
  b.anchor_pos = Index(rng, c.by_time.size());
  b.start = c.source[c.by_time[b.anchor_pos]].at +
            Days(Uniform(rng, -kAnchorSpreadDays, kAnchorSpreadDays));
  b.span = absl::Seconds(span_hours.Draw(rng) * 3600);
  b.reviews = std::max(1, Round(reviews.Draw(rng)));
  return b;
}

// A genuine flash crowd: many shoppers, established and new, each reviewing one product once
// within hours, with their own real texts and ratings.
void AddCrowd(Context& c, int number, Split split) {
  const CrowdSpec& spec = c.options.crowds;
  std::mt19937_64 rng = Stream(c.options.seed, absl::StrCat("crowd#", number));
  const auto [anchor_pos, start, span, n] = DrawBurst(c, spec.span_hours, spec.reviews, rng);
  const bool launch = Uniform(rng) < spec.new_product;
  const std::string target =
      launch ? absl::StrFormat("L%09d", ++c.launches) : c.source[c.by_time[anchor_pos]].asin;
  const double newcomers = spec.newcomers.Draw(rng);
  std::vector<absl::Time> times(static_cast<std::size_t>(n));
  for (absl::Time& t : times) t = start + span * Uniform(rng);
  std::sort(times.begin(), times.end());
  const int id = static_cast<int>(c.sim.crowds.size());
  CrowdInfo info{split, start, span, n, 0, launch, target};
  std::set<std::size_t> taken;
  for (int i = 0; i < n; ++i) {
    std::optional<Person> fresh;
    const Person& p = ShopperAt(c, split, times[i], newcomers, taken, fresh, rng);
    info.newcomers += fresh.has_value() ? 1 : 0;
    SimReview r = GenuineReview(c, p, absl::StrCat("crowd", id, "-", i), AnyText(c, rng), target,
                                times[i], Origin::kCrowd, split, rng);
    r.crowd = id;
    c.sim.reviews.push_back(std::move(r));
  }
  c.sim.crowds.push_back(std::move(info));
}

// Genuine reviews of a campaign's targets while it runs (shoppers who happen to review the product
// then; one per shopper).
void AddCollateral(Context& c, const CampaignInfo& campaign, const std::string& tag) {
  const CollateralSpec& spec = c.options.collateral;
  std::mt19937_64 rng = Stream(c.options.seed, absl::StrCat("collateral#", tag));
  if (Uniform(rng) >= spec.campaigns || campaign.targets.empty()) return;
  const int n = Round(spec.reviews.Draw(rng));
  std::set<std::size_t> taken;
  for (int i = 0; i < n; ++i) {
    const absl::Time at = campaign.start + campaign.span * Uniform(rng);
    std::string asin = campaign.targets[Index(rng, campaign.targets.size())];
    std::optional<Person> fresh;
    const Person& p = ShopperAt(c, campaign.split, at, spec.newcomers, taken, fresh, rng);
    c.sim.reviews.push_back(GenuineReview(c, p, absl::StrCat(tag, "-genuine", i), AnyText(c, rng),
                                          std::move(asin), at, Origin::kCollateral, campaign.split,
                                          rng));
  }
}

// The products a campaign targets: the anchor's and others reviewed about then, or new ones.
std::vector<std::string> Targets(Context& c, std::size_t anchor_pos, int count, double new_product,
                                 std::mt19937_64& rng) {
  std::vector<std::string> targets;
  for (int attempt = 0; static_cast<int>(targets.size()) < count && attempt < 50 * count;
       ++attempt) {
    std::string asin;
    if (Uniform(rng) < new_product) {
      asin = absl::StrFormat("Z%09d", ++c.new_products);
    } else if (targets.empty()) {
      asin = c.source[c.by_time[anchor_pos]].asin;
    } else {
      const std::size_t lo = anchor_pos > kNeighbourReviews ? anchor_pos - kNeighbourReviews : 0;
      const std::size_t hi = std::min(c.by_time.size(), anchor_pos + kNeighbourReviews + 1);
      asin = c.source[c.by_time[lo + Index(rng, hi - lo)]].asin;
    }
    if (std::find(targets.begin(), targets.end(), asin) == targets.end()) {
      targets.push_back(std::move(asin));
    }
  }
  return targets;
}

struct Account {
  std::string id;
  absl::Time created;
  std::optional<absl::Time> claim;
  std::string ip;
  std::string device;
  bool fresh = false;
};

void AddCampaign(Context& c, Kind kind, int number, Split split) {
  const SimOptions& o = c.options;
  const CampaignSpec& spec = o.campaigns[CampaignIndex(kind)];
  std::mt19937_64 rng = Stream(o.seed, absl::StrCat(KindName(kind), "#", number));
  const int id = static_cast<int>(c.sim.campaigns.size());
  const std::string tag = absl::StrCat("c", id);

  const auto [anchor_pos, start, span, n] = DrawBurst(c, spec.span_hours, spec.reviews, rng);
  const std::vector<std::string> targets =
      Targets(c, anchor_pos, std::max(1, Round(spec.products.Draw(rng))), spec.new_product, rng);
  const int k = static_cast<int>(targets.size());
  const int per_account = std::clamp(Round(spec.reviews_per_account.Draw(rng)), 1, k);
  const int account_count = (n + per_account - 1) / per_account;

  // Who reviews which target when: each account takes `per_account` distinct targets.
  std::vector<std::pair<int, int>> pairs;
  for (int a = 0; a < account_count; ++a) {
    for (int j = 0; j < per_account && static_cast<int>(pairs.size()) < n; ++j) {
      pairs.emplace_back(a, (a + j) % k);
    }
  }
  Shuffle(pairs, rng);
  std::vector<absl::Time> times(static_cast<std::size_t>(n));
  for (absl::Time& t : times) t = start + span * Uniform(rng);
  std::sort(times.begin(), times.end());
  std::vector<absl::Time> first(account_count, absl::InfiniteFuture());
  for (int i = 0; i < n; ++i) first[pairs[i].first] = std::min(first[pairs[i].first], times[i]);

  const double fresh_share = spec.fresh_accounts.Draw(rng);
  const double verified = spec.verified.Draw(rng);
  const double datacenter = spec.datacenter.Draw(rng);
  const GenuineSpec& g = o.genuine;
  auto draw_ip = [&]() {
    const double where = Uniform(rng);
    if (where < datacenter) return c.addresses.Datacenter(rng);
    return where < datacenter + g.mobile ? c.carrier[Index(rng, c.carrier.size())]
                                         : c.addresses.Residential(rng);
  };
  std::vector<std::string> ip_pool(
      static_cast<std::size_t>(Round(spec.shared_addresses.Draw(rng))));
  for (std::string& ip : ip_pool) ip = draw_ip();
  std::vector<std::string> device_pool(
      static_cast<std::size_t>(Round(spec.shared_devices.Draw(rng))));
  for (std::string& d : device_pool) d = "d-" + Hex(rng());

  std::vector<Account> accounts(account_count);
  for (int a = 0; a < account_count; ++a) {
    Account& acc = accounts[a];
    acc.id = absl::StrCat(tag, "-a", a);
    acc.fresh = Uniform(rng) < fresh_share;
    acc.created = acc.fresh ? first[a] - Days(Uniform(rng, 0, kFreshDays))
                            : start - Days(spec.aged_days.Draw(rng));
    if (Uniform(rng) < g.claim) acc.claim = acc.created;
    if (Uniform(rng) >= g.unknown_address) {
      acc.ip = ip_pool.empty() ? draw_ip() : ip_pool[Index(rng, ip_pool.size())];
      if (!device_pool.empty()) {
        acc.device = device_pool[Index(rng, device_pool.size())];
      } else if (Uniform(rng) >= g.no_device) {
        acc.device = "d-" + Hex(rng());
      }
    }
    if (acc.fresh) continue;
    // An aged account's history: ordinary reviews (real texts) of products elsewhere in the
    // catalogue, before the campaign.
    const int warm_ups = Round(spec.warm_up_reviews.Draw(rng));
    const absl::Time last = start - kDay;
    for (int w = 0; w < warm_ups && acc.created < last; ++w) {
      // Draws one at a time, so that their order does not depend on the compiler.
      const SourceReview& text = c.source[c.ordinary[Index(rng, c.ordinary.size())]];
      std::string asin = absl::StrFormat("W%09d", Index(rng, kOtherProducts));
      const bool verified_warm_up = Uniform(rng) < 0.5;
      const absl::Time at = acc.created + (last - acc.created) * Uniform(rng);
      SimReview s;
      s.facts =
          FactsOfReview(absl::StrCat(acc.id, "-w", w), acc.id, std::move(asin), text.rating,
                        text.title, text.body, verified_warm_up, at, acc.ip, acc.device, acc.claim);
      s.kind = kind;
      s.campaign = id;
      s.split = split;
      s.warm_up = true;
      c.sim.reviews.push_back(std::move(s));
    }
  }

  double mean_rating = 0;
  double total = 0;
  for (int r = 0; r < 5; ++r) {
    mean_rating += (r + 1) * spec.rating_weights[r];
    total += spec.rating_weights[r];
  }
  const bool positive = mean_rating / total >= 3;
  const std::vector<std::size_t>& real = positive ? c.positive : c.negative;
  const double spin = spec.spin.Draw(rng);
  std::unique_ptr<Writer> writer;
  if (spec.own_texts) {
    writer = std::make_unique<OwnTexts>(c.source, real);
  } else if (Uniform(rng) < spec.script_share || real.empty()) {
    const std::vector<Script>& scripts = positive ? PositiveScripts() : NegativeScripts();
    writer = std::make_unique<Spinner>(scripts[Index(rng, scripts.size())], spin, rng);
  } else {
    const SourceReview& t = c.source[real[Index(rng, real.size())]];
    writer = std::make_unique<TextSpinner>(t.title, t.body, spin);
  }
  for (int i = 0; i < n; ++i) {
    const Account& acc = accounts[pairs[i].first];
    std::string body = writer->Body(rng);
    std::string title = writer->Title(rng);
    if (Uniform(rng) < spec.disclosure) absl::StrAppend(&body, " ", DisclosureSentence(rng));
    const int rating = Weighted(spec.rating_weights, rng);
    const bool is_verified = Uniform(rng) < verified;
    SimReview s;
    s.facts = FactsOfReview(absl::StrCat(tag, "-", i), acc.id, targets[pairs[i].second], rating,
                            std::move(title), std::move(body), is_verified, times[i], acc.ip,
                            acc.device, acc.claim);
    s.kind = kind;
    s.campaign = id;
    s.split = split;
    if (Uniform(rng) < o.confirmed) s.rejected_at = times[i] + Days(o.confirm_days.Draw(rng));
    c.sim.reviews.push_back(std::move(s));
  }
  c.sim.campaigns.push_back(CampaignInfo{kind, split, start, span, n, account_count, targets});
  AddCollateral(c, c.sim.campaigns.back(), tag);
}

}  // namespace

std::string KindName(Kind k) {
  switch (k) {
    case Kind::kGenuine:
      return "genuine";
    case Kind::kAgedFarm:
      return "aged_farm";
    case Kind::kReviewBomb:
      return "review_bomb";
    case Kind::kCompetitorOneStar:
      return "competitor_one_star";
    case Kind::kIncentivisedBurst:
      return "incentivised_burst";
    case Kind::kSlowDrip:
      return "slow_drip";
  }
  return "?";
}

std::optional<Kind> ParseCampaignType(std::string_view name) {
  for (int i = 0; i < kCampaignTypes; ++i) {
    if (KindName(CampaignKind(i)) == name) return CampaignKind(i);
  }
  return std::nullopt;
}

std::string OriginName(Origin o) {
  switch (o) {
    case Origin::kData:
      return "data";
    case Origin::kNewcomer:
      return "newcomer";
    case Origin::kCrowd:
      return "crowd";
    case Origin::kCollateral:
      return "collateral";
  }
  return "?";
}

std::string SplitName(Split s) {
  switch (s) {
    case Split::kTrain:
      return "train";
    case Split::kValid:
      return "valid";
    case Split::kTest:
      return "test";
  }
  return "?";
}

fraud::ReviewFacts FactsOfReview(std::string review_id, std::string user, std::string asin,
                                 int rating, std::string title, std::string body, bool verified,
                                 absl::Time at, std::string ip, std::string device,
                                 std::optional<absl::Time> account_created) {
  review::Submission s;
  s.review_id = std::move(review_id);
  s.user_id = std::move(user);
  s.asin = std::move(asin);
  s.rating = rating;
  s.title = std::move(title);
  s.body = std::move(body);
  s.verified_purchase = verified;
  s.submitted_at = at;
  s.client_ip = std::move(ip);
  s.device_id = std::move(device);
  s.account_created_at = account_created;
  return fraud::FactsOf(s);
}

Split GenuineSplit(const std::string& user, const SimOptions& options) {
  std::mt19937_64 rng(StableHash(user, options.seed ^ 0x5B117ULL));
  return SplitOf(Uniform(rng), options);
}

double Range::Draw(std::mt19937_64& rng) const { return Uniform(rng, lo, hi); }

SimOptions DefaultSimOptions() {
  SimOptions o;
  CampaignSpec& aged = o.campaigns[CampaignIndex(Kind::kAgedFarm)];
  aged.campaigns = 40;
  aged.reviews = {20, 150};
  aged.span_hours = {6, 120};
  aged.rating_weights = {0, 0, 0, 1, 9};
  aged.verified = {0.1, 0.5};
  aged.fresh_accounts = {0, 0.3};
  aged.warm_up_reviews = {0, 6};
  aged.spin = {0.1, 0.45};
  aged.script_share = 0.2;
  aged.datacenter = {0, 0.3};
  aged.shared_addresses = {0, 0};
  aged.shared_devices = {0, 12};

  CampaignSpec& bomb = o.campaigns[CampaignIndex(Kind::kReviewBomb)];
  bomb.campaigns = 30;
  bomb.reviews = {30, 250};
  bomb.span_hours = {5.0 / 60, 1};
  bomb.rating_weights = {19, 1, 0, 0, 0};
  bomb.verified = {0, 0.1};
  bomb.fresh_accounts = {0.9, 1};
  bomb.warm_up_reviews = {0, 2};
  bomb.spin = {0.3, 0.8};
  bomb.script_share = 0.4;
  bomb.datacenter = {0.2, 0.6};

  CampaignSpec& competitor = o.campaigns[CampaignIndex(Kind::kCompetitorOneStar)];
  competitor.campaigns = 30;
  competitor.reviews = {8, 40};
  competitor.span_hours = {6, 120};
  competitor.rating_weights = {4, 1, 0, 0, 0};
  competitor.verified = {0.1, 0.4};
  competitor.fresh_accounts = {0, 0.2};
  competitor.warm_up_reviews = {1, 8};
  competitor.spin = {0.2, 0.6};
  competitor.script_share = 0.2;
  competitor.datacenter = {0, 0.2};
  competitor.shared_addresses = {0, 8};
  competitor.shared_devices = {0, 6};
  competitor.new_product = 0;  // a competitor attacks an established product

  CampaignSpec& incentivised = o.campaigns[CampaignIndex(Kind::kIncentivisedBurst)];
  incentivised.campaigns = 30;
  incentivised.reviews = {30, 150};
  incentivised.span_hours = {12, 48};
  incentivised.rating_weights = {0, 0, 0, 3, 17};
  incentivised.verified = {0.7, 0.95};
  incentivised.fresh_accounts = {0.2, 0.5};
  incentivised.warm_up_reviews = {2, 10};
  incentivised.own_texts = true;
  incentivised.disclosure = 0.4;
  incentivised.datacenter = {0, 0.05};

  CampaignSpec& drip = o.campaigns[CampaignIndex(Kind::kSlowDrip)];
  drip.campaigns = 30;
  drip.reviews = {30, 200};
  drip.span_hours = {14 * 24, 60 * 24};
  drip.products = {2, 6};
  drip.reviews_per_account = {2, 5};
  drip.rating_weights = {0, 0, 0, 1, 4};
  drip.verified = {0.2, 0.6};
  drip.fresh_accounts = {0, 0.4};
  drip.warm_up_reviews = {0, 4};
  drip.spin = {0.2, 0.5};
  drip.script_share = 0.3;
  drip.datacenter = {0, 0.6};
  drip.shared_addresses = {2, 6};
  drip.shared_devices = {1, 4};
  return o;
}

namespace {

nlohmann::json ToJson(const Range& r) { return nlohmann::json::array({r.lo, r.hi}); }

}  // namespace

nlohmann::json ToJson(const SimOptions& o) {
  const GenuineSpec& g = o.genuine;
  nlohmann::json campaigns = nlohmann::json::object();
  for (int t = 0; t < kCampaignTypes; ++t) {
    const CampaignSpec& c = o.campaigns[t];
    campaigns[std::string(KindName(CampaignKind(t)))] = {
        {"campaigns", c.campaigns},
        {"reviews", ToJson(c.reviews)},
        {"span_hours", ToJson(c.span_hours)},
        {"products", ToJson(c.products)},
        {"reviews_per_account", ToJson(c.reviews_per_account)},
        {"rating_weights", c.rating_weights},
        {"verified", ToJson(c.verified)},
        {"fresh_accounts", ToJson(c.fresh_accounts)},
        {"aged_days", ToJson(c.aged_days)},
        {"warm_up_reviews", ToJson(c.warm_up_reviews)},
        {"spin", ToJson(c.spin)},
        {"script_share", c.script_share},
        {"own_texts", c.own_texts},
        {"disclosure", c.disclosure},
        {"datacenter", ToJson(c.datacenter)},
        {"shared_addresses", ToJson(c.shared_addresses)},
        {"shared_devices", ToJson(c.shared_devices)},
        {"new_product", c.new_product}};
  }
  return {{"seed", o.seed},
          {"genuine",
           {{"verified", ToJson(g.verified)},
            {"claim", g.claim},
            {"recent_signup", g.recent_signup},
            {"signup_days", ToJson(g.signup_days)},
            {"time_of_day", g.time_of_day},
            {"mobile", g.mobile},
            {"vpn", g.vpn},
            {"unknown_address", g.unknown_address},
            {"no_device", g.no_device},
            {"mistaken_rejection", g.mistaken_rejection}}},
          {"campaigns", campaigns},
          {"crowds",
           {{"crowds", o.crowds.crowds},
            {"reviews", ToJson(o.crowds.reviews)},
            {"span_hours", ToJson(o.crowds.span_hours)},
            {"new_product", o.crowds.new_product},
            {"newcomers", ToJson(o.crowds.newcomers)}}},
          {"newcomers",
           {{"shoppers", o.newcomers.shoppers},
            {"reviews", ToJson(o.newcomers.reviews)},
            {"gap_days", ToJson(o.newcomers.gap_days)},
            {"claim", o.newcomers.claim},
            {"age_days", ToJson(o.newcomers.age_days)}}},
          {"collateral",
           {{"campaigns", o.collateral.campaigns},
            {"reviews", ToJson(o.collateral.reviews)},
            {"newcomers", o.collateral.newcomers}}},
          {"unseen", std::string(KindName(o.unseen))},
          {"train_share", o.train_share},
          {"valid_share", o.valid_share},
          {"confirmed", o.confirmed},
          {"confirm_days", ToJson(o.confirm_days)},
          {"carrier_addresses", o.carrier_addresses}};
}

absl::StatusOr<AddressBook> AddressBook::Make(std::string_view cidr_text,
                                              const fraud::CidrList& list) {
  AddressBook book;
  book.list_ = &list;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(cidr_text.data(), cidr_text.size()), '\n')) {
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty() || line.find(':') != absl::string_view::npos) continue;  // IPv6: not drawn
    const std::pair<std::string, std::string> parts = absl::StrSplit(line, '/');
    in_addr addr{};
    int prefix = 32;
    if (inet_pton(AF_INET, parts.first.c_str(), &addr) != 1 ||
        (!parts.second.empty() && !absl::SimpleAtoi(parts.second, &prefix)) || prefix < 8 ||
        prefix > 32) {
      continue;  // CidrList::Parse has judged the file; this only looks for networks to draw
    }
    const uint32_t size = prefix == 32 ? 1 : (uint32_t{1} << (32 - prefix));
    book.datacenter_.emplace_back(ntohl(addr.s_addr) & ~(size - 1), size);
  }
  if (book.datacenter_.empty()) {
    return absl::InvalidArgumentError("the datacenter list holds no IPv4 network (/8 to /32)");
  }
  return book;
}

std::string AddressBook::Datacenter(std::mt19937_64& rng) const {
  const auto& [first, size] = datacenter_[Index(rng, datacenter_.size())];
  return FormatV4(first + static_cast<uint32_t>(Index(rng, size)));
}

std::string AddressBook::Residential(std::mt19937_64& rng) const {
  // Public blocks held mostly by consumer ISPs; an address that falls into the datacenter list
  // is drawn again.
  static constexpr uint32_t kBlocks[] = {24, 50, 67, 68, 69, 71, 73, 76, 82, 86, 90, 92, 98, 174};
  for (;;) {
    const uint32_t block = kBlocks[Index(rng, std::size(kBlocks))];
    const uint32_t a = (block << 24) | static_cast<uint32_t>(Index(rng, uint32_t{1} << 24));
    std::string text = FormatV4(a);
    if (!list_->Contains(text)) return text;
  }
}

Simulation Simulate(const std::vector<SourceReview>& source, const SimOptions& options,
                    const AddressBook& addresses, std::ostream* progress) {
  Simulation sim;
  Context c{source, {}, options, addresses, {}, {}, {}, {}, sim, 0, 0, {}};
  c.by_time.resize(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) c.by_time[i] = i;
  std::stable_sort(c.by_time.begin(), c.by_time.end(),
                   [&](std::size_t a, std::size_t b) { return source[a].at < source[b].at; });
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i].rating >= 4) c.positive.push_back(i);
    if (source[i].rating <= 2) c.negative.push_back(i);
    if (source[i].rating >= 3) c.ordinary.push_back(i);
  }
  if (c.ordinary.empty()) c.ordinary.push_back(0);
  std::mt19937_64 carrier_rng = Stream(options.seed, "carrier");
  for (int i = 0; i < options.carrier_addresses; ++i) {
    c.carrier.push_back(addresses.Residential(carrier_rng));
  }
  if (c.carrier.empty()) c.carrier.push_back(addresses.Residential(carrier_rng));

  AddGenuine(c);
  if (progress != nullptr) {
    *progress << "simulate: " << sim.reviews.size() << " genuine reviews from " << sim.genuine_users
              << " shoppers\n";
  }
  std::size_t before = sim.reviews.size();
  AddNewcomers(c);
  if (progress != nullptr) {
    *progress << "simulate: " << sim.reviews.size() - before << " genuine reviews from "
              << sim.newcomers << " newcomers (new to Candor, no history)\n";
  }
  before = sim.reviews.size();
  {
    const std::vector<Split> splits = SpreadSplits(options.crowds.crowds, options, "split-crowds");
    for (int i = 0; i < options.crowds.crowds; ++i) AddCrowd(c, i, splits[i]);
  }
  if (progress != nullptr) {
    *progress << "simulate: " << options.crowds.crowds << " genuine flash crowds, "
              << sim.reviews.size() - before << " reviews\n";
  }
  for (int t = 0; t < kCampaignTypes; ++t) {
    const Kind kind = CampaignKind(t);
    const int count = options.campaigns[t].campaigns;
    // Whole campaigns are split; the unseen type is all test.
    const std::vector<Split> splits =
        kind == options.unseen
            ? std::vector<Split>(static_cast<std::size_t>(count), Split::kTest)
            : SpreadSplits(count, options, absl::StrCat("split-", KindName(kind)));
    before = sim.reviews.size();
    for (int i = 0; i < count; ++i) AddCampaign(c, kind, i, splits[i]);
    if (progress != nullptr) {
      *progress << "simulate: " << count << " " << KindName(kind) << " campaigns, "
                << sim.reviews.size() - before
                << " reviews (warm-ups and genuine reviews of their targets included)"
                << (kind == options.unseen ? ", all held out (unseen in training)" : "") << "\n";
    }
  }
  std::stable_sort(sim.reviews.begin(), sim.reviews.end(),
                   [](const SimReview& a, const SimReview& b) {
                     return a.facts.at != b.facts.at ? a.facts.at < b.facts.at
                                                     : a.facts.review_id < b.facts.review_id;
                   });
  return sim;
}

}  // namespace candor::fraud_train
