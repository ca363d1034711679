#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/feature_store.h"
#include "nlohmann/json.hpp"
#include "tools/candor-fraud-train/amazon_reviews.h"

namespace candor::fraud_train {

// Who wrote a simulated review: a genuine shopper (a real review from the data) or a campaign of
// one of five types (README.md, "Campaigns").
enum class Kind : int {
  kGenuine,
  kAgedFarm,           // aged accounts, one product, spun five-star texts, over hours to days
  kReviewBomb,         // one product, many one-star reviews from new accounts within minutes
  kCompetitorOneStar,  // one product, a moderate number of one-star reviews from aged accounts
  kIncentivisedBurst,  // one product, many five-star verified-looking reviews over a day or two
  kSlowDrip,           // a few reviews a day for weeks from a pool sharing addresses and devices
};
inline constexpr int kKinds = 6;
inline constexpr int kCampaignTypes = kKinds - 1;

// "genuine", "aged_farm", "review_bomb", "competitor_one_star", "incentivised_burst",
// "slow_drip".
std::string KindName(Kind k);
// The campaign type of that name (not "genuine"), or nullopt.
std::optional<Kind> ParseCampaignType(std::string_view name);
inline int CampaignIndex(Kind k) { return static_cast<int>(k) - 1; }
inline Kind CampaignKind(int index) { return static_cast<Kind>(index + 1); }

enum class Split : int { kTrain, kValid, kTest };
std::string SplitName(Split s);

// A closed interval a parameter is drawn from, uniformly (lo == hi: a constant).
struct Range {
  double lo = 0;
  double hi = 0;
  double Draw(std::mt19937_64& rng) const;
};

// One campaign type's parameters (README.md documents each and its default).
struct CampaignSpec {
  int campaigns = 0;                       // campaigns of this type
  Range reviews;                           // reviews per campaign
  Range span_hours;                        // from the first review to the last
  Range products{1, 1};                    // target products
  Range reviews_per_account{1, 1};         // reviews one account writes (each on another target)
  std::array<double, 5> rating_weights{};  // relative weights of 1..5 stars
  Range verified;                          // share of reviews marked verified purchase
  Range fresh_accounts;        // share of accounts created 0-3 days before their first review
  Range aged_days{180, 2000};  // the other accounts: created this long before the campaign
  Range warm_up_reviews;       // ordinary reviews each aged account wrote before the campaign,
                               // on products of a catalogue outside the data
  Range spin;                  // text variation around the campaign's template (spinner.h)
  double script_share = 0;     // chance the template is a script rather than a real review
  bool own_texts = false;      // each review a different real review's text, no template
  double disclosure = 0;       // share of texts carrying an "in exchange for" disclosure
  Range datacenter;            // share of the campaign's addresses in datacenter ranges
  Range shared_addresses;      // addresses the accounts share (0: one each)
  Range shared_devices;        // devices the accounts share (0: one each)
  double new_product = 0.25;   // chance a target is a new product without reviews
};

// How genuine shoppers behave beyond what the data records (README.md, "Genuine shoppers").
struct GenuineSpec {
  Range verified{0.5, 0.95};  // each shopper's share of verified purchases
  // Share of accounts (genuine, and campaign accounts alike) whose creation time the identity
  // provider states; the others' age counts from the first review Candor sees.
  double claim = 0.5;
  double recent_signup = 0.3;         // of stated creations: within 30 days before the first review
  Range signup_days{30, 2000};        // the others: this long before the first review
  double time_of_day = 0.3;           // shoppers whose reviews get a time of day (else the data's)
  double mobile = 0.25;               // reviews from a carrier address many shoppers share
  double vpn = 0.02;                  // reviews from a datacenter address (VPN, office)
  double unknown_address = 0.1;       // accounts with neither address nor device (imported)
  double no_device = 0.3;             // reviews without a device id (web)
  double mistaken_rejection = 0.002;  // genuine reviews a moderator rejects anyway
};

// Genuine flash crowds: many real shoppers reviewing one product within hours (a launch, a sale,
// a viral item). README.md, "Flash crowds, newcomers and collateral".
struct CrowdSpec {
  int crowds = 60;
  Range reviews{20, 400};      // reviews per crowd, each by a different shopper
  Range span_hours{0.25, 8};   // from the first review to the last
  double new_product = 0.5;    // chance the product is a new one without reviews (a launch)
  Range newcomers{0.2, 0.95};  // share of the crowd's shoppers new to Candor (the others are the
                               // data's shoppers, who have history)
};

// Genuine shoppers new to Candor: accounts the identity provider created long ago (or states
// nothing about), with no history here, reviewing like anyone else.
struct NewcomerSpec {
  int shoppers = 1500;       // standalone newcomers (crowds and collateral add their own)
  Range reviews{1, 3};       // reviews each, on products then reviewed in the data
  Range gap_days{0, 60};     // between one newcomer's reviews
  double claim = 0.8;        // newcomers whose creation time the identity provider states
  Range age_days{30, 3000};  // those accounts' age at their first review here
};

// Genuine reviews of products under attack, written while the campaign runs.
struct CollateralSpec {
  double campaigns = 0.6;  // share of campaigns whose targets get genuine reviews meanwhile
  Range reviews{2, 15};    // genuine reviews per such campaign
  double newcomers = 0.5;  // share of them by newcomers (the others: the data's shoppers)
};

struct SimOptions {
  uint64_t seed = 1;
  GenuineSpec genuine;
  CrowdSpec crowds;
  NewcomerSpec newcomers;
  CollateralSpec collateral;
  std::array<CampaignSpec, kCampaignTypes> campaigns;  // by CampaignIndex
  // Held out entirely: its campaigns are all in the test split.
  Kind unseen = Kind::kCompetitorOneStar;
  double train_share = 0.6;  // of genuine users, and of each seen type's campaigns
  double valid_share = 0.2;  // the rest is test
  double confirmed = 0.6;    // share of campaign reviews a moderator rejects (MarkRejected)
  Range confirm_days{1, 7};  // after the review
  int carrier_addresses = 256;
};

// The defaults README.md documents.
SimOptions DefaultSimOptions();

// Every parameter, as the model's metadata records them.
nlohmann::json ToJson(const SimOptions& o);

// Where a genuine review comes from: the data as it happened, a standalone newcomer, a flash
// crowd, or a review of a product under attack.
enum class Origin : int { kData, kNewcomer, kCrowd, kCollateral };
inline constexpr int kOrigins = 4;
// "data", "newcomer", "crowd", "collateral".
std::string OriginName(Origin o);

// One simulated review.
struct SimReview {
  fraud::ReviewFacts facts;
  Kind kind = Kind::kGenuine;
  Origin origin = Origin::kData;  // for genuine reviews
  int crowd = -1;                 // index into Simulation::crowds for a crowd's reviews
  int campaign = -1;              // index into Simulation::campaigns
  Split split = Split::kTrain;
  bool warm_up = false;                   // a campaign account's history: recorded, never a sample
  std::optional<absl::Time> rejected_at;  // when a moderator rejects it (MarkRejected)
};

struct CampaignInfo {
  Kind kind = Kind::kGenuine;
  Split split = Split::kTrain;
  absl::Time start;
  absl::Duration span;
  int reviews = 0;
  int accounts = 0;
  std::vector<std::string> targets;
};

struct CrowdInfo {
  Split split = Split::kTrain;
  absl::Time start;
  absl::Duration span;
  int reviews = 0;
  int newcomers = 0;
  bool new_product = false;
  std::string target;
};

struct Simulation {
  std::vector<SimReview> reviews;  // by (time, review id)
  std::vector<CampaignInfo> campaigns;
  std::vector<CrowdInfo> crowds;
  int64_t genuine_users = 0;  // the data's shoppers
  int64_t newcomers = 0;      // shoppers new to Candor (standalone, in crowds, collateral)
};

// Datacenter and residential addresses for the simulation: datacenter ones drawn from the IPv4
// networks of the CIDR file's text, residential ones from public blocks outside them.
class AddressBook {
 public:
  // `cidr_text` is the datacenter file's text; `list` the same parsed (the service's reading).
  // InvalidArgument when it holds no IPv4 network to draw from.
  static absl::StatusOr<AddressBook> Make(std::string_view cidr_text, const fraud::CidrList& list);
  std::string Datacenter(std::mt19937_64& rng) const;
  std::string Residential(std::mt19937_64& rng) const;

 private:
  std::vector<std::pair<uint32_t, uint32_t>> datacenter_;  // first address, size
  const fraud::CidrList* list_ = nullptr;
};

// What fraud::FactsOf makes of a submission with these fields (as the scorer sees it: text
// length, MinHash signature); `ip` is canonical text, as the gateway writes it, and
// `account_created` the creation claim (the submission's account_created_at).
fraud::ReviewFacts FactsOfReview(std::string review_id, std::string user, std::string asin,
                                 int rating, std::string title, std::string body, bool verified,
                                 absl::Time at, std::string ip, std::string device,
                                 std::optional<absl::Time> account_created);

// The split of a genuine shopper (by a hash of the user id and the seed).
Split GenuineSplit(const std::string& user, const SimOptions& options);

// Builds the stream: every usable review of `source` as a genuine shopper's, and the campaigns
// of `options`, interleaved in time on real (or new) products, with accounts, addresses,
// devices, texts, splits and moderator rejections. Deterministic in `options.seed`. Progress
// lines go to `progress` when it is not null.
Simulation Simulate(const std::vector<SourceReview>& source, const SimOptions& options,
                    const AddressBook& addresses, std::ostream* progress);

}  // namespace candor::fraud_train
