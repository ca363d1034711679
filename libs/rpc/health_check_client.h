#pragma once

#include <string>

namespace candor::rpc {

// For tests: calls grpc.health.v1.Health/Check on 127.0.0.1:`port` for `service` ("" is the
// whole server), by hand (no health proto needed). Returns the ServingStatus number (1
// SERVING, 2 NOT_SERVING), or -1 when the call fails (e.g. NOT_FOUND for a service the server
// never named, or the server is gone). Waits at most 5 s. Thread-safe.
int HealthCheck(int port, const std::string& service = "");

}  // namespace candor::rpc
