#include "tools/candor-fraud-train/simulator.h"

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/review/ip_address.h"

namespace candor::fraud_train {
namespace {

constexpr char kCidrs[] = "# test list\n3.0.0.0/9\n2600:1f00::/24\n";
const absl::Time kStart = absl::FromUnixSeconds(1356998400);  // 2013-01-01, a day boundary

// 40 shoppers, 20 products, a year of day-resolution times, every rating.
std::vector<SourceReview> Source() {
  std::vector<SourceReview> out;
  for (int u = 0; u < 40; ++u) {
    for (int k = 0; k < 6; ++k) {
      SourceReview r;
      r.user = absl::StrCat("USER", u);
      r.asin = absl::StrFormat("B%09d", (u * 7 + k * 3) % 20);
      r.rating = 1 + (u + k) % 5;
      r.title = absl::StrCat("Title ", u, " ", k);
      r.body = absl::StrCat("Shopper ", u, " writes review ", k,
                            " about the strings, the tuner and the case. It works well for me. "
                            "The price was fair and shipping was quick.");
      r.at = kStart + absl::Hours(24 * ((u * 13 + k * 31) % 365));
      out.push_back(std::move(r));
    }
  }
  return out;
}

SimOptions SmallOptions(uint64_t seed) {
  SimOptions o = DefaultSimOptions();
  o.seed = seed;
  for (CampaignSpec& c : o.campaigns) c.campaigns = 5;
  o.crowds.crowds = 6;
  o.crowds.reviews = {5, 20};
  o.newcomers.shoppers = 30;
  o.collateral.campaigns = 1;
  return o;
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<fraud::CidrList> list = fraud::CidrList::Parse(kCidrs);
    ASSERT_TRUE(list.ok()) << list.status();
    list_ = *std::move(list);
    absl::StatusOr<AddressBook> book = AddressBook::Make(kCidrs, list_);
    ASSERT_TRUE(book.ok()) << book.status();
    book_.emplace(*std::move(book));
  }

  Simulation Run(uint64_t seed) { return Simulate(source_, SmallOptions(seed), *book_, nullptr); }

  std::vector<SourceReview> source_ = Source();
  fraud::CidrList list_;
  std::optional<AddressBook> book_;
};

TEST_F(SimulatorTest, TheSeedReproducesTheStream) {
  const Simulation a = Run(7);
  const Simulation b = Run(7);
  const Simulation c = Run(8);
  ASSERT_EQ(a.reviews.size(), b.reviews.size());
  for (std::size_t i = 0; i < a.reviews.size(); ++i) {
    const fraud::ReviewFacts& x = a.reviews[i].facts;
    const fraud::ReviewFacts& y = b.reviews[i].facts;
    ASSERT_EQ(x.review_id, y.review_id);
    EXPECT_EQ(x.user_id, y.user_id);
    EXPECT_EQ(x.asin, y.asin);
    EXPECT_EQ(x.at, y.at);
    EXPECT_EQ(x.client_ip, y.client_ip);
    EXPECT_EQ(x.device_id, y.device_id);
    EXPECT_EQ(x.signature, y.signature);
    EXPECT_EQ(a.reviews[i].split, b.reviews[i].split);
  }
  bool differs = a.reviews.size() != c.reviews.size();
  for (std::size_t i = 0; !differs && i < a.reviews.size(); ++i) {
    differs = a.reviews[i].facts.at != c.reviews[i].facts.at;
  }
  EXPECT_TRUE(differs);
}

TEST_F(SimulatorTest, GenuineShoppersAreTheDataAsItHappened) {
  const Simulation sim = Run(1);
  EXPECT_EQ(sim.genuine_users, 40);
  std::map<std::string, Split> split_of;
  std::map<std::string, absl::Time> first_of;
  int genuine = 0;
  for (const SimReview& r : sim.reviews) {
    if (r.kind != Kind::kGenuine || r.origin != Origin::kData) continue;
    ++genuine;
    const fraud::ReviewFacts& f = r.facts;
    // g<index into the source>
    const SourceReview& s = source_[std::stoul(f.review_id.substr(1))];
    EXPECT_EQ(f.user_id, s.user);
    EXPECT_EQ(f.asin, s.asin);
    EXPECT_EQ(f.rating, s.rating);
    // The data's day, at most a time of day later.
    EXPECT_GE(f.at, s.at);
    EXPECT_LT(f.at, s.at + absl::Hours(24));
    auto [it, added] = split_of.emplace(f.user_id, r.split);
    EXPECT_EQ(it->second, r.split) << "a shopper's reviews share one split";
    auto [first, new_user] = first_of.emplace(f.user_id, f.at);
    if (f.account_created.has_value()) {
      EXPECT_LE(*f.account_created, first->second);
    }
  }
  EXPECT_EQ(genuine, static_cast<int>(source_.size()));
  std::set<Split> splits;
  for (const auto& [user, split] : split_of) splits.insert(split);
  EXPECT_EQ(splits.size(), 3u);
}

TEST_F(SimulatorTest, CrowdsNewcomersAndCollateralAreGenuineShoppersOfTheirOwn) {
  const Simulation sim = Run(3);
  const SimOptions o = SmallOptions(3);
  ASSERT_EQ(static_cast<int>(sim.crowds.size()), o.crowds.crowds);
  // The data's texts, by their signature as the store sees them, with their ratings.
  std::map<fraud::TextSignature, std::set<int>> data_text;
  for (const SourceReview& s : source_) {
    const fraud::ReviewFacts f = FactsOfReview("x", "x", s.asin, s.rating, s.title, s.body, false,
                                               s.at, "", "", std::nullopt);
    data_text[f.signature].insert(s.rating);
  }
  std::map<int, std::set<std::string>> crowd_users;
  std::map<int, std::set<std::string>> crowd_addresses;
  std::map<int, int> crowd_reviews;
  std::array<int, kOrigins> origins{};
  std::set<std::string> targets;
  for (const CampaignInfo& c : sim.campaigns) targets.insert(c.targets.begin(), c.targets.end());
  int collateral_on_targets = 0;
  for (const SimReview& r : sim.reviews) {
    if (r.kind != Kind::kGenuine) continue;
    ++origins[static_cast<std::size_t>(r.origin)];
    const fraud::ReviewFacts& f = r.facts;
    if (r.origin == Origin::kData) continue;
    // A real review's text with its own rating.
    ASSERT_EQ(data_text.count(f.signature), 1u) << f.review_id;
    EXPECT_EQ(data_text[f.signature].count(f.rating), 1u) << f.review_id;
    const bool newcomer = f.user_id.rfind("n", 0) == 0;
    if (newcomer && f.account_created.has_value()) {
      // Aged at its first review here: at least NewcomerSpec::age_days.lo.
      EXPECT_GE(f.at - *f.account_created,
                absl::Hours(24 * o.newcomers.age_days.lo) - absl::Hours(24 * 60));
    }
    if (r.origin == Origin::kCrowd) {
      ASSERT_GE(r.crowd, 0);
      const CrowdInfo& c = sim.crowds[static_cast<std::size_t>(r.crowd)];
      EXPECT_EQ(f.asin, c.target);
      EXPECT_EQ(r.split, c.split);
      EXPECT_GE(f.at, c.start);
      EXPECT_LE(f.at, c.start + c.span);
      EXPECT_TRUE(crowd_users[r.crowd].insert(f.user_id).second) << "one review per shopper";
      if (!f.client_ip.empty() && f.client_ip.find(':') == std::string::npos) {
        crowd_addresses[r.crowd].insert(f.client_ip);
      }
      ++crowd_reviews[r.crowd];
    }
    if (r.origin == Origin::kCollateral) collateral_on_targets += targets.count(f.asin) ? 1 : 0;
  }
  EXPECT_GT(origins[static_cast<std::size_t>(Origin::kNewcomer)], o.newcomers.shoppers - 1);
  EXPECT_GT(origins[static_cast<std::size_t>(Origin::kCrowd)], 0);
  EXPECT_GT(origins[static_cast<std::size_t>(Origin::kCollateral)], 0);
  EXPECT_EQ(collateral_on_targets, origins[static_cast<std::size_t>(Origin::kCollateral)]);
  bool launch = false;
  bool established = false;
  for (std::size_t i = 0; i < sim.crowds.size(); ++i) {
    const CrowdInfo& c = sim.crowds[i];
    EXPECT_EQ(crowd_reviews[static_cast<int>(i)], c.reviews);
    (c.new_product ? launch : established) = true;
    // Shoppers mostly at addresses of their own (some share a carrier's).
    EXPECT_GT(crowd_addresses[static_cast<int>(i)].size() * 2,
              static_cast<std::size_t>(c.reviews) / 2);
  }
  EXPECT_TRUE(launch);
  EXPECT_TRUE(established);
}

TEST_F(SimulatorTest, CampaignsAreWholeInOneSplitAndTheUnseenTypeOnlyInTest) {
  const Simulation sim = Run(2);
  ASSERT_EQ(sim.campaigns.size(), 25u);
  std::map<Kind, std::set<Split>> splits;
  for (const CampaignInfo& c : sim.campaigns) splits[c.kind].insert(c.split);
  EXPECT_EQ(splits[Kind::kCompetitorOneStar], std::set<Split>{Split::kTest});
  for (Kind k : {Kind::kAgedFarm, Kind::kReviewBomb, Kind::kIncentivisedBurst, Kind::kSlowDrip}) {
    EXPECT_TRUE(splits[k].count(Split::kTrain) > 0) << KindName(k);
    EXPECT_TRUE(splits[k].count(Split::kTest) > 0) << KindName(k);
  }
  for (const SimReview& r : sim.reviews) {
    if (r.kind == Kind::kGenuine) continue;
    ASSERT_GE(r.campaign, 0);
    EXPECT_EQ(r.split, sim.campaigns[r.campaign].split);
    EXPECT_EQ(r.kind, sim.campaigns[r.campaign].kind);
  }
}

TEST_F(SimulatorTest, CampaignsBehaveAsTheirTypeSays) {
  const Simulation sim = Run(3);
  struct Seen {
    absl::Time first = absl::InfiniteFuture();
    absl::Time last = absl::InfinitePast();
    std::set<std::string> asins;
    std::set<std::string> ips;
    std::set<std::string> accounts;
    std::set<std::pair<std::string, std::string>> account_product;
    int reviews = 0;
    int low_ratings = 0;
    int datacenter = 0;
  };
  std::map<int, Seen> seen;
  const absl::Time data_first = kStart - absl::Hours(24 * 8);
  const absl::Time data_last = kStart + absl::Hours(24 * 373);
  for (const SimReview& r : sim.reviews) {
    if (r.kind == Kind::kGenuine) continue;
    const CampaignInfo& c = sim.campaigns[r.campaign];
    if (r.warm_up) {
      EXPECT_LT(r.facts.at, c.start) << "warm-ups come before the campaign";
      EXPECT_EQ(r.facts.asin.front(), 'W') << "warm-ups land outside the data's products";
      continue;
    }
    Seen& s = seen[r.campaign];
    s.first = std::min(s.first, r.facts.at);
    s.last = std::max(s.last, r.facts.at);
    s.asins.insert(r.facts.asin);
    s.ips.insert(r.facts.client_ip);
    s.accounts.insert(r.facts.user_id);
    EXPECT_TRUE(s.account_product.emplace(r.facts.user_id, r.facts.asin).second)
        << "an account reviews a product once";
    ++s.reviews;
    s.low_ratings += r.facts.rating <= 2 ? 1 : 0;
    s.datacenter += list_.Contains(r.facts.client_ip) ? 1 : 0;
    EXPECT_GE(r.facts.at, data_first);
    EXPECT_LE(r.facts.at, data_last + absl::Hours(24 * 61));
    if (r.rejected_at.has_value()) {
      EXPECT_GT(*r.rejected_at, r.facts.at);
    }
  }
  for (const auto& [id, s] : seen) {
    const CampaignInfo& c = sim.campaigns[id];
    EXPECT_EQ(s.reviews, c.reviews);
    EXPECT_LE(s.last - s.first, c.span);
    switch (c.kind) {
      case Kind::kReviewBomb:
        EXPECT_LE(s.last - s.first, absl::Hours(1));
        EXPECT_EQ(s.asins.size(), 1u);
        EXPECT_EQ(s.low_ratings, s.reviews);
        break;
      case Kind::kCompetitorOneStar:
        EXPECT_EQ(s.low_ratings, s.reviews);
        EXPECT_EQ(s.asins.size(), 1u);
        EXPECT_EQ(s.asins.begin()->front(), 'B') << "attacks an established product";
        break;
      case Kind::kSlowDrip:
        EXPECT_GE(s.last - s.first, absl::Hours(24 * 7));
        EXPECT_LT(s.accounts.size(), static_cast<std::size_t>(s.reviews));
        // A pool of 2-6 addresses (an account without any counts as one more).
        EXPECT_LE(s.ips.size(), 7u);
        break;
      case Kind::kAgedFarm:
      case Kind::kIncentivisedBurst:
        EXPECT_EQ(s.low_ratings, 0);
        EXPECT_EQ(s.accounts.size(), static_cast<std::size_t>(s.reviews));
        break;
      case Kind::kGenuine:
        break;
    }
  }
}

TEST_F(SimulatorTest, AddressesComeFromTheRightRanges) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(list_.Contains(book_->Datacenter(rng)));
    const std::string home = book_->Residential(rng);
    EXPECT_FALSE(list_.Contains(home)) << home;
    EXPECT_TRUE(review::IpAddress::Parse(home).has_value()) << home;
  }
}

TEST(AddressBookTest, RefusesAListWithoutIpv4Networks) {
  absl::StatusOr<fraud::CidrList> list = fraud::CidrList::Parse("2600:1f00::/24\n");
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(AddressBook::Make("2600:1f00::/24\n", *list).ok());
}

TEST(KindTest, NamesRoundTrip) {
  for (int t = 0; t < kCampaignTypes; ++t) {
    EXPECT_EQ(ParseCampaignType(KindName(CampaignKind(t))), CampaignKind(t));
  }
  EXPECT_FALSE(ParseCampaignType("genuine").has_value());
  EXPECT_FALSE(ParseCampaignType("bomb").has_value());
}

}  // namespace
}  // namespace candor::fraud_train
