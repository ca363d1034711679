#pragma once

// Tests only: what the gateway's integration tests (tests/*_integrationtest.cc) share: the real
// App's Config in one process, a stub and a token to call it with, what it published, raw wire
// fields. Header-only: each test links candor::gateway, candor::testing and gtest already.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/events/review_submitted.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/review/rating_aggregate.h"
#include "libs/testing/stack_env.h"
#include "services/review-gateway/config.h"

namespace candor::gateway {

// The real App in one process: gRPC on a free loopback port, Kafka at `kafka_brokers` (a mock
// cluster), the stack's Redis and Postgres, tokens signed with `jwt_secret`, warnings only.
inline Config IntegrationConfig(const std::string& kafka_brokers, const std::string& jwt_secret) {
  Config c;
  c.grpc.listen = "127.0.0.1:0";
  c.kafka_brokers = kafka_brokers;
  c.redis_addr = candor::testing::RedisAddr();
  c.pg_dsn = candor::testing::PgDsn();
  c.grpc.jwt_secret = jwt_secret;
  c.log_level = "warn";
  return c;
}

// A ReviewService stub on 127.0.0.1:`port`, without credentials.
inline std::unique_ptr<candor::review::v1::ReviewService::Stub> ReviewStub(int port) {
  return candor::review::v1::ReviewService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

// "Bearer <token>": `user` in `role`, valid for an hour, signed with `secret`.
inline std::string BearerFor(const std::string& user, const std::string& role,
                             const std::string& secret) {
  return "Bearer " +
         auth::MintHs256({user, role, absl::Now() + absl::Hours(1)}, secret, absl::Now());
}

// The submission published under `review_id` on review-submissions at `bootstrap` (its Kafka
// key in `key`), or nullopt (a test failure) if none arrives within 15 s. Reads the topic from
// the start with a group of its own.
inline std::optional<review::Submission> PublishedSubmission(const std::string& bootstrap,
                                                             const std::string& review_id,
                                                             std::string* key = nullptr) {
  auto consumer = kafka::Consumer::Create({bootstrap, "t", {}}, candor::testing::UniqueUser("g"),
                                          {events::kReviewSubmissionsTopic});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  if (!consumer.ok()) return std::nullopt;
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (absl::Now() < deadline) {
    auto batch = (*consumer)->PollBatch(100, absl::Milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) return std::nullopt;
    for (const kafka::Message& m : *batch) {
      absl::StatusOr<review::Submission> event = events::DecodeReviewSubmitted(m.value);
      EXPECT_TRUE(event.ok()) << event.status();
      if (!event.ok() || event->review_id != review_id) continue;
      if (key != nullptr) *key = m.key;
      return *event;
    }
  }
  ADD_FAILURE() << "review " << review_id << " never reached review-submissions";
  return std::nullopt;
}

// Fills `a` with the summary of a new product (a verified 5 and an unverified 1, version 12) and
// writes it to the stack's Redis and nowhere else: an answer for it can only come from the
// cache. Fatal failures on the way (ASSERT_NO_FATAL_FAILURE in the caller stops it).
inline void PutSummaryOnlyInRedis(review::RatingAggregate* a) {
  a->asin = candor::testing::UniqueAsin();
  a->Apply(5, true, 1);
  a->Apply(1, false, 1);
  a->version = 12;
  auto redis = redis::Client::Connect(candor::testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok());
  ratings::RedisRatingCache cache(**redis);
  ASSERT_TRUE(*cache.Put(*a));
}

// A length-delimited field on the wire: tag, length, bytes. A later occurrence of a singular
// field replaces an earlier one, so appending this to a valid message overrides that field.
inline std::string WireField(int number, std::string_view bytes) {
  std::string out;
  out.push_back(static_cast<char>((number << 3) | 2));
  for (size_t n = bytes.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7F) | 0x80));
  }
  out.append(bytes);
  return out;
}

}  // namespace candor::gateway
