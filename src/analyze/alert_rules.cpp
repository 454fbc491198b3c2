#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "querylens/analyze/alerts.h"
#include "querylens/core/clock.h"

namespace querylens::analyze {
namespace {

const char* metric_name(AlertMetric m) {
  switch (m) {
    case AlertMetric::kMeanMs:
      return "mean_ms";
    case AlertMetric::kP95Ms:
      return "p95_ms";
    case AlertMetric::kP99Ms:
      return "p99_ms";
    case AlertMetric::kErrorRate:
      return "error_rate";
    case AlertMetric::kSlowRate:
      return "slow_rate";
    case AlertMetric::kCalls:
      return "calls";
  }
  return "?";
}

const char* scope_name(AlertScope s) {
  switch (s) {
    case AlertScope::kWorkload:
      return "workload";
    case AlertScope::kMinute:
      return "minute";
    case AlertScope::kShape:
      return "shape";
  }
  return "?";
}

bool crosses(const std::string& op, double value, double threshold) {
  if (op == ">") return value > threshold;
  if (op == ">=") return value >= threshold;
  if (op == "<") return value < threshold;
  return value <= threshold;
}

// What a rule measures over one group of calls.
struct Sample {
  uint64_t calls = 0;
  uint64_t timed = 0;
  uint64_t errors = 0;
  uint64_t slow = 0;
  int64_t total_ns = 0;
  const stats::LatencyHistogram* latency = nullptr;
};

bool measure(AlertMetric m, const Sample& s, double* out) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  switch (m) {
    case AlertMetric::kCalls:
      *out = static_cast<double>(s.calls);
      return true;
    case AlertMetric::kErrorRate:
      *out = s.calls ? static_cast<double>(s.errors) / static_cast<double>(s.calls) : 0;
      return s.calls > 0;
    case AlertMetric::kSlowRate:
      *out = s.timed ? static_cast<double>(s.slow) / static_cast<double>(s.timed) : 0;
      return s.timed > 0;
    case AlertMetric::kMeanMs:
      *out = s.timed ? ms(s.total_ns) / static_cast<double>(s.timed) : 0;
      return s.timed > 0;
    case AlertMetric::kP95Ms:
      *out = ms(s.latency ? s.latency->quantile(0.95) : 0);
      return s.timed > 0;
    case AlertMetric::kP99Ms:
      *out = ms(s.latency ? s.latency->quantile(0.99) : 0);
      return s.timed > 0;
  }
  return false;
}

// Slow calls of a shape, from its histogram: the calls in buckets wholly above the threshold.
uint64_t slow_calls(const stats::LatencyHistogram& h, int64_t slow_ns) {
  if (h.count() == 0) return 0;
  uint64_t weight = 0, slow = 0;
  for (const auto& [bucket, n] : h.nonempty_buckets()) {
    weight += n;
    if (stats::LatencyHistogram::bucket_lower(bucket) > slow_ns) slow += n;
  }
  return weight ? static_cast<uint64_t>(static_cast<double>(slow) * static_cast<double>(h.count()) /
                                        static_cast<double>(weight))
                : 0;
}

}  // namespace

std::vector<Alert> evaluate_alerts(const AlertConfig& config, const AlertInput& in) {
  std::vector<Alert> fired;
  auto judge = [&](const AlertRule& rule, const Sample& sample, std::string subject,
                   std::string query) {
    double value = 0;
    if (sample.calls < rule.min_calls || !measure(rule.metric, sample, &value)) return;
    if (!crosses(rule.op, value, rule.threshold)) return;
    Alert a;
    a.rule = rule.name;
    a.severity = rule.severity;
    a.metric = metric_name(rule.metric);
    a.op = rule.op;
    a.value = value;
    a.threshold = rule.threshold;
    a.scope = scope_name(rule.scope);
    a.subject = std::move(subject);
    a.query = std::move(query);
    a.calls = sample.calls;
    fired.push_back(std::move(a));
  };
  for (const AlertRule& rule : config.rules) {
    switch (rule.scope) {
      case AlertScope::kWorkload: {
        Sample s{in.digest.total_calls(),  in.workload_latency.count(),
                 in.digest.total_errors(), slow_calls(in.workload_latency, in.slow_ns),
                 in.digest.total_ns(),     &in.workload_latency};
        judge(rule, s, "", "");
        break;
      }
      case AlertScope::kMinute:
        for (const auto& [minute, m] : in.timeline.minutes()) {
          judge(rule, Sample{m.calls, m.calls, m.errors, m.slow, m.total_ns, &m.latency},
                format_iso8601_us(minute), "");
        }
        break;
      case AlertScope::kShape:
        for (const stats::ShapeStats* s : in.digest.ranked(stats::RankBy::kTotal)) {
          judge(rule,
                Sample{s->calls, s->timed_calls, s->errors, slow_calls(s->latency, in.slow_ns),
                       s->total_ns, &s->latency},
                s->shape->fingerprint_hex(), s->shape->normalized);
        }
        break;
    }
  }
  return fired;
}

std::string Alert::to_json() const {
  nlohmann::ordered_json j;
  j["rule"] = rule;
  j["severity"] = std::string(to_string(severity));
  j["metric"] = metric;
  j["op"] = op;
  j["value"] = value;
  j["threshold"] = threshold;
  j["scope"] = scope;
  if (!subject.empty()) j["subject"] = subject;
  if (!query.empty()) j["query"] = query;
  j["calls"] = calls;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Finding Alert::to_finding() const {
  Finding f;
  f.rule = "alert";
  f.severity = severity;
  std::string where = scope == "workload" ? "the workload"
                      : scope == "minute" ? "minute " + subject
                                          : "shape " + subject;
  f.title =
      fmt::format("alert {}: {} {:.4g} {} {:.4g} ({})", rule, metric, value, op, threshold, where);
  f.detail = fmt::format("Rule \"{}\" fired over {} calls of {}{}.", rule, calls, where,
                         query.empty() ? "" : ": " + query);
  if (scope == "shape") f.fingerprints.push_back(subject);
  f.recommendation = "See the slowest shapes and findings of this report for the cause.";
  return f;
}

}  // namespace querylens::analyze
