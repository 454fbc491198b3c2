// n-plus-one: in one session, the same read shape repeated N times in a row right after the
// query that produced the parent rows — the ORM lazy-loading loop. Works on the event stream
// (observe), with state bounded by the number of live sessions.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "querylens/analyze/analyzer.h"

namespace querylens::analyze {

class NPlusOneAnalyzer : public Analyzer {
 public:
  explicit NPlusOneAnalyzer(const AnalyzeOptions& options);
  std::string_view name() const override { return "n-plus-one"; }
  void observe(const QueryEvent& event) override;
  void analyze(const AnalysisInput& input, std::vector<Finding>& out) override;
  // A part that starts mid-stream cannot close a session's first run: it may continue the
  // previous part's last run of that session, and its parent is there. Such runs wait in
  // heads_ (closed) or sessions_ (still open, head = true) for merge(), which joins them to
  // the earlier part's open runs exactly as one pass over the stream would have.
  void start_mid_stream() override { mid_stream_ = true; }
  void merge(Analyzer& later) override;

 private:
  struct Run {
    const QueryShape* shape = nullptr;
    int64_t count = 0;
    int64_t total_ns = 0;
    const QueryShape* parent = nullptr;  // the statement just before the run
    int64_t parent_rows = kUnknown;      // rows the parent returned (kUnknown: not reported)
    int64_t last_rows = kUnknown;        // rows of the run's latest statement
    bool head = false;                   // the session's first run in a mid-stream part
  };
  struct Pattern {  // one (parent, repeated) pair, summed over its occurrences
    uint64_t occurrences = 0;
    int64_t repeats = 0;
    int64_t max_repeats = 0;
    int64_t total_ns = 0;
  };

  void close(const std::string& session, Run& run);
  bool is_read(const QueryShape* shape);

  int min_repeats_;
  int64_t min_total_ns_;
  bool mid_stream_ = false;
  std::unordered_map<std::string, Run> sessions_;
  std::unordered_map<std::string, Run> heads_;  // first runs closed in a mid-stream part
  std::map<std::pair<const QueryShape*, const QueryShape*>, Pattern> patterns_;
  std::unordered_map<const QueryShape*, bool> read_cache_;
};

}  // namespace querylens::analyze
