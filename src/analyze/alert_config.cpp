#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "querylens/analyze/alerts.h"
#include "querylens/capture/input_file.h"
#include "querylens/core/error.h"

namespace querylens::analyze {
namespace {

using json = nlohmann::json;

int64_t line_of(const std::string& text, size_t byte) {
  int64_t line = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

[[noreturn]] void bad(const std::string& name, const std::string& what) {
  throw Error(ErrorKind::kInput, fmt::format("{}: {}", name, what));
}

AlertMetric parse_metric(const std::string& name, const std::string& text,
                         const std::string& rule) {
  if (text == "mean_ms") return AlertMetric::kMeanMs;
  if (text == "p95_ms") return AlertMetric::kP95Ms;
  if (text == "p99_ms") return AlertMetric::kP99Ms;
  if (text == "error_rate") return AlertMetric::kErrorRate;
  if (text == "slow_rate") return AlertMetric::kSlowRate;
  if (text == "calls") return AlertMetric::kCalls;
  bad(name, fmt::format("rule \"{}\": unknown metric \"{}\" (mean_ms, p95_ms, p99_ms, error_rate, "
                        "slow_rate, calls)",
                        rule, text));
}

AlertScope parse_scope(const std::string& name, const std::string& text, const std::string& rule) {
  if (text == "workload") return AlertScope::kWorkload;
  if (text == "minute") return AlertScope::kMinute;
  if (text == "shape") return AlertScope::kShape;
  bad(name, fmt::format("rule \"{}\": unknown scope \"{}\" (workload, minute, shape)", rule, text));
}

}  // namespace

AlertConfig parse_alert_config(const std::string& text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorKind::kInput, fmt::format("not valid JSON: {}", e.what()),
                SourceLocation{name, line_of(text, e.byte), 0});
  }
  if (!doc.is_object() || !doc.contains("rules") || !doc["rules"].is_array()) {
    bad(name, "expected an object with a \"rules\" array (see docs/alerts.md)");
  }
  AlertConfig config;
  try {
    for (const json& r : doc["rules"]) {
      AlertRule rule;
      rule.name = r.at("name").get<std::string>();
      rule.metric = parse_metric(name, r.at("metric").get<std::string>(), rule.name);
      rule.op = r.value("op", std::string(">"));
      if (rule.op != ">" && rule.op != ">=" && rule.op != "<" && rule.op != "<=") {
        bad(name, fmt::format("rule \"{}\": op must be >, >=, < or <=", rule.name));
      }
      rule.threshold = r.at("threshold").get<double>();
      rule.scope = parse_scope(name, r.value("scope", std::string("workload")), rule.name);
      auto severity = parse_severity(r.value("severity", std::string("high")));
      if (!severity)
        bad(name,
            fmt::format("rule \"{}\": severity must be low, medium, high or critical", rule.name));
      rule.severity = *severity;
      rule.min_calls = r.value("min_calls", uint64_t{1});
      config.rules.push_back(std::move(rule));
    }
    if (doc.contains("handlers")) {
      for (const json& h : doc.at("handlers")) {
        AlertHandler handler;
        std::string type = h.at("type").get<std::string>();
        if (type == "print") {
          handler.type = AlertHandler::Type::kPrint;
        } else if (type == "command") {
          handler.type = AlertHandler::Type::kCommand;
          handler.command = h.at("command").get<std::string>();
        } else if (type == "post") {
          handler.type = AlertHandler::Type::kPost;
          handler.url = h.at("url").get<std::string>();
          if (handler.url.rfind("http://", 0) != 0 && handler.url.rfind("https://", 0) != 0) {
            bad(name,
                fmt::format("handler url \"{}\" must start with http:// or https://", handler.url));
          }
        } else {
          bad(name, fmt::format("unknown handler type \"{}\" (print, command, post)", type));
        }
        handler.timeout_ms = h.value("timeout_ms", 5000);
        config.handlers.push_back(std::move(handler));
      }
    }
  } catch (const json::exception& e) {
    bad(name, fmt::format("invalid alert config: {}", e.what()));
  }
  return config;
}

AlertConfig load_alert_config(const std::string& path) {
  capture::InputFile input(path);
  return parse_alert_config(input.read_all(1 << 20), input.name());
}

}  // namespace querylens::analyze
