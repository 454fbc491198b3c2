// The renderers' private helpers: compact numbers and UTF-8 aware text shaping.
#include <gtest/gtest.h>

#include "report/format_numbers.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

TEST(ReportFormatTest, Counts) {
  EXPECT_EQ(format_count(uint64_t{0}), "0");
  EXPECT_EQ(format_count(uint64_t{999}), "999");
  EXPECT_EQ(format_count(uint64_t{1234}), "1,234");
  EXPECT_EQ(format_count(uint64_t{1234567}), "1,234,567");
  EXPECT_EQ(format_count(int64_t{-1234}), "-1,234");
  EXPECT_EQ(format_count(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(ReportFormatTest, Durations) {
  EXPECT_EQ(format_duration_ms(0), "0 ms");
  EXPECT_EQ(format_duration_ms(0.0000004), "0 ns");
  EXPECT_EQ(format_duration_ms(0.00085), "850 ns");
  EXPECT_EQ(format_duration_ms(0.045), "45 µs");
  EXPECT_EQ(format_duration_ms(0.0123), "12.3 µs");
  EXPECT_EQ(format_duration_ms(0.9999), "1 ms");  // rounds up into the next unit
  EXPECT_EQ(format_duration_ms(1.23), "1.2 ms");
  EXPECT_EQ(format_duration_ms(12.34), "12.3 ms");
  EXPECT_EQ(format_duration_ms(123.4), "123 ms");
  EXPECT_EQ(format_duration_ms(999.7), "1 s");
  EXPECT_EQ(format_duration_ms(1234), "1.2 s");
  EXPECT_EQ(format_duration_ms(59'990), "1 min");
  EXPECT_EQ(format_duration_ms(90'000), "1.5 min");
  EXPECT_EQ(format_duration_ms(9'000'000), "2.5 h");
}

TEST(ReportFormatTest, Shares) {
  EXPECT_EQ(format_share(0), "0%");
  EXPECT_EQ(format_share(0.0001), "<0.1%");
  EXPECT_EQ(format_share(0.452), "45.2%");
  EXPECT_EQ(format_share(1.0), "100%");
}

TEST(ReportFormatTest, Timestamps) {
  EXPECT_EQ(format_timestamp(0), "");
  EXPECT_EQ(format_timestamp(1'700'000'000'123'456), "2023-11-14 22:13:20 UTC");
  EXPECT_EQ(format_time_span(0, 5), "");
  EXPECT_EQ(format_time_span(1'700'000'000'000'000, 1'700'090'000'000'000),
            "2023-11-14 22:13:20 → 2023-11-15 23:13:20 UTC (25 h)");
  EXPECT_EQ(iso8601_or_empty(0), "");
  EXPECT_EQ(iso8601_or_empty(1'700'000'000'000'001), "2023-11-14T22:13:20.000001Z");
}

TEST(ReportFormatTest, OneLineCollapsesWhitespaceAndNeutralisesControls) {
  EXPECT_EQ(one_line("  SELECT\n\t a,\r\n  b  FROM t \n"), "SELECT a, b FROM t");
  EXPECT_EQ(one_line("a\x1b[2Jb"), "a\xEF\xBF\xBD[2Jb");
  EXPECT_EQ(one_line("x\xC2\x9By"), "x\xEF\xBF\xBDy");  // C1 CSI
  EXPECT_EQ(one_line("bad \xff\xc3 end"), "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(one_line("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(one_line("ünïcødé"), "ünïcødé");
  EXPECT_EQ(one_line(""), "");
}

TEST(ReportFormatTest, SanitizedLinesKeepLineBreaks) {
  EXPECT_EQ(sanitized_lines("a\r\nb  \n\tc"), (std::vector<std::string>{"a", "b", " c"}));
  EXPECT_TRUE(sanitized_lines("").empty());
}

TEST(ReportFormatTest, WidthAndTruncationCountCharacters) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("имя"), 3u);
  EXPECT_EQ(display_width("45 µs"), 5u);
  EXPECT_EQ(display_width("🙂x"), 2u);
  EXPECT_EQ(truncate_to_width("hello", 5), "hello");
  EXPECT_EQ(truncate_to_width("hello world", 6), "hello…");  // no space before the ellipsis
  EXPECT_EQ(truncate_to_width("привет мир", 4), "при…");
  EXPECT_EQ(truncate_to_width("🙂🙂🙂", 2), "🙂…");
  EXPECT_EQ(truncate_to_width("abc", 1), "…");
  EXPECT_EQ(truncate_to_width("abc", 0), "");
  EXPECT_EQ(pad_left("µs", 4), "  µs");
  EXPECT_EQ(pad_right("имя", 5), "имя  ");
  EXPECT_EQ(pad_right("toolong", 3), "toolong");
}

}  // namespace
}  // namespace querylens::report
