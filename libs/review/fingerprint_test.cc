#include "libs/review/fingerprint.h"

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace candor::review
