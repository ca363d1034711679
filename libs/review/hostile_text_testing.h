#pragma once

// Test support (header only, for tests of libs/review and its users): text a careless or hostile
// client sends. Not for production code.

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace candor::review::testing {

// A code point as UTF-8; `cp` must be a Unicode scalar value.
inline std::string Utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

inline std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// Code points that break naive text handling: controls, NUL, invisible and zero-width
// characters, bidi controls, combining marks, surrogate neighbours, noncharacters, the last code
// point, 4-byte emoji and ZWJ parts, line separators, the replacement character.
inline const std::vector<char32_t>& AwkwardCodePoints() {
  static const std::vector<char32_t> kPoints = {
      0x00,    0x01,    0x07,     0x08,   0x09,   0x0A,   0x0B,   0x0C,   0x0D,    0x1B,
      0x1F,    0x20,    0x7F,     0x80,   0x85,   0x9F,   0xA0,   0xAD,   0x300,   0x34F,
      0x61C,   0x115F,  0x1680,   0x180E, 0x2000, 0x200A, 0x200B, 0x200C, 0x200D,  0x200E,
      0x200F,  0x2028,  0x2029,   0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x202F,  0x205F,
      0x2060,  0x2066,  0x2067,   0x2068, 0x2069, 0x206F, 0x2800, 0x3000, 0x3164,  0xD7FF,
      0xE000,  0xFDD0,  0xFE0F,   0xFEFF, 0xFFA0, 0xFFFD, 0xFFFE, 0xFFFF, 0x1F3B8, 0x1F468,
      0xE0001, 0xE007F, 0x10FFFF, 'a',    'Z',    '!',    ' ',    0xE9,   0x4E2D,  0x5D0};
  return kPoints;
}

// Hand-picked hostile values for a text field (title, body, device id, user id).
inline const std::vector<std::string>& HostileTexts() {
  static const std::vector<std::string> kTexts = {
      "",
      std::string("nul \0 inside", 12),
      std::string(1, '\0'),
      "bad \xFF byte",
      "\xC0\xAF",          // overlong '/'
      "\xED\xA0\x80",      // a UTF-16 surrogate
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xE2\x82",          // truncated
      "\v",
      "\f\v\t\r\n ",
      Utf8(0xA0),
      Utf8(0x200B),
      Utf8(0xFEFF),
      Utf8(0x2060) + Utf8(0x3000) + Utf8(0x2028),
      Utf8(0xA0) + Utf8(0x200B) + Utf8(0xFEFF) + Utf8(0xAD) + Utf8(0x2800) + Utf8(0x3164),
      "bell \a ring",
      "esc \x1B[31m red",
      "del \x7F here",
      "c1 " + Utf8(0x85) + " next line",
      "rlo " + Utf8(0x202E) + "txt.exe",
      "isolate " + Utf8(0x2066) + "x" + Utf8(0x2069),
      "windows\r\nline\r\nends",
      "tab\tand\nnewline",
      "rtl \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D " + Utf8(0x200F) + " mark",
      "zwj family " + Utf8(0x1F468) + Utf8(0x200D) + Utf8(0x1F469) + Utf8(0x200D) + Utf8(0x1F467),
      "combining e" + Utf8(0x301) + Utf8(0x302) + Utf8(0x303),
      "noncharacters " + Utf8(0xFFFE) + Utf8(0xFFFF) + Utf8(0xFDD0) + Utf8(0x10FFFF),
      "private use " + Utf8(0xE000) + Utf8(0xF8FF),
      "replacement " + Utf8(0xFFFD),
      "bom first " + Utf8(0xFEFF) + "then text",
      "sql '); DROP TABLE reviews; -- $1 \\0 \\x00 %s %n",
      "backslash \\ quote \" apostrophe '",
      Repeat("a", 5000),
      Repeat("a", 5001),
      Repeat(Utf8(0x1F3B8), 5000),  // 4-byte characters exactly at the body limit
      Repeat(Utf8(0x1F3B8), 5001),
      Repeat(Utf8(0x1F3B8), 256),  // ... and at the title limit
      Repeat(Utf8(0x1F3B8), 257),
      Repeat(Utf8(0xE9), 128),
      Repeat("d", 128),
      Repeat("d", 129),
      Repeat(Utf8(0x300), 300),  // only combining marks
  };
  return kTexts;
}

// A random value for a text field: random bytes, random awkward code points, or one of
// HostileTexts() with something spliced in. Lengths reach past every field limit.
inline std::string RandomText(std::mt19937_64& rng) {
  auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  switch (pick(5)) {
    case 0: {  // raw bytes
      std::string out(pick(40), '\0');
      for (char& c : out) c = static_cast<char>(pick(256));
      return out;
    }
    case 1: {  // awkward code points, valid UTF-8
      std::string out;
      const size_t n = pick(30);
      for (size_t i = 0; i < n; ++i)
        out += Utf8(AwkwardCodePoints()[pick(AwkwardCodePoints().size())]);
      return out;
    }
    case 2: {  // near a length limit, with one awkward code point somewhere
      static const int kLengths[] = {127, 128, 129, 255, 256, 257, 4999, 5000, 5001};
      const int n = kLengths[pick(std::size(kLengths))];
      std::string filler = pick(2) == 0 ? "x" : Utf8(0x1F3B8);
      std::string out = Repeat(filler, n);
      if (pick(2) == 0) out += Utf8(AwkwardCodePoints()[pick(AwkwardCodePoints().size())]);
      return out;
    }
    case 3: {  // a hostile text with a random byte spliced in
      const std::vector<std::string>& all = HostileTexts();
      std::string out = all[pick(all.size())];
      out.insert(pick(out.size() + 1), 1, static_cast<char>(pick(256)));
      return out;
    }
    default: {
      const std::vector<std::string>& all = HostileTexts();
      return "Fine text " + all[pick(all.size())] + " more text";
    }
  }
}

}  // namespace candor::review::testing
