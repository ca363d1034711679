// candor-rating-aggregator: keeps product_ratings and rating:{asin} exact from review-events.
#include "libs/service/service_main.h"
#include "services/rating-aggregator/app.h"
#include "services/rating-aggregator/config.h"

int main(int argc, char** argv) {
  namespace aggregator = candor::rating_aggregator;
  return candor::service::ServiceMain<aggregator::Config>(
      argc, argv,
      {.name = "rating-aggregator",
       .summary = "Consumes review-events and keeps every product's rating aggregate exact: the "
                  "reviews table is the ledger, product_ratings in Postgres the durable sums, "
                  "rating:{asin} in Redis their versioned copy.",
       .register_flags = aggregator::RegisterFlags,
       .validate = aggregator::ValidateConfig,
       .create_app = aggregator::CreateApp});
}
