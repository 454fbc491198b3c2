// Escaping and the inline SVG charts of the HTML report: drawn here, so the page needs no
// chart library, no script and no network to show them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "report/format_numbers.h"
#include "report/html.h"
#include "report/text_utf8.h"

namespace querylens::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_text(std::string_view text) { return html_escape(one_line(text)); }

std::string html_lines(std::string_view text) {
  std::string out;
  for (const std::string& line : sanitized_lines(text)) {
    if (!out.empty()) out += '\n';
    out += html_escape(line);
  }
  return out;
}

namespace {

// Plot area inside an SVG of width x height, leaving room for the axis labels.
struct Frame {
  double width, height;
  double left = 52, right = 16, top = 14, bottom = 26;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double base() const { return top + plot_h(); }
};

std::string svg_open(const Frame& f, std::string_view css_class, std::string_view label) {
  return fmt::format(
      "<svg class=\"chart {}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
      css_class, f.width, f.height, f.width, f.height, html_escape(label));
}

// The y axis: a baseline, and the top value labelled (counts start at zero).
std::string y_axis(const Frame& f, const std::string& top_label) {
  return fmt::format(
      "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" y2=\"{2:.1f}\"/>\n"
      "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{3:.1f}\" x2=\"{1:.1f}\" y2=\"{3:.1f}\"/>\n"
      "<text class=\"tick\" x=\"{4:.1f}\" y=\"{5:.1f}\" text-anchor=\"end\">{6}</text>\n"
      "<text class=\"tick\" x=\"{4:.1f}\" y=\"{7:.1f}\" text-anchor=\"end\">0</text>\n",
      f.left, f.left + f.plot_w(), f.base(), f.top, f.left - 4, f.top + 4, html_escape(top_label),
      f.base());
}

std::string x_tick(const Frame& f, double x, const std::string& label, std::string_view anchor) {
  return fmt::format(
      "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n"
      "<text class=\"tick\" x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"{4}\">{5}</text>\n",
      x, f.top, f.base() + 3, f.base() + 16, anchor, html_escape(label));
}

std::string calls_label(uint64_t n) { return format_count(n) + (n == 1 ? " call" : " calls"); }

}  // namespace

std::string latency_chart(const QueryRow& row) {
  if (row.latency.empty())
    return "<p class=\"empty\">No timed calls: no latency distribution.</p>\n";
  const Frame f{520, 150};
  // Log scale: latencies of one shape often span several decades (cache hits and misses).
  // 1 ns floor: the histogram's first bucket starts at 0, which a log axis cannot show.
  auto lg = [](double ms) { return std::log10(std::max(ms, 1e-6)); };
  double lo = lg(row.latency.front().lower_ms), hi = lg(row.latency.back().upper_ms);
  if (hi - lo < 0.5) {  // a narrow distribution: show it within half a decade, not edge to edge
    const double mid = (lo + hi) / 2;
    lo = mid - 0.25;
    hi = mid + 0.25;
  }
  auto x = [&](double ms) { return f.left + (lg(ms) - lo) / (hi - lo) * f.plot_w(); };
  uint64_t max_count = 1;
  for (const LatencyBar& bar : row.latency) max_count = std::max(max_count, bar.count);

  std::string out =
      svg_open(f, "latency",
               fmt::format("Latency distribution of query #{}: p50 {}, p95 {}, p99 {}", row.rank,
                           format_duration_ms(row.p50_ms), format_duration_ms(row.p95_ms),
                           format_duration_ms(row.p99_ms)));
  out += y_axis(f, calls_label(max_count));
  // Decade ticks (1 µs, 10 µs, … 1 s); the axis ends are labelled when fewer than two fit.
  std::vector<double> decades;
  for (int e = static_cast<int>(std::ceil(lo)); e <= static_cast<int>(std::floor(hi)); ++e) {
    decades.push_back(std::pow(10.0, e));
  }
  if (decades.size() < 2) {
    out += x_tick(f, f.left, format_duration_ms(std::pow(10.0, lo)), "start");
    out += x_tick(f, f.left + f.plot_w(), format_duration_ms(std::pow(10.0, hi)), "end");
  }
  for (double ms : decades) {
    // Next to a labelled axis end, a decade label would overprint it.
    const double px = x(ms);
    const bool crowded = decades.size() < 2 && (px - f.left < 40 || f.left + f.plot_w() - px < 40);
    if (!crowded) out += x_tick(f, px, format_duration_ms(ms), "middle");
  }
  for (const LatencyBar& bar : row.latency) {
    const double x0 = x(bar.lower_ms), x1 = std::max(x(bar.upper_ms), x0 + 1.5);
    const double h = static_cast<double>(bar.count) / static_cast<double>(max_count) * f.plot_h();
    out += fmt::format(
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\">"
        "<title>{} – {}: {}</title></rect>\n",
        x0, f.base() - h, x1 - x0, h, html_escape(format_duration_ms(bar.lower_ms)),
        html_escape(format_duration_ms(bar.upper_ms)), calls_label(bar.count));
  }
  struct Mark {
    const char* name;
    double ms;
    double label_y;  // staggered: p50 and p95 are often close
  };
  for (const Mark& m : {Mark{"p50", row.p50_ms, f.top + 8}, Mark{"p95", row.p95_ms, f.top + 20}}) {
    const double px = x(m.ms);
    if (px < f.left || px > f.left + f.plot_w()) continue;
    const bool right_half = px > f.left + f.plot_w() / 2;  // label inside the chart
    out += fmt::format(
        "<line class=\"mark\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"mark-label\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"{7}\">{5} "
        "{6}</text>\n",
        px, f.top, f.base(), right_half ? px - 3 : px + 3, m.label_y, m.name,
        html_escape(format_duration_ms(m.ms)), right_half ? "end" : "start");
  }
  return out + "</svg>\n";
}

std::string share_chart(const Report& report) {
  constexpr size_t kMaxBars = 15;
  constexpr size_t kMaxLabel = 64;  // characters of SQL beside a bar; the full text is in <title>
  struct Bar {
    std::string label, tooltip, href;
    double share;
  };
  std::vector<Bar> bars;
  double shown = 0;
  for (const QueryRow& row : report.queries) {
    if (row.share <= 0 || bars.size() == kMaxBars) continue;
    bars.push_back(
        {fmt::format("#{}", row.rank), one_line(row.query), "#q-" + row.fingerprint, row.share});
    shown += row.share;
  }
  if (bars.empty()) return "<p class=\"empty\">No timed statements: nothing to share out.</p>\n";
  // Shares are of all shapes' time, so what the bars leave is the shapes not shown.
  if (const double rest = 1.0 - shown; rest >= 0.0005) {
    bars.push_back({"other", "every shape not shown above", "", rest});
  }

  constexpr double kRowH = 22, kLabelW = 52, kBarW = 300;
  const Frame f{820, kRowH * static_cast<double>(bars.size()) + 8};
  std::string out = svg_open(f, "share", "Share of total time by query shape");
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = 4 + kRowH * static_cast<double>(i);
    const double w = std::max(1.0, b.share * kBarW);
    std::string text = format_share(b.share);
    if (!b.href.empty()) text += "  " + truncate_to_width(b.tooltip, kMaxLabel);
    std::string row = fmt::format(
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>"
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\">"
        "<title>{}</title></rect>"
        "<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>",
        kLabelW - 6, y + 14, html_escape(b.label), kLabelW, y + 2, w, kRowH - 6,
        html_escape(truncate_to_width(b.tooltip, 300)), kLabelW + w + 6, y + 14, html_escape(text));
    out += b.href.empty() ? row + "\n"
                          : fmt::format("<a href=\"{}\">{}</a>\n", html_escape(b.href), row);
  }
  return out + "</svg>\n";
}

namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr size_t kMaxSlots = 720;  // wider spans are drawn in groups of minutes

// A column of the trend charts: one minute, or a group of consecutive minutes on long spans
// (calls and errors summed, p95 the worst minute's: the chart must not hide a bad minute).
struct Slot {
  int64_t start_us = 0;
  uint64_t calls = 0, errors = 0, slow = 0;
  double weighted_mean = 0;  // sum of mean_ms * calls
  double p95_ms = 0;
  bool used = false;
};

std::string clock_time(int64_t unix_us) {
  const std::string ts = format_timestamp(unix_us);  // "2026-11-21 10:15:02 UTC"
  return ts.size() >= 16 ? ts.substr(11, 5) : ts;
}

}  // namespace

std::string timeline_charts(const std::vector<MinuteRow>& timeline) {
  if (timeline.empty()) {
    return "<p class=\"empty\">No timestamps: per-minute trends need statements with a start time "
           "(PostgreSQL logs, JSON-lines captures with \"ts\").</p>\n";
  }
  const int64_t t0 = timeline.front().minute_start_us;
  const int64_t minutes = (timeline.back().minute_start_us - t0) / kMinuteUs + 1;
  const int64_t group =
      (minutes + static_cast<int64_t>(kMaxSlots) - 1) / static_cast<int64_t>(kMaxSlots);
  std::vector<Slot> slots(static_cast<size_t>((minutes + group - 1) / group));
  for (const MinuteRow& m : timeline) {
    const int64_t index = (m.minute_start_us - t0) / kMinuteUs / group;
    if (index < 0 || index >= static_cast<int64_t>(slots.size())) continue;  // unordered input
    Slot& s = slots[static_cast<size_t>(index)];
    s.start_us = t0 + index * group * kMinuteUs;
    s.calls += m.calls;
    s.errors += m.errors;
    s.slow += m.slow;
    s.weighted_mean += m.mean_ms * static_cast<double>(m.calls);
    s.p95_ms = std::max(s.p95_ms, m.p95_ms);
    s.used = true;
  }
  uint64_t max_calls = 1;
  double max_p95 = 0;
  for (const Slot& s : slots) {
    max_calls = std::max(max_calls, s.calls);
    max_p95 = std::max(max_p95, s.p95_ms);
  }
  if (max_p95 <= 0) max_p95 = 1;

  const Frame f{760, 160};
  const double slot_w = f.plot_w() / static_cast<double>(slots.size());
  auto slot_label = [&](const Slot& s) {
    return group == 1 ? clock_time(s.start_us) + " UTC"
                      : fmt::format("{}–{} UTC", clock_time(s.start_us),
                                    clock_time(s.start_us + group * kMinuteUs));
  };
  auto x_ticks = [&] {
    std::string ticks = x_tick(f, f.left, clock_time(t0), "start");
    ticks += x_tick(f, f.left + f.plot_w(), clock_time(t0 + minutes * kMinuteUs), "end");
    return ticks;
  };
  const std::string per = group == 1 ? "minute" : fmt::format("{} minutes", group);

  std::string calls = svg_open(f, "calls", "Calls per " + per);
  calls += y_axis(f, calls_label(max_calls)) + x_ticks();
  std::string p95 = svg_open(f, "p95", "p95 latency per " + per);
  p95 += y_axis(f, format_duration_ms(max_p95)) + x_ticks();
  std::string line;  // the p95 polyline; broken where minutes are missing
  for (size_t i = 0; i < slots.size(); ++i) {
    const Slot& s = slots[i];
    if (!s.used) {
      if (!line.empty()) p95 += "<polyline class=\"line\" points=\"" + line + "\"/>\n";
      line.clear();
      continue;
    }
    const double x = f.left + slot_w * static_cast<double>(i);
    const double h = static_cast<double>(s.calls) / static_cast<double>(max_calls) * f.plot_h();
    const double eh = static_cast<double>(s.errors) / static_cast<double>(max_calls) * f.plot_h();
    const double mean = s.calls ? s.weighted_mean / static_cast<double>(s.calls) : 0;
    calls += fmt::format(
        "<rect class=\"bar\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\">"
        "<title>{}: {}, {} errors, {} slow</title></rect>\n",
        x, f.base() - h, std::max(slot_w * 0.85, 0.5), h, slot_label(s), calls_label(s.calls),
        format_count(s.errors), format_count(s.slow));
    if (s.errors > 0) {
      calls += fmt::format(
          "<rect class=\"bar error\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" "
          "height=\"{:.1f}\"/>\n",
          x, f.base() - eh, std::max(slot_w * 0.85, 0.5), eh);
    }
    const double cx = x + slot_w / 2, cy = f.base() - s.p95_ms / max_p95 * f.plot_h();
    line += fmt::format("{:.2f},{:.1f} ", cx, cy);
    p95 += fmt::format(
        "<circle class=\"dot\" cx=\"{:.2f}\" cy=\"{:.1f}\" r=\"2.5\"><title>{}: p95 {}, mean "
        "{}</title></circle>\n",
        cx, cy, slot_label(s), format_duration_ms(s.p95_ms), format_duration_ms(mean));
  }
  if (!line.empty()) p95 += "<polyline class=\"line\" points=\"" + line + "\"/>\n";
  return calls + "</svg>\n" + p95 + "</svg>\n";
}

}  // namespace querylens::report
