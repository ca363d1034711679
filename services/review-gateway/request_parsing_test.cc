#include "services/review-gateway/request_parsing.h"

#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/support/slice.h>

#include <string>

#include "gtest/gtest.h"

namespace candor::gateway {
namespace {

namespace pb = google::protobuf;
namespace v1 = candor::review::v1;

// `msg`'s bytes followed by `extra`'s fields, as one request buffer. Appended length-delimited
// fields replace the singular fields of the same number, as a later occurrence does on the wire.
grpc::ByteBuffer Wire(const pb::Message& msg, const pb::UnknownFieldSet& extra) {
  std::string tail;
  EXPECT_TRUE(extra.SerializeToString(&tail));
  grpc::Slice slice(msg.SerializeAsString() + tail);
  return grpc::ByteBuffer(&slice, 1);
}

// Parses `buffer` as a `Request`, expecting it to be accepted, and checks that it equals `want`.
template <typename Request>
void ExpectParses(grpc::ByteBuffer buffer, const Request& want) {
  Request got;
  grpc::Status s = ParseRequest(&buffer, &got);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  std::string diff;
  pb::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(want, got)) << diff;
  EXPECT_EQ(buffer.Length(), 0U);
}

v1::SearchReviewsRequest EveryKindOfField() {
  v1::SearchReviewsRequest r;
  r.set_asin("B000000001");
  r.set_query("great battery");
  r.add_stars(4);
  r.add_stars(5);
  r.set_verified_purchase(false);  // proto3 `optional`: present although false
  r.mutable_submitted_from()->set_seconds(1700000000);
  r.mutable_submitted_before()->set_nanos(5);
  r.set_sort(v1::SEARCH_SORT_NEWEST);
  r.set_page_size(20);
  r.set_cursor("c-1");
  return r;
}

TEST(ParseRequestTest, AWellFormedRequestParsesAsItIs) {
  const v1::SearchReviewsRequest want = EveryKindOfField();
  ExpectParses(Wire(want, {}), want);
}

// The lenient path keeps every field: numbers, repeated numbers, enums, presence, messages,
// strings (not UTF-8 or UTF-8) and fields the request type does not know.
TEST(ParseRequestTest, AStringThatIsNotUtf8KeepsItsBytesAndEveryOtherField) {
  const std::string bad = "bad \xFF\xFE query";
  pb::UnknownFieldSet extra;
  extra.AddLengthDelimited(2, bad);
  extra.AddVarint(99, 7);
  extra.AddLengthDelimited(100, "later");

  v1::SearchReviewsRequest want = EveryKindOfField();
  const grpc::ByteBuffer wire = Wire(want, extra);
  want.set_query(bad);
  pb::UnknownFieldSet* unknown = want.GetReflection()->MutableUnknownFields(&want);
  unknown->AddVarint(99, 7);
  unknown->AddLengthDelimited(100, "later");
  ExpectParses(wire, want);
}

TEST(ParseRequestTest, BytesFieldsAndEveryStringNotUtf8) {
  v1::ImportReviewRequest want;
  want.set_rating(4);
  want.set_title("t\xFF");  // `bytes`: never checked
  want.set_body("body");
  want.set_verified_purchase(true);
  want.mutable_account_created_at()->set_seconds(1);
  want.mutable_submitted_at()->set_seconds(2);
  pb::UnknownFieldSet extra;
  extra.AddLengthDelimited(1, "u\xFF");
  extra.AddLengthDelimited(2, "B0\xC0\xAF");
  extra.AddLengthDelimited(7, "d\xED\xA0\x80");  // a UTF-16 surrogate
  extra.AddLengthDelimited(8, "\xF8\x88\x80\x80\x80");
  const grpc::ByteBuffer wire = Wire(want, extra);
  want.set_user_id("u\xFF");
  want.set_asin("B0\xC0\xAF");
  want.set_device_id("d\xED\xA0\x80");
  want.set_client_ip("\xF8\x88\x80\x80\x80");
  ExpectParses(wire, want);
}

TEST(ParseRequestTest, BytesThatAreNoRequestAreInternal) {
  // Not a message at all; a length-delimited field cut short.
  for (const std::string& bytes : {std::string("\xFF\xFF\xFF"), std::string("\x0A\x05")}) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    v1::GetProductSummaryRequest msg;
    EXPECT_EQ(ParseRequest(&buffer, &msg).error_code(), grpc::StatusCode::INTERNAL);
    EXPECT_EQ(buffer.Length(), 0U);
  }
  v1::GetProductSummaryRequest msg;
  EXPECT_EQ(ParseRequest(nullptr, &msg).error_code(), grpc::StatusCode::INTERNAL);
}

}  // namespace
}  // namespace candor::gateway
