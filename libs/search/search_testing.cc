#include "libs/search/search_testing.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace candor::search::testing {

absl::Time SampleNow() { return absl::FromCivil(absl::CivilDay(2026, 12, 1), absl::UTCTimeZone()); }

std::string Id(int n) { return absl::StrFormat("%032x", n); }

ReviewDocument Doc(int n, std::string asin, int rating, bool verified, int days_ago,
                   std::string title, std::string body, double helpfulness, absl::Time now) {
  ReviewDocument d;
  d.review_id = Id(n);
  d.asin = std::move(asin);
  d.rating = rating;
  d.verified = verified;
  d.created = now - absl::Hours(24 * days_ago);
  d.title = std::move(title);
  d.body = std::move(body);
  d.helpfulness = helpfulness;
  return d;
}

std::vector<ReviewDocument> GuitarAndTunerReviews() {
  return {
      Doc(1, "B000GUITAR", 2, true, 10, "Strings buzz",
          "The strings buzz on the third fret no matter what I do. Returned it."),
      Doc(2, "B000GUITAR", 5, true, 200, "Great guitar",
          "Sounds warm, no string buzz at all after a setup.", 3.0),
      Doc(3, "B000GUITAR", 4, false, 800, "Good value",
          "Decent for the money; the tuner battery died after a week.", 1.0),
      Doc(4, "B000GUITAR", 1, false, 5, "Buzzing mess",
          "Buzzing everywhere & the <b>action</b> is high.", 2.0),
      Doc(5, "B000TUNERS", 5, true, 1, "Tuner", "Accurate tuner, battery lasts months."),
  };
}

}  // namespace candor::search::testing
