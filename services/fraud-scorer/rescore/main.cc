// candor-fraud-rescore: re-scores stored reviews (the unscored ones, or a time range) with a given
// fraud model; shadow mode prints how decisions would change, --apply enacts them through the
// normal paths. See README.md.
#include <iostream>

#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "services/fraud-scorer/rescore/app.h"
#include "services/fraud-scorer/rescore/config.h"

namespace {

constexpr int kFailed = 1;
constexpr int kBadSetting = 2;
constexpr int kSomeUnscored = 3;

}  // namespace

int main(int argc, char** argv) {
  using candor::fraud_scorer::rescore::Config;
  Config config;
  candor::core::Flags flags(
      "candor-fraud-rescore",
      "Re-scores stored reviews with a fraud model: those whose latest decision is 'unscored' "
      "(--unscored), or those submitted in a time range (--from / --to), optionally of one "
      "product (--asin).\n"
      "Without --apply (shadow mode) it prints how the decisions would change (from -> to, with "
      "examples and reasons) and writes nothing to Postgres or Kafka. With --apply it enacts them "
      "in one transaction per batch (audit row, status, moderation queue) and then publishes "
      "Removed / Accepted on review-events so the aggregates follow. Applying twice changes "
      "nothing the second time.\n"
      "Exit codes: 0 done; 1 a store, Kafka or the feature store failed (what was committed "
      "stays; run again); 2 a bad flag, model or CIDR file; 3 done, but some reviews could not "
      "be scored (left as they were; run again).\n"
      "Example:\n"
      "  candor-fraud-rescore --unscored\n"
      "  candor-fraud-rescore --from 2026-12-01 --to 2026-12-02 --model models/fraud/new.json "
      "--apply");
  RegisterFlags(flags, &config);
  if (int rc = candor::core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;
  if (!flags.positional().empty()) {
    std::cerr << "candor-fraud-rescore: unexpected argument '" << flags.positional().front()
              << "' (see --help)\n";
    return kBadSetting;
  }
  if (absl::Status s = ValidateConfig(config); !s.ok()) {
    std::cerr << "candor-fraud-rescore: " << s.message() << "\n(see --help)\n";
    return kBadSetting;
  }
  // The files before any connection, as the service loads them: a bad one exits 2.
  absl::StatusOr<candor::fraud_scorer::ModelFiles> files = candor::fraud_scorer::LoadModelFiles(
      config.model.model_path, config.model.datacenter_cidrs_path);
  if (!files.ok()) {
    std::cerr << "candor-fraud-rescore: " << files.status().message() << "\n";
    return kBadSetting;
  }
  candor::core::InitLogging("fraud-rescore", "warn");

  candor::fraud_scorer::rescore::Report report(static_cast<int>(config.examples));
  absl::Status s = candor::fraud_scorer::rescore::RunRescore(
      config, *files->model, files->datacenters, report, std::cout, std::cerr);
  if (!s.ok()) {
    std::cerr << "candor-fraud-rescore: stopped: " << s << "\n";
    return kFailed;
  }
  if (report.unscored() > 0) return kSomeUnscored;
  return 0;
}
