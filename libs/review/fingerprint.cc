#include "libs/review/fingerprint.h"

#include <openssl/sha.h>

#include <cctype>

namespace candor::review {

std::string NormalizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool separator = c < 0x80 && (std::isspace(c) || std::ispunct(c));
    if (separator) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(c < 0x80 ? static_cast<char>(std::tolower(c)) : ch);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

std::string Fingerprint(std::string_view asin, std::string_view user_id, std::string_view body) {
  std::string input;
  input.reserve(asin.size() + user_id.size() + body.size() + 2);
  input.append(asin).append(":").append(user_id).append(":").append(NormalizeText(body));
  return Sha256Hex(input);
}

std::string ReviewIdFromFingerprint(std::string_view fingerprint_hex) {
  return std::string(fingerprint_hex.substr(0, 32));
}

}  // namespace candor::review
