#include "querylens/sql/shape_registry.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>

#include "querylens/sql/fold.h"
#include "querylens/sql/lexer.h"
#include "sql/pg_query_api.h"

namespace querylens::sql {
namespace {

// libpg_query's answer for one text: fingerprint and normalized form, or the error.
struct PgShape {
  bool ok = false;
  uint64_t fingerprint = 0;
  std::string normalized;
  std::string error;
};

PgShape pg_shape(const std::string& text) {
  PgShape out;
  pgq::Fingerprint fp = pgq::fingerprint(text);
  if (fp.error.failed()) {
    out.error = fp.error.message;
    return out;
  }
  pgq::Normalized normalized = pgq::normalize(text);
  if (normalized.error.failed()) {
    out.error = normalized.error.message;
    return out;
  }
  out.ok = true;
  out.fingerprint = fp.value;
  out.normalized = squash_in_lists(normalized.text);
  return out;
}

// Trims surrounding whitespace and one trailing ';' so "SELECT 1;" and "SELECT 1" read alike.
std::string_view trim_statement(std::string_view sql) {
  size_t b = 0, e = sql.size();
  while (b < e && std::isspace(static_cast<unsigned char>(sql[b]))) ++b;
  while (e > b && (std::isspace(static_cast<unsigned char>(sql[e - 1])) || sql[e - 1] == ';')) --e;
  return sql.substr(b, e - b);
}

}  // namespace

size_t ShapeRegistry::text_hash(std::string_view text) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  const char* p = text.data();
  size_t n = text.size();
  uint64_t h = (n + 1) * 0xC2B2AE3D27D4EB4Full;
  auto mix = [&h](uint64_t w) { h = std::rotl((h ^ w) * kMul, 29); };
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    mix(w);
  }
  if (n > 0) {  // the last 1..7 bytes: the 8 that end the text when there are 8, else each
    uint64_t w = 0;
    if (text.size() >= 8) {
      std::memcpy(&w, text.data() + text.size() - 8, 8);
    } else {
      for (size_t k = 0; k < n; ++k) w |= uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    }
    mix(w);
  }
  return static_cast<size_t>(h ^ (h >> 32));
}

size_t ShapeRegistry::ExactFilter::slot(std::string_view text) {
  uint64_t head = 0, tail = 0;
  if (text.size() >= 8) {
    std::memcpy(&head, text.data(), 8);
    std::memcpy(&tail, text.data() + text.size() - 8, 8);
  } else if (!text.empty()) {
    std::memcpy(&head, text.data(), text.size());
  }
  uint64_t h = (text.size() + 1) * 0x9E3779B97F4A7C15ull;
  h ^= head * 0xC2B2AE3D27D4EB4Full;
  h ^= (tail ^ (h >> 29)) * 0x165667B19E3779F9ull;
  return static_cast<size_t>(h >> 52);  // 12 bits: one of 4096
}

ShapeRegistry::ShapeRegistry(size_t exact_cache_limit) : exact_cache_limit_(exact_cache_limit) {}

const QueryShape* ShapeRegistry::classify(std::string_view sql) {
  std::unique_lock lock(mutex_);
  ++stats_.lookups;
  if (exact_filter_.may_contain(sql)) {
    if (auto it = exact_.find(sql); it != exact_.end()) {
      ++stats_.exact_hits;
      return it->second;
    }
  }
  lock.unlock();
  bool has_literals = false;
  std::string_view key = fold(sql, &has_literals);
  return classify_folded(sql, key, has_literals);
}

std::string_view ShapeRegistry::fold(std::string_view sql, bool* has_literals) {
  // Lexing and parsing run without the lock: they are the expensive part and touch no state.
  // One pass over the text, into a per-thread buffer that only grows: a log of a million
  // distinct texts allocates nothing here, and nothing is zero-filled per text (a
  // std::string's resize to the key's room was a memset per statement).
  thread_local std::unique_ptr<char[]> buffer;
  thread_local size_t room = 0;
  size_t need = fold_key_room(sql.size());
  if (need > room) {
    room = std::max(need, 2 * room);
    buffer = std::make_unique_for_overwrite<char[]>(room);
  }
  return std::string_view(buffer.get(), fold_key(sql, buffer.get(), has_literals));
}

const QueryShape* ShapeRegistry::classify_folded(std::string_view sql, std::string_view key,
                                                 bool has_literals) {
  std::unique_lock lock(mutex_);
  const QueryShape* shape = nullptr;
  if (auto it = folded_.find(key); it != folded_.end()) {
    ++stats_.folded_hits;
    shape = it->second;
  } else {
    lock.unlock();
    shape = compute(sql);
    lock.lock();
    folded_.emplace(std::string(key), shape);
  }
  // Texts with literals in them (logs) rarely repeat byte for byte and would only churn the
  // exact cache; statements with bound parameters (the instrumented layer, pg_stat_statements)
  // repeat exactly and are what it is for.
  if (!has_literals) {
    if (exact_.size() >= exact_cache_limit_) {
      exact_.clear();  // bounded memory; the folded map still hits
      exact_filter_.clear();
    }
    exact_.emplace(std::string(sql), shape);
    exact_filter_.add(sql);
  }
  return shape;
}

const QueryShape* ShapeRegistry::compute(std::string_view sql) {
  std::string_view trimmed = trim_statement(sql);
  std::string text(trimmed);
  QueryShape shape;
  uint64_t parses = 0;
  bool fallback = false;
  if (text.find('\0') != std::string::npos) {
    shape.parse_error = "statement contains a NUL byte";
    fallback = true;
  } else {
    LexResult lexed = lex(text);
    // SQLite-only markers (?3, :name, $name) would be misread by the PostgreSQL grammar:
    // rewrite them first. Bare ? and @name are valid PostgreSQL operators: try as-is first.
    std::optional<std::string> rewritten = rewrite_sqlite_params(text, lexed);
    PgShape pg;
    if (rewritten && has_sqlite_only_params(lexed)) {
      ++parses;
      pg = pg_shape(*rewritten);
    } else {
      ++parses;
      pg = pg_shape(text);
      if (!pg.ok && rewritten) {
        ++parses;
        PgShape retry = pg_shape(*rewritten);
        if (retry.ok) pg = std::move(retry);
      }
    }
    if (pg.ok) {
      shape.fingerprint = pg.fingerprint;
      shape.normalized = std::move(pg.normalized);
      shape.parsed = true;
    } else {
      shape.parse_error = pg.error;
      fallback = true;
    }
  }
  if (fallback) {
    LexResult lexed = lex(trimmed);
    shape.normalized = fallback_normalize(trimmed, lexed);
    shape.fingerprint = hash64(shape.normalized);
    shape.parsed = false;
  }
  std::lock_guard lock(mutex_);
  stats_.parses += parses;
  if (fallback) ++stats_.fallbacks;
  return intern(std::move(shape));
}

const QueryShape* ShapeRegistry::intern(QueryShape&& shape) {
  // REQUIRES: mutex_ held.
  if (auto it = by_fingerprint_.find(shape.fingerprint); it != by_fingerprint_.end())
    return it->second;
  shapes_.push_back(std::move(shape));
  const QueryShape* interned = &shapes_.back();
  by_fingerprint_.emplace(interned->fingerprint, interned);
  stats_.shapes = shapes_.size();
  return interned;
}

ShapeRegistry::LocalCache::~LocalCache() {
  std::lock_guard lock(registry_.mutex_);
  registry_.stats_.lookups += counts_.lookups;
  registry_.stats_.exact_hits += counts_.exact_hits;
  registry_.stats_.folded_hits += counts_.folded_hits;
}

size_t ShapeRegistry::LocalCache::recent_slot(std::string_view key) {
  uint64_t head = 0;
  std::memcpy(&head, key.data(), std::min<size_t>(key.size(), 8));
  uint64_t h = (head ^ key.size()) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h >> 60);  // 4 bits: one of 16
}

const QueryShape* ShapeRegistry::LocalCache::classify(std::string_view sql) {
  if (exact_filter_.may_contain(sql)) {
    RecentKey& recent = recent_exact_[recent_slot(sql)];
    if (recent.shape != nullptr && recent.key == sql) {
      ++counts_.lookups;
      ++counts_.exact_hits;
      return recent.shape;
    }
    if (auto it = exact_.find(sql); it != exact_.end()) {
      ++counts_.lookups;
      ++counts_.exact_hits;
      recent.key.assign(sql);
      recent.shape = it->second;
      return it->second;
    }
  }
  bool has_literals = false;
  std::string_view key = fold(sql, &has_literals);
  const QueryShape* shape = nullptr;
  RecentKey& recent = recent_[recent_slot(key)];
  if (recent.shape != nullptr && recent.key == key) {
    ++counts_.lookups;
    ++counts_.folded_hits;
    shape = recent.shape;
  } else if (auto it = folded_.find(key); it != folded_.end()) {
    ++counts_.lookups;
    ++counts_.folded_hits;
    shape = it->second;
    recent.key.assign(key);
    recent.shape = shape;
  } else {
    ++counts_.lookups;  // the registry counts the folded hit or the parse
    shape = registry_.classify_folded(sql, key, has_literals);
    if (folded_.size() >= registry_.exact_cache_limit_) {
      folded_.clear();
      for (RecentKey& r : recent_) r.shape = nullptr;
    }
    folded_.emplace(std::string(key), shape);
  }
  if (!has_literals) {  // as in the registry: only texts that repeat byte for byte
    if (exact_.size() >= registry_.exact_cache_limit_) {
      exact_.clear();
      exact_filter_.clear();
      for (RecentKey& r : recent_exact_) r.shape = nullptr;
    }
    exact_.emplace(std::string(sql), shape);
    exact_filter_.add(sql);
  }
  return shape;
}

ShapeRegistry::Stats ShapeRegistry::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace querylens::sql
