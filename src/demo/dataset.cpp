#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "querylens/core/error.h"
#include "querylens/demo/demo.h"

namespace querylens::demo {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Bumped whenever the schema or the generator changes, so old files are rebuilt, not reused.
constexpr std::string_view kFormatVersion = "1";

// Realistic, and deliberately incomplete, indexing: the UNIQUE constraints give users(username)
// and users(email) their indexes (point lookups by email are fast), but posts has no index on
// user_id, created_at or view_count — the columns the workload filters and sorts by. That is
// what a young application looks like, and it gives querylens's index advice something to find.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE,
  age INTEGER,
  created_at TEXT NOT NULL,
  is_active INTEGER NOT NULL
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  view_count INTEGER NOT NULL,
  is_published INTEGER NOT NULL
);
CREATE TABLE querylens_demo_meta (key TEXT PRIMARY KEY, value TEXT);
)sql";

constexpr std::array<std::string_view, 24> kFirstNames = {
    "alice", "bob",   "chen", "dmitri", "elena", "farid", "grace", "hiro",
    "ines",  "jamal", "kira", "liam",   "mei",   "nora",  "omar",  "priya",
    "quinn", "rosa",  "sven", "tara",   "umar",  "vera",  "wei",   "yuki"};
constexpr std::array<std::string_view, 6> kDomains = {"example.com", "example.org", "mail.test",
                                                      "inbox.test",  "blog.test",   "corp.test"};
constexpr std::array<std::string_view, 64> kWords = {
    "database", "query",   "index",   "python",   "server", "cache",   "design",  "pattern",
    "guide",    "review",  "travel",  "coffee",   "garden", "music",   "photo",   "recipe",
    "weekend",  "project", "startup", "learning", "simple", "fast",    "better",  "modern",
    "notes",    "journey", "city",    "mountain", "river",  "book",    "movie",   "game",
    "health",   "running", "kitchen", "home",     "family", "winter",  "summer",  "ideas",
    "tips",     "story",   "debug",   "release",  "update", "migrate", "scaling", "team",
    "remote",   "office",  "morning", "evening",  "quiet",  "bright",  "small",   "large",
    "first",    "last",    "best",    "worst",    "why",    "how",     "what",    "today"};

// The generator and the workload draw from std::mt19937_64 (whose output the standard fixes)
// through these helpers rather than std::uniform_int_distribution and friends, whose output
// differs between standard libraries: the same seed must give the same file everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n), n > 0, by a 128-bit multiply (Lemire): no modulo bias worth speaking of.
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool percent(uint64_t p) { return below(100) < p; }
  std::string_view word() { return kWords[below(kWords.size())]; }

 private:
  std::mt19937_64 engine_;
};

// Usernames and emails are a pure function of (seed, id), not of the generator's stream, so
// the workload can log users in by email without first asking the database for addresses.
uint64_t mix(uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
std::string username_for(uint64_t seed, int64_t id) {
  uint64_t h = mix(seed ^ mix(static_cast<uint64_t>(id)));
  return fmt::format("{}_{}{}", kFirstNames[h % kFirstNames.size()],
                     kWords[(h >> 16) % kWords.size()], id);
}

// "YYYY-MM-DD HH:MM:SS" (UTC) for seconds since the epoch: SQLite's own datetime() format.
std::string format_timestamp(int64_t unix_seconds) {
  using namespace std::chrono;
  sys_seconds t{seconds{unix_seconds}};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}
constexpr int64_t kEpochStart = 1'546'300'800;  // 2019-01-01: the blog opens
constexpr int64_t kEpochEnd = 1'735'689'600;    // 2025-01-01: the snapshot is taken

void append_words(std::string& out, Rng& rng, int64_t count, bool capitalize) {
  for (int64_t i = 0; i < count; ++i) {
    if (i > 0) out += ' ';
    size_t at = out.size();
    out += rng.word();
    if (i == 0 && capitalize) out[at] = static_cast<char>(out[at] - 'a' + 'A');
  }
}

// Who wrote a post: 60% Zipf(1) over authors in a shuffled order (a few prolific writers, a long
// tail), 40% uniform — so most users have some posts and a handful have thousands.
class AuthorPicker {
 public:
  AuthorPicker(Rng& rng, int64_t users) : order_(users), cumulative_(users) {
    for (int64_t i = 0; i < users; ++i) order_[i] = i + 1;
    for (int64_t i = users - 1; i > 0; --i) {  // Fisher-Yates: std::shuffle is unspecified
      std::swap(order_[i], order_[rng.below(static_cast<uint64_t>(i) + 1)]);
    }
    double total = 0;
    for (int64_t r = 0; r < users; ++r) cumulative_[r] = total += 1.0 / static_cast<double>(r + 1);
  }
  int64_t pick(Rng& rng) const {
    auto users = static_cast<int64_t>(order_.size());
    if (!rng.percent(60)) return rng.between(1, users);
    double target = rng.unit() * cumulative_.back();
    auto rank =
        std::upper_bound(cumulative_.begin(), cumulative_.end(), target) - cumulative_.begin();
    return order_[std::min<int64_t>(rank, users - 1)];
  }

 private:
  std::vector<int64_t> order_;      // rank → user id
  std::vector<double> cumulative_;  // running sum of 1/(rank + 1)
};

std::string sqlite_url(const std::string& path) {
  // "sqlite://" + "/abs" keeps a path that itself starts with "//" intact.
  return (path.starts_with('/') ? "sqlite://" : "sqlite:") + path;
}
db::PoolOptions one_connection() {
  db::PoolOptions options;
  options.pool_size = 1;
  options.max_overflow = 0;
  return options;
}

void remove_side_files(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"-journal", "-wal", "-shm"}) fs::remove(path + suffix, ignored);
}

void report(const Progress& progress, std::string_view phase, double fraction) {
  if (progress) progress(phase, fraction);
}

void insert_users(db::Connection& conn, const DemoOptions& o, Rng& rng,
                  std::vector<int64_t>& joined, const Progress& progress) {
  db::Statement& insert = conn.prepare(
      "INSERT INTO users (id, username, email, age, created_at, is_active) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  joined.resize(o.users);
  for (int64_t id = 1; id <= o.users; ++id) {
    // Sign-ups spread over the blog's first five and a half years.
    joined[id - 1] = rng.between(kEpochStart, kEpochEnd - 180 * 86'400);
    insert.bind(1, id);
    insert.bind(2, username_for(o.seed, id));
    insert.bind(3, demo_user_email(o.seed, id));
    insert.bind(4, rng.percent(8) ? db::Value{} : db::Value{rng.between(16, 75)});
    insert.bind(5, format_timestamp(joined[id - 1]));
    insert.bind(6, int64_t{rng.percent(85) ? 1 : 0});
    while (insert.step()) {
    }
    insert.reset();
    if (id % 4096 == 0) report(progress, "users", static_cast<double>(id) / o.users);
  }
  report(progress, "users", 1);
}

void insert_posts(db::Connection& conn, const DemoOptions& o, Rng& rng,
                  const std::vector<int64_t>& joined, const Progress& progress) {
  AuthorPicker authors(rng, o.users);
  db::Statement& insert = conn.prepare(
      "INSERT INTO posts (id, title, content, user_id, created_at, view_count, is_published) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  // Reused buffers: the per-row cost is the text generation and SQLite, not allocation.
  db::Value title = std::string();
  db::Value content = std::string();
  for (int64_t id = 1; id <= o.posts; ++id) {
    auto& t = std::get<std::string>(title);
    t.clear();
    append_words(t, rng, rng.between(3, 8), true);
    auto& c = std::get<std::string>(content);
    c.clear();
    for (int64_t s = rng.between(1, 3); s > 0; --s) {
      if (!c.empty()) c += ' ';
      append_words(c, rng, rng.between(5, 12), true);
      c += '.';
    }
    int64_t author = authors.pick(rng);
    int64_t written = rng.between(joined[author - 1], kEpochEnd);
    // Log-uniform views: most posts get a few dozen, a few get tens of thousands.
    auto views = static_cast<int64_t>(rng.below(uint64_t{1} << rng.below(18)));
    insert.bind(1, id);
    insert.bind(2, title);
    insert.bind(3, content);
    insert.bind(4, author);
    insert.bind(5, format_timestamp(written));
    insert.bind(6, views);
    insert.bind(7, int64_t{rng.percent(80) ? 1 : 0});
    while (insert.step()) {
    }
    insert.reset();
    if (id % 8192 == 0) report(progress, "posts", static_cast<double>(id) / o.posts);
  }
  report(progress, "posts", 1);
}

void build_file(const std::string& file, const DemoOptions& o, const Progress& progress) {
  // No observers on this Database: building the demo is not part of what the demo shows.
  auto db = db::Database::open(sqlite_url(file), one_connection());
  auto conn = db->connect();
  // A crash mid-build leaves only the .tmp file, which the next run discards: durability
  // during the bulk load buys nothing.
  conn->execute_script("PRAGMA synchronous = OFF");
  conn->execute_script(kSchema);
  Rng rng(o.seed);
  std::vector<int64_t> joined;
  {
    db::Transaction tx(*conn);
    insert_users(*conn, o, rng, joined, progress);
    insert_posts(*conn, o, rng, joined, progress);
    tx.commit();
  }
  report(progress, "analyze", 0);
  conn->execute_script("ANALYZE");
  // The marker goes in last, in a synchronous commit: its fsync also flushes every page the
  // unsynchronised bulk load wrote, so a file that says it is complete is on disk.
  conn->execute_script("PRAGMA synchronous = FULL");
  db::Transaction tx(*conn);
  const std::pair<std::string_view, std::string> meta[] = {{"format", std::string(kFormatVersion)},
                                                           {"users", std::to_string(o.users)},
                                                           {"posts", std::to_string(o.posts)},
                                                           {"seed", std::to_string(o.seed)}};
  for (const auto& [key, value] : meta) {
    conn->query("INSERT INTO querylens_demo_meta (key, value) VALUES (?, ?)",
                {std::string(key), value});
  }
  tx.commit();
  report(progress, "analyze", 1);
}

bool has_sqlite_header(const std::string& path) {
  constexpr std::string_view kMagic{"SQLite format 3\0", 16};
  std::ifstream in(path, std::ios::binary);
  std::array<char, 16> head{};
  in.read(head.data(), head.size());
  return in.gcount() == static_cast<std::streamsize>(head.size()) &&
         std::string_view(head.data(), head.size()) == kMagic;
}

enum class Existing { kMissing, kSameParameters, kOtherParameters };

// What is at the path. Anything that is not a querylens demo database is refused, never
// overwritten: the user may have pointed --path at their own data.
Existing inspect(const DemoOptions& o) {
  std::error_code ec;
  auto status = fs::status(o.path, ec);
  if (!fs::exists(status)) return Existing::kMissing;
  auto refuse = [&] {
    return Error(ErrorKind::kUsage, fmt::format("{} exists and is not a querylens demo database; "
                                                "choose another --path",
                                                o.path));
  };
  // Checking the header first keeps SQLite from ever opening a non-database file.
  if (!fs::is_regular_file(status) || !has_sqlite_header(o.path)) throw refuse();
  auto db = db::Database::open(sqlite_url(o.path), one_connection());
  auto tables = db->query(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'querylens_demo_meta'");
  if (std::get<int64_t>(tables.rows.at(0).at(0)) == 0) throw refuse();
  std::map<std::string, std::string, std::less<>> meta;
  for (const auto& row : db->query("SELECT key, value FROM querylens_demo_meta").rows) {
    if (row.size() == 2 && std::holds_alternative<std::string>(row[0]) &&
        std::holds_alternative<std::string>(row[1])) {
      meta[std::get<std::string>(row[0])] = std::get<std::string>(row[1]);
    }
  }
  auto is = [&](std::string_view key, const std::string& want) {
    auto it = meta.find(key);
    return it != meta.end() && it->second == want;
  };
  bool same = is("format", std::string(kFormatVersion)) && is("users", std::to_string(o.users)) &&
              is("posts", std::to_string(o.posts)) && is("seed", std::to_string(o.seed));
  return same ? Existing::kSameParameters : Existing::kOtherParameters;
}

}  // namespace

std::string demo_user_email(uint64_t seed, int64_t user_id) {
  uint64_t h = mix(seed ^ mix(static_cast<uint64_t>(user_id)));
  return fmt::format("{}@{}", username_for(seed, user_id), kDomains[(h >> 40) % kDomains.size()]);
}

DatasetInfo ensure_demo_database(const DemoOptions& options, const Progress& progress) {
  if (options.path.empty() || options.users < 1 || options.posts < 0) {
    throw Error(ErrorKind::kUsage, "the demo needs a path, at least one user and posts >= 0");
  }
  DatasetInfo info;
  info.users = options.users;
  info.posts = options.posts;
  if (inspect(options) == Existing::kSameParameters) {  // connections closed on return
    info.reused = true;
    return info;
  }
  auto start = Clock::now();
  // Built beside the target and renamed over it: an interrupted build never leaves a half
  // database at the path, and an old demo file stays usable until the new one is complete.
  const std::string tmp = options.path + ".tmp";
  std::error_code ignored;
  fs::remove(tmp, ignored);
  remove_side_files(tmp);
  try {
    build_file(tmp, options, progress);
    // A stale journal beside the new file would be "rolled back" into it: remove it first.
    remove_side_files(options.path);
    std::error_code ec;
    fs::rename(tmp, options.path, ec);
    if (ec) {
      throw Error(ErrorKind::kDatabase,
                  fmt::format("cannot move {} to {}: {}", tmp, options.path, ec.message()));
    }
  } catch (...) {
    fs::remove(tmp, ignored);
    remove_side_files(tmp);
    throw;
  }
  info.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return info;
}

}  // namespace querylens::demo
