#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/search/search_index.h"

// Tests only: the review documents the search tests index (libs/search's, the gateway's), built
// one way so that every test reads ids and dates alike.
namespace candor::search::testing {

// The instant the sample documents are dated from, and the `now` of the tests' requests:
// 2026-12-01 00:00 UTC.
absl::Time SampleNow();

// Review `n`'s id: n in 32 lower-case hex digits, the shape of the ids the gateway derives.
std::string Id(int n);

// The document of review `n` (id Id(n)) of `asin`, created `days_ago` days before `now`, with
// no votes.
ReviewDocument Doc(int n, std::string asin, int rating, bool verified, int days_ago,
                   std::string title, std::string body, double helpfulness = 0,
                   absl::Time now = SampleNow());

// Reviews 1 to 5, dated from SampleNow(): four of B000GUITAR (2 stars verified 10 days ago,
// "Strings buzz"; 5 stars verified 200 days ago, "Great guitar", helpfulness 3; 4 stars
// unverified 800 days ago, "Good value", about the tuner battery, helpfulness 1; 1 star
// unverified 5 days ago, "Buzzing mess", with markup in its body, helpfulness 2) and one of
// B000TUNERS (5 stars verified a day ago, "Tuner", about its battery).
std::vector<ReviewDocument> GuitarAndTunerReviews();

}  // namespace candor::search::testing
