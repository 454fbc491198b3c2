#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include "querylens/analyze/alerts.h"
#include "querylens/db/url.h"

namespace querylens::analyze {
namespace {

bool print_alert(const Alert& a) {
  std::fprintf(stderr, "querylens: ALERT [%s] %s\n", std::string(to_string(a.severity)).c_str(),
               a.to_finding().title.c_str());
  return true;
}

// Runs the command through /bin/sh with the alert as one JSON line on its stdin and the main
// fields in the environment (QUERYLENS_ALERT_RULE, _SEVERITY, _METRIC, _VALUE, _JSON).
bool run_command(const Alert& a, const AlertHandler& h, Diagnostics& diagnostics) {
  setenv("QUERYLENS_ALERT_RULE", a.rule.c_str(), 1);
  setenv("QUERYLENS_ALERT_SEVERITY", std::string(to_string(a.severity)).c_str(), 1);
  setenv("QUERYLENS_ALERT_METRIC", a.metric.c_str(), 1);
  setenv("QUERYLENS_ALERT_VALUE", fmt::format("{}", a.value).c_str(), 1);
  std::string json = a.to_json();
  setenv("QUERYLENS_ALERT_JSON", json.c_str(), 1);
  std::FILE* pipe = popen(h.command.c_str(), "w");
  if (pipe == nullptr) {
    diagnostics.report({}, fmt::format("alert command could not start: {}", h.command));
    return false;
  }
  json.push_back('\n');
  // A command that exits without reading its stdin must not kill us with SIGPIPE: block the
  // signal on this thread while writing, then discard it if it was raised (process-wide
  // signal dispositions are the application's, not ours).
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  std::fwrite(json.data(), 1, json.size(), pipe);
  std::fflush(pipe);
  int status = pclose(pipe);
  timespec no_wait{0, 0};
  while (sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (status != 0) {
    diagnostics.report({},
                       fmt::format("alert command exited with status {}: {}",
                                   WIFEXITED(status) ? WEXITSTATUS(status) : status, h.command));
    return false;
  }
  return true;
}

bool post_json(const Alert& a, const AlertHandler& h, Diagnostics& diagnostics) {
  // http://host[:port]/path → client for "http://host[:port]" and the path.
  size_t scheme_end = h.url.find("://");
  size_t path_start = h.url.find('/', scheme_end + 3);
  std::string origin = path_start == std::string::npos ? h.url : h.url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : h.url.substr(path_start);
  httplib::Client client(origin);
  auto timeout = std::chrono::milliseconds(h.timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  auto response = client.Post(path, a.to_json(), "application/json");
  if (!response) {
    diagnostics.report({}, fmt::format("alert POST to {} failed: {}", db::redact_url(h.url),
                                       httplib::to_string(response.error())));
    return false;
  }
  if (response->status < 200 || response->status >= 300) {
    diagnostics.report({}, fmt::format("alert POST to {} answered HTTP {}", db::redact_url(h.url),
                                       response->status));
    return false;
  }
  return true;
}

}  // namespace

size_t dispatch_alerts(const std::vector<Alert>& alerts, const AlertConfig& config,
                       Diagnostics& diagnostics) {
  static const std::vector<AlertHandler> kDefault = {AlertHandler{}};
  const auto& handlers = config.handlers.empty() ? kDefault : config.handlers;
  size_t delivered = 0;
  for (const Alert& alert : alerts) {
    for (const AlertHandler& h : handlers) {
      bool ok = false;
      switch (h.type) {
        case AlertHandler::Type::kPrint:
          ok = print_alert(alert);
          break;
        case AlertHandler::Type::kCommand:
          ok = run_command(alert, h, diagnostics);
          break;
        case AlertHandler::Type::kPost:
          ok = post_json(alert, h, diagnostics);
          break;
      }
      delivered += ok;
    }
  }
  return delivered;
}

}  // namespace querylens::analyze
