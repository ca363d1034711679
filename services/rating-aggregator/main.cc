// candor-rating-aggregator: keeps product_ratings and rating:{asin} exact from review-events.
#include <iostream>

#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/core/runtime.h"
#include "libs/core/shutdown.h"
#include "services/rating-aggregator/app.h"
#include "services/rating-aggregator/config.h"

int main(int argc, char** argv) {
  using namespace candor;
  core::ConfigureRuntime();
  core::InstallSignalHandlers();
  rating_aggregator::Config config;
  core::Flags flags("candor-rating-aggregator",
                    "Consumes review-events and keeps every product's rating aggregate exact: the "
                    "reviews table is the ledger, product_ratings in Postgres the durable sums, "
                    "rating:{asin} in Redis their versioned copy.");
  rating_aggregator::RegisterFlags(flags, &config);
  if (int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (absl::Status s = rating_aggregator::ValidateConfig(config); !s.ok()) {
    std::cerr << argv[0] << ": " << s.message() << "\n(see --help)\n";
    return 2;
  }
  core::InitLogging("rating-aggregator", config.consumer.log_level);

  auto app = rating_aggregator::CreateApp(config);
  if (!app.ok()) {
    spdlog::error("startup failed: {}", app.status());
    return 1;
  }
  if (absl::Status s = (*app)->Run([] { return core::ShutdownRequested(); }); !s.ok()) {
    spdlog::error("stopped on error: {}", s);
    return 1;
  }
  return 0;
}
