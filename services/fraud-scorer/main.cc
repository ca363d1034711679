// candor-fraud-scorer: scores review submissions, stores them, announces the accepted ones.
#include "libs/service/service_main.h"
#include "services/fraud-scorer/app.h"
#include "services/fraud-scorer/config.h"

int main(int argc, char** argv) {
  namespace scorer = candor::fraud_scorer;
  return candor::service::ServiceMain<scorer::Config>(
      argc, argv,
      {.name = "fraud-scorer",
       .summary = "Consumes review-submissions, scores each review for fraud, stores it with its "
                  "audit row in Postgres and publishes Accepted events to review-events.",
       .register_flags = scorer::RegisterFlags,
       .validate = scorer::ValidateConfig,
       .create_app = scorer::CreateApp});
}
