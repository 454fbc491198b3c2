// PostgreSQL logs that are damaged, huge or odd: what is read, what is reported, what is kept.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"
#include "support/event_recorder.h"
#include "support/test_env.h"

namespace querylens::capture {
namespace {

const std::string kData = std::string(QUERYLENS_TEST_DATA_DIR) + "/pglog/";

using Collector = querylens::testing::EventRecorder;
using querylens::testing::tag;

struct Read {
  Collector out;
  Diagnostics diagnostics;
  SourceStats stats;
};

std::unique_ptr<Read> read(const std::string& path, SourceKind kind = SourceKind::kAuto) {
  auto r = std::make_unique<Read>();
  r->stats = read_source(path, kind, r->out, r->diagnostics);
  return r;
}

TEST(PgLogInput, MalformedStderrLinesAreNamedAndSkipped) {
  auto r = read(kData + "malformed_stderr.log");
  EXPECT_EQ(r->stats.skipped, 2u);
  ASSERT_EQ(r->diagnostics.kept().size(), 2u);
  EXPECT_EQ(r->diagnostics.kept()[0].where.line, 2);
  EXPECT_EQ(r->diagnostics.kept()[1].where.line, 5);
  EXPECT_NE(r->diagnostics.kept()[0].where.file.find("malformed_stderr.log"), std::string::npos);
  ASSERT_EQ(r->out.events().size(), 4u);
  EXPECT_EQ(r->out.events()[1].sql, "SELECT\n2");
  EXPECT_EQ(r->out.events()[2].error, "division by zero");
  EXPECT_EQ(r->out.events()[2].sql, "SELECT 1/0");
  EXPECT_EQ(r->out.events()[3].sql, "SELECT 'cut");  // the truncated last line is still an event
}

TEST(PgLogInput, MalformedCsvRecordsAreNamedAndSkipped) {
  auto r = read(kData + "malformed_csvlog.csv");
  EXPECT_EQ(r->stats.skipped, 3u);  // too few columns, text after a quote, truncated record
  std::vector<int64_t> lines;
  for (const auto& d : r->diagnostics.kept()) lines.push_back(d.where.line);
  EXPECT_EQ(lines, (std::vector<int64_t>{2, 3, 6}));
  ASSERT_EQ(r->out.events().size(), 2u);
  EXPECT_EQ(r->out.events()[1].sql, "SELECT \"Name\"\n  FROM t");
  EXPECT_EQ(r->out.events()[1].session, "65e6f1a2.c8");
}

TEST(PgLogInput, MalformedJsonLinesAreNamedAndSkipped) {
  auto r = read(kData + "malformed_jsonlog.json", SourceKind::kPgJson);
  EXPECT_EQ(r->stats.skipped, 4u);
  ASSERT_EQ(r->out.events().size(), 1u);
  EXPECT_EQ(r->out.events()[0].tags.size(), 3u);  // user, database, application
}

TEST(PgLogInput, InvalidUtf8IsKept) {
  auto text = read(kData + "invalid_utf8_stderr.log");
  ASSERT_EQ(text->out.events().size(), 1u);
  EXPECT_NE(text->out.events()[0].sql.find("caf\xe9 \xff\xfe"), std::string::npos);
  auto json = read(kData + "invalid_utf8_jsonlog.json");
  EXPECT_EQ(json->stats.skipped, 0u);
  ASSERT_EQ(json->out.events().size(), 1u);
  EXPECT_EQ(json->out.events()[0].sql, "SELECT 'caf?'");
  // And the digest takes it.
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  for (const auto& e : text->out.events()) digest.add(e.view());
  EXPECT_EQ(digest.total_calls(), 1u);
}

TEST(PgLogInput, TenMegabyteStatementOnOneLine) {
  testing::TempDir dir;
  std::string path = dir.file("big.log");
  std::string sql = "SELECT 1 WHERE 'x' IN ('";
  sql.append(10 << 20, 'a');
  sql += "')";
  {
    std::ofstream f(path);
    f << "2024-03-05 10:00:00.100 UTC [7] LOG:  duration: 9.000 ms  statement: " << sql << "\n"
      << "2024-03-05 10:00:00.200 UTC [7] LOG:  duration: 1.000 ms  statement: SELECT 2\n";
  }
  auto r = read(path);
  EXPECT_EQ(r->stats.skipped, 0u);
  ASSERT_EQ(r->out.events().size(), 2u);
  EXPECT_EQ(r->out.events()[0].sql.size(), sql.size());
  EXPECT_EQ(r->out.events()[1].sql, "SELECT 2");
}

// Entries whose lines straddle the input buffer's refills (1 MiB chunks): the stderr reader
// keeps views of an entry's message, DETAIL and STATEMENT lines while the buffer holds them
// and copies them before it is refilled, or when a continuation line comes.
TEST(PgLogInput, EntriesAcrossBufferRefills) {
  testing::TempDir dir;
  std::string path = dir.file("refills.log");
  std::mt19937 random(3);
  struct Expected {
    std::string sql, params, error;
  };
  std::vector<Expected> expected;
  {
    std::ofstream f(path);
    for (int i = 0; i < 4000; ++i) {
      std::string head = "2024-03-05 14:22:03.001 UTC [" + std::to_string(100 + i % 7) + "] ";
      // a statement of 1 to 4 lines, up to ~6 kB, its first line up to ~3 kB
      std::vector<std::string> lines = {"SELECT " + std::to_string(i) + ", '" +
                                        std::string(random() % 3000, 'x') + "'"};
      for (unsigned k = random() % 4; k > 0; --k)
        lines.push_back("  FROM t" + std::to_string(k) + std::string(random() % 1000, ' '));
      Expected e;
      for (const std::string& l : lines) e.sql += (e.sql.empty() ? "" : "\n") + l;
      if (i % 5 == 4) {  // an error with its statement on STATEMENT: and continuation lines
        e.error = "boom " + std::to_string(i);
        f << head << "app@shop ERROR:  " << e.error << "\n" << head << "app@shop STATEMENT:  ";
      } else {
        f << head << "app@shop LOG:  duration: 1.000 ms  execute S_1: ";
      }
      f << lines[0] << "\n";
      for (size_t k = 1; k < lines.size(); ++k) f << "\t" << lines[k] << "\n";
      if (i % 5 != 4 && i % 3 == 0) {
        e.params = "$1 = '" + std::to_string(i) + std::string(random() % 500, 'p') + "'";
        f << head << "app@shop DETAIL:  parameters: " << e.params << "\n";
      }
      expected.push_back(std::move(e));
    }
  }
  auto r = read(path);
  EXPECT_EQ(r->stats.skipped, 0u);
  ASSERT_EQ(r->out.events().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& e = r->out.events()[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(e.sql, expected[i].sql);
    EXPECT_EQ(tag(e, "params"), expected[i].params);
    EXPECT_EQ(e.error, expected[i].error);
    if (HasFailure()) return;
  }
}

TEST(PgLogInput, GzipAndAnEmptyPrefix) {
  testing::TempDir dir;
  std::string plain = dir.file("p.log");
  {
    std::ofstream f(plain);
    f << "LOG:  duration: 2.500 ms  statement: SELECT 1\n";
  }
  ASSERT_EQ(std::system(("gzip -k " + plain).c_str()), 0);
  auto r = read(plain + ".gz");
  ASSERT_EQ(r->out.events().size(), 1u);
  EXPECT_EQ(r->out.events()[0].duration_ns, 2500000);
  EXPECT_EQ(r->diagnostics.count(), 1u);  // the prefix has no time and no process: said once
}

// The joins, record by record.
struct Feed {
  Collector out;
  PgLogEvents events{out};
  void log(int64_t pid, std::string_view severity, std::string_view message,
           std::string_view statement = {}, std::string_view session = {}) {
    PgLogRecord r;
    r.pid = pid;
    r.time_us = 1'000'000;
    r.severity = severity;
    r.message = message;
    r.statement = statement;
    r.session = session;
    events.add(r);
  }
};

TEST(PgLogEvents, StatementAndDurationLinesOfOneExecutionCountOnce) {
  Feed f;
  f.log(1, "LOG", "statement: SELECT 1");  // log_statement = all
  f.log(2, "LOG", "statement: SELECT 2");
  f.log(1, "LOG", "duration: 3.000 ms  statement: SELECT 1");  // log_min_duration_statement = 0
  f.log(2, "LOG", "duration: 4.000 ms");                       // log_duration = on
  f.log(1, "LOG", "statement: SELECT 3");
  f.log(1, "ERROR", "syntax error", "SELECT 3");  // failed: one event, with its error
  f.log(1, "LOG", "statement: SELECT 4");         // never timed
  f.events.finish();
  ASSERT_EQ(f.out.events().size(), 4u);
  EXPECT_EQ(f.out.events()[0].sql, "SELECT 1");
  EXPECT_EQ(f.out.events()[0].duration_ns, 3000000);
  EXPECT_EQ(f.out.events()[1].sql, "SELECT 2");
  EXPECT_EQ(f.out.events()[1].duration_ns, 4000000);
  EXPECT_EQ(f.out.events()[2].error, "syntax error");
  EXPECT_EQ(f.out.events()[3].sql, "SELECT 4");
  EXPECT_FALSE(f.out.events()[3].duration_ns >= 0);
}

// Durations as the server writes them ("%ld.%03d ms", read by a path of its own) and as other
// tools or versions might: every fraction length, and texts that are not a duration.
TEST(PgLogEvents, DurationsOfEveryShape) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"0.000 ms", 0},           {"3.000 ms", 3000000},
      {"12.345 ms", 12345000},   {"98765.432 ms", 98765432000},
      {"7.009 ms", 7009000},     {"1 ms", 1000000},
      {"1.5 ms", 1500000},       {"1.25 ms", 1250000},
      {"1.2345 ms", 1234500},    {"1.123456 ms", 1123456},
      {"1.1234567 ms", 1123456},                          // below a nanosecond: dropped
      {"1. ms", 1000000},        {"12.345ms", kUnknown},  // not a duration: no event
      {"12.345 m", kUnknown},    {"12.34x ms", kUnknown},
      {"12.3 45 ms", kUnknown},  {".5 ms", kUnknown},
  };
  for (const auto& [text, ns] : cases) {
    Feed f;
    f.log(1, "LOG", "duration: " + text + "  statement: SELECT 1");
    f.events.finish();
    SCOPED_TRACE(text);
    if (ns == kUnknown) {
      EXPECT_TRUE(f.out.events().empty());
      continue;
    }
    ASSERT_EQ(f.out.events().size(), 1u);
    EXPECT_EQ(f.out.events()[0].duration_ns, ns);
    EXPECT_EQ(f.out.events()[0].sql, "SELECT 1");
  }
}

TEST(PgLogEvents, TransactionsPerBackendAndPidReuse) {
  Feed f;
  f.log(1, "LOG", "duration: 1.000 ms  statement: begin", {}, "a.1");
  f.log(2, "LOG", "duration: 1.000 ms  statement: SELECT 1", {}, "b.2");
  f.log(1, "LOG", "duration: 1.000 ms  statement: SAVEPOINT s", {}, "a.1");
  f.log(1, "LOG", "duration: 1.000 ms  statement: ROLLBACK TO SAVEPOINT s", {}, "a.1");
  f.log(1, "LOG", "duration: 1.000 ms  statement: COMMIT", {}, "a.1");
  f.log(1, "LOG", "duration: 1.000 ms  statement: START TRANSACTION", {}, "a.1");
  f.log(1, "LOG", "duration: 1.000 ms  statement: SELECT 2", {}, "c.1");  // new session, same pid
  f.events.finish();
  const auto& e = f.out.events();
  ASSERT_EQ(e.size(), 7u);
  EXPECT_NE(e[0].transaction_id, kUnknown);
  EXPECT_EQ(e[1].transaction_id, kUnknown);
  EXPECT_EQ(e[3].transaction_id, e[0].transaction_id);
  EXPECT_EQ(e[4].transaction_id, e[0].transaction_id);
  EXPECT_NE(e[5].transaction_id, e[0].transaction_id);
  EXPECT_NE(e[5].transaction_id, kUnknown);
  EXPECT_EQ(e[6].transaction_id, kUnknown);
  EXPECT_EQ(e[6].session, "c.1");
}

}  // namespace
}  // namespace querylens::capture
