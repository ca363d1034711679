// candor-helpfulness-ranker: the vote ledger, helpful counts and the per-product ranking.
#include "libs/service/service_main.h"
#include "services/helpfulness-ranker/app.h"
#include "services/helpfulness-ranker/config.h"

int main(int argc, char** argv) {
  return candor::service::ServiceMain<candor::helpfulness_ranker::Config>(
      argc, argv, "helpfulness-ranker",
      "Consumes helpful-votes and review-events: keeps the vote ledger (one vote per user per "
      "review) and each review's helpful counts in Postgres, ranks every active review by a "
      "time-invariant key of the Wilson x recency x verified score, keeps each product's best "
      "reviews in the Redis sorted set helpful:{asin} and publishes score changes to "
      "review-scores.\n"
      "--check compares the counts, sort keys and helpful:{asin} with the vote ledger (I4, I6) "
      "and prints the drift; --repair (with the service stopped) repairs it through the ranker.");
}
