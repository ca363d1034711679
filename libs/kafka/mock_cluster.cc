#include "libs/kafka/mock_cluster.h"

#include <cstdlib>
#include <iostream>

namespace candor::kafka {

MockCluster::MockCluster(int brokers) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "2", err, sizeof(err));
  // The mock brokers' sockets take their options from this handle: TCP_NODELAY, as real brokers
  // set, so responses are not held back by Nagle's algorithm against the client's delayed ACK.
  rd_kafka_conf_set(conf, "socket.nagle.disable", "true", err, sizeof(err));
  host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (host_ == nullptr) {
    std::cerr << "mock cluster host: " << err << "\n";
    std::abort();
  }
  cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
  if (cluster_ == nullptr) {
    std::cerr << "rd_kafka_mock_cluster_new failed\n";
    std::abort();
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(host_);
}

void MockCluster::CreateTopic(const std::string& topic, int partitions) {
  if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::cerr << "mock topic create failed: " << topic << "\n";
    std::abort();
  }
}

}  // namespace candor::kafka
