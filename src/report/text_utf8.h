// UTF-8 aware text shaping for the renderers (private to src/report).
//
// Width is counted in code points ("characters"), which is what a terminal shows for the
// Latin, Cyrillic and Greek text SQL mostly carries. Invalid UTF-8 never reaches the output:
// each bad byte becomes U+FFFD, so widths stay consistent and JSON stays valid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace querylens::report {

// Valid UTF-8 with control characters made harmless for a terminal: whitespace runs (space,
// tab, newline, ...) become one space, other C0/C1 controls and DEL (an ESC could drive the
// terminal) become U+FFFD; leading and trailing whitespace is dropped.
std::string one_line(std::string_view text);
// Like one_line() per line: keeps line breaks (returns the lines), tabs become one space,
// trailing whitespace is dropped; empty input gives no lines.
std::vector<std::string> sanitized_lines(std::string_view text);
// Number of code points in valid UTF-8.
size_t display_width(std::string_view utf8);
// `utf8` (valid UTF-8) cut to at most `width` code points, ending in "…" when it was cut.
std::string truncate_to_width(std::string_view utf8, size_t width);
// `utf8` padded with spaces to `width` code points, on the right (left-aligned) or left.
std::string pad_right(std::string_view utf8, size_t width);
std::string pad_left(std::string_view utf8, size_t width);

}  // namespace querylens::report
