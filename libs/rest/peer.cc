#include "libs/rest/peer.h"

namespace candor::rest {

// gRPC names every network peer by its scheme; the in-process transport names none (gRPC 1.51
// says "unknown", others "inproc"). So anything that is not a network peer came through an
// in-process channel, which only code in this process can open.
bool IsInProcessPeer(std::string_view peer) {
  for (std::string_view scheme : {"ipv4:", "ipv6:", "unix:", "unix-abstract:", "vsock:"}) {
    if (peer.substr(0, scheme.size()) == scheme) return false;
  }
  return true;
}

std::string TransportPeer(const grpc::ServerContextBase& ctx) {
  std::string peer = ctx.peer();
  if (!IsInProcessPeer(peer)) return peer;
  const auto& metadata = ctx.client_metadata();
  auto [begin, end] = metadata.equal_range(kPeerMetadata);
  if (begin == end || std::next(begin) != end) return "";
  return std::string(begin->second.data(), begin->second.size());
}

}  // namespace candor::rest
