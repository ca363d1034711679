// candor-fraud-scorer: scores review submissions, stores them, announces the accepted ones.
#include "libs/service/service_main.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/config.h"

int main(int argc, char** argv) {
  return candor::service::ServiceMain<candor::fraud_scorer::Config>(
      argc, argv, "fraud-scorer",
      "Consumes review-submissions, scores each review for fraud, stores it with its audit row in "
      "Postgres and publishes Accepted events to review-events.");
}
