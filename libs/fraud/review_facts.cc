#include "libs/fraud/review_facts.h"

#include <string>

namespace candor::fraud {

int64_t CodePoints(std::string_view text) {
  int64_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

ReviewFacts FactsOf(const review::Submission& s) {
  ReviewFacts f;
  f.review_id = s.review_id;
  f.user_id = s.user_id;
  f.asin = s.asin;
  f.rating = s.rating;
  f.verified_purchase = s.verified_purchase;
  f.text_length = CodePoints(s.body);
  f.at = s.submitted_at;
  f.account_created = s.account_created_at;
  f.client_ip = s.client_ip;
  f.device_id = s.device_id;
  std::string text;
  text.reserve(s.title.size() + 1 + s.body.size());
  text.append(s.title).append("\n").append(s.body);
  f.signature = MinHashSignature(text);
  return f;
}

}  // namespace candor::fraud
