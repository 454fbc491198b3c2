// Reading two report.json files and comparing them shape by shape (compare.h).
#include "querylens/report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "querylens/core/error.h"

namespace querylens::report {
namespace {

using Json = nlohmann::json;

// Field access that names what is wrong: "queries[3].calls: expected an unsigned integer".
class Reader {
 public:
  explicit Reader(const std::string& name) : name_(name) {}

  [[noreturn]] void fail(const std::string& path, std::string_view problem) const {
    throw Error(ErrorKind::kInput,
                fmt::format("not a querylens JSON report: {}: {}", path, problem),
                SourceLocation{name_});
  }
  const Json& field(const Json& object, const std::string& path, const char* key) const {
    auto it = object.find(key);
    if (it == object.end()) fail(path.empty() ? key : path + "." + key, "missing");
    return *it;
  }
  std::string string(const Json& object, const std::string& path, const char* key) const {
    const Json& v = field(object, path, key);
    if (!v.is_string()) fail(path + "." + key, "expected a string");
    return v.get<std::string>();
  }
  uint64_t count(const Json& object, const std::string& path, const char* key) const {
    const Json& v = field(object, path, key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
      fail(path + "." + key, "expected a non-negative integer");
    }
    return v.get<uint64_t>();
  }
  // A number, or nullopt for null (untimed).
  std::optional<double> ms(const Json& object, const std::string& path, const char* key) const {
    const Json& v = field(object, path, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_number()) fail(path + "." + key, "expected a number or null");
    return v.get<double>();
  }

 private:
  const std::string& name_;
};

ReportedShape read_shape(const Reader& r, const Json& q, const std::string& path) {
  if (!q.is_object()) r.fail(path, "expected an object");
  ReportedShape s;
  s.fingerprint = r.string(q, path, "fingerprint");
  s.query = r.string(q, path, "query");
  s.calls = r.count(q, path, "calls");
  const std::optional<double> total = r.ms(q, path, "total_ms"), mean = r.ms(q, path, "mean_ms");
  const std::optional<double> p95 = r.ms(q, path, "p95_ms"), p99 = r.ms(q, path, "p99_ms");
  s.timed = r.count(q, path, "timed_calls") > 0 && total && mean && p95 && p99;
  if (s.timed) {
    s.total_ms = *total;
    s.mean_ms = *mean;
    s.p95_ms = *p95;
    s.p99_ms = *p99;
  }
  return s;
}

double metric_of(const ReportedShape& s, Metric m) {
  switch (m) {
    case Metric::kMean:
      return s.mean_ms;
    case Metric::kP95:
      return s.p95_ms;
    case Metric::kP99:
      return s.p99_ms;
  }
  return s.mean_ms;
}

ShapeDelta classify(const ReportedShape& before, const ReportedShape& after,
                    const CompareOptions& o) {
  ShapeDelta d;
  d.fingerprint = after.fingerprint;
  d.query = after.query;
  d.before = before;
  d.after = after;
  if (!before.timed || !after.timed) return d;  // nothing to compare: unchanged
  const double b = metric_of(before, o.metric), a = metric_of(after, o.metric);
  d.change_ms = a - b;
  if (b > 0) d.change_pct = (a - b) / b * 100;
  // Both tests must pass: relative (meaningful for this query) and absolute (not just noise).
  // From 0 ms any change is infinitely relative, so only the absolute test applies.
  const bool big = std::abs(a - b) > o.min_change_ms &&
                   (!d.change_pct || std::abs(*d.change_pct) > o.threshold_pct);
  if (big) d.change = a > b ? Change::kRegressed : Change::kImproved;
  return d;
}

int order_of(Change c) { return static_cast<int>(c); }

}  // namespace

ReportFile parse_report_file(std::string_view json_text, const std::string& name) {
  Json j;
  try {
    j = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
    throw Error(ErrorKind::kInput, "not valid JSON: " + what, SourceLocation{name});
  }
  const Reader r(name);
  if (!j.is_object()) r.fail("(top level)", "expected an object");
  const Json& version = r.field(j, "", "schema_version");
  if (!version.is_number_integer() || version.get<int64_t>() != kReportSchemaVersion) {
    throw Error(
        ErrorKind::kInput,
        fmt::format("unsupported report schema_version {} (this querylens reads version {})",
                    version.dump(), kReportSchemaVersion),
        SourceLocation{name});
  }
  ReportFile out;
  out.name = name;
  if (auto it = j.find("generated_at"); it != j.end() && it->is_string())
    out.generated_at = it->get<std::string>();
  const Json& summary = r.field(j, "", "summary");
  if (!summary.is_object()) r.fail("summary", "expected an object");
  out.events = r.count(summary, "summary", "events");
  out.shapes = r.count(summary, "summary", "shapes");
  out.total_ms = r.ms(summary, "summary", "total_ms").value_or(0);
  const Json& queries = r.field(j, "", "queries");
  if (!queries.is_array()) r.fail("queries", "expected an array");
  for (size_t i = 0; i < queries.size(); ++i) {
    out.queries.push_back(read_shape(r, queries[i], fmt::format("queries[{}]", i)));
  }
  return out;
}

ReportFile load_report_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorKind::kInput, fmt::format("cannot read: {}", std::strerror(errno)),
                SourceLocation{path});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::kInput, "cannot read", SourceLocation{path});
  return parse_report_file(text.str(), path);
}

std::optional<Metric> parse_metric(std::string_view text) {
  if (text == "mean") return Metric::kMean;
  if (text == "p95") return Metric::kP95;
  if (text == "p99") return Metric::kP99;
  return std::nullopt;
}

std::string_view to_string(Metric metric) {
  switch (metric) {
    case Metric::kMean:
      return "mean";
    case Metric::kP95:
      return "p95";
    case Metric::kP99:
      return "p99";
  }
  return "mean";
}

std::string_view to_string(Change change) {
  switch (change) {
    case Change::kRegressed:
      return "regressed";
    case Change::kImproved:
      return "improved";
    case Change::kNew:
      return "new";
    case Change::kGone:
      return "gone";
    case Change::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

size_t Comparison::count(Change change) const {
  return static_cast<size_t>(std::count_if(
      shapes.begin(), shapes.end(), [change](const ShapeDelta& d) { return d.change == change; }));
}

Comparison compare_reports(const ReportFile& before, const ReportFile& after,
                           const CompareOptions& options) {
  Comparison c;
  c.before = before;
  c.after = after;
  c.options = options;
  std::map<std::string, ReportedShape> old_shapes;
  for (const ReportedShape& s : before.queries) old_shapes.emplace(s.fingerprint, s);
  for (const ReportedShape& s : after.queries) {
    auto it = old_shapes.find(s.fingerprint);
    if (it == old_shapes.end()) {
      ShapeDelta d;
      d.fingerprint = s.fingerprint;
      d.query = s.query;
      d.change = Change::kNew;
      d.after = s;
      c.shapes.push_back(std::move(d));
    } else {
      c.shapes.push_back(classify(it->second, s, options));
      old_shapes.erase(it);
    }
  }
  for (auto& [fingerprint, s] : old_shapes) {
    ShapeDelta d;
    d.fingerprint = fingerprint;
    d.query = s.query;
    d.change = Change::kGone;
    d.before = std::move(s);
    c.shapes.push_back(std::move(d));
  }
  // The worst news first: what a reader of a CI log must see without scrolling.
  auto total = [](const ShapeDelta& d) {
    const std::optional<ReportedShape>& s = d.after ? d.after : d.before;
    return s->total_ms;
  };
  std::stable_sort(c.shapes.begin(), c.shapes.end(), [&](const ShapeDelta& a, const ShapeDelta& b) {
    if (a.change != b.change) return order_of(a.change) < order_of(b.change);
    switch (a.change) {
      case Change::kRegressed:
        if (*a.change_ms != *b.change_ms) return *a.change_ms > *b.change_ms;
        break;
      case Change::kImproved:
        if (*a.change_ms != *b.change_ms) return *a.change_ms < *b.change_ms;
        break;
      case Change::kNew:
      case Change::kGone:
        if (total(a) != total(b)) return total(a) > total(b);
        break;
      case Change::kUnchanged:
        break;
    }
    return a.fingerprint < b.fingerprint;
  });
  return c;
}

}  // namespace querylens::report
