#include "services/review-gateway/request_parsing.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace candor::gateway {
namespace {

namespace pb = google::protobuf;

// For each request type, a twin built at run time from the real descriptor with every `string`
// field turned into `bytes` (the same wire format, no UTF-8 check). Deriving the twin, rather
// than keeping a second .proto in step, means a field added to the API is covered at once.
class LenientTypes {
 public:
  // The twin's prototype, or nullptr if `d` cannot have one (the caller keeps gRPC's answer).
  const pb::Message* Prototype(const pb::Descriptor* d) {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = prototypes_.try_emplace(d, nullptr);
    if (inserted) it->second = Build(d);
    return it->second;
  }

 private:
  const pb::Message* Build(const pb::Descriptor* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    pb::FileDescriptorProto file;
    file.set_name(absl::StrCat("candor/lenient/", d->full_name(), ".proto"));
    file.set_package(absl::StrCat("candor.lenient.", d->file()->package()));
    file.set_syntax(pb::FileDescriptor::SyntaxName(d->file()->syntax()));
    // Types the fields name (".candor.review.v1.ReviewStatus", ".google.protobuf.Timestamp")
    // resolve in the generated pool, from the files the request's own file imports.
    file.add_dependency(d->file()->name());
    for (int i = 0; i < d->file()->dependency_count(); ++i) {
      file.add_dependency(d->file()->dependency(i)->name());
    }
    pb::DescriptorProto* message = file.add_message_type();
    d->CopyTo(message);
    for (pb::FieldDescriptorProto& f : *message->mutable_field()) {
      if (f.type() == pb::FieldDescriptorProto::TYPE_STRING) {
        f.set_type(pb::FieldDescriptorProto::TYPE_BYTES);
      }
    }
    const pb::FileDescriptor* built = pool_.BuildFile(file);
    if (built == nullptr) return nullptr;
    return factory_.GetPrototype(built->message_type(0));
  }

  absl::Mutex mu_;
  pb::DescriptorPool pool_{pb::DescriptorPool::generated_pool()};
  pb::DynamicMessageFactory factory_{&pool_};
  absl::flat_hash_map<const pb::Descriptor*, const pb::Message*> prototypes_ ABSL_GUARDED_BY(mu_);
};

LenientTypes& Lenient() {
  static LenientTypes* const kTypes = new LenientTypes();  // never destroyed: used until exit
  return *kTypes;
}

// Moves `twin`'s fields into `msg` (both describe the same wire format). The string fields go by
// reflection, whose setters do not check UTF-8; with those cleared from `twin`, the rest (numbers,
// enums, messages, unknown fields) goes through the wire format into `msg`'s own parser, which now
// has no string to refuse. False only if that parse fails, which a well-formed twin never does.
bool MoveFields(pb::Message* twin, pb::Message* msg) {
  const pb::Reflection* from = twin->GetReflection();
  const pb::Reflection* to = msg->GetReflection();
  const pb::Descriptor* fd = twin->GetDescriptor();
  const pb::Descriptor* td = msg->GetDescriptor();
  for (int i = 0; i < td->field_count(); ++i) {
    const pb::FieldDescriptor* t = td->field(i);
    if (t->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) continue;
    const pb::FieldDescriptor* f = fd->FindFieldByNumber(t->number());
    if (t->is_repeated()) {
      const int n = from->FieldSize(*twin, f);
      for (int j = 0; j < n; ++j) to->AddString(msg, t, from->GetRepeatedString(*twin, f, j));
    } else if (from->HasField(*twin, f)) {
      to->SetString(msg, t, from->GetString(*twin, f));
    }
    from->ClearField(twin, f);
  }
  return msg->MergeFromString(twin->SerializeAsString());
}

}  // namespace

grpc::Status ParseRequest(grpc::ByteBuffer* buffer, google::protobuf::Message* msg) {
  if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "No payload");
  // The common case, and gRPC's own code path (GenericDeserialize).
  {
    grpc::ProtoBufferReader reader(buffer);
    if (!reader.status().ok()) return reader.status();
    if (msg->ParseFromZeroCopyStream(&reader)) {
      buffer->Clear();
      return grpc::Status::OK;
    }
  }
  // A second reader starts again at the first byte: reading never consumes a ByteBuffer.
  grpc::Status result(grpc::StatusCode::INTERNAL, msg->InitializationErrorString());
  if (const pb::Message* prototype = Lenient().Prototype(msg->GetDescriptor())) {
    std::unique_ptr<pb::Message> twin(prototype->New());
    grpc::ProtoBufferReader reader(buffer);
    if (reader.status().ok() && twin->ParseFromZeroCopyStream(&reader)) {
      msg->Clear();
      if (MoveFields(twin.get(), msg)) result = grpc::Status::OK;
    }
  }
  buffer->Clear();
  return result;
}

}  // namespace candor::gateway
