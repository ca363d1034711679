// candor-index-writer: keeps the review search index in step with review-events (README.md).
#include "libs/service/service_main.h"
#include "services/index-writer/app.h"
#include "services/index-writer/config.h"

int main(int argc, char** argv) {
  return candor::service::ServiceMain<candor::index_writer::Config>(
      argc, argv, "index-writer",
      "Keeps the review search index (an embedded Xapian index in --index-dir) in step with "
      "review-events: an accepted or restored review is (re)written from Postgres, a removed one "
      "deleted; each batch is committed, so a review is searchable within a second of its event.\n"
      "--rebuild rebuilds the index from Postgres (a lost or corrupt index; stop the service "
      "first); --check compares it with Postgres's active reviews (I5).");
}
