#include "libs/review/fingerprint.h"

#include <openssl/sha.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace candor::review {
namespace {

// NFKC_Casefold (UAX #15 + Unicode case folding + removal of Default_Ignorable code points),
// built into ICU's data, so this cannot fail on a working install; a broken one stops the
// process rather than fingerprint text two ways.
const icu::Normalizer2& NfkcCasefold() {
  static const icu::Normalizer2* const kInstance = [] {
    UErrorCode error = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(error);
    if (U_FAILURE(error) || n == nullptr) {
      std::fprintf(stderr, "ICU NFKC_Casefold unavailable: %s\n", u_errorName(error));
      std::abort();
    }
    return n;
  }();
  return *kInstance;
}

// Word separators. ASCII keeps the original rule (whitespace, punctuation and symbols,
// controls); beyond ASCII: White_Space, punctuation (general category P), controls and the
// braille blank, so "great!" and "great！" and "great\u3000!" read alike.
bool IsSeparator(UChar32 c) {
  if (c < 0x80) return std::isspace(c) || std::ispunct(c) || std::iscntrl(c);
  return u_isUWhiteSpace(c) || u_ispunct(c) || u_iscntrl(c) || c == 0x2800;
}

}  // namespace

std::string NormalizeText(std::string_view text) {
  // Pure ASCII (most reviews) skips ICU: for it NFKC_Casefold is exactly ASCII lower-casing,
  // which the loop below does anyway.
  bool ascii = true;
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  std::string folded;
  std::string_view src = text;
  if (!ascii) {
    folded.reserve(text.size());
    icu::StringByteSink<std::string> sink(&folded);
    UErrorCode error = U_ZERO_ERROR;
    NfkcCasefold().normalizeUTF8(
        0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink, nullptr, error);
    if (U_SUCCESS(error)) src = folded;
  }

  std::string out;
  out.reserve(src.size());
  bool pending_space = false;
  const auto n = static_cast<int32_t>(src.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(src.data(), i, n, c);
    if (IsSeparator(c < 0 ? 0xFFFD : c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (c < 0) {
      out.append("\xEF\xBF\xBD");  // ill-formed input: U+FFFD, so the output stays UTF-8
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else {
      out.append(src.substr(start, i - start));
    }
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

Submission Admitted(const SubmissionInput& input, std::string_view user_id,
                    std::string_view client_ip, absl::Time submitted_at) {
  Submission s;
  s.asin = input.asin;
  s.user_id = user_id;
  s.rating = static_cast<int>(input.rating);
  s.title = input.title;
  s.body = input.body;
  s.verified_purchase = input.verified_purchase;
  s.device_id = input.device_id;
  s.client_ip = client_ip;
  s.submitted_at = submitted_at;
  s.fingerprint = Fingerprint(s.asin, s.user_id, s.body);
  s.review_id = ReviewIdFromFingerprint(s.fingerprint);
  return s;
}

}  // namespace candor::review
