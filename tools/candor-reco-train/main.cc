// candor-reco-train: trains the two-tower retrieval model (libs/reco/two_tower_trainer.h) with
// libtorch on the train part of a leave-one-out split, picks the epoch with the best validation
// NDCG@10, evaluates it on the test split with the exported plain-C++ model (what serving runs)
// and writes the model file (libs/reco/two_tower.h) with its metadata. See README.md.

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/flags.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/loaders.h"
#include "libs/reco/split.h"
#include "libs/reco/tool.h"
#include "libs/reco/two_tower.h"
#include "libs/reco/two_tower_trainer.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

constexpr char kProgram[] = "candor-reco-train";

struct Settings {
  ToolDataFlags data;
  std::string item_content;
  std::string out;
  std::string report;
  int64_t dim = 64;
  int64_t hidden = 128;
  int64_t history = 20;
  double temperature = 0.1;
  int64_t batch = 256;
  double learning_rate = 1e-3;
  double weight_decay = 0;
  int64_t epochs = 10;
  int64_t patience = 0;
  bool no_logq = false;
  int64_t content_buckets = 16384;
  int64_t seed = 1;
  int64_t threads = 1;
  bool no_test = false;
};

int Fail(const std::string& what) { return ToolFailure(kProgram, what, std::cerr); }

int Run(const Settings& s) {
  // 1. Which data.
  if (const int rc = ValidateDataFlags(s.data, kProgram, std::cerr); rc >= 0) return rc;
  if (s.out.empty()) {
    std::cerr << "candor-reco-train: --out is required (the model file to write)\n";
    return kToolUsage;
  }

  // 2. Load and split.
  TrainerInput input;
  if (const int rc =
          LoadTrainerInput(s.data, s.item_content, s.content_buckets, kProgram, std::cerr, &input);
      rc >= 0) {
    return rc;
  }

  // 3. Train, evaluating every epoch on the validation split with the exported model.
  const TwoTowerOptions options{
      .dim = static_cast<int>(s.dim),
      .hidden = static_cast<int>(s.hidden),
      .history = static_cast<int>(s.history),
      .temperature = s.temperature,
      .batch = static_cast<int>(s.batch),
      .learning_rate = s.learning_rate,
      .weight_decay = s.weight_decay,
      .logq = !s.no_logq,
      .content_buckets = input.content.tokens.empty() ? 0 : static_cast<int>(s.content_buckets),
      .seed = static_cast<uint64_t>(s.seed),
      .threads = static_cast<int>(s.threads)};
  std::vector<std::string> item_ids;
  item_ids.reserve(static_cast<std::size_t>(input.data.log.num_items()));
  for (int32_t i = 0; i < input.data.log.num_items(); ++i)
    item_ids.push_back(input.data.log.ItemId(i));
  absl::StatusOr<std::unique_ptr<TwoTowerTrainer>> trainer = TwoTowerTrainer::Create(
      options, input.split.train, std::move(item_ids), std::move(input.content.tokens));
  if (!trainer.ok()) return Fail(std::string(trainer.status().message()));
  std::cerr << absl::StrFormat(
      "train: %d examples; dim %d, hidden %d, history %d, temperature %g, batch %d, lr %g, "
      "logQ %s, seed %d, %d thread(s)\n",
      (*trainer)->examples(), s.dim, s.hidden, s.history, s.temperature, s.batch, s.learning_rate,
      s.no_logq ? "off" : "on", s.seed, s.threads);

  EvalOptions eval_options;
  eval_options.cutoffs = {10, 20};
  nlohmann::json epochs = nlohmann::json::array();
  std::optional<TwoTowerWeights> best;
  EvalResult best_validation;
  int best_epoch = 0;
  double train_seconds = 0;
  for (int64_t epoch = 1; epoch <= s.epochs; ++epoch) {
    const EpochStats stats = (*trainer)->RunEpoch();
    train_seconds += stats.seconds;
    TwoTowerWeights weights = (*trainer)->Export();
    TwoTowerModel model(weights);
    if (absl::Status fit = model.Fit(input.split.train); !fit.ok()) {
      return Fail(std::string(fit.message()));
    }
    const EvalResult v = Evaluate(model, input.split, Holdout::kValidation, eval_options);
    std::cerr << absl::StrFormat(
        "epoch %d/%d: loss %.4f, %d examples, %.1f s; validation HR@10 %.4f NDCG@10 %.4f (%.1f "
        "s)\n",
        stats.epoch, s.epochs, stats.loss, stats.examples, stats.seconds, v.hit[0], v.ndcg[0],
        v.seconds);
    nlohmann::json e = {{"epoch", stats.epoch},
                        {"loss", stats.loss},
                        {"seconds", stats.seconds},
                        {"validation", EvalResultJson(v)}};
    epochs.push_back(e);
    if (!best || v.ndcg[0] > best_validation.ndcg[0]) {
      best = std::move(weights);
      best_validation = v;
      best_epoch = stats.epoch;
    } else if (s.patience > 0 && stats.epoch - best_epoch >= s.patience) {
      std::cerr << absl::StrFormat("early stop: no better validation NDCG@10 in %d epochs\n",
                                   s.patience);
      break;
    }
  }
  std::cerr << absl::StrFormat("train: %.1f s; best epoch %d (validation NDCG@10 %.4f)\n",
                               train_seconds, best_epoch, best_validation.ndcg[0]);

  // 4. The test split, once, with the chosen epoch's exported model.
  nlohmann::json meta = {
      {"trainer", "candor-reco-train"},
      {"data", DataJson(input.data, input.checksum, s.item_content, input.content.described)},
      {"options",
       {{"dim", s.dim},
        {"hidden", s.hidden},
        {"history", s.history},
        {"temperature", s.temperature},
        {"batch", s.batch},
        {"learning_rate", s.learning_rate},
        {"weight_decay", s.weight_decay},
        {"logq", !s.no_logq},
        {"content_buckets", options.content_buckets},
        {"epochs", s.epochs},
        {"patience", s.patience},
        {"threads", s.threads}}},
      {"seed", s.seed},
      {"epochs_run", epochs.size()},
      {"best_epoch", best_epoch},
      {"train_seconds", train_seconds},
      {"examples", (*trainer)->examples()},
      {"split", DescribeSplit(input.split)},
      {"epoch_log", epochs},
      {"validation", EvalResultJson(best_validation)}};
  TwoTowerModel model(*best);
  if (!s.no_test) {
    const EvalResult t = Evaluate(model, input.split, Holdout::kTest, eval_options);
    meta["test"] = EvalResultJson(t);
    const std::string name = absl::StrCat("twotower(epoch ", best_epoch, ")");
    std::cout << kResultTableHeader << ResultRow(best_validation, name) << "\n"
              << ResultRow(t, name) << "\n";
  }
  if (absl::Status w = WriteTwoTower(s.out, *best, meta); !w.ok()) {
    return Fail(std::string(w.message()));
  }
  std::cerr << "wrote " << s.out << "\n";
  return WriteJsonReport(meta, s.report, kProgram, std::cerr);
}

}  // namespace
}  // namespace candor::reco

int main(int argc, char** argv) {
  candor::reco::Settings s;
  candor::core::Flags flags(
      candor::reco::kProgram,
      "Trains the two-tower retrieval model (README.md) with libtorch on the CPU. Loads one\n"
      "data set, splits it leave-one-out per user (last item = test, the one before =\n"
      "validation, the rest = train), trains on the train part only (each item predicted\n"
      "from the items before it), evaluates every epoch on the validation split and keeps\n"
      "the best epoch, ranks each user's test item against ALL items with the history\n"
      "masked, and writes the model file (item vectors + user tower weights + metadata;\n"
      "runs without libtorch: libs/reco/two_tower.h). Table on stdout, progress on stderr.\n"
      "Same --seed and --threads 1: the same model. Exit 0 on success, 1 on a failure (bad\n"
      "data: file:line and the reason), 2 on bad usage or when the data is absent.");
  candor::reco::AddSourceFlags(flags, s.data);
  flags.AddString("item-content", "", &s.item_content,
                  "optional tab-separated `item text` (title, categories): hashed content tokens "
                  "for the item tower");
  flags.AddString("out", "", &s.out, "the model file to write (required)");
  flags.AddString("report", "", &s.report, "also write the metadata and evaluation as JSON");
  candor::reco::AddLenientFlag(flags, s.data);
  flags.AddInt("dim", "", &s.dim, "embedding width", 2, 1024);
  flags.AddInt("hidden", "", &s.hidden, "towers' MLP hidden width", 1, 4096);
  flags.AddInt("history", "", &s.history, "newest history items the user tower reads", 1, 1000);
  flags.AddDouble("temperature", "", &s.temperature, "softmax temperature", 0.001, 10);
  flags.AddInt("batch", "", &s.batch, "examples per step (in-batch negatives)", 2, 65536);
  flags.AddDouble("lr", "", &s.learning_rate, "Adam learning rate", 1e-6, 1);
  flags.AddDouble("weight-decay", "", &s.weight_decay, "Adam L2 weight decay", 0, 1);
  flags.AddInt("epochs", "", &s.epochs, "training epochs (at most)", 1, 1000);
  flags.AddInt("patience", "", &s.patience,
               "stop after this many epochs without a better validation NDCG@10 (0: never)", 0,
               1000);
  flags.AddBool("no-logq", "", &s.no_logq, "no sampling-bias (logQ) correction");
  flags.AddInt("content-buckets", "", &s.content_buckets,
               "hash buckets of content tokens, with --item-content", 1, 1 << 24);
  flags.AddInt("seed", "", &s.seed, "seed of the initial weights and the example order", 0,
               int64_t{1} << 62);
  flags.AddInt("threads", "", &s.threads, "libtorch threads (1: reproducible bit for bit)", 1, 256);
  candor::reco::AddSplitFlags(flags, s.data);
  flags.AddBool("no-test", "", &s.no_test, "skip the test-split evaluation");
  return candor::reco::RunTool(flags, candor::reco::kProgram, argc, argv, std::cerr,
                               [&] { return candor::reco::Run(s); });
}
