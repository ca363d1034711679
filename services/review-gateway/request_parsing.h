#pragma once

// How the gateway's gRPC server turns request bytes into request messages.
//
// proto3 `string` fields must hold UTF-8, and protobuf's parser fails on anything else. gRPC's
// callback server answers such a failed parse itself (gRPC 1.51: UNIMPLEMENTED with an empty
// message, see CallbackUnaryHandler::RunHandler), before any gateway code runs, so a client
// that sends `asin` or `device_id` (or, to ImportReview, `user_id`, `client_ip`; to
// GetReviewStatus, `review_id`; to
// SearchReviews, `query`) with a stray byte could not learn which field is wrong. The
// SerializationTraits specialisations below keep those bytes instead: the handler's own
// validation then answers INVALID_ARGUMENT naming the field, as it does for any other bad
// value. Only the failure path differs from gRPC's: a well-formed request parses exactly once.
//
// Include this header before anything that instantiates the generated ReviewService server
// templates (grpc_service.h does, ahead of review_service.grpc.pb.h), so every such place sees
// the specialisations. The generated review_service.grpc.pb.cc (client stubs, the synchronous
// Service) does not see them and keeps gRPC's defaults; the members here take the concrete
// message types, not MessageLite, so their symbols can never be confused with those defaults.

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include "candor/review/v1/review_service.pb.h"

namespace candor::gateway {

// Parses `buffer` into `msg` as gRPC does, except that a `string` field (at the top level of
// `msg`) whose bytes are not UTF-8 still parses: it holds those bytes as they are, for the
// caller's validation to refuse. Returns INTERNAL (gRPC's own answer) only when the bytes are
// not a `msg` at all. Clears `buffer`. Thread-safe.
grpc::Status ParseRequest(grpc::ByteBuffer* buffer, google::protobuf::Message* msg);

}  // namespace candor::gateway

namespace candor::gateway {

// gRPC's serialization traits for `Request`, except that Deserialize is ParseRequest.
template <typename Request>
struct LenientTraits {
  static grpc::Status Serialize(const Request& msg, grpc::ByteBuffer* bb, bool* own_buffer) {
    return grpc::GenericSerialize<grpc::ProtoBufferWriter, Request>(msg, bb, own_buffer);
  }
  static grpc::Status Deserialize(grpc::ByteBuffer* buffer, Request* msg) {
    return ParseRequest(buffer, msg);
  }
};

}  // namespace candor::gateway

namespace grpc {

template <>
class SerializationTraits<candor::review::v1::SubmitReviewRequest, void>
    : public candor::gateway::LenientTraits<candor::review::v1::SubmitReviewRequest> {};
template <>
class SerializationTraits<candor::review::v1::GetProductSummaryRequest, void>
    : public candor::gateway::LenientTraits<candor::review::v1::GetProductSummaryRequest> {};
template <>
class SerializationTraits<candor::review::v1::ImportReviewRequest, void>
    : public candor::gateway::LenientTraits<candor::review::v1::ImportReviewRequest> {};
template <>
class SerializationTraits<candor::review::v1::GetReviewStatusRequest, void>
    : public candor::gateway::LenientTraits<candor::review::v1::GetReviewStatusRequest> {};
template <>
class SerializationTraits<candor::review::v1::SearchReviewsRequest, void>
    : public candor::gateway::LenientTraits<candor::review::v1::SearchReviewsRequest> {};

}  // namespace grpc
