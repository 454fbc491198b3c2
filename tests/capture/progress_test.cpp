// The progress bar's text, its writer's throttling, and what read_source reports while reading.
#include "querylens/capture/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "querylens/capture/source.h"

namespace querylens::capture {
namespace {

TEST(ProgressFormat, Bytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(999), "999 B");
  EXPECT_EQ(format_bytes(1000), "1.0 KB");
  EXPECT_EQ(format_bytes(1'234'567), "1.2 MB");
  EXPECT_EQ(format_bytes(310'000'000), "310 MB");
  EXPECT_EQ(format_bytes(999'600), "1.0 MB");  // not "1000 KB"
  EXPECT_EQ(format_bytes(UINT64_MAX), "18.4 EB");
}

TEST(ProgressFormat, Duration) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(9.4), "9s");
  EXPECT_EQ(format_duration(125), "2m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(3 * 86400 + 4 * 3600), "3d04h");
  EXPECT_EQ(format_duration(1e30), ">99d");
  EXPECT_EQ(format_duration(-5), "0s");
}

TEST(ProgressFormat, KnownTotal) {
  EXPECT_EQ(format_progress_line("app.log", 1'240'000'000, 4'000'000'000, 4, 0),
            "app.log  1.2 GB / 4.0 GB  31%  310 MB/s  ETA 9s");
}

TEST(ProgressFormat, UnknownTotalHasNoPercentOrEta) {
  EXPECT_EQ(format_progress_line("<stdin>", 50'000'000, 0, 2, 0), "<stdin>  50.0 MB  25.0 MB/s");
}

TEST(ProgressFormat, ZeroElapsedHasNoRateOrEta) {
  EXPECT_EQ(format_progress_line("a.log", 0, 4000, 0, 0), "a.log  0 B / 4.0 KB  0%");
  EXPECT_EQ(format_progress_line("a.log", 0, 0, 0, 0), "a.log  0 B");
}

TEST(ProgressFormat, DoneIsAHundredPercentWithoutEta) {
  EXPECT_EQ(format_progress_line("a.log", 4000, 4000, 1, 0),
            "a.log  4.0 KB / 4.0 KB  100%  4.0 KB/s");
  // A total smaller than done (a file that grew) does not go past 100%.
  EXPECT_EQ(format_progress_line("a.log", 5000, 4000, 1, 0),
            "a.log  5.0 KB / 4.0 KB  100%  5.0 KB/s");
}

TEST(ProgressFormat, HugeSizes) {
  EXPECT_EQ(format_progress_line("big.log", 10'000'000'000'000'000'000u, UINT64_MAX, 1e9, 0),
            "big.log  10.0 EB / 18.4 EB  54%  10.0 GB/s  ETA >99d");
  // A rate beyond what 64 bits hold is clamped, not undefined.
  EXPECT_EQ(format_progress_line("big.log", UINT64_MAX, 0, 1e-9, 0), "big.log  18.4 EB  10.0 EB/s");
  // A crawl through an enormous file: the ETA saturates instead of overflowing.
  EXPECT_EQ(format_progress_line("big.log", 1, UINT64_MAX, 1000, 0),
            "big.log  1 B / 18.4 EB  0%  0 B/s  ETA >99d");
}

TEST(ProgressFormat, FitsTheWidthByShorteningTheName) {
  std::string name = "/var/log/postgresql/postgresql-16-main.log";
  std::string full = format_progress_line(name, 1'000'000, 2'000'000, 1, 0);
  EXPECT_EQ(full, name + "  1.0 MB / 2.0 MB  50%  1.0 MB/s  ETA 1s");
  std::string fit = format_progress_line(name, 1'000'000, 2'000'000, 1, 60);
  EXPECT_EQ(fit.size(), 60u);
  EXPECT_EQ(fit, "...resql-16-main.log  1.0 MB / 2.0 MB  50%  1.0 MB/s  ETA 1s");
  // Too narrow for any name: the numbers alone, cut to the width.
  EXPECT_EQ(format_progress_line(name, 1'000'000, 2'000'000, 1, 20), "1.0 MB / 2.0 MB  50%");
  // Never cut inside a UTF-8 sequence: "é" is two bytes.
  const std::string accented = "r\xc3\xa9sum\xc3\xa9.log";  // 12 bytes
  EXPECT_EQ(format_progress_line(accented, 0, 0, 0, 14), "...\xc3\xa9.log  0 B");
  EXPECT_EQ(format_progress_line(accented, 0, 0, 0, 13), "....log  0 B");
}

// The writer, with an explicit clock, into a memory stream.
struct Captured {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* file = open_memstream(&data, &size);
  ~Captured() {
    if (file) std::fclose(file);
    std::free(data);
  }
  std::string text() {
    std::fflush(file);
    return std::string(data, size);
  }
};

TEST(ProgressWriter, DrawsAtMostOncePerIntervalAndClearsAtTheEnd) {
  Captured out;
  {
    ProgressWriter writer(out.file, 80, 0.1);
    writer.update({"a.log", 0, 1000, false}, 10.0);     // starts the clock, draws nothing
    writer.update({"a.log", 100, 1000, false}, 10.05);  // within the first interval
    EXPECT_EQ(out.text(), "");
    writer.update({"a.log", 200, 1000, false}, 10.2);
    EXPECT_EQ(out.text(), "\ra.log  200 B / 1.0 KB  20%  1.0 KB/s  ETA 1s");
    writer.update({"a.log", 300, 1000, false}, 10.25);  // too soon
    writer.update({"a.log", 1000, 1000, true}, 10.26);  // finished: erased
    std::string text = out.text();
    std::string drawn = "\ra.log  200 B / 1.0 KB  20%  1.0 KB/s  ETA 1s";
    EXPECT_EQ(text, drawn + "\r" + std::string(drawn.size() - 1, ' ') + "\r");
  }
  // Nothing more on destruction: the line was already cleared.
  EXPECT_EQ(out.text().back(), '\r');
}

TEST(ProgressWriter, AQuickInputDrawsNothing) {
  Captured out;
  ProgressWriter writer(out.file, 80, 0.1);
  writer.update({"a.log", 0, 10, false}, 1.0);
  writer.update({"a.log", 10, 10, true}, 1.01);
  EXPECT_EQ(out.text(), "");
}

struct Counter : QueryObserver {
  uint64_t events = 0;
  void on_query(const QueryEvent&) override { ++events; }
};

struct Reports {
  std::vector<Progress> seen;
  std::vector<std::string> names;
  ProgressCallback callback() {
    return [this](const Progress& p) {
      seen.push_back(p);
      names.emplace_back(p.name);
    };
  }
};

std::string temp_path(const std::string& suffix) {
  return ::testing::TempDir() + "querylens_progress_" + std::to_string(getpid()) + suffix;
}

// ~6 MB of JSON lines.
std::string generate_jsonl(size_t lines) {
  std::string text;
  for (size_t i = 0; i < lines; ++i) {
    text += "{\"sql\":\"SELECT * FROM users WHERE id = " + std::to_string(i) +
            "\",\"duration_ms\":1.5,\"session\":\"s" + std::to_string(i % 7) + "\"}\n";
  }
  return text;
}

void expect_monotonic_to(const Reports& reports, uint64_t end, uint64_t total) {
  ASSERT_GE(reports.seen.size(), 4u);  // opening, several chunks, finished
  for (size_t i = 1; i < reports.seen.size(); ++i) {
    EXPECT_GE(reports.seen[i].done, reports.seen[i - 1].done) << "report " << i;
    EXPECT_EQ(reports.seen[i].total, total);
  }
  EXPECT_EQ(reports.seen.front().done, 0u);
  EXPECT_FALSE(reports.seen.front().finished);
  EXPECT_TRUE(reports.seen.back().finished);
  EXPECT_EQ(reports.seen.back().done, end);
  for (size_t i = 0; i + 1 < reports.seen.size(); ++i) EXPECT_FALSE(reports.seen[i].finished);
}

TEST(ReadSourceProgress, ReportsIncreasingBytesEndingAtTheFileSize) {
  std::string path = temp_path(".jsonl");
  std::string text = generate_jsonl(100'000);
  ASSERT_GT(text.size(), 5u << 20);
  std::ofstream(path, std::ios::binary) << text;
  Counter out;
  Diagnostics diagnostics;
  Reports reports;
  SourceStats stats =
      read_source(path, SourceKind::kAuto, out, diagnostics, "", reports.callback());
  EXPECT_EQ(stats.events, 100'000u);
  EXPECT_EQ(reports.names.back(), path);
  expect_monotonic_to(reports, text.size(), text.size());
  // No more often than once per 64 KiB of input.
  for (size_t i = 2; i + 1 < reports.seen.size(); ++i) {
    EXPECT_GE(reports.seen[i].done - reports.seen[i - 1].done, 64u * 1024);
  }
  std::remove(path.c_str());
}

TEST(ReadSourceProgress, GzipReportsTheCompressedPosition) {
  std::string path = temp_path(".jsonl.gz");
  std::string text = generate_jsonl(200'000);
  gzFile gz = gzopen(path.c_str(), "wb1");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  auto compressed = static_cast<uint64_t>(in.tellg());
  ASSERT_LT(compressed, text.size() / 4);
  Counter out;
  Diagnostics diagnostics;
  Reports reports;
  read_source(path, SourceKind::kAuto, out, diagnostics, "", reports.callback());
  EXPECT_EQ(out.events, 200'000u);
  expect_monotonic_to(reports, compressed, compressed);
  std::remove(path.c_str());
}

TEST(ReadSourceProgress, SqlScriptsAndFailuresFinishToo) {
  std::string path = temp_path(".sql");
  std::ofstream(path) << "SELECT 1;\nSELECT 2;\n";
  Counter out;
  Diagnostics diagnostics;
  Reports reports;
  read_source(path, SourceKind::kAuto, out, diagnostics, "", reports.callback());
  ASSERT_GE(reports.seen.size(), 2u);
  EXPECT_TRUE(reports.seen.back().finished);
  EXPECT_EQ(reports.seen.back().done, 20u);
  std::remove(path.c_str());

  // Content that cannot be recognised throws; the bar still hears the end.
  std::string odd = temp_path(".bin");
  std::ofstream(odd) << "\x01\x02\x03";
  Reports failed;
  EXPECT_ANY_THROW(read_source(odd, SourceKind::kAuto, out, diagnostics, "", failed.callback()));
  ASSERT_FALSE(failed.seen.empty());
  EXPECT_TRUE(failed.seen.back().finished);
  std::remove(odd.c_str());
}

}  // namespace
}  // namespace querylens::capture
