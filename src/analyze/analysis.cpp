#include "querylens/analyze/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "querylens/core/error.h"
#include "querylens/db/url.h"
#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/statement_model.h"

namespace querylens::analyze {

Analysis::Analysis(sql::ShapeRegistry& shapes, AnalyzeOptions options, bool run_analyzers)
    : shapes_(shapes),
      local_shapes_(std::make_unique<sql::ShapeRegistry::LocalCache>(shapes)),
      options_(options),
      digest_(shapes),
      timeline_(options.slow_p95_ns) {
  digest_.track_literals(options_.track_literals);
  if (run_analyzers) analyzers_ = default_analyzers(options_);
}

Analysis::~Analysis() = default;

void Analysis::on_query(const QueryEvent& event) {
  std::lock_guard lock(mutex_);
  add_event(event);
}

void Analysis::add_event(const QueryEvent& event) {
  QueryEvent classified = event;
  if (classified.shape == nullptr) classified.shape = local_shapes_->classify(event.sql);
  // The latency's bucket, found once for the three histograms it goes into.
  bool timed = classified.timed();
  int bucket = timed ? stats::LatencyHistogram::bucket_of(classified.duration_ns) : 0;
  digest_.add(classified, bucket);
  timeline_.add(classified, bucket);
  if (timed) workload_latency_.record_in_bucket(classified.duration_ns, bucket);
  for (auto& analyzer : analyzers_) analyzer->observe(classified);
}

namespace {

// Shapes with a kept plan at most: one JSON text each (a few kB), whatever the log's size.
constexpr size_t kMaxKeptPlans = 4096;

}  // namespace

void Analysis::on_plan(const CapturedPlan& captured) {
  // Only the query text is read here; the tree is parsed once per kept plan, in report().
  const bool text = captured.plan_json.empty();
  std::string_view body = text ? captured.plan_text : captured.plan_json;
  std::optional<std::string> query_text =
      text ? plan::postgres_text_plan_query_text(body) : plan::postgres_plan_query_text(body);
  std::lock_guard lock(mutex_);
  if (!query_text || query_text->empty()) {
    ++unreadable_plans_;
    return;
  }
  const QueryShape* shape = shapes_.classify(*query_text);
  if (shape == nullptr) return;
  auto it = plans_.find(shape->fingerprint);
  if (it == plans_.end()) {
    if (plans_.size() >= kMaxKeptPlans) return;
    it = plans_.emplace(shape->fingerprint, KeptPlan{}).first;
  }
  KeptPlan& kept = it->second;
  if (captured.duration_ns >= 0) {
    stats::AggregateStats& r = kept.runs;
    r.min_ns = r.calls == 0 ? captured.duration_ns : std::min(r.min_ns, captured.duration_ns);
    r.max_ns = std::max(r.max_ns, captured.duration_ns);
    r.total_ns += captured.duration_ns;
    ++r.calls;
  }
  if (!kept.json.empty() && kept.duration_ns >= captured.duration_ns) {
    return;  // keep the slowest execution's plan: the one worth reading
  }
  kept.duration_ns = captured.duration_ns;
  kept.json.assign(body);
  kept.text = text;
  kept.query_text = std::move(*query_text);
}

void Analysis::start_mid_stream() {
  std::lock_guard lock(mutex_);
  for (auto& analyzer : analyzers_) analyzer->start_mid_stream();
}

void Analysis::merge(Analysis& later) {
  std::scoped_lock lock(mutex_, later.mutex_);
  digest_.merge(later.digest_);
  timeline_.merge(later.timeline_);
  workload_latency_.merge(later.workload_latency_);
  for (size_t i = 0; i < analyzers_.size() && i < later.analyzers_.size(); ++i)
    analyzers_[i]->merge(*later.analyzers_[i]);
  unreadable_plans_ += later.unreadable_plans_;
  // Logged plans as on_plan() keeps them: every run counted, the slowest plan kept, the
  // earlier one on a tie.
  for (auto& [fingerprint, theirs] : later.plans_) {
    auto it = plans_.find(fingerprint);
    if (it == plans_.end()) {
      if (plans_.size() < kMaxKeptPlans) plans_.emplace(fingerprint, std::move(theirs));
      continue;
    }
    KeptPlan& mine = it->second;
    stats::AggregateStats& r = mine.runs;
    const stats::AggregateStats& o = theirs.runs;
    if (o.calls > 0) {
      r.min_ns = r.calls == 0 ? o.min_ns : std::min(r.min_ns, o.min_ns);
      r.max_ns = std::max(r.max_ns, o.max_ns);
      r.total_ns += o.total_ns;
      r.calls += o.calls;
    }
    if (!theirs.json.empty() && (mine.json.empty() || theirs.duration_ns > mine.duration_ns)) {
      mine.duration_ns = theirs.duration_ns;
      mine.json = std::move(theirs.json);
      mine.text = theirs.text;
      mine.query_text = std::move(theirs.query_text);
    }
  }
  later.plans_.clear();
}

void Analysis::digest_plan_only_shapes() {
  for (auto& [fingerprint, kept] : plans_) {
    if (kept.in_digest || kept.runs.calls == 0 || digest_.find(fingerprint) != nullptr) continue;
    digest_.add_aggregate(kept.query_text, kept.runs);
    kept.in_digest = true;
  }
}

uint64_t Analysis::unreadable_plans() const {
  std::lock_guard lock(mutex_);
  return unreadable_plans_;
}

report::Report Analysis::report(const report::ReportOptions& options) {
  std::lock_guard lock(mutex_);
  digest_plan_only_shapes();
  std::vector<Finding> findings;
  AnalysisInput input{digest_, options_};
  for (auto& analyzer : analyzers_) analyzer->analyze(input, findings);
  fired_ = evaluate_alerts(alerts_,
                           AlertInput{digest_, timeline_, workload_latency_, options_.slow_p95_ns});
  for (const Alert& alert : fired_) findings.push_back(alert.to_finding());
  sort_findings(findings);
  report::Report report = report::build_report(digest_, std::move(findings), options);
  for (const auto& [minute, m] : timeline_.minutes()) {
    report::MinuteRow row;
    row.minute_start_us = minute;
    row.calls = m.calls;
    row.errors = m.errors;
    row.slow = m.slow;
    row.mean_ms =
        m.calls ? static_cast<double>(m.total_ns) / static_cast<double>(m.calls) / 1e6 : 0;
    row.p95_ms = static_cast<double>(m.latency.quantile(0.95)) / 1e6;
    row.p99_ms = static_cast<double>(m.latency.quantile(0.99)) / 1e6;
    report.timeline.push_back(row);
  }
  add_logged_plans(report);
  return report;
}

// The logged plans of the ranked shapes, checked like `querylens explain` checks its own.
void Analysis::add_logged_plans(report::Report& report) const {
  bool added = false;
  for (const report::QueryRow& row : report.queries) {
    uint64_t fingerprint = 0;
    if (std::sscanf(row.fingerprint.c_str(), "%16llx",
                    reinterpret_cast<unsigned long long*>(&fingerprint)) != 1) {
      continue;
    }
    auto it = plans_.find(fingerprint);
    if (it == plans_.end()) continue;
    report::PlanSection section;
    section.fingerprint = row.fingerprint;
    try {
      const KeptPlan& kept = it->second;
      section.plan = kept.text ? plan::parse_postgres_text_plan(kept.json)
                               : plan::parse_postgres_plan(kept.json);
    } catch (const Error& e) {  // the query text read, the tree did not
      section.sql = db::redact_secrets(it->second.query_text);
      section.error = fmt::format("the logged plan could not be read: {}", e.what());
      report.plans.push_back(std::move(section));
      continue;
    }
    section.sql = db::redact_secrets(section.plan.query_text);
    sql::StatementModel model = sql::build_statement_model(section.plan.query_text);
    section.findings = plan::check_plan(section.plan, &model);
    section.note = fmt::format("logged by auto_explain ({:.3f} ms, the slowest logged run)",
                               static_cast<double>(it->second.duration_ns) / 1e6);
    for (const plan::PlanFinding& f : section.findings) {
      report.findings.push_back(f.finding);
      report.findings.back().fingerprints.push_back(row.fingerprint);
    }
    report.plans.push_back(std::move(section));
    added = true;
  }
  if (added) {
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  }
}

void Analysis::add_aggregate(std::string_view sample, const stats::AggregateStats& stats) {
  std::lock_guard lock(mutex_);
  digest_.add_aggregate(sample, stats);
}

void Analysis::set_alerts(AlertConfig config) {
  std::lock_guard lock(mutex_);
  alerts_ = std::move(config);
}

std::vector<Alert> Analysis::fired_alerts() const {
  std::lock_guard lock(mutex_);
  return fired_;
}

uint64_t Analysis::events() const {
  std::lock_guard lock(mutex_);
  return digest_.total_calls();
}

}  // namespace querylens::analyze
