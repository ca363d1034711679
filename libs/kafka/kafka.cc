#include "libs/kafka/kafka.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::kafka {
namespace {

absl::Status SetAll(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props) {
  char err[512];
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka config ", k, "=", v, ": ", err));
    }
  }
  return absl::OkStatus();
}

absl::Status FromKafkaError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::OkStatus();
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
      return absl::UnavailableError(absl::StrCat("kafka: ", rd_kafka_err2str(err)));
    default:
      return absl::InternalError(absl::StrCat("kafka: ", rd_kafka_err2str(err)));
  }
}

// A failed delivery's status says whether the broker may hold the message after all: an
// idempotent producer's request that timed out in flight may have been appended (the reply was
// what got lost). Callers must then treat the outcome as unknown, not as "not stored".
absl::Status DeliveryStatus(const rd_kafka_message_t* msg) {
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  absl::Status failed = FromKafkaError(msg->err);
  if (rd_kafka_message_status(msg) == RD_KAFKA_MSG_STATUS_NOT_PERSISTED) return failed;
  return absl::DeadlineExceededError(
      absl::StrCat("kafka: delivery not confirmed, the message may have been stored (",
                   rd_kafka_err2str(msg->err), ")"));
}

// Delivery reports carry the heap-allocated callback as the message opaque.
void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* /*opaque*/) {
  std::unique_ptr<DeliveryCallback> done(static_cast<DeliveryCallback*>(msg->_private));
  if (done && *done) (*done)(DeliveryStatus(msg));
}

// Errors librdkafka reports outside any one message (it retries most of them itself). A fatal
// error (e.g. the idempotent producer lost its sequence state) stops the producer for good: it is
// logged once and kept, so the owner can stop serving instead of failing every message.
void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  if (err != RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::warn("kafka: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    return;
  }
  char why[512];
  rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof(why));
  auto* fatal = static_cast<ProducerFatal*>(opaque);
  std::string message = absl::StrCat("kafka producer fatal error ", rd_kafka_err2name(orig), ": ",
                                     why[0] != '\0' ? why : reason);
  spdlog::error("{}; the producer cannot deliver any more messages", message);
  std::lock_guard lock(fatal->mu);
  if (fatal->status.ok()) fatal->status = absl::InternalError(message);
}

void OnLog(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
  if (level <= 3) {
    spdlog::error("librdkafka {}: {}", fac, buf);
  } else if (level <= 4) {
    spdlog::warn("librdkafka {}: {}", fac, buf);
  } else {
    spdlog::debug("librdkafka {}: {}", fac, buf);
  }
}

// The consumers' rebalance callback (eager protocol: the default range/roundrobin assignors). On
// an assignment it seeds the gap watch with the group's committed offsets, so a consumer that
// starts behind retention reports the gap too; on a revocation it forgets every partition.
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                 void* opaque) {
  auto* continuity = static_cast<OffsetContinuity*>(opaque);
  continuity->Reset();
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, nullptr);
    return;
  }
  rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(parts);
  if (rd_kafka_resp_err_t cerr = rd_kafka_committed(rk, committed, 5000);
      cerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < committed->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = committed->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
        continuity->Seed(tp.topic, tp.partition, tp.offset);
      }
    }
  } else {
    spdlog::warn(
        "kafka: committed offsets unavailable after a rebalance ({}); gaps at the start "
        "of the new assignment go unnoticed",
        rd_kafka_err2str(cerr));
  }
  rd_kafka_topic_partition_list_destroy(committed);
  rd_kafka_assign(rk, parts);
}

// A librdkafka client of `type` ("kafka <what>: ..." in its errors) on `options`, with the
// properties `props` (options.extra overrides them), our log callback, and whatever `configure`
// adds to its configuration (an opaque, more callbacks) before the handle takes it over.
absl::StatusOr<rd_kafka_t*> NewClient(rd_kafka_type_t type, const char* what,
                                      const ClientOptions& options,
                                      std::map<std::string, std::string> props,
                                      const std::function<void(rd_kafka_conf_t*)>& configure) {
  if (options.brokers.empty()) return absl::InvalidArgumentError("kafka: no brokers configured");
  props["bootstrap.servers"] = options.brokers;
  props["client.id"] = options.client_id;
  for (const auto& [k, v] : options.extra) props[k] = v;
  // librdkafka's own tracing for an operator chasing a problem, e.g. CANDOR_KAFKA_DEBUG=cgrp,fetch
  // (logged at debug level, so run the service with --log-level debug).
  if (const char* debug = std::getenv("CANDOR_KAFKA_DEBUG"); debug != nullptr && *debug != '\0') {
    props["debug"] = debug;
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (absl::Status s = SetAll(conf, props); !s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  rd_kafka_conf_set_log_cb(conf, OnLog);
  if (configure) configure(conf);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("kafka ", what, ": ", err));
  }
  return rk;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ClientOptions& options,
                                                           absl::Duration delivery_timeout) {
  auto fatal = std::make_unique<ProducerFatal>();
  auto rk = NewClient(
      RD_KAFKA_PRODUCER, "producer", options,
      {
          {"enable.idempotence", "true"},
          {"acks", "all"},
          {"linger.ms", "1"},
          {"compression.type", "lz4"},
          // Nagle held small produce requests back ~40 ms per batch (bench/pipeline): latency
          // matters more than packet count.
          {"socket.nagle.disable", "true"},
          {"message.timeout.ms", std::to_string(absl::ToInt64Milliseconds(delivery_timeout))},
      },
      [&fatal](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
        rd_kafka_conf_set_opaque(conf, fatal.get());
        rd_kafka_conf_set_error_cb(conf, OnError);
      });
  if (!rk.ok()) return rk.status();
  return std::unique_ptr<Producer>(new Producer(*rk, std::move(fatal)));
}

Producer::Producer(rd_kafka_t* rk, std::unique_ptr<ProducerFatal> fatal)
    : rk_(rk), fatal_(std::move(fatal)), poller_([this] { PollLoop(); }) {}

absl::Status Producer::Health() const {
  std::lock_guard lock(fatal_->mu);
  return fatal_->status;
}

void Producer::SimulateFatalErrorForTesting(std::string_view reason) {
  rd_kafka_test_fatal_error(rk_, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            std::string(reason).c_str());
}

Producer::~Producer() {
  if (absl::Status s = Flush(absl::Seconds(10)); !s.ok()) {
    spdlog::warn("producer closing with unconfirmed messages: {}", s.message());
  }
  stop_ = true;
  poller_.join();
  rd_kafka_destroy(rk_);
}

void Producer::PollLoop() {
  while (!stop_) rd_kafka_poll(rk_, 50);
}

absl::Status Producer::Produce(const std::string& topic, std::string_view key,
                               std::string_view value, DeliveryCallback done,
                               const Headers& headers) {
  auto cb = std::make_unique<DeliveryCallback>(std::move(done));
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [name, val] : headers) {
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), val.data(),
                          static_cast<ssize_t>(val.size()));
    }
  }
  rd_kafka_resp_err_t err =
      rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic.c_str()),
                        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(cb.get()),
                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);  // not taken on failure
    return FromKafkaError(err);
  }
  [[maybe_unused]] DeliveryCallback* handed_over = cb.release();  // the delivery report owns it
  return absl::OkStatus();
}

absl::Status Producer::ProduceSync(const std::string& topic, std::string_view key,
                                   std::string_view value, absl::Duration timeout,
                                   const Headers& headers) {
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = promise->get_future();
  if (absl::Status s = Produce(
          topic, key, value, [promise](absl::Status st) { promise->set_value(std::move(st)); },
          headers);
      !s.ok()) {
    return s;
  }
  if (result.wait_for(absl::ToChronoMilliseconds(timeout)) != std::future_status::ready) {
    return absl::UnavailableError("kafka: delivery not confirmed in time");
  }
  return result.get();
}

absl::Status Producer::ProduceAll(const std::string& topic,
                                  const std::vector<std::pair<std::string, std::string>>& messages,
                                  absl::Duration timeout) {
  // Reports arrive on the delivery thread; shared, so a report after a timeout finds it alive.
  struct Reports {
    std::mutex mu;
    std::condition_variable cv;
    size_t left = 0;
    size_t failed = 0;
    absl::Status first_error;
  };
  auto reports = std::make_shared<Reports>();
  absl::Status enqueue_error;
  for (const auto& [key, value] : messages) {
    {
      std::lock_guard lock(reports->mu);
      ++reports->left;
    }
    absl::Status s = Produce(topic, key, value, [reports](absl::Status st) {
      std::lock_guard lock(reports->mu);
      if (!st.ok()) {
        ++reports->failed;
        if (reports->first_error.ok()) reports->first_error = std::move(st);
      }
      if (--reports->left == 0) reports->cv.notify_all();
    });
    if (!s.ok()) {
      std::lock_guard lock(reports->mu);
      --reports->left;  // no report comes for this one
      enqueue_error = std::move(s);
      break;
    }
  }
  std::unique_lock lock(reports->mu);
  auto all_in = [&] { return reports->left == 0; };
  if (timeout == absl::InfiniteDuration()) {
    reports->cv.wait(lock, all_in);  // every enqueued message gets exactly one report
  } else if (!reports->cv.wait_for(lock, absl::ToChronoMilliseconds(timeout), all_in)) {
    return absl::UnavailableError(
        absl::StrCat(reports->left, " of ", messages.size(), " not confirmed in time"));
  }
  if (!enqueue_error.ok()) return absl::UnavailableError(enqueue_error.message());
  if (!reports->first_error.ok()) {
    return absl::UnavailableError(absl::StrCat(reports->failed, " of ", messages.size(),
                                               " failed: ", reports->first_error.message()));
  }
  return absl::OkStatus();
}

absl::Status Producer::Flush(absl::Duration timeout) {
  rd_kafka_resp_err_t err =
      rd_kafka_flush(rk_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  return FromKafkaError(err);
}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const ClientOptions& options,
                                                           const std::string& group_id,
                                                           const std::vector<std::string>& topics) {
  auto continuity = std::make_unique<OffsetContinuity>();
  auto client = NewClient(RD_KAFKA_CONSUMER, "consumer", options,
                          {
                              {"group.id", group_id},
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"},
                              {"auto.offset.reset", "earliest"},
                              {"enable.partition.eof", "false"},
                              // A member that died without leaving holds its partitions this
                              // long; the broker's minimum keeps it short.
                              {"session.timeout.ms", "6000"},
                              // librdkafka's default lets an idle fetch wait 500 ms, which
                              // alone would eat half the 1 s freshness budget.
                              {"fetch.wait.max.ms", "10"},
                          },
                          [&continuity](rd_kafka_conf_t* conf) {
                            rd_kafka_conf_set_opaque(conf, continuity.get());
                            rd_kafka_conf_set_rebalance_cb(conf, OnRebalance);
                          });
  if (!client.ok()) return client.status();
  rd_kafka_t* rk = *client;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* subs =
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const std::string& t : topics) {
    rd_kafka_topic_partition_list_add(subs, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t rerr = rd_kafka_subscribe(rk, subs);
  rd_kafka_topic_partition_list_destroy(subs);
  if (rerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk);
    return absl::InternalError(absl::StrCat("kafka subscribe: ", rd_kafka_err2str(rerr)));
  }
  return std::unique_ptr<Consumer>(new Consumer(rk, std::move(continuity), group_id, topics));
}

Consumer::~Consumer() {
  Close();
  rd_kafka_destroy(rk_);
}

absl::StatusOr<std::vector<Message>> Consumer::PollBatch(size_t max_messages, absl::Duration wait,
                                                         absl::Duration linger) {
  std::vector<Message> batch;
  absl::Time deadline = absl::Now() + wait;  // for the first message; then first + linger
  bool lingering = false;
  int64_t generation = continuity_->resets();
  // After a rebalance (inside rd_kafka_consumer_poll) the messages polled before it may be of
  // partitions this consumer no longer owns: they must not be committed, so they are dropped.
  auto drop_if_rebalanced = [&] {
    if (continuity_->resets() == generation) return;
    if (!batch.empty()) {
      spdlog::info("kafka: rebalance while polling, {} messages left for redelivery", batch.size());
      batch.clear();
    }
    generation = continuity_->resets();
  };
  while (batch.size() < max_messages) {
    if (!batch.empty() && !lingering) {
      deadline = absl::Now() + linger;
      lingering = true;
    }
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    const int timeout_ms = static_cast<int>(std::clamp<int64_t>(left_ms, 0, 60'000));
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout_ms);
    drop_if_rebalanced();
    if (m == nullptr) break;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(
        m, rd_kafka_message_destroy);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        return absl::InternalError(
            absl::StrCat("kafka consumer fatal: ", rd_kafka_message_errstr(m)));
      }
      spdlog::warn("kafka consumer: {}", rd_kafka_message_errstr(m));
      continue;
    }
    Message out;
    out.topic = rd_kafka_topic_name(m->rkt);
    out.partition = m->partition;
    out.offset = m->offset;
    if (int64_t gap = continuity_->Observe(out.topic, out.partition, out.offset); gap > 0) {
      spdlog::error(
          "kafka: {} [{}] skipped offsets {}..{} ({} messages): the broker no longer had them "
          "(the consumer fell behind retention); they were never processed",
          out.topic, out.partition, out.offset - gap, out.offset - 1, gap);
    }
    if (m->key != nullptr) out.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) out.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_timestamp_type_t ts_type;
    int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
    out.timestamp = ts >= 0 ? absl::FromUnixMillis(ts) : absl::Now();
    // Our own topics carry no headers (NOENT, nothing to copy); dead-letter topics do.
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        out.headers.emplace_back(name, value == nullptr
                                           ? std::string()
                                           : std::string(static_cast<const char*>(value), size));
      }
    }
    batch.push_back(std::move(out));
  }
  return batch;
}

void OffsetContinuity::Seed(const std::string& topic, int32_t partition, int64_t next_offset) {
  last_[{topic, partition}] = next_offset - 1;
}

int64_t OffsetContinuity::Next(const std::string& topic, int32_t partition) const {
  auto it = last_.find({topic, partition});
  return it == last_.end() ? -1 : it->second + 1;
}

std::vector<std::pair<std::string, int64_t>> Consumer::Lag() const {
  std::map<std::string, int64_t> lag;
  for (const std::string& t : topics_) lag[t] = 0;
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (closed_ || rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  for (int i = 0; i < parts->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = parts->elems[i];
    int64_t low = 0;
    int64_t high = 0;
    // Cached from fetch responses: never blocks. -1 until the first fetch of the partition.
    if (rd_kafka_get_watermark_offsets(rk_, p.topic, p.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    // Nothing delivered and no committed offset: auto.offset.reset=earliest starts at the low
    // watermark. Offsets below it are gone (retention) either way.
    const int64_t next = std::max(continuity_->Next(p.topic, p.partition), low);
    lag[p.topic] += std::max<int64_t>(0, high - next);
  }
  rd_kafka_topic_partition_list_destroy(parts);
  return {lag.begin(), lag.end()};
}

int64_t OffsetContinuity::Observe(const std::string& topic, int32_t partition, int64_t offset) {
  auto [it, first] = last_.try_emplace({topic, partition}, offset);
  if (first) return 0;
  const int64_t expected = it->second + 1;
  it->second = offset;
  if (offset <= expected) return 0;
  skipped_ += offset - expected;
  return offset - expected;
}

absl::Status Consumer::Commit(const std::vector<Message>& batch) {
  if (batch.empty()) return absl::OkStatus();
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const Message& m : batch) {
    int64_t& slot = next[{m.topic, m.partition}];
    slot = std::max(slot, m.offset + 1);
  }
  rd_kafka_topic_partition_list_t* offsets =
      rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
  for (const auto& [tp, off] : next) {
    rd_kafka_topic_partition_list_add(offsets, tp.first.c_str(), tp.second)->offset = off;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, offsets, /*async=*/0);
  rd_kafka_topic_partition_list_destroy(offsets);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka commit: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

void Consumer::Close() {
  if (closed_) return;
  closed_ = true;
  rd_kafka_consumer_close(rk_);
}

absl::Status CheckBrokers(const ClientOptions& options, absl::Duration timeout) {
  auto client = NewClient(RD_KAFKA_PRODUCER, "probe", options, {}, nullptr);
  if (!client.ok()) return client.status();
  rd_kafka_t* rk = *client;
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t merr =
      rd_kafka_metadata(rk, /*all_topics=*/0, nullptr, &metadata,
                        static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  rd_kafka_destroy(rk);
  if (merr != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka: no broker of '", options.brokers,
                                               "' answered: ", rd_kafka_err2str(merr)));
  }
  return absl::OkStatus();
}

absl::Status SendToDeadLetter(Producer& producer, const Message& message, std::string_view reason,
                              absl::Duration timeout, const Headers& extra_headers) {
  spdlog::warn("dead-letter {}[{}]@{}: {}", message.topic, message.partition, message.offset,
               reason);
  Headers headers = {
      {"dlq-reason", std::string(reason)},
      {"dlq-origin", absl::StrCat(message.topic, "/", message.partition, "/", message.offset)}};
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  return producer.ProduceSync(absl::StrCat(message.topic, ".dlq"), message.key, message.value,
                              timeout, headers);
}

}  // namespace candor::kafka
