// PostgreSQL log readers on fixtures: real logs of the test server (stderr, csvlog, jsonlog of
// the same sessions), other prefixes, detection.
#include "querylens/capture/pglog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "capture/same_bytes.h"
#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog_prefix.h"
#include "querylens/core/error.h"
#include "support/event_recorder.h"

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

// Reads a fixture the way the CLI does: kind detected from its content.
std::unique_ptr<Read> read(const std::string& file, SourceKind kind = SourceKind::kAuto) {
  auto r = std::make_unique<Read>();
  r->stats = read_source(kData + file, kind, r->out, r->diagnostics);
  return r;
}

std::vector<OwnedQueryEvent> of_session(const std::vector<OwnedQueryEvent>& all,
                                        const std::string& session) {
  std::vector<OwnedQueryEvent> out;
  for (const auto& e : all) {
    if (e.session == session) out.push_back(e);
  }
  return out;
}

TEST(PgLogPrefix, MatchesTheDebianPrefixWithAndWithoutUser) {
  LogLinePrefix p;
  std::string error;
  ASSERT_TRUE(LogLinePrefix::compile("%m [%p] %q%u@%d ", &p, &error)) << error;
  PrefixFields f;
  std::string line = "2024-03-05 14:22:01.123 UTC [4242] app@shop LOG:  duration: 1.0 ms";
  size_t n = p.match(line, &f);
  ASSERT_NE(n, std::string_view::npos);
  EXPECT_EQ(line.substr(n, 4), "LOG:");
  EXPECT_EQ(f.pid, 4242);
  EXPECT_EQ(f.user, "app");
  EXPECT_EQ(f.database, "shop");
  EXPECT_EQ(f.time_us, 1709648521123000);
  PrefixFields g;
  std::string background = "2024-03-05 14:22:01.123 UTC [17] LOG:  checkpoint starting: time";
  n = p.match(background, &g);
  ASSERT_NE(n, std::string_view::npos);
  EXPECT_EQ(background.substr(n, 4), "LOG:");
  EXPECT_TRUE(g.user.empty());
}

TEST(PgLogPrefix, ReadsOffsetsEpochAndSessionIds) {
  int64_t us = 0;
  EXPECT_GT(parse_pg_timestamp("2024-03-05 16:22:01.5 +02 [1]", &us), 0u);
  EXPECT_EQ(us, 1709648521500000);
  LogLinePrefix p;
  std::string error;
  ASSERT_TRUE(LogLinePrefix::compile("%n %c %-8a|", &p, &error)) << error;
  PrefixFields f;
  std::string line = "1709648521.250 65e6f1a2.1092 psql    |ERROR:  boom";
  ASSERT_NE(p.match(line, &f), std::string_view::npos);
  EXPECT_EQ(f.time_us, 1709648521250000);
  EXPECT_EQ(f.session, "65e6f1a2.1092");
  EXPECT_EQ(f.application, "psql");
  EXPECT_EQ(p.missing(), "");
  ASSERT_TRUE(LogLinePrefix::compile("%u@%d ", &p, &error));
  EXPECT_EQ(p.missing(), "no time (%m, %t or %n); no process id (%p or %c)");
  EXPECT_FALSE(LogLinePrefix::compile("%u%d ", &p, &error));
}

// match() takes a path compiled for prefixes that start with '%m [%p]' or '%t [%p]' (and one
// for Debian's '%q%u@%d ' tail) and reads the usual timestamp from a cache of the last one: it
// must say exactly what the token loop says, whatever the line and whatever came before it.
// The compiled paths (match) read `line` as the token loop (match_general) does.
void expect_same_as_general(const LogLinePrefix& p, const std::string& prefix,
                            const std::string& line) {
  PrefixFields fast, general;
  size_t n = p.match(line, &fast);
  size_t m = p.match_general(line, &general);
  SCOPED_TRACE(prefix + " | " + line);
  EXPECT_EQ(n, m);
  EXPECT_EQ(fast.time_us, general.time_us);
  EXPECT_EQ(fast.pid, general.pid);
  EXPECT_EQ(fast.session, general.session);
  EXPECT_EQ(fast.user, general.user);
  EXPECT_EQ(fast.database, general.database);
  EXPECT_EQ(fast.application, general.application);
  EXPECT_EQ(fast.client, general.client);
}

TEST(PgLogPrefix, CompiledPathsMatchTheTokenLoop) {
  const std::vector<std::string> prefixes = {
      "%m [%p] %q%u@%d ",
      "%m [%p] ",
      "%t [%p]: ",
      "%t [%p]: user=%u,db=%d ",
      "%m [%p] %q%u@%d %a ",
      "%m [%p] %u@%d ",
      "%m [%p]",
      "%m %p ",
      "%n [%p] ",
  };
  const std::vector<std::string> lines = {
      "2024-03-05 14:22:01.123 UTC [4242] app@shop LOG:  duration: 1.0 ms",
      "2024-03-05 14:22:01.124 UTC [4242] app@shop DETAIL:  parameters: $1 = '1'",
      "2024-03-05 14:22:01.124 UTC [17] LOG:  checkpoint starting: time",
      "2024-03-05 14:22:01.124 UTC [17] DEBUG2:  x",
      "2024-03-05 14:22:02.5 UTC [4242] app@shop LOG:  one fraction digit",
      "2024-03-05 14:22:02.123456 UTC [4242] app@shop LOG:  microseconds",
      "2024-03-05 14:22:02.1234 UTC [4242] app@shop LOG:  four digits",
      "2024-03-05 14:22:02. UTC [4242] app@shop LOG:  a dot, no digits",
      "2024-03-05 14:22:02.123 CET [4242] app@shop LOG:  another zone",
      "2024-03-05 14:22:02.123 CEST [4242] app@shop LOG:  a longer zone",
      "2024-03-05 14:22:02.123 +02 [4242] app@shop LOG:  an offset",
      "2024-03-05 14:22:02.123 -0330 [4242] app@shop LOG:  a negative offset",
      "2024-03-05 14:22:02.123 UTCX [4242] app@shop LOG:  the zone runs on",
      "2024-03-05 14:22:02.123 [4242] app@shop LOG:  no zone",
      "2024-03-05 14:22:02.123 UTC",
      "2024-03-05 14:22:02.123 UT",
      "2024-03-05 14:22:02.12",
      "2024-03-05 14:22:02",
      "2024-03-05 14:22",
      "2024-03-05 14:22:03 UTC [4242]: user=app,db=shop LOG:  %t",
      "2024-03-05 14:22:03 UTC [4242]: [1-1] LOG:  %t with %l",
      "2024-03-05 14:22:03 UTC [4242] app@shop LOG:  %t, Debian's tail",
      "2024-03-05T14:22:03.001 UTC [4242] app@shop LOG:  a T",
      "2024-13-05 14:22:03.001 UTC [4242] app@shop LOG:  month 13",
      "2024-03-05 14:22:03.001 UTC [] app@shop LOG:  no pid",
      "2024-03-05 14:22:03.001 UTC [42x] app@shop LOG:  pid runs into text",
      "2024-03-05 14:22:03.001 UTC [4242 app@shop LOG:  no bracket",
      "2024-03-05 14:22:03.001 UTC [4242] appshop LOG:  no @",
      "2024-03-05 14:22:03.001 UTC [4242] app@shop",
      "2024-03-05 14:22:03.001 UTC [4242] @ LOG:  empty user and database",
      "2024-03-05 14:22:03.001 UTC [4242] a@b@c d LOG:  two @",
      "2024-03-05 14:22:03.001 UTC [4242] app@shop psql LOG:  with an application",
      // the cached "user@database " (pglog_prefix.cpp): lines that start as it does and differ
      "2024-03-05 14:22:03.001 UTC [4242] app@shopping LOG:  the cached database runs on",
      "2024-03-05 14:22:03.001 UTC [4242] app@shop  LOG:  two spaces",
      "2024-03-05 14:22:03.001 UTC [4242] app@sho LOG:  one byte shorter",
      "2024-03-05 14:22:03.001 UTC [4242] app@shop",
      "2024-03-05 14:22:03.001 UTC [4242] app@shop ",
      "2024-03-05 14:22:03.001 UTC [4242] App@shop LOG:  a capital: never cached",
      "2024-03-05 14:22:03.001 UTC [4242] LOG@shop LOG:  a user named like a severity",
      "2024-03-05 14:22:03.001 UTC [4242] LOG:  then a background line",
      "2024-03-05 14:22:03.001 UTC [4242] @x LOG:  empty user",
      "2024-03-05 14:22:03.001 UTC [4242] @x LOG:  empty user again",
      "2024-03-05 14:22:03.001 UTC [4242] a_rather_long_user@a_long_db LOG:  longer than 16",
      "2024-03-05 14:22:03.001 UTC [4242] abcdefg@hijklmno LOG:  exactly 16 with the space",
      "2024-03-05 14:22:03.001 UTC [4242] abcdefg@hijklmno LOG:  again",
      "2024-03-05 14:22:03.001 UTC [4242] abcdefg@hijklmnop LOG:  17",
      "2024-03-05 14:22:03.001 UTC [4242] u@d LOG:  short",
      // the remembered head (HeadCache): lines that start as the last one did and differ
      "2024-03-05 14:22:03.001 UTC [4243] app@shop LOG:  the pid's last digit differs",
      "2024-03-05 14:22:03.001 UTC [42420] app@shop LOG:  the pid runs on",
      "2024-03-05 14:22:03.001 UTC [424] app@shop LOG:  the pid is a digit shorter",
      "2024-03-05 14:22:03.002 UTC [4242] app@shop LOG:  the millisecond differs",
      "2024-03-05 14:22:03.002 UTD [4242] app@shop LOG:  the zone differs",
      "2024-03-05 14:22:03.002 UTC [4242]: app@shop LOG:  the literal after the pid differs",
      "2024-03-05 14:22:03.002 UTC (4242] app@shop LOG:  the literal before the pid differs",
      "2024-03-05 14:22:03.002 UTC [4242] app@shop LOG:  the head once more",
      // pids of every length, read eight bytes at a time when eight are left
      "2024-03-05 14:22:03.002 UTC [0] app@shop LOG:  one digit",
      "2024-03-05 14:22:03.002 UTC [9876543] app@shop LOG:  seven digits",
      "2024-03-05 14:22:03.002 UTC [98765432] app@shop LOG:  eight digits",
      "2024-03-05 14:22:03.002 UTC [987654321] app@shop LOG:  nine digits",
      "2024-03-05 14:22:03.002 UTC [00042] app@shop LOG:  leading zeros",
      "2024-03-05 14:22:03.002 UTC [42/] app@shop LOG:  a byte below '0' after the pid",
      "2024-03-05 14:22:03.002 UTC [42:] app@shop LOG:  a byte above '9' after the pid",
      "2024-03-05 14:22:03.002 UTC [42\xff] app@shop LOG:  a byte above 0x7f after the pid",
      "2024-03-05 14:22:03.002 UTC [42\xb9] app@shop LOG:  0xb9 after the pid",
      "2024-03-05 14:22:03.002 UTC [1234567",
      "2024-03-05 14:22:03.002 UTC [12345678",
      "2024-03-05 14:22:03.002 UTC [12] x",
      "2024-03-05 14:22:03.001 UTC [4242] u@d",
      "2024-03-05 14:22:03.001 UTC [4242]",
      "1709648521.250 [4242] LOG:  epoch",
      "\tcontinuation",
      "garbage",
      "",
  };
  for (const std::string& text : prefixes) {
    LogLinePrefix p;
    std::string error;
    ASSERT_TRUE(LogLinePrefix::compile(text, &p, &error)) << text << ": " << error;
    // Forward, backward and each line twice: the timestamp cache holds whatever came before.
    std::vector<std::string> order = lines;
    order.insert(order.end(), lines.rbegin(), lines.rend());
    for (const std::string& line : lines) order.insert(order.end(), {line, line});
    for (const std::string& line : order) {
      expect_same_as_general(p, text, line);
      if (HasFailure()) return;
    }
  }
}

// The head match_time_pid() remembers (the time through the literal after %p): a line that
// differs from the remembered one in any one byte, before, inside or after the head, reads as
// the token loop reads it, and so does the remembered line again after it.
TEST(PgLogPrefix, RememberedHeadDiffersInOneByte) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"%m [%p] ", "2024-03-05 14:22:03.001 UTC [4242] app@shop LOG:  duration: 1.5 ms x"},
      {"%m [%p] %q%u@%d ", "2024-03-05 14:22:03.001 UTC [4242] app@shop LOG:  duration: 1 ms"},
      {"%m %p ", "2024-03-05 14:22:03.001 UTC 4242 app@shop LOG:  duration: 1.5 ms xxxxx"},
      {"%t [%p]: ", "2024-03-05 14:22:03 UTC [4242]: LOG:  statement: SELECT 1 xxxxxxxxx"},
      {"%m [%p]", "2024-03-05 14:22:03.001 +02 [4242]LOG:  statement: SELECT 1 xxxxxxxxx"},
  };
  const std::string replacements = "0159 .:[]()+-TUXa@\t";
  for (const auto& [text, base] : cases) {
    LogLinePrefix p;
    std::string error;
    ASSERT_TRUE(LogLinePrefix::compile(text, &p, &error)) << text << ": " << error;
    auto same_as_general = [&](const std::string& line) { expect_same_as_general(p, text, line); };
    PrefixFields fields;
    ASSERT_NE(p.match(base, &fields), std::string::npos) << text;
    for (size_t k = 0; k < 40; ++k) {
      for (char c : replacements) {
        std::string line = base;
        if (line[k] == c) continue;
        line[k] = c;
        same_as_general(base);  // remembered
        same_as_general(line);  // differs from it in byte k
        same_as_general(line);  // remembered, if it matched
        same_as_general(base);
        if (HasFailure()) return;
      }
      // one byte more or less at k
      std::string longer = base, shorter = base;
      longer.insert(k, 1, base[k]);
      shorter.erase(k, 1);
      for (const std::string& line : {longer, base, shorter, base}) same_as_general(line);
      if (HasFailure()) return;
    }
  }
}

// Lines of the same millisecond from many backends: their pids are remembered by the bytes
// where they start (pglog_prefix.cpp, HeadCache::pids), more of them than there are slots,
// pids that start as others do, and the same pid before different bytes.
TEST(PgLogPrefix, RememberedPidsAcrossBackends) {
  std::vector<std::string> pids;
  for (int pid = 1; pid <= 600; pid += 1) pids.push_back(std::to_string(pid * 7));
  for (const char* pid : {"42", "420", "4201", "42010", "4201099", "42010999", "0", "00"})
    pids.push_back(pid);
  std::vector<std::string> lines;
  for (const std::string& pid : pids) {
    for (const char* ms : {"001", "001", "002"}) {
      lines.push_back("2024-03-05 14:22:03." + std::string(ms) + " UTC [" + pid +
                      "] app@shop LOG:  duration: 1.0 ms  statement: SELECT 1");
      lines.push_back("2024-03-05 14:22:03." + std::string(ms) + " UTC [" + pid +
                      "] LOG:  checkpoint starting: time, and some more text");
      lines.push_back("2024-03-05 14:22:03." + std::string(ms) + " UTC [" + pid +
                      "]x LOG:  the literal after the pid differs from here on");
    }
  }
  std::mt19937 random(7);
  for (const char* text : {"%m [%p] %q%u@%d ", "%m [%p] "}) {
    LogLinePrefix p;
    std::string error;
    ASSERT_TRUE(LogLinePrefix::compile(text, &p, &error)) << text << ": " << error;
    for (int round = 0; round < 3; ++round) {
      for (const std::string& line : lines) {
        PrefixFields fast, general;
        size_t n = p.match(line, &fast);
        size_t m = p.match_general(line, &general);
        SCOPED_TRACE(std::string(text) + " | " + line);
        EXPECT_EQ(n, m);
        EXPECT_EQ(fast.time_us, general.time_us);
        EXPECT_EQ(fast.pid, general.pid);
        EXPECT_EQ(fast.user, general.user);
        if (HasFailure()) return;
      }
      std::shuffle(lines.begin(), lines.end(), random);
    }
  }
}

// Two prefixes read on one thread: the head one remembered is not the other's.
TEST(PgLogPrefix, RememberedHeadBelongsToItsPrefix) {
  LogLinePrefix bracket, colon;
  std::string error;
  ASSERT_TRUE(LogLinePrefix::compile("%m [%p] ", &bracket, &error));
  ASSERT_TRUE(LogLinePrefix::compile("%m [%p]: ", &colon, &error));
  const std::string line = "2024-03-05 14:22:03.001 UTC [4242] LOG:  statement: SELECT 1 xxxx";
  PrefixFields fields;
  EXPECT_EQ(bracket.match(line, &fields), 35u);
  EXPECT_EQ(bracket.match(line, &fields), 35u);
  EXPECT_EQ(colon.match(line, &fields), std::string::npos);
  LogLinePrefix copy = bracket;  // a copy reads what the original reads
  EXPECT_EQ(copy.match(line, &fields), 35u);
  EXPECT_EQ(fields.pid, 4242);
  // The same time, another pid: remembered for `bracket`, not for `colon`.
  const std::string other = "2024-03-05 14:22:03.001 UTC [77] LOG:  statement: SELECT 1 xxxx";
  EXPECT_EQ(bracket.match(other, &fields), 33u);
  EXPECT_EQ(bracket.match(line, &fields), 35u);
  EXPECT_EQ(colon.match(other, &fields), std::string::npos);
  EXPECT_EQ(colon.match(line, &fields), std::string::npos);
  EXPECT_EQ(bracket.match(other, &fields), 33u);
  EXPECT_EQ(fields.pid, 77);
}

// same_bytes() against ==, for every length up to 40 and a difference at each position.
TEST(PgLogSameBytes, AgreesWithComparison) {
  std::string a(48, 'x'), b(48, 'x');
  for (size_t i = 0; i < a.size(); ++i) a[i] = b[i] = static_cast<char>('a' + i % 26);
  for (size_t n = 0; n <= 40; ++n) {
    EXPECT_TRUE(same_bytes(a.data(), b.data(), n)) << n;
    EXPECT_TRUE(same_bytes_16(a.data(), b.data(), n)) << n;
    for (size_t k = 0; k < n; ++k) {
      std::string c = b;
      c[k] = static_cast<char>(c[k] ^ 0x01);
      EXPECT_FALSE(same_bytes(a.data(), c.data(), n)) << n << " " << k;
      EXPECT_FALSE(same_bytes_16(a.data(), c.data(), n)) << n << " " << k;
      c[k] = static_cast<char>(b[k] ^ 0x80);
      EXPECT_FALSE(same_bytes(a.data(), c.data(), n)) << n << " " << k;
      EXPECT_FALSE(same_bytes_16(a.data(), c.data(), n)) << n << " " << k;
    }
    // a difference just past the end does not count
    std::string d = b;
    d[n] = '#';
    EXPECT_TRUE(same_bytes(a.data(), d.data(), n)) << n;
    EXPECT_TRUE(same_bytes_16(a.data(), d.data(), n)) << n;
  }
}

// The cached second and zone give what a full parse gives, across changes of either.
TEST(PgLogPrefix, TimestampCacheFollowsChanges) {
  int64_t us = 0;
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:01.123 UTC x", &us), 27u);
  EXPECT_EQ(us, 1709648521123000);
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:01.124 +02 x", &us), 27u);
  EXPECT_EQ(us, 1709648521124000 - 2 * 3600 * 1000000LL);
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:01.125 +02 x", &us), 27u);
  EXPECT_EQ(us, 1709648521125000 - 2 * 3600 * 1000000LL);
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:01.125 +0230 x", &us), 29u);
  EXPECT_EQ(us, 1709648521125000 - (2 * 3600 + 30 * 60) * 1000000LL);
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:02 UTC", &us), 23u);
  EXPECT_EQ(us, 1709648522000000);
  ASSERT_EQ(parse_pg_timestamp("2024-03-05 14:22:02.5", &us), 21u);
  EXPECT_EQ(us, 1709648522500000);
  EXPECT_EQ(parse_pg_timestamp("2024-03-05 14:22", &us), 0u);
  EXPECT_EQ(parse_pg_timestamp("2024-03-05 14:22:0x.123 UTC", &us), 0u);
}

TEST(PgLogPrefix, SeverityWithVerboseSqlstate) {
  std::string_view severity;
  EXPECT_EQ(match_severity("LOG:  00000: duration: 1 ms", &severity), 13u);
  EXPECT_EQ(severity, "LOG");
  EXPECT_EQ(match_severity("DEBUG2:  x", &severity), 9u);
  EXPECT_EQ(match_severity("Log:  x", &severity), 0u);
  EXPECT_EQ(match_severity("SELECT:  x", &severity), 0u);
  // The inline "LOG:  " path says what the general function says.
  for (std::string_view text :
       {"LOG:  x", "LOG:  ", "LOG:  00000: x", "LOG:  0000a: x", "LOG:  duration: 1 ms",
        "LOG:  a:", "LOG: x", "LOG:", "LOGS:  x", "LOG:  12345:x"}) {
    std::string_view inline_severity, general_severity;
    EXPECT_EQ(match_severity(text, &inline_severity),
              match_severity_general(text, &general_severity))
        << text;
    EXPECT_EQ(inline_severity, general_severity) << text;
  }
}

TEST(PgLogDetect, TellsEachFormatAndPrefix) {
  EXPECT_EQ(read("real_stderr.log")->stats.skipped, 0u);
  for (const char* file :
       {"real_stderr.log", "real_csvlog.csv", "real_jsonlog.json", "pgbadger_prefix.log"}) {
    InputFile in(kData + file);
    EXPECT_TRUE(sniff_pg_log(in.peek(65536)).has_value()) << file;
  }
  std::string prefix, error;
  InputFile a(kData + "pgbadger_prefix.log");
  ASSERT_TRUE(detect_log_line_prefix(a.peek(65536), &prefix, &error)) << error;
  EXPECT_EQ(prefix, "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ");
  InputFile b(kData + "real_stderr.log");
  ASSERT_TRUE(detect_log_line_prefix(b.peek(65536), &prefix, &error)) << error;
  EXPECT_EQ(prefix, "%m [%p] %q%u@%d ");
  // Not logs: a JSON-lines capture and a SQL script stay what they are.
  EXPECT_FALSE(sniff_pg_log("{\"sql\":\"SELECT 1\",\"duration_ms\":1}\n").has_value());
  EXPECT_FALSE(sniff_pg_log("SELECT 1;\nSELECT 2;\n").has_value());
}

TEST(PgLogDetect, UnknownPrefixSaysWhatToPass) {
  InputFile in(kData + "custom_prefix.log");
  std::string prefix, error;
  EXPECT_FALSE(detect_log_line_prefix(in.peek(65536), &prefix, &error));
  EXPECT_NE(error.find("--prefix"), std::string::npos) << error;
  EXPECT_NE(error.find("<2026-11-21 23:11:17.981 UTC> pid=19714"), std::string::npos) << error;
  EXPECT_NE(error.find("no process id in brackets (%p)"), std::string::npos) << error;
  // With the setting it reads.
  Collector out;
  Diagnostics diagnostics;
  InputFile again(kData + "custom_prefix.log");
  SourceStats stats =
      read_pg_log(again, PgLogFormat::kStderr, "<%m> pid=%p sess=%c %u/%d ", out, diagnostics);
  EXPECT_EQ(stats.skipped, 0u);
  EXPECT_EQ(of_session(out.events(), "6b02251a.4d63").size(), 11u);
}

TEST(PgLogDetect, PrefixWithoutTimeOrProcessIsNamed) {
  Collector out;
  Diagnostics diagnostics;
  InputFile in(kData + "real_stderr.log");
  read_pg_log(in, PgLogFormat::kStderr, "%m ", out, diagnostics);
  ASSERT_GE(diagnostics.count(), 1u);
  EXPECT_NE(diagnostics.kept()[0].message.find("no process id (%p or %c)"), std::string::npos);
}

// One psql session of the real log: durations, a multi-line statement, a transaction, an error.
void expect_psql_session(const std::vector<OwnedQueryEvent>& s) {
  ASSERT_EQ(s.size(), 11u);
  EXPECT_EQ(s[0].sql, "SET log_min_duration_statement = 0;");
  EXPECT_EQ(s[0].duration_ns, 124000);
  EXPECT_EQ(s[3].sql, "SELECT id, name\n  FROM users\n WHERE id < 5\n ORDER BY id;");
  EXPECT_EQ(s[4].sql, "BEGIN;");
  EXPECT_NE(s[4].transaction_id, kUnknown);
  EXPECT_EQ(s[5].transaction_id, s[4].transaction_id);
  EXPECT_EQ(s[6].transaction_id, s[4].transaction_id);
  EXPECT_EQ(s[7].transaction_id, kUnknown);
  EXPECT_EQ(s[7].sql, "SELECT * FROM nope;");
  EXPECT_EQ(s[7].error,
            "relation \"nope\" does not exist");  // the stderr log's " at character 15" dropped
  EXPECT_EQ(s[7].duration_ns, kUnknown);
  EXPECT_EQ(s[10].sql, "SELECT 'ünï', '\"quoted\"', 'it''s';");
  EXPECT_EQ(tag(s[0], "user"), "postgres");
  EXPECT_EQ(tag(s[0], "database"), "querylens_test");
  EXPECT_EQ(s[1].start_us + s[1].duration_ns / 1000, 1795302682320000);
}

// log_statement = all with log_duration = on: each statement line joined with its duration.
void expect_log_duration_session(const std::vector<OwnedQueryEvent>& s) {
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[1].sql, "SELECT 1;");
  EXPECT_EQ(s[1].duration_ns, 155000);
  EXPECT_EQ(s[2].duration_ns, 500000);
  EXPECT_EQ(s[3].sql, "BEGIN;");
  EXPECT_EQ(s[5].sql, "ROLLBACK;");
  EXPECT_EQ(s[5].transaction_id, s[3].transaction_id);
  EXPECT_NE(s[3].transaction_id, kUnknown);
}

TEST(PgLogRead, RealStderrLog) {
  auto r = read("real_stderr.log");
  EXPECT_EQ(r->stats.skipped, 0u);
  expect_psql_session(of_session(r->out.events(), "19811"));
  expect_log_duration_session(of_session(r->out.events(), "19816"));
  // pgbench -M prepared: execute lines with their parameters; parse / bind are not events.
  auto bench = of_session(r->out.events(), "19837");
  ASSERT_GE(bench.size(), 7u);
  EXPECT_EQ(bench[0].sql, "BEGIN;");
  EXPECT_EQ(bench[1].sql, "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;");
  EXPECT_EQ(tag(bench[1], "params"), "$1 = '4875', $2 = '67618'");
  EXPECT_EQ(bench[1].transaction_id, bench[0].transaction_id);
  EXPECT_EQ(bench[6].sql, "END;");
  EXPECT_EQ(bench[6].transaction_id, bench[0].transaction_id);
}

TEST(PgLogRead, CsvAndJsonGiveTheSameEventsAsStderr) {
  auto text = read("real_stderr.log");
  auto csv = read("real_csvlog.csv");
  auto json = read("real_jsonlog.json");
  EXPECT_EQ(csv->stats.skipped, 0u);
  EXPECT_EQ(json->stats.skipped, 0u);
  expect_psql_session(of_session(csv->out.events(), "6b02251a.4d63"));
  expect_psql_session(of_session(json->out.events(), "6b02251a.4d63"));
  expect_log_duration_session(of_session(json->out.events(), "6b02251a.4d68"));
  ASSERT_EQ(csv->out.events().size(), text->out.events().size());
  ASSERT_EQ(json->out.events().size(), text->out.events().size());
  for (size_t i = 0; i < text->out.events().size(); ++i) {
    for (const auto* other : {&csv->out.events()[i], &json->out.events()[i]}) {
      EXPECT_EQ(other->sql, text->out.events()[i].sql);
      EXPECT_EQ(other->duration_ns, text->out.events()[i].duration_ns);
      EXPECT_EQ(other->error, text->out.events()[i].error);
      EXPECT_EQ(tag(*other, "params"), tag(text->out.events()[i], "params"));
      EXPECT_EQ(other->transaction_id == kUnknown,
                text->out.events()[i].transaction_id == kUnknown);
    }
  }
  EXPECT_EQ(tag(csv->out.events()[0], "application"), "psql");
}

TEST(PgLogRead, PgBadgerPrefixCarriesTags) {
  auto r = read("pgbadger_prefix.log");
  EXPECT_EQ(r->stats.skipped, 0u);
  auto s = of_session(r->out.events(), "19811");
  ASSERT_EQ(s.size(), 11u);
  EXPECT_EQ(tag(s[0], "application"), "psql");
  EXPECT_EQ(tag(s[0], "client"), "[local]");
  EXPECT_EQ((s[0].start_us + s[0].duration_ns / 1000) % 1000000, 0);  // %t has whole seconds
}

}  // namespace
}  // namespace querylens::capture
