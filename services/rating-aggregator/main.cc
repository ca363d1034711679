// candor-rating-aggregator: keeps product_ratings and rating:{asin} exact from review-events.
#include "libs/service/service_main.h"
#include "services/rating-aggregator/app.h"
#include "services/rating-aggregator/config.h"

int main(int argc, char** argv) {
  return candor::service::ServiceMain<candor::rating_aggregator::Config>(
      argc, argv, "rating-aggregator",
      "Consumes review-events and keeps every product's rating aggregate exact: the reviews table "
      "is the ledger, product_ratings in Postgres the durable sums, rating:{asin} in Redis their "
      "versioned copy.");
}
