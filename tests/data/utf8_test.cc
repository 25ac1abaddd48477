// UTF-8 helpers: the validator's verdicts on hand-picked sequences, and the
// character ends the steering clamp uses, worked out byte by byte.
#include "monosem/data/utf8.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace monosem {
namespace {

std::vector<int32_t> Ids(const std::string& s) {
  std::vector<int32_t> ids;
  for (unsigned char c : s) ids.push_back(c);
  return ids;
}

std::string Marks(const std::vector<bool>& ends) {
  std::string m;
  for (bool e : ends) m.push_back(e ? 'E' : '.');
  return m;
}

TEST(FirstInvalidUtf8, FindsTheFirstBadSequence) {
  EXPECT_EQ(FirstInvalidUtf8("abc \xD7\x90 \xE2\x82\xAC \xF0\x9F\x98\x80"), absl::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("ab\xC0\x80"), 2u);        // overlong
  EXPECT_EQ(FirstInvalidUtf8("a\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xD7\x90\xD7"), 2u);      // truncated at the end
  EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);              // stray continuation
}

TEST(CharacterEnds, AsciiBytesAllEndACharacter) {
  EXPECT_EQ(Marks(CharacterEnds(Ids("ab c"))), "EEEE");
}

TEST(CharacterEnds, OnlyTheLastByteOfAMultiByteCharacterEndsIt) {
  // a, alef (D7 90), euro sign (E2 82 AC), grinning face (F0 9F 98 80), b.
  EXPECT_EQ(Marks(CharacterEnds(Ids("a\xD7\x90\xE2\x82\xAC\xF0\x9F\x98\x80"
                                    "b"))),
            "E.E..E...EE");
}

TEST(CharacterEnds, ACharacterStillOpenAtTheEndIsNotEnded) {
  // Generation stops after a lead byte: the next byte must continue it.
  EXPECT_EQ(Marks(CharacterEnds(Ids("x\xD7"))), "E.");
  EXPECT_EQ(Marks(CharacterEnds(Ids("x\xE2\x82"))), "E..");
}

TEST(CharacterEnds, StrayAndCutShortBytesCountAsEnds) {
  // A continuation byte whose lead came before the window, a lead byte cut
  // short by ASCII, and bytes that never lead (C0, F8).
  EXPECT_EQ(Marks(CharacterEnds(Ids("\x90"
                                    "a\xD7"
                                    "b\xC0\xF8"))),
            "EEEEEE");
}

TEST(CharacterEnds, EmptyInputHasNoEnds) { EXPECT_TRUE(CharacterEnds({}).empty()); }

}  // namespace
}  // namespace monosem
