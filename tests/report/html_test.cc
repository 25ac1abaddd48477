#include "monosem/report/html.h"

#include "gtest/gtest.h"

namespace monosem::report {
namespace {

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
}

TEST(HtmlEscape, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(HtmlEscape("\xED\x95\x9C"), "\xED\x95\x9C");  // U+D55C, a Hangul syllable
  EXPECT_EQ(HtmlEscape("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(HtmlEscape("\xED\x95"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");   // overlong '/'
}

TEST(JsonForScript, CannotCloseTheScriptElement) {
  const std::string j = JsonForScript(nlohmann::json{{"t", "</script><b>&amp;"}});
  EXPECT_EQ(j.find('<'), std::string::npos);
  EXPECT_EQ(j.find('>'), std::string::npos);
  EXPECT_EQ(j.find('&'), std::string::npos);
  // It still parses to the same string.
  EXPECT_EQ(nlohmann::json::parse(j)["t"], "</script><b>&amp;");
}

TEST(JsonForScript, InvalidUtf8BecomesReplacementCharacter) {
  const std::string j = JsonForScript(nlohmann::json("x\xFE"));
  EXPECT_EQ(nlohmann::json::parse(j).get<std::string>(), "x\xEF\xBF\xBD");
}

TEST(SplitCells, OneCellPerCharacterWithVisibleControls) {
  const auto cells = SplitCells("a\n\xED\x95\x9C\x01\xFF");
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_EQ(cells[0].text, "a");
  EXPECT_EQ(cells[1].text, "\xE2\x8F\x8E");
  EXPECT_EQ(cells[2].text, "\xED\x95\x9C");
  EXPECT_EQ(cells[2].first, 2);
  EXPECT_EQ(cells[2].bytes, 3);
  EXPECT_EQ(cells[3].text, "\\x01");
  EXPECT_EQ(cells[4].text, "\\xFF");
  EXPECT_EQ(cells[4].first, 6);
}

}  // namespace
}  // namespace monosem::report
