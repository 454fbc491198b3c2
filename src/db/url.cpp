#include "querylens/db/url.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "querylens/core/error.h"

namespace querylens::db {
namespace {

constexpr std::string_view kMask = "***";

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// libpq key=value form: the first token is a keyword followed by '='.
bool looks_like_conninfo(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_ident(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && is_space(s[i])) ++i;
  return i < s.size() && s[i] == '=';
}

// scheme://user:PASSWORD@host → scheme://user:***@host, for every "://" in the text. Like libpq,
// the credentials end at the first '/' of the path; a message also ends them at whitespace or a
// quote. The last '@' wins so that an unescaped '@' inside a password is masked too.
void redact_uri_credentials(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find("://", pos)) != std::string::npos) {
    size_t start = pos + 3;
    size_t end = start;
    while (end < s.size() && s[end] != '/' && !is_space(s[end]) && s[end] != '"' &&
           s[end] != '\'' && s[end] != '<' && s[end] != '>') {
      ++end;
    }
    size_t at = s.rfind('@', end == 0 ? 0 : end - 1);
    pos = start;
    if (at == std::string::npos || at < start || at >= end) continue;
    size_t colon = s.find(':', start);
    if (colon == std::string::npos || colon > at) continue;
    s.replace(colon + 1, at - colon - 1, kMask);
    pos = colon + 1 + kMask.size() + 1;
  }
}

// Any key ending in "password" (password, sslpassword, PGPASSWORD) followed by '=': the value
// is masked. In a URI query (key after '?' or '&') the value ends at '&' or '#'; in a conninfo
// it ends at whitespace, or is a single-quoted string with backslash escapes.
void redact_password_keys(std::string& s) {
  constexpr std::string_view kKey = "password";
  size_t pos = 0;
  while (pos + kKey.size() <= s.size()) {
    size_t i = pos;
    while (i + kKey.size() <= s.size() &&
           !starts_with_nocase(std::string_view(s).substr(i), kKey)) {
      ++i;
    }
    if (i + kKey.size() > s.size()) return;
    size_t key_start = i;
    while (key_start > 0 && is_ident(s[key_start - 1])) --key_start;
    bool in_query = key_start > 0 && (s[key_start - 1] == '?' || s[key_start - 1] == '&');
    size_t j = i + kKey.size();
    pos = j;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != '=') continue;
    ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    size_t end = j;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && !is_space(s[end]) &&
             !(in_query && (s[end] == '&' || s[end] == '#'))) {
        ++end;
      }
    }
    if (end > j) s.replace(j, end - j, kMask);
    pos = j + (end > j ? kMask.size() : 0);
  }
}

}  // namespace

DatabaseUrl parse_database_url(std::string_view url) {
  DatabaseUrl out;
  out.original = std::string(url);
  std::string_view u = trim(url);
  if (starts_with_nocase(u, "sqlite:")) {
    std::string_view rest = u.substr(7);
    if (rest.starts_with("//")) rest.remove_prefix(2);  // sqlite://rel, sqlite:///abs
    if (rest.empty()) {
      throw Error(ErrorKind::kUsage,
                  fmt::format("database URL '{}' names no SQLite file", redact_url(url)));
    }
    out.backend = Backend::kSqlite;
    out.target = std::string(rest);  // ":memory:" passes through as SQLite's own name
    return out;
  }
  if (starts_with_nocase(u, "postgresql://") || starts_with_nocase(u, "postgres://") ||
      looks_like_conninfo(u)) {
    out.backend = Backend::kPostgres;
    out.target = std::string(u);
    return out;
  }
  throw Error(ErrorKind::kUsage,
              fmt::format("unrecognised database URL '{}' (expected sqlite:PATH, sqlite::memory:, "
                          "postgresql://… or a libpq \"key=value\" string)",
                          redact_url(url)));
}

// A URL or conninfo is a message that is all secret-bearing text, so one scanner serves both.
std::string redact_url(std::string_view url) { return redact_secrets(url); }

std::string redact_secrets(std::string_view message) {
  std::string out(message);
  redact_uri_credentials(out);
  redact_password_keys(out);
  return out;
}

}  // namespace querylens::db
