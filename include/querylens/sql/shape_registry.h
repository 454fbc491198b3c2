// ShapeRegistry — statement text → QueryShape (fingerprint + normalized text), computed once.
//
// Classification, in order of cost:
//   1. exact-text cache: a repeated statement is never lexed or parsed twice;
//   2. literal-folded cache: the statement's tokens with every literal replaced and IN-lists of
//      literals squashed (sql/lexer.h). Two texts with the same folded key differ only in
//      constant values, so libpg_query would give them the same fingerprint: no parse needed;
//   3. libpg_query (pg_query_fingerprint + pg_query_normalize) on the text; SQLite parameter
//      markers (?, ?NNN, :name, @name) are rewritten to $n first so SQLite statements parse;
//   4. statements libpg_query rejects (SQLite-only syntax) get a token-level shape: the folded
//      text and a 64-bit hash of it, marked parsed = false. Nothing is dropped.
// Shapes with equal fingerprints are one object: pointer equality is shape equality.
// Thread-safe; returned pointers live as long as the registry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "querylens/core/query_event.h"

namespace querylens::sql {

class ShapeRegistry {
 public:
  // exact_cache_limit bounds the exact-text cache (a log of unique texts must not grow memory
  // without bound); the folded and fingerprint maps grow with the number of shapes only.
  explicit ShapeRegistry(size_t exact_cache_limit = 1 << 16);
  ShapeRegistry(const ShapeRegistry&) = delete;
  ShapeRegistry& operator=(const ShapeRegistry&) = delete;

  const QueryShape* classify(std::string_view sql);

  struct Stats {
    uint64_t lookups = 0;
    uint64_t exact_hits = 0;
    uint64_t folded_hits = 0;
    uint64_t parses = 0;     // calls into libpg_query
    uint64_t fallbacks = 0;  // statements libpg_query rejected
    size_t shapes = 0;
  };
  Stats stats() const;

  // The hash of the text caches: 8 bytes a step, a multiply and a rotate each (std::hash's
  // was ~3.5% of a log digest, a lookup per statement). Not for untrusted collision resistance:
  // a bad case costs time, never a wrong answer (the maps compare the texts).
  static size_t text_hash(std::string_view text);

  // Which texts may be in an exact-text cache: a bit per (length, first and last 8 bytes). A
  // log statement with literals is never in one, and this answers "no" for it without hashing
  // the whole text (the lookup's hash was ~5% of a log digest). No false negatives: a bit is
  // set with every insertion and cleared only with the whole cache.
  class ExactFilter {
   public:
    bool may_contain(std::string_view text) const {
      size_t b = slot(text);
      return (bits_[b / 64] >> (b % 64)) & 1;
    }
    void add(std::string_view text) {
      size_t b = slot(text);
      bits_[b / 64] |= uint64_t{1} << (b % 64);
    }
    void clear() { bits_.fill(0); }

   private:
    static size_t slot(std::string_view text);
    std::array<uint64_t, 64> bits_{};
  };

  // A front cache for one thread that classifies a lot (a part of a log read with -j N): its
  // hits take no lock. Two threads classifying a million log statements a second each fight
  // over the registry's mutex otherwise (measured: -j 2 was slower than -j 1). Not
  // thread-safe itself; bounded like the exact cache; its counts join stats() when it is
  // destroyed. REQUIRES: the registry outlives it.
  class LocalCache {
   public:
    explicit LocalCache(ShapeRegistry& registry) : registry_(registry) {}
    ~LocalCache();
    LocalCache(const LocalCache&) = delete;
    LocalCache& operator=(const LocalCache&) = delete;
    const QueryShape* classify(std::string_view sql);

   private:
    ShapeRegistry& registry_;
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view t) const { return text_hash(t); }
    };
    std::unordered_map<std::string, const QueryShape*, Hash, std::equal_to<>> exact_, folded_;
    ExactFilter exact_filter_;
    Stats counts_;
    // The folded keys last found, one per slot by their length and first bytes: statements of
    // one template fold to one key, and comparing it is cheaper than hashing it for folded_.
    // Only pairs folded_ holds (cleared with it): a hit here is the hit folded_ would give.
    struct RecentKey {
      std::string key;
      const QueryShape* shape = nullptr;
    };
    std::array<RecentKey, 16> recent_;
    // The same for exact_: statements with bound parameters repeat byte for byte (`execute`
    // lines), and comparing one is cheaper than hashing it (cleared with exact_).
    std::array<RecentKey, 16> recent_exact_;
    static size_t recent_slot(std::string_view key);
  };

 private:
  // The lexing half of classify(): the literal-folded key, in a per-thread buffer valid until
  // the thread's next fold().
  static std::string_view fold(std::string_view sql, bool* has_literals);
  // The locked half: the shape of `sql` by its folded key, computed when new.
  const QueryShape* classify_folded(std::string_view sql, std::string_view key, bool has_literals);
  const QueryShape* compute(std::string_view sql);
  const QueryShape* intern(QueryShape&& shape);

  mutable std::mutex mutex_;
  size_t exact_cache_limit_;
  // Transparent hashing: lookups by string_view allocate nothing.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return text_hash(text); }
  };
  using TextMap = std::unordered_map<std::string, const QueryShape*, TextHash, std::equal_to<>>;
  TextMap exact_;
  ExactFilter exact_filter_;
  TextMap folded_;
  std::unordered_map<uint64_t, const QueryShape*> by_fingerprint_;
  std::deque<QueryShape> shapes_;  // stable addresses
  Stats stats_;
};

}  // namespace querylens::sql
