// A uniform sample of one table's rows, read from the user's SQLite database in one pass and
// kept as one 64-bit hash per value: what the SQLite what-if needs to fill sqlite_stat1 for
// any candidate on plain columns (rows per distinct key prefix, average key width) without a
// query per candidate. Measured on the TPC-H-like benchmark (bench/advise_tpch.sh): one
// sampling pass per table instead of one `count(DISTINCT …)` query per candidate index.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "querylens/advise/catalog.h"

namespace querylens::db {
class Connection;
}

namespace querylens::advise::detail {

class TableSample {
 public:
  // Reads every column of `table`: all rows when it has at most `sample_rows`, else each row
  // with probability sample_rows / rows (one scan, no sort). Only a SELECT.
  static TableSample read(db::Connection& user, const TableInfo& table, int64_t sample_rows);

  size_t rows() const { return rows_; }
  // Table rows per sampled row (1 when every row was read).
  double scale() const { return scale_; }
  bool has(const std::string& column) const { return position(column) >= 0; }
  // Average length of the column's values as text (SQLite's length()), NULL counting 0.
  double avg_width(const std::string& column) const;
  // For each k, the distinct values of (columns[0], …, columns[k]) in the sample.
  // REQUIRES: has() of every column.
  std::vector<size_t> distinct_prefixes(const std::vector<std::string>& columns) const;

 private:
  int position(const std::string& column) const;

  std::vector<std::string> columns_;           // lower-case
  std::vector<std::vector<uint64_t>> hashes_;  // per column, per sampled row
  // Distinct counts by column prefix (lower-case names joined by '\x1f'): candidates share
  // prefixes ((a), (a, b) of every covering variant of (a, b)), and each count sorts the
  // whole sample.
  mutable std::map<std::string, size_t> distinct_;
  std::vector<double> width_sums_;  // per column
  size_t rows_ = 0;
  double scale_ = 1;
};

}  // namespace querylens::advise::detail
