#include "libs/rest/peer.h"

namespace candor::rest {

bool IsInProcessPeer(std::string_view peer) { return peer.substr(0, 6) == "inproc"; }

std::string TransportPeer(const grpc::ServerContextBase& ctx) {
  std::string peer = ctx.peer();
  if (!IsInProcessPeer(peer)) return peer;
  const auto& metadata = ctx.client_metadata();
  auto [begin, end] = metadata.equal_range(kPeerMetadata);
  if (begin == end || std::next(begin) != end) return "";
  return std::string(begin->second.data(), begin->second.size());
}

}  // namespace candor::rest
