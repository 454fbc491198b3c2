#include "querylens/db/url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "querylens/db/value.h"

namespace querylens::db {
namespace {

TEST(DatabaseUrl, ParsesSqliteForms) {
  EXPECT_EQ(parse_database_url("sqlite:app.db").target, "app.db");
  EXPECT_EQ(parse_database_url("sqlite://rel/app.db").target, "rel/app.db");
  EXPECT_EQ(parse_database_url("sqlite:///abs/app.db").target, "/abs/app.db");
  DatabaseUrl memory = parse_database_url("sqlite::memory:");
  EXPECT_EQ(memory.backend, Backend::kSqlite);
  EXPECT_EQ(memory.target, ":memory:");
  EXPECT_EQ(memory.original, "sqlite::memory:");
}

TEST(DatabaseUrl, ParsesPostgresForms) {
  for (const char* url :
       {"postgresql://u@h/db", "postgres://h:5432/db", "host=h dbname=d", "  dbname = d"}) {
    DatabaseUrl parsed = parse_database_url(url);
    EXPECT_EQ(parsed.backend, Backend::kPostgres) << url;
  }
  EXPECT_EQ(parse_database_url("postgresql://u@h/db").target, "postgresql://u@h/db");
}

TEST(DatabaseUrl, RejectsUnknownFormsWithoutThePassword) {
  try {
    parse_database_url("mysql://root:hunter2@db/app");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("mysql://root:***@db/app"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_database_url("sqlite:"), Error);
  EXPECT_THROW(parse_database_url(""), Error);
  EXPECT_THROW(parse_database_url("just a file name"), Error);
}

TEST(RedactUrl, MasksUserinfoPasswords) {
  EXPECT_EQ(redact_url("postgresql://user:secret@host/db"), "postgresql://user:***@host/db");
  EXPECT_EQ(redact_url("postgres://u:p%40ss@h:5432/d?sslmode=require"),
            "postgres://u:***@h:5432/d?sslmode=require");
  EXPECT_EQ(redact_url("postgresql://:secret@host"), "postgresql://:***@host");
  // An unescaped '@' in the password: everything up to the last '@' is masked.
  EXPECT_EQ(redact_url("postgresql://u:p@ss@host/db"), "postgresql://u:***@host/db");
}

TEST(RedactUrl, LeavesUrlsWithoutPasswordsAlone) {
  for (const char* url : {"postgresql://user@host:5432/db", "postgresql://host/db?sslmode=require",
                          "sqlite:///tmp/a.db", "sqlite::memory:", "host=h dbname=d"}) {
    EXPECT_EQ(redact_url(url), url);
  }
}

TEST(RedactUrl, MasksQueryAndConninfoPasswords) {
  EXPECT_EQ(redact_url("postgresql://u@h/db?password=secret&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgresql:///db?host=/tmp&password=secret"),
            "postgresql:///db?host=/tmp&password=***");
  EXPECT_EQ(redact_url("host=h password=secret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(redact_url("host=h password = secret dbname=d"), "host=h password = *** dbname=d");
  EXPECT_EQ(redact_url("password='se cret' host=h"), "password=*** host=h");
  EXPECT_EQ(redact_url(R"(password='it\'s secret' host=h)"), "password=*** host=h");
  EXPECT_EQ(redact_url("host=h sslpassword=secret"), "host=h sslpassword=***");
}

TEST(RedactSecrets, MasksPasswordsInsideFreeText) {
  std::string message = redact_secrets(
      "cannot reach \"postgresql://app:topsecret@db.internal/prod\" (PGPASSWORD=alsosecret); "
      "retrying with host=db password='another secret' dbname=prod");
  for (const char* secret : {"topsecret", "alsosecret", "another", "secret'"}) {
    EXPECT_EQ(message.find(secret), std::string::npos) << secret << " in " << message;
  }
  EXPECT_NE(message.find("postgresql://app:***@db.internal/prod"), std::string::npos) << message;
  // Words about passwords are not passwords.
  EXPECT_EQ(redact_secrets("password authentication failed for user \"app\""),
            "password authentication failed for user \"app\"");
}

TEST(Value, DisplaysForMessages) {
  EXPECT_EQ(to_display(Value{}), "NULL");
  EXPECT_EQ(to_display(Value{int64_t{42}}), "42");
  EXPECT_EQ(to_display(Value{1.5}), "1.5");
  EXPECT_EQ(to_display(Value{std::string("it's")}), "'it''s'");
  EXPECT_TRUE(is_null(Value{}));
  EXPECT_FALSE(is_null(Value{int64_t{0}}));
}

// A TCP port on 127.0.0.1 that nothing listens on: bound by us, then closed.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(RedactUrl, ConnectionFailureMessagesNeverShowThePassword) {
  int port = closed_port();
  std::string urls[] = {
      "postgresql://app:Sup3rS3cret@127.0.0.1:" + std::to_string(port) + "/db?connect_timeout=5",
      "postgresql://app@127.0.0.1:" + std::to_string(port) + "/db?password=Sup3rS3cret",
      "host=127.0.0.1 port=" + std::to_string(port) + " user=app password=Sup3rS3cret dbname=db",
  };
  for (const std::string& url : urls) {
    try {
      Database::open(url);
      FAIL() << "connected to a closed port";
    } catch (const Error& e) {
      std::string what = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
      EXPECT_EQ(what.find("Sup3rS3cret"), std::string::npos) << what;
      EXPECT_NE(what.find("***"), std::string::npos) << what;
      EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace querylens::db
