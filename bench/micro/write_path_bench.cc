// Micro-benchmarks of the gateway's per-request CPU work: normalise + fingerprint, validation,
// JWT verification. Part of candor-micro-bench (main in micro_main.cc; README.md).
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "libs/auth/jwt.h"
#include "libs/review/fingerprint.h"
#include "libs/review/validation.h"

namespace {

std::string Text(size_t chars) {
  std::mt19937 rng(7);
  static const char* kWords[] = {"Great",  "strings,", "warm",  "tone!", "The",   "neck", "feels",
                                 "solid;", "tuning",   "stays", "put.",  "Would", "buy",  "again"};
  std::string out;
  while (out.size() < chars) {
    out += kWords[rng() % 14];
    out += ' ';
  }
  out.resize(chars);
  return out;
}

void BM_NormalizeAndFingerprint(benchmark::State& state) {
  std::string body = Text(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(candor::review::Fingerprint("B00004Y2UT", "A2IBPI20UZIR0U", body));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NormalizeAndFingerprint)->Arg(200)->Arg(1000)->Arg(5000);

void BM_ValidateSubmission(benchmark::State& state) {
  candor::review::SubmissionInput in;
  in.asin = "B00004Y2UT";
  in.rating = 4;
  in.title = "Solid";
  in.body = Text(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(candor::review::ValidateSubmission(in));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ValidateSubmission)->Arg(200)->Arg(5000);

void BM_JwtVerify(benchmark::State& state) {
  absl::Time now = absl::Now();
  candor::auth::VerifierOptions options;
  options.secret = std::string(32, 's');
  std::string token =
      candor::auth::MintHs256({"user-1", "customer", now + absl::Hours(1)}, options.secret, now);
  auto verifier = candor::auth::Verifier::Create(options);
  if (!verifier.ok()) return state.SkipWithError("verifier options");
  for (auto _ : state) benchmark::DoNotOptimize(verifier->Verify(token, now));
}
BENCHMARK(BM_JwtVerify);

}  // namespace
