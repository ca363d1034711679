#include "libs/testing/stack_env.h"

#include <cstdlib>
#include <iostream>
#include <random>

namespace candor::testing {
namespace {

std::string Required(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    std::cerr << "FATAL: $" << name
              << " is not set; run through ctest (the `stack` fixture) or "
                 "eval \"$(tools/stack/stack.sh env)\"\n";
    std::abort();
  }
  return v;
}

std::string RandomChars(int n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(kChars[rng() % 36]);
  return out;
}

}  // namespace

std::string RedisAddr() { return Required("CANDOR_REDIS_ADDR"); }
std::string PgDsn() { return Required("CANDOR_PG_DSN"); }
std::string KafkaBrokers() { return Required("CANDOR_KAFKA_BROKERS"); }
// Appending (rather than "T" + ...) sidesteps a GCC 12 -O3 -Wrestrict false positive.
std::string UniqueAsin() {
  std::string out = "T";
  out += RandomChars(9);
  return out;
}
std::string UniqueUser(const std::string& prefix) {
  std::string out = prefix;
  out += RandomChars(12);
  return out;
}

}  // namespace candor::testing
