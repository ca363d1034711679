#include "libs/review/fingerprint.h"

#include <random>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/review/hostile_text_testing.h"
#include "libs/review/validation.h"

namespace candor::review {
namespace {

TEST(NormalizeTextTest, CollapsesCasePunctuationAndSpace) {
  EXPECT_EQ(NormalizeText("  Great   Strings!!  Really, great.  "), "great strings really great");
  EXPECT_EQ(NormalizeText("Caf\xC3\xA9 OK"), "caf\xC3\xA9 ok");
  EXPECT_EQ(NormalizeText("..."), "");
}

TEST(FingerprintTest, SameTextAfterNormalisationSameFingerprint) {
  EXPECT_EQ(Fingerprint("B00004Y2UT", "u1", "Great strings!"),
            Fingerprint("B00004Y2UT", "u1", "great   STRINGS"));
  EXPECT_NE(Fingerprint("B00004Y2UT", "u1", "Great strings"),
            Fingerprint("B00004Y2UT", "u2", "Great strings"));
  EXPECT_NE(Fingerprint("B00004Y2UT", "u1", "Great strings"),
            Fingerprint("B00004Y2UU", "u1", "Great strings"));
  EXPECT_EQ(Fingerprint("A", "b", "c").size(), 64u);
}

TEST(FingerprintTest, KnownSha256) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FingerprintTest, ReviewIdIsStablePrefix) {
  std::string fp = Fingerprint("B00004Y2UT", "u1", "x");
  EXPECT_EQ(ReviewIdFromFingerprint(fp), fp.substr(0, 32));
}

using testing::Utf8;

TEST(NormalizeTextTest, NfcAndNfdAreTheSameText) {
  const std::string nfc =
      "Caf" + Utf8(0xE9) + " cr" + Utf8(0xE8) + "me br" + Utf8(0xFB) + "l" + Utf8(0xE9) + "e";
  const std::string nfd = "Cafe" + Utf8(0x301) + " cre" + Utf8(0x300) + "me bru" + Utf8(0x302) +
                          "le" + Utf8(0x301) + "e";
  EXPECT_NE(nfc, nfd);
  EXPECT_EQ(NormalizeText(nfc), NormalizeText(nfd));
  EXPECT_EQ(NormalizeText(nfd), "caf" + Utf8(0xE9) + " cr" + Utf8(0xE8) + "me br" + Utf8(0xFB) +
                                    "l" + Utf8(0xE9) + "e");
  // Hangul syllables vs their jamo.
  EXPECT_EQ(NormalizeText(Utf8(0xD55C)), NormalizeText(Utf8(0x1112) + Utf8(0x1161) + Utf8(0x11AB)));
}

TEST(NormalizeTextTest, ZeroWidthCharactersAreDropped) {
  const std::string plain = "Great strings, would buy again";
  for (char32_t cp : {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD, 0x200E, 0xFE0F, 0x180E}) {
    std::string sneaky =
        "Gr" + Utf8(cp) + "eat str" + Utf8(cp) + Utf8(cp) + "ings, would buy again" + Utf8(cp);
    EXPECT_EQ(NormalizeText(sneaky), NormalizeText(plain)) << std::hex << static_cast<uint32_t>(cp);
    EXPECT_EQ(Fingerprint("B00004Y2UT", "u1", sneaky), Fingerprint("B00004Y2UT", "u1", plain));
  }
}

TEST(NormalizeTextTest, UnicodeSpacesPunctuationAndCaseFold) {
  EXPECT_EQ(NormalizeText("great" + Utf8(0xA0) + Utf8(0x3000) + "strings" + Utf8(0x2026)),
            "great strings");
  EXPECT_EQ(NormalizeText(Utf8(0xAB) + "Tr" + Utf8(0xC8) + "S BIEN" + Utf8(0xBB)),
            "tr" + Utf8(0xE8) + "s bien");
  EXPECT_EQ(NormalizeText("STRASSE"), NormalizeText("Stra" + Utf8(0xDF) + "e"));
  EXPECT_EQ(NormalizeText(Utf8(0x3A3) + Utf8(0x39F) + Utf8(0x3A6) + Utf8(0x39F) + Utf8(0x3A3)),
            NormalizeText(Utf8(0x3C3) + Utf8(0x3BF) + Utf8(0x3C6) + Utf8(0x3BF) + Utf8(0x3C2)));
  // Fullwidth letters and punctuation (NFKC) read as ASCII.
  EXPECT_EQ(NormalizeText(Utf8(0xFF27) + Utf8(0xFF32) + Utf8(0xFF25) + Utf8(0xFF21) + Utf8(0xFF34) +
                          Utf8(0xFF01)),
            "great");
  // Emoji and other symbols are words, not separators.
  EXPECT_EQ(NormalizeText("nice " + Utf8(0x1F3B8) + "!"), "nice " + Utf8(0x1F3B8));
}

TEST(NormalizeTextTest, AsciiFastPathMatchesTheUnicodePath) {
  // Appending a zero-width character sends the same text through ICU; it must change nothing.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string ascii(std::uniform_int_distribution<int>(0, 40)(rng), ' ');
    for (char& c : ascii) c = static_cast<char>(std::uniform_int_distribution<int>(0, 127)(rng));
    EXPECT_EQ(NormalizeText(ascii), NormalizeText(ascii + Utf8(0x200B))) << absl::CEscape(ascii);
  }
}

TEST(NormalizeTextTest, AnyInputGivesValidUtf8) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    const std::string text = testing::RandomText(rng);
    EXPECT_TRUE(IsValidUtf8(NormalizeText(text))) << absl::CEscape(text);
  }
}

}  // namespace
}  // namespace candor::review
