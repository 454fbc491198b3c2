// Alert rules: thresholds on latency, error rate and slow-query rate, evaluated over the whole
// workload, over each minute, or over each query shape; and the handlers that deliver what
// fired (print, run a command, POST JSON to a URL). The config format is docs/alerts.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/core/diagnostics.h"
#include "querylens/core/finding.h"
#include "querylens/stats/digest.h"
#include "querylens/stats/timeline.h"

namespace querylens::analyze {

enum class AlertMetric { kMeanMs, kP95Ms, kP99Ms, kErrorRate, kSlowRate, kCalls };
enum class AlertScope { kWorkload, kMinute, kShape };

struct AlertRule {
  std::string name;
  AlertMetric metric = AlertMetric::kMeanMs;
  std::string op = ">";  // > >= < <=
  double threshold = 0;
  AlertScope scope = AlertScope::kWorkload;
  Severity severity = Severity::kHigh;
  uint64_t min_calls = 1;  // a minute or shape with fewer calls is not judged
};

struct AlertHandler {
  enum class Type { kPrint, kCommand, kPost } type = Type::kPrint;
  std::string command;  // kCommand: run by /bin/sh, the alert as JSON on stdin
  std::string url;      // kPost: http://host[:port]/path (JSON body)
  int timeout_ms = 5000;
};

struct AlertConfig {
  std::vector<AlertRule> rules;
  std::vector<AlertHandler> handlers;  // none: print
};

// Reads the JSON config; throws Error(kInput) naming the file and line of what is wrong.
AlertConfig load_alert_config(const std::string& path);
AlertConfig parse_alert_config(const std::string& text, const std::string& name);

struct Alert {
  std::string rule;
  Severity severity = Severity::kHigh;
  std::string metric;  // "mean_ms", …
  std::string op;
  double value = 0;
  double threshold = 0;
  std::string scope;    // "workload" / "minute" / "shape"
  std::string subject;  // "" / ISO minute / fingerprint
  std::string query;    // the shape's normalized text (shape scope)
  uint64_t calls = 0;

  std::string to_json() const;
  Finding to_finding() const;
};

struct AlertInput {
  const stats::Digest& digest;
  const stats::Timeline& timeline;
  const stats::LatencyHistogram& workload_latency;
  int64_t slow_ns;
};

std::vector<Alert> evaluate_alerts(const AlertConfig& config, const AlertInput& input);

// Delivers every alert to every handler; a handler that fails is reported to `diagnostics`
// (never an exception: alerting must not lose the report). Returns deliveries that succeeded.
size_t dispatch_alerts(const std::vector<Alert>& alerts, const AlertConfig& config,
                       Diagnostics& diagnostics);

}  // namespace querylens::analyze
