#include "querylens/analyze/alerts.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "querylens/analyze/analysis.h"
#include "querylens/core/error.h"
#include "querylens/sql/shape_registry.h"
#include "support/test_env.h"

namespace querylens::analyze {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kT0 = 1'790'000'000LL * 1'000'000 / kMinute * kMinute;  // a whole minute in 2026

class AlertsTest : public ::testing::Test {
 protected:
  void event(const std::string& sql, double ms, int64_t start_us, bool failed = false) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = static_cast<int64_t>(ms * 1e6);
    e.start_us = start_us;
    if (failed) e.error = "deadlock detected";
    analysis_.on_query(e);
  }
  std::vector<Alert> run(const std::string& config_json) {
    analysis_.set_alerts(parse_alert_config(config_json, "alerts.json"));
    analysis_.report(report::ReportOptions{});
    return analysis_.fired_alerts();
  }
  sql::ShapeRegistry shapes_;
  Analysis analysis_{shapes_, AnalyzeOptions{}};
};

TEST_F(AlertsTest, SeedThresholdsFireWhereCrossed) {
  // Minute 0: fast and clean. Minute 1: slow and failing.
  for (int i = 0; i < 20; ++i)
    event("SELECT * FROM users WHERE id = " + std::to_string(i), 2, kT0 + i * 1000);
  for (int i = 0; i < 20; ++i)
    event("SELECT * FROM posts WHERE title LIKE '%x%'", 900, kT0 + kMinute + i * 1000, i % 4 == 0);
  auto fired = run(R"({"rules": [
      {"name": "mean-latency", "metric": "mean_ms", "op": ">", "threshold": 500, "scope": "minute"},
      {"name": "error-rate", "metric": "error_rate", "threshold": 0.05, "scope": "workload", "severity": "critical"},
      {"name": "slow-rate", "metric": "slow_rate", "threshold": 0.10, "scope": "shape"},
      {"name": "never", "metric": "p99_ms", "threshold": 5000}
  ]})");
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].rule, "mean-latency");
  EXPECT_EQ(fired[0].scope, "minute");
  EXPECT_EQ(fired[0].calls, 20u);
  EXPECT_NEAR(fired[0].value, 900, 1);
  EXPECT_EQ(fired[1].rule, "error-rate");
  EXPECT_NEAR(fired[1].value, 5.0 / 40.0, 1e-9);
  EXPECT_EQ(fired[2].rule, "slow-rate");
  EXPECT_EQ(fired[2].query, "SELECT * FROM posts WHERE title LIKE $1");
  auto findings = analysis_.report(report::ReportOptions{}).findings;
  EXPECT_EQ(findings[0].rule, "alert");
  EXPECT_EQ(findings[0].severity, Severity::kCritical);
}

TEST_F(AlertsTest, MinCallsKeepsQuietMinutesOut) {
  event("SELECT 1", 700, kT0);
  auto fired = run(
      R"({"rules": [{"name": "m", "metric": "mean_ms", "threshold": 500, "scope": "minute", "min_calls": 5}]})");
  EXPECT_TRUE(fired.empty());
}

TEST(AlertConfigTest, ErrorsNameTheFileAndLine) {
  try {
    parse_alert_config("{\n  \"rules\": [\n    {\"name\": \"x\",, }\n  ]\n}", "alerts.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "alerts.json");
    EXPECT_EQ(e.where().line, 3);
  }
  EXPECT_THROW(parse_alert_config(
                   R"({"rules": [{"name": "x", "metric": "median", "threshold": 1}]})", "a.json"),
               Error);
  EXPECT_THROW(parse_alert_config(R"({"rules": [{"name": "x", "metric": "calls"}]})", "a.json"),
               Error);
  EXPECT_THROW(parse_alert_config(
                   R"({"rules": [], "handlers": [{"type": "post", "url": "ftp://x"}]})", "a.json"),
               Error);
  EXPECT_THROW(parse_alert_config(R"([1, 2])", "a.json"), Error);
}

Alert sample_alert() {
  Alert a;
  a.rule = "error-rate";
  a.metric = "error_rate";
  a.op = ">";
  a.value = 0.25;
  a.threshold = 0.05;
  a.scope = "workload";
  a.calls = 40;
  return a;
}

TEST(AlertHandlersTest, CommandGetsTheAlertOnStdinAndInItsEnvironment) {
  testing::TempDir dir;
  AlertConfig config;
  AlertHandler h;
  h.type = AlertHandler::Type::kCommand;
  h.command = "cat > '" + dir.file("stdin.json") + "'; echo \"$QUERYLENS_ALERT_RULE\" > '" +
              dir.file("env.txt") + "'";
  config.handlers.push_back(h);
  Diagnostics diagnostics;
  EXPECT_EQ(dispatch_alerts({sample_alert()}, config, diagnostics), 1u);
  std::ifstream in(dir.file("stdin.json"));
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["rule"], "error-rate");
  EXPECT_DOUBLE_EQ(j["value"].get<double>(), 0.25);
  std::ifstream env(dir.file("env.txt"));
  std::string rule;
  env >> rule;
  EXPECT_EQ(rule, "error-rate");

  config.handlers[0].command = "exit 7";
  EXPECT_EQ(dispatch_alerts({sample_alert()}, config, diagnostics), 0u);
  EXPECT_EQ(diagnostics.count(), 1u);
}

TEST(AlertHandlersTest, PostSendsJsonToTheUrl) {
  httplib::Server server;
  std::string received, content_type;
  server.Post("/hooks/db", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body;
    content_type = req.get_header_value("Content-Type");
    res.set_content("{}", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  AlertConfig config;
  AlertHandler h;
  h.type = AlertHandler::Type::kPost;
  h.url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/db";
  h.timeout_ms = 10000;  // generous: a loaded machine may schedule the server late
  config.handlers.push_back(h);
  Diagnostics diagnostics;
  size_t delivered = dispatch_alerts({sample_alert()}, config, diagnostics);
  // A URL nobody listens on: reported, never thrown.
  config.handlers[0].url = "http://127.0.0.1:1/nothing";
  size_t failed = dispatch_alerts({sample_alert()}, config, diagnostics);
  server.stop();
  thread.join();
  EXPECT_EQ(delivered, 1u);
  EXPECT_EQ(failed, 0u);
  EXPECT_EQ(diagnostics.count(), 1u);
  EXPECT_EQ(content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(received)["rule"], "error-rate");
}

}  // namespace
}  // namespace querylens::analyze
