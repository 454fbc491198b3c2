// Reading one log in parts (-j N) gives what one reader gives: the same events in the same
// order per session, the same digest and findings, the same skipped lines with the same line
// numbers — with the edges put on every line of the file, so each one falls in turn inside a
// multi-line statement, a csv quoted newline, a DETAIL / STATEMENT line, between a
// log_statement line and its log_duration line, and inside an N+1 run.
#include "querylens/capture/pglog_parallel.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "capture/pglog_split.h"
#include "querylens/analyze/analysis.h"
#include "querylens/analyze/parted_analysis.h"
#include "querylens/capture/input_file.h"
#include "support/event_recorder.h"
#include "support/test_env.h"

namespace querylens::capture {
namespace {

const std::string kData = std::string(QUERYLENS_TEST_DATA_DIR) + "/pglog/";

// ---- A workload written as each of the three formats -----------------------------------------

struct Entry {
  int64_t ms;  // since the log's start
  int pid;
  std::string session, severity, message, detail, statement;
};

// Three backends interleaved: an N+1 loop (a parent query, then one lookup per row, each
// 12 ms), log_statement lines with their log_duration lines, a log_statement line followed by
// the same statement's log_min_duration_statement line (one execution), a multi-line
// statement, a prepared statement with its parameters, an error with a multi-line STATEMENT,
// a disconnection and a reused pid with a new session.
std::vector<Entry> workload() {
  std::vector<Entry> out;
  int64_t t = 0;
  auto add = [&](int pid, std::string session, std::string severity, std::string message,
                 std::string detail = "", std::string statement = "") {
    out.push_back(Entry{t += 7, pid, std::move(session), std::move(severity), std::move(message),
                        std::move(detail), std::move(statement)});
  };
  for (int round = 0; round < 2; ++round) {
    add(101, "s101", "LOG",
        "duration: 3.500 ms  statement: SELECT id FROM posts WHERE blog_id = 1");
    add(202, "s202", "LOG", "statement: UPDATE counters\n   SET n = n + 1\n WHERE id = 7");
    for (int i = 0; i < 6; ++i) {
      add(101, "s101", "LOG",
          fmt::format("duration: 12.{}00 ms  statement: SELECT * FROM comments WHERE post_id = {}",
                      i, 10 + i));
      if (i == 2) add(202, "s202", "LOG", "duration: 4.250 ms");
      if (i == 3) add(303, "s303", "LOG", "statement: SELECT pg_sleep(0.2)");
    }
    add(303, "s303", "LOG", "duration: 201.000 ms  statement: SELECT pg_sleep(0.2)");
    add(202, "s202", "LOG", "execute S_1: SELECT name FROM users WHERE id = $1",
        "parameters: $1 = '42'");
    add(202, "s202", "LOG", "duration: 0.750 ms");
    add(303, "s303", "ERROR", "relation \"nope\" does not exist at character 15", "",
        "SELECT *\n  FROM nope\n WHERE x = 1");
    add(101, "s101", "LOG", "duration: 1.000 ms  statement: SELECT 1");
  }
  add(303, "s303", "LOG", "statement: SELECT 'never timed'");
  add(202, "s202", "LOG", "statement: SELECT 'waiting at a disconnection'");
  add(202, "s202", "LOG", "disconnection: session time: 0:00:01.000 user=app database=shop");
  add(202, "s909", "LOG", "statement: SELECT 'a new session after a goodbye'");
  add(202, "s909", "LOG", "duration: 2.000 ms");
  add(303, "s333", "LOG", "duration: 1.500 ms  statement: SELECT 'a reused pid, no goodbye'");
  add(101, "s101", "LOG", "statement: SELECT 'still waiting at the end'");
  return out;
}

std::string timestamp(int64_t ms) {
  return fmt::format("2026-11-21 23:{:02}:{:02}.{:03} UTC", 11 + ms / 60000, ms / 1000 % 60,
                     ms % 1000);
}

std::string tabbed(const std::string& text) {  // stderr: continuation lines start with a tab
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.push_back('\t');
  }
  return out;
}

std::string as_stderr(const std::vector<Entry>& entries) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    std::string prefix = fmt::format("{} [{}] app@shop ", timestamp(e.ms), e.pid);
    out += prefix + e.severity + ":  " + tabbed(e.message) + "\n";
    if (!e.detail.empty()) out += prefix + "DETAIL:  " + tabbed(e.detail) + "\n";
    if (!e.statement.empty()) out += prefix + "STATEMENT:  " + tabbed(e.statement) + "\n";
    if (i == 5) out += "this line is not a log line\n";  // skipped, with its line number
  }
  return out;
}

std::string csv_quoted(const std::string& s) {
  if (s.empty()) return "";
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string as_csv(const std::vector<Entry>& entries) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    out += fmt::format(
        "{},\"app\",\"shop\",{},\"[local]\",{},{},\"SELECT\",2026-11-21 23:11:00 UTC,3/0,0,{},"
        "00000,{},{},,,,,{},,,\"psql\",\"client backend\",,0\n",
        timestamp(e.ms), e.pid, e.session, i + 1, e.severity, csv_quoted(e.message),
        csv_quoted(e.detail), csv_quoted(e.statement));
    if (i == 5) out += "not,a,csvlog,record\n";
  }
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string as_json(const std::vector<Entry>& entries) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    out += fmt::format(
        "{{\"timestamp\":\"{}\",\"user\":\"app\",\"dbname\":\"shop\",\"pid\":{},"
        "\"session_id\":{},\"error_severity\":\"{}\",\"message\":{}",
        timestamp(e.ms), e.pid, json_string(e.session), e.severity, json_string(e.message));
    if (!e.detail.empty()) out += ",\"detail\":" + json_string(e.detail);
    if (!e.statement.empty()) out += ",\"statement\":" + json_string(e.statement);
    out += "}\n";
    if (i == 5) out += "{\"not\": \"a jsonlog entry\"}\n";
  }
  return out;
}

// In a directory of this process's own: ctest runs tests as separate processes, two at a time,
// and two of them writing /tmp/<same name> read each other's half-written files.
std::string write_temp(const std::string& name, const std::string& text) {
  static const querylens::testing::TempDir dir;
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// ---- What one reading gives ------------------------------------------------------------------

// Events per part, the later parts' gathered as they are merged.
class RecordingParts : public PartedObserver {
 public:
  QueryObserver& part(size_t index) override {
    if (parts_.size() <= index) parts_.resize(index + 1);
    parts_[index] = std::make_unique<querylens::testing::EventRecorder>();
    return *parts_[index];
  }
  void merge_part(size_t index) override {
    for (auto& e : parts_[index]->take()) merged_.push_back(std::move(e));
  }
  std::vector<std::unique_ptr<querylens::testing::EventRecorder>> parts_;
  std::vector<OwnedQueryEvent> merged_;
};

// The events of each session in order, as text: what the N+1 analyzer reads.
using Sessions = std::map<std::string, std::vector<std::string>>;

std::string describe(const OwnedQueryEvent& e) {
  std::string tags;
  for (const auto& [k, v] : e.tags) tags += k + "=" + v + ";";
  return fmt::format("{}|{}|{}|{}|{}", e.sql, e.duration_ns, e.start_us, e.error, tags);
}

// A recorder per part; events reach `sessions` in the order one reader would deliver them per
// session: part 0's as they come, each later part's when it is merged.
class SessionParts : public PartedObserver {
 public:
  class Part : public QueryObserver {
   public:
    explicit Part(Sessions* into) : into_(into) {}
    void on_query(const QueryEvent& event) override {
      OwnedQueryEvent e(event);
      if (into_ != nullptr) {
        (*into_)[e.session].push_back(describe(e));
      } else {
        kept_.push_back(std::move(e));
      }
    }
    Sessions* into_;
    std::vector<OwnedQueryEvent> kept_;
  };
  QueryObserver& part(size_t index) override {
    if (parts_.size() <= index) parts_.resize(index + 1);
    parts_[index] = std::make_unique<Part>(index == 0 ? &sessions : nullptr);
    return *parts_[index];
  }
  void merge_part(size_t index) override {
    for (const OwnedQueryEvent& e : parts_[index]->kept_)
      sessions[e.session].push_back(describe(e));
  }
  Sessions sessions;

 private:
  std::vector<std::unique_ptr<Part>> parts_;
};

struct Outcome {
  Sessions sessions;
  uint64_t events = 0, skipped = 0, bytes = 0;
  std::vector<std::string> diagnostics;
  std::string report;  // every shape's numbers, every finding, every minute
};

std::string summarize(const report::Report& r) {
  std::string out;
  for (const report::QueryRow& q : r.queries) {
    out += fmt::format(
        "{} calls={} timed={} total={:.3f} min={:.3f} max={:.3f} p50={:.3f} "
        "p95={:.3f} p99={:.3f} rows={} errors={} sample={}\n",
        q.fingerprint, q.calls, q.timed_calls, q.total_ms, q.min_ms, q.max_ms, q.p50_ms, q.p95_ms,
        q.p99_ms, q.rows, q.errors, q.sample);
  }
  for (const Finding& f : r.findings) {
    out += fmt::format("finding {} {} {} | {} | {}\n", f.rule, static_cast<int>(f.severity),
                       f.title, f.detail, fmt::join(f.fingerprints, ","));
  }
  for (const report::PlanSection& p : r.plans) {  // auto_explain plans kept per shape
    out += fmt::format("plan {} nodes={} {} | {} | {}\n", p.fingerprint, p.plan.nodes.size(),
                       p.note, p.error, p.findings.size());
  }
  for (const report::MinuteRow& m : r.timeline) {
    out += fmt::format("minute {} calls={} errors={} slow={} mean={:.3f} p95={:.3f}\n",
                       m.minute_start_us, m.calls, m.errors, m.slow, m.mean_ms, m.p95_ms);
  }
  return out;
}

std::vector<std::string> diagnostic_lines(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const Diagnostic& x : d.kept()) out.push_back(x.to_string());
  out.push_back(fmt::format("count {}", d.count()));
  return out;
}

analyze::AnalyzeOptions analyze_options() {
  analyze::AnalyzeOptions o;
  o.slow_p95_ns = 100'000'000;
  o.n_plus_one_min_repeats = 5;
  o.n_plus_one_min_total_ns = 50'000'000;
  return o;
}

// One reader (no nominal starts) or parts starting at `nominal`.
Outcome read(const std::string& path, PgLogFormat format, const std::vector<uint64_t>* nominal,
             sql::ShapeRegistry& shapes) {
  Outcome o;
  SessionParts recorded;
  Diagnostics d1;
  SourceStats s;
  if (nominal == nullptr) {
    InputFile input(path);
    s = read_pg_log(input, format, "", recorded.part(0), d1);
  } else {
    s = read_pg_log_parts(path, format, "", *nominal, recorded, d1);
  }
  o.sessions = std::move(recorded.sessions);
  o.events = s.events;
  o.skipped = s.skipped;
  o.bytes = s.bytes;
  o.diagnostics = diagnostic_lines(d1);

  analyze::Analysis main(shapes, analyze_options());
  analyze::PartedAnalysis parted(main, shapes, analyze_options(), true);
  Diagnostics d2;
  if (nominal == nullptr) {
    InputFile input(path);
    read_pg_log(input, format, "", main, d2);
  } else {
    read_pg_log_parts(path, format, "", *nominal, parted, d2);
  }
  report::ReportOptions options;
  options.top = 0;
  o.report = summarize(main.report(options));
  return o;
}

void expect_same(const Outcome& one, const Outcome& parts, const std::string& where) {
  EXPECT_EQ(parts.events, one.events) << where;
  EXPECT_EQ(parts.skipped, one.skipped) << where;
  EXPECT_EQ(parts.bytes, one.bytes) << where;
  EXPECT_EQ(parts.diagnostics, one.diagnostics) << where;
  EXPECT_EQ(parts.sessions, one.sessions) << where;
  EXPECT_EQ(parts.report, one.report) << where;
}

// Every line start as the edge of two parts (an edge inside a line moves to the same places),
// then three parts with edges on every pair of lines a few lines apart, then seven even parts.
// `stride`: every stride-th line only (long fixtures).
void check_every_edge(const std::string& path, PgLogFormat format, size_t stride = 1) {
  sql::ShapeRegistry shapes;
  Outcome one = read(path, format, nullptr, shapes);
  ASSERT_GT(one.events, 0u);
  std::string text;
  {
    InputFile input(path);
    text = input.read_all();
  }
  std::vector<uint64_t> line_starts;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i - 1] == '\n') line_starts.push_back(i);
  }
  for (size_t k = 0; k < line_starts.size(); k += stride) {
    std::vector<uint64_t> nominal{line_starts[k]};
    uint64_t at = nominal[0];
    expect_same(one, read(path, format, &nominal, shapes), fmt::format("{} edge at {}", path, at));
    if (::testing::Test::HasFailure()) return;  // one edge's story is enough to read
  }
  for (size_t i = 0; i + 3 < line_starts.size(); i += 2 * stride) {
    std::vector<uint64_t> nominal{line_starts[i], line_starts[i + 3]};
    expect_same(one, read(path, format, &nominal, shapes),
                fmt::format("{} edges at {} and {}", path, nominal[0], nominal[1]));
    if (::testing::Test::HasFailure()) return;
  }
  for (size_t jobs : {2, 3, 7}) {
    std::vector<uint64_t> nominal;
    for (size_t i = 1; i < jobs; ++i) nominal.push_back(text.size() / jobs * i);
    expect_same(one, read(path, format, &nominal, shapes), fmt::format("{} -j{}", path, jobs));
  }
}

TEST(PgLogParallel, TheWorkloadFindsItsNPlusOne) {
  std::string path = write_temp("parallel_workload.log", as_stderr(workload()));
  sql::ShapeRegistry shapes;
  Outcome one = read(path, PgLogFormat::kStderr, nullptr, shapes);
  EXPECT_NE(one.report.find("finding n-plus-one"), std::string::npos) << one.report;
  EXPECT_NE(one.report.find("finding slow-query"), std::string::npos) << one.report;
  EXPECT_EQ(one.skipped, 1u);
  // Per round: posts, 6 comments, the update, pg_sleep (its log_statement line is the same
  // execution as its duration line), execute, the error, SELECT 1; then five at the end.
  EXPECT_EQ(one.events, 2u * 12 + 5);
}

TEST(PgLogParallel, StderrEveryEdge) {
  check_every_edge(write_temp("parallel_workload.log", as_stderr(workload())),
                   PgLogFormat::kStderr);
}

TEST(PgLogParallel, CsvlogEveryEdge) {
  check_every_edge(write_temp("parallel_workload.csv", as_csv(workload())), PgLogFormat::kCsv);
}

TEST(PgLogParallel, JsonlogEveryEdge) {
  check_every_edge(write_temp("parallel_workload.json", as_json(workload())), PgLogFormat::kJson);
}

TEST(PgLogParallel, RealLogsEveryEdge) {
  check_every_edge(kData + "real_stderr.log", PgLogFormat::kStderr);
  check_every_edge(kData + "real_csvlog.csv", PgLogFormat::kCsv);
  check_every_edge(kData + "real_jsonlog.json", PgLogFormat::kJson);
}

// auto_explain plans (text and JSON, many lines each) with edges inside them.
TEST(PgLogParallel, AutoExplainLogsEveryTwentiethEdge) {
  check_every_edge(kData + "auto_explain.log", PgLogFormat::kStderr, 20);
  check_every_edge(kData + "auto_explain.csv", PgLogFormat::kCsv, 20);
}

TEST(PgLogParallel, CsvEdgeInsideAQuotedNewlineMovesToTheNextRecord) {
  std::string path = write_temp("parallel_workload.csv", as_csv(workload()));
  std::string text;
  {
    InputFile input(path);
    text = input.read_all();
  }
  // The line "   SET n = n + 1" is inside a quoted field; so is one that looks like a record.
  size_t inside = text.find("   SET n = n + 1");
  ASSERT_NE(inside, std::string::npos);
  RecordingParts parts;
  Diagnostics d;
  std::vector<uint64_t> nominal{inside};
  read_pg_log_parts(path, PgLogFormat::kCsv, "", nominal, parts, d);
  ASSERT_EQ(parts.parts_.size(), 2u);
  EXPECT_EQ(d.count(), 1u);  // the one bad line, not a broken record at the edge
}

TEST(PgLogParallel, CsvStartRejectsARecordLookalikeInsideAStatement) {
  std::string record = as_csv({workload()[0]});
  EXPECT_EQ(is_pg_csv_record_start(record, true), StartVerdict::kYes);
  EXPECT_EQ(is_pg_csv_record_start(record, false), StartVerdict::kNeedMore);
  EXPECT_EQ(is_pg_csv_record_start(record + record, false), StartVerdict::kYes);
  // A statement that quotes a whole csvlog line: the line starts a record by itself, but the
  // line after it (the rest of the statement) does not.
  EXPECT_EQ(is_pg_csv_record_start(record + "  FROM t\"\n" + record, true), StartVerdict::kNo);
  // A time and a comma in front of an unterminated quote.
  EXPECT_EQ(is_pg_csv_record_start("2026-11-21 23:11:00.000 UTC,\"x\n", true), StartVerdict::kNo);
}

TEST(PgLogParallel, GzipAndPipesAreNotSplit) {
  EXPECT_FALSE(can_read_in_parts("-"));
  EXPECT_TRUE(can_read_in_parts(kData + "real_stderr.log"));
  std::string gz = write_temp("parallel.gz", std::string("\x1f\x8b\x08\x00", 4));
  EXPECT_FALSE(can_read_in_parts(gz));
}

}  // namespace
}  // namespace querylens::capture
