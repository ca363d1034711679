#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

namespace candor::kafka {

// librdkafka's in-process mock cluster, for tests: real Kafka wire protocol on loopback.
// Owns a private handle that hosts the cluster. Not copyable.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  void CreateTopic(const std::string& topic, int partitions);
  rd_kafka_mock_cluster_t* raw() { return cluster_; }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace candor::kafka
