#pragma once

#include <string>

namespace candor::testing {

// Addresses of the local stack that CTest's `stack` fixture started (tools/stack/stack.sh), from
// CANDOR_REDIS_ADDR, CANDOR_PG_DSN and CANDOR_KAFKA_BROKERS. Aborts with a message naming the
// variable when one is missing, so a misconfigured run fails loudly instead of skipping.
std::string RedisAddr();
std::string PgDsn();
std::string KafkaBrokers();

// A fresh, valid, random ASIN ("T" + 9 chars), so tests sharing one stack never collide.
std::string UniqueAsin();
// A fresh random user id with the given prefix.
std::string UniqueUser(const std::string& prefix = "u");

}  // namespace candor::testing
