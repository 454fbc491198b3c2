#include "advise/table_sample.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "querylens/db/connection.h"
#include "querylens/sql/quote.h"

namespace querylens::advise::detail {
namespace {

// FNV-1a over the value's bytes; NULL gets its own value (NULLs are one group in an index).
uint64_t hash_value(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}
constexpr uint64_t kNullHash = 0x6e756c6c6e756c6cULL;

// Order-dependent combination of a prefix's hashes (a ≠ b must not collide with b ≠ a).
uint64_t combine(uint64_t seed, uint64_t value) {
  seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  return seed * 0xbf58476d1ce4e5b9ULL;
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

TableSample TableSample::read(db::Connection& user, const TableInfo& table, int64_t sample_rows) {
  TableSample s;
  std::string list;
  for (const std::string& c : table.columns) {
    list += (list.empty() ? "" : ", ") + sql::quote_identifier(c);
    s.columns_.push_back(lower_ascii(c));
  }
  s.hashes_.resize(s.columns_.size());
  s.width_sums_.assign(s.columns_.size(), 0);
  if (s.columns_.empty()) return s;
  std::string sql = fmt::format("SELECT {} FROM {}", list, sql::quote_identifier(table.name));
  const bool sampled = table.rows > sample_rows && sample_rows > 0;
  if (sampled) sql += fmt::format(" WHERE abs(random()) % {} < {}", table.rows, sample_rows);
  db::Statement& stmt = user.prepare(sql);
  const int n = static_cast<int>(s.columns_.size());
  while (stmt.step()) {
    for (int c = 0; c < n; ++c) {
      auto& column = s.hashes_[static_cast<size_t>(c)];
      if (stmt.is_null(c)) {
        column.push_back(kNullHash);
        continue;
      }
      const std::string_view text = stmt.get_text(c);
      column.push_back(hash_value(text));
      s.width_sums_[static_cast<size_t>(c)] += static_cast<double>(text.size());
    }
    ++s.rows_;
  }
  stmt.reset();
  if (sampled && s.rows_ > 0)
    s.scale_ = static_cast<double>(table.rows) / static_cast<double>(s.rows_);
  return s;
}

int TableSample::position(const std::string& column) const {
  const std::string key = lower_ascii(column);
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == key) return static_cast<int>(i);
  }
  return -1;
}

double TableSample::avg_width(const std::string& column) const {
  const int p = position(column);
  if (p < 0 || rows_ == 0) return 0;
  return width_sums_[static_cast<size_t>(p)] / static_cast<double>(rows_);
}

std::vector<size_t> TableSample::distinct_prefixes(const std::vector<std::string>& columns) const {
  std::vector<size_t> out;
  std::vector<uint64_t> prefix(rows_, 0);
  std::vector<uint64_t> sorted;
  std::string key;
  size_t folded = 0;  // columns combined into `prefix` so far
  for (size_t i = 0; i < columns.size(); ++i) {
    key += (i ? "\x1f" : "") + lower_ascii(columns[i]);
    auto cached = distinct_.find(key);
    if (cached != distinct_.end()) {
      out.push_back(cached->second);
      continue;
    }
    for (; folded <= i; ++folded) {
      const auto& values = hashes_.at(static_cast<size_t>(position(columns[folded])));
      for (size_t r = 0; r < rows_; ++r) prefix[r] = combine(prefix[r], values[r]);
    }
    sorted = prefix;
    std::sort(sorted.begin(), sorted.end());
    const auto distinct =
        static_cast<size_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
    distinct_.emplace(key, distinct);
    out.push_back(distinct);
  }
  return out;
}

}  // namespace querylens::advise::detail
