#pragma once

#include <grpcpp/server_context.h>

#include <string>

namespace candor::rest {

// The metadata key under which the REST front passes its HTTP client's TCP peer to the gRPC
// service, in gRPC's peer syntax ("ipv4:203.0.113.7:5000", "ipv6:[2001:db8::1]:5000").
inline constexpr char kPeerMetadata[] = "x-candor-http-peer";

// The transport peer of a call, as a service that judges clients by address must see it: the
// call's own peer (ctx.peer()), unless the call came through the REST front's in-process channel,
// whose peer names no client; then the TCP peer the front passed in kPeerMetadata ("" if it is
// missing). Only the in-process channel is believed: that metadata from any network peer is
// ignored, since anyone can send it. The front forwards the request's X-Forwarded-For as
// `x-forwarded-for` metadata, so trusted-proxy rules apply to REST and gRPC callers alike.
std::string TransportPeer(const grpc::ServerContextBase& ctx);

// Whether `peer` (ctx.peer()) is the in-process transport: anything but a network peer
// (ipv4:, ipv6:, unix:, unix-abstract:, vsock:). Pure.
bool IsInProcessPeer(std::string_view peer);

}  // namespace candor::rest
