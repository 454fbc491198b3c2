// The demo's request mix: the blog application of the seeds, written the way young
// applications are — a handful of good queries, and the classic slow ones (N+1, full scans,
// leading-wildcard LIKE, deep OFFSET) that querylens is meant to find.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <vector>

#include "querylens/core/error.h"
#include "querylens/demo/demo.h"

namespace querylens::demo {
namespace {

// Parameters come from std::mt19937_64 through a multiply-shift rather than a standard
// distribution, as in the dataset, so a seed replays the same requests everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

 private:
  std::mt19937_64 engine_;
};

// Words the generator puts in titles (dataset.cpp's word list), so searches find something.
constexpr std::array<std::string_view, 8> kSearchTerms = {"python", "coffee", "database", "travel",
                                                          "guide",  "garden", "debug",    "music"};

struct Request {
  db::Connection& conn;
  Rng& rng;
  const DemoOptions& options;

  int64_t any_user() { return rng.between(1, options.users); }
  int64_t any_post() { return rng.between(1, std::max(1, options.posts)); }
};

// Each handler serves one request and returns how many SQL statements it executed.
using Handler = int64_t (*)(Request&);

int64_t active_users(Request& r) {
  r.conn.query(
      "SELECT id, username, email FROM users WHERE is_active = 1 "
      "ORDER BY created_at DESC LIMIT 20");
  return 1;
}

// No index on posts.user_id: each call scans every post.
int64_t user_post_stats(Request& r) {
  r.conn.query(
      "SELECT u.id, u.username, COUNT(p.id) AS post_count, SUM(p.view_count) AS total_views, "
      "AVG(p.view_count) AS avg_views FROM users u JOIN posts p ON p.user_id = u.id "
      "WHERE u.id = ? GROUP BY u.id, u.username",
      {r.any_user()});
  return 1;
}

// No index on view_count: a full scan and a top-N sort on every call.
int64_t popular_posts(Request& r) {
  r.conn.query(
      "SELECT id, title, view_count FROM posts WHERE is_published = 1 "
      "ORDER BY view_count DESC LIMIT 10");
  return 1;
}

// A leading wildcard: no index could serve it, however the table is indexed.
int64_t search_posts(Request& r) {
  std::string pattern = fmt::format("%{}%", kSearchTerms[r.rng.below(kSearchTerms.size())]);
  r.conn.query(
      "SELECT id, title, created_at FROM posts WHERE title LIKE ? "
      "ORDER BY created_at DESC LIMIT 20",
      {std::move(pattern)});
  return 1;
}

// The N+1: one query for a page of users, then one query per user for their posts (what an
// ORM's lazy relationship loading does) — each of those a full scan without posts(user_id).
int64_t dashboard(Request& r) {
  auto users = r.conn.query(
      "SELECT id, username FROM users WHERE is_active = 1 AND id >= ? ORDER BY id LIMIT 30",
      {r.rng.between(1, std::max(1, r.options.users - 100))});
  db::Statement& posts =
      r.conn.prepare("SELECT id, title, view_count FROM posts WHERE user_id = ?");
  int64_t statements = 1;
  int64_t views = 0;
  for (const auto& row : users.rows) {
    posts.bind(1, row.at(0));
    while (posts.step()) views += posts.get_int(2);  // the page shows each user's total
    posts.reset();
    ++statements;
  }
  (void)views;
  return statements;
}

// OFFSET pagination deep into the list: SQLite walks and discards every skipped row.
int64_t browse_posts(Request& r) {
  int64_t page = 250 + r.rng.between(0, std::max(0, r.options.posts / 40));  // offset >= 5000
  r.conn.query(
      "SELECT id, title, created_at FROM posts WHERE is_published = 1 "
      "ORDER BY id LIMIT 20 OFFSET ?",
      {page * 20});
  return 1;
}

// An exact count for a "N posts" badge: a full scan each time (the seeds' efficient_counting).
int64_t count_published(Request& r) {
  r.conn.query("SELECT COUNT(*) FROM posts WHERE is_published = 1");
  return 1;
}

// The fast path: a unique index serves it. Many calls.
int64_t login(Request& r) {
  r.conn.query("SELECT id, username, email, age, created_at, is_active FROM users WHERE email = ?",
               {demo_user_email(r.options.seed, r.any_user())});
  return 1;
}

int64_t show_post(Request& r) {
  r.conn.query(
      "SELECT p.id, p.title, p.content, p.created_at, p.view_count, u.username "
      "FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id = ?",
      {r.any_post()});
  return 1;
}

// The one write: BEGIN, UPDATE, COMMIT.
int64_t record_view(Request& r) {
  db::Transaction tx(r.conn);
  r.conn.query("UPDATE posts SET view_count = view_count + 1 WHERE id = ?", {r.any_post()});
  tx.commit();
  return 3;
}

struct Endpoint {
  std::string_view name;  // the "endpoint" tag
  int per_round;
  Handler handler;
};

// Per round: 34 full scans of posts (30 from one dashboard) dominate the time; the counts keep
// three rounds over 200k posts near 4 s in Release on 2 cores (measured).
constexpr Endpoint kEndpoints[] = {
    {"GET /users/active", 5, active_users},   {"GET /users/{id}/stats", 1, user_post_stats},
    {"GET /posts/popular", 1, popular_posts}, {"GET /posts/search", 1, search_posts},
    {"GET /dashboard", 1, dashboard},         {"GET /posts?page", 3, browse_posts},
    {"GET /posts/count", 1, count_published}, {"POST /login", 200, login},
    {"GET /posts/{id}", 100, show_post},      {"POST /posts/{id}/view", 5, record_view},
};

}  // namespace

WorkloadInfo run_demo_workload(db::Database& db, const DemoOptions& options,
                               const Progress& progress) {
  if (options.users < 1 || options.posts < 0 || options.rounds < 0) {
    throw Error(ErrorKind::kUsage, "the demo workload needs at least one user and rounds >= 0");
  }
  auto start = std::chrono::steady_clock::now();
  Rng rng(options.seed ^ 0x9e3779b97f4a7c15ULL);  // not the dataset's stream
  std::vector<const Endpoint*> plan;
  for (const Endpoint& endpoint : kEndpoints) {
    for (int i = 0; i < endpoint.per_round; ++i) plan.push_back(&endpoint);
  }
  const double total = static_cast<double>(plan.size()) * options.rounds;
  int reported = -1;  // whole percent last reported: a progress bar, not a callback per request
  WorkloadInfo info;
  for (int round = 0; round < options.rounds; ++round) {
    // Interleaved like real traffic, not endpoint after endpoint (own Fisher-Yates: seeded).
    for (size_t i = plan.size() - 1; i > 0; --i) std::swap(plan[i], plan[rng.below(i + 1)]);
    for (const Endpoint* endpoint : plan) {
      auto conn = db.connect();  // one request, one checkout
      conn->set_tags(
          {{"application", "querylens-demo"}, {"endpoint", std::string(endpoint->name)}});
      Request request{*conn, rng, options};
      info.statements += endpoint->handler(request);
      ++info.requests;
      int percent = static_cast<int>(100 * static_cast<double>(info.requests) / total);
      if (progress && percent != reported) {
        reported = percent;
        progress("requests", percent / 100.0);
      }
    }
  }
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return info;
}

}  // namespace querylens::demo
