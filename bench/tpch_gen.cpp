// querylens_tpch_gen — fills a database with TPC-H-like data for the index-advice benchmark
// (bench/advise_tpch.sh). Our own generator, deterministic for a given scale factor: the row
// counts, keys and value domains follow the TPC-H specification (dbgen's distributions
// simplified: uniform picks, short random comments), which is what index advice depends on —
// selectivities and key relationships, not the text of the comments.
//
//   querylens_tpch_gen URL [--sf 0.05]
//
// URL is any querylens database URL (sqlite:PATH or postgresql://…). The tables of
// bench/tpch/schema.sql must not exist yet. Rows go in by multi-row INSERTs inside one
// transaction per table; PostgreSQL tables are ANALYZEd afterwards (SQLite is left without
// sqlite_stat1, as most application databases are).
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "querylens/core/error.h"
#include "querylens/db/database.h"

namespace {

using querylens::db::Connection;
using querylens::db::Params;
using querylens::db::Value;

// splitmix64: a fixed, fast, seedable sequence, so every run generates the same data.
struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t uniform(int64_t low, int64_t high) {  // inclusive
    return low + static_cast<int64_t>(next() % static_cast<uint64_t>(high - low + 1));
  }
  double money(double low, double high) {
    return static_cast<double>(
               uniform(static_cast<int64_t>(low * 100), static_cast<int64_t>(high * 100))) /
           100.0;
  }
  template <size_t N>
  const char* pick(const std::array<const char*, N>& words) {
    return words[next() % N];
  }
  std::string text(size_t low, size_t high) {
    static constexpr std::array<const char*, 16> kWords = {
        "furiously", "quickly",  "carefully", "blithely",   "slyly",   "ironic",
        "final",     "regular",  "express",   "pending",    "special", "deposits",
        "requests",  "accounts", "packages",  "theodolites"};
    const size_t target =
        static_cast<size_t>(uniform(static_cast<int64_t>(low), static_cast<int64_t>(high)));
    std::string out;
    while (out.size() < target) {
      if (!out.empty()) out += ' ';
      out += pick(kWords);
    }
    out.resize(target);
    return out;
  }
};

// Days since 1970-01-01 → "YYYY-MM-DD" (proleptic Gregorian, Howard Hinnant's civil algorithm).
std::string format_date(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

constexpr int64_t kStartDate = 8035;       // 1992-01-01
constexpr int64_t kLastOrderDate = 10440;  // 1998-08-02
constexpr int64_t kCurrentDate = 9298;     // 1995-06-17: TPC-H's "current date" for flags

constexpr std::array<const char*, 5> kRegions = {"AFRICA", "AMERICA", "ASIA", "EUROPE",
                                                 "MIDDLE EAST"};
struct NationDef {
  const char* name;
  int region;
};
constexpr std::array<NationDef, 25> kNations = {{
    {"ALGERIA", 0},       {"ARGENTINA", 1}, {"BRAZIL", 1}, {"CANADA", 1},
    {"EGYPT", 4},         {"ETHIOPIA", 0},  {"FRANCE", 3}, {"GERMANY", 3},
    {"INDIA", 2},         {"INDONESIA", 2}, {"IRAN", 4},   {"IRAQ", 4},
    {"JAPAN", 2},         {"JORDAN", 4},    {"KENYA", 0},  {"MOROCCO", 0},
    {"MOZAMBIQUE", 0},    {"PERU", 1},      {"CHINA", 2},  {"ROMANIA", 3},
    {"SAUDI ARABIA", 4},  {"VIETNAM", 2},   {"RUSSIA", 3}, {"UNITED KINGDOM", 3},
    {"UNITED STATES", 1},
}};
constexpr std::array<const char*, 5> kSegments = {"AUTOMOBILE", "BUILDING", "FURNITURE",
                                                  "MACHINERY", "HOUSEHOLD"};
constexpr std::array<const char*, 5> kPriorities = {"1-URGENT", "2-HIGH", "3-MEDIUM",
                                                    "4-NOT SPECIFIED", "5-LOW"};
constexpr std::array<const char*, 4> kInstructions = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                                      "TAKE BACK RETURN"};
constexpr std::array<const char*, 7> kShipModes = {"REG AIR", "AIR",  "RAIL", "SHIP",
                                                   "TRUCK",   "MAIL", "FOB"};
constexpr std::array<const char*, 6> kTypeSize = {"STANDARD", "SMALL",   "MEDIUM",
                                                  "LARGE",    "ECONOMY", "PROMO"};
constexpr std::array<const char*, 5> kTypeFinish = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED",
                                                    "BRUSHED"};
constexpr std::array<const char*, 5> kTypeMetal = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
constexpr std::array<const char*, 5> kContainerSize = {"SM", "LG", "MED", "JUMBO", "WRAP"};
constexpr std::array<const char*, 8> kContainerKind = {"CASE", "BOX",  "BAG", "JAR",
                                                       "PKG",  "PACK", "CAN", "DRUM"};
constexpr std::array<const char*, 24> kColors = {
    "almond",     "antique",  "aquamarine", "azure",   "beige",      "bisque",
    "black",      "blanched", "blue",       "blush",   "brown",      "burlywood",
    "chartreuse", "chiffon",  "chocolate",  "coral",   "cornflower", "cream",
    "cyan",       "dark",     "forest",     "frosted", "green",      "khaki"};

std::string phone(Random& rng, int64_t nation) {
  return fmt::format("{}-{}-{}-{}", nation + 10, rng.uniform(100, 999), rng.uniform(100, 999),
                     rng.uniform(1000, 9999));
}

// Collects rows and writes them as multi-row INSERTs of up to kBatchRows rows.
class BatchInserter {
 public:
  BatchInserter(Connection& connection, std::string table, size_t columns)
      : connection_(connection), table_(std::move(table)), columns_(columns) {}
  ~BatchInserter() = default;

  void add(Params row) {
    for (Value& v : row) params_.push_back(std::move(v));
    if (++rows_ == kBatchRows) flush();
  }
  void flush() {
    if (rows_ == 0) return;
    std::string sql = fmt::format("INSERT INTO {} VALUES ", table_);
    int index = 1;
    for (size_t r = 0; r < rows_; ++r) {
      sql += r == 0 ? "(" : ", (";
      for (size_t c = 0; c < columns_; ++c)
        sql += fmt::format("{}${}", c == 0 ? "" : ", ", index++);
      sql += ")";
    }
    connection_.query(sql, params_);
    total_ += rows_;
    rows_ = 0;
    params_.clear();
  }
  size_t total() const { return total_; }

 private:
  static constexpr size_t kBatchRows = 100;
  Connection& connection_;
  std::string table_;
  size_t columns_;
  size_t rows_ = 0, total_ = 0;
  Params params_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw querylens::Error(querylens::ErrorKind::kInput, "cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void generate(Connection& c, double sf) {
  Random rng{42};
  const int64_t suppliers = std::max<int64_t>(10, static_cast<int64_t>(10000 * sf));
  const int64_t customers = std::max<int64_t>(150, static_cast<int64_t>(150000 * sf));
  const int64_t parts = std::max<int64_t>(200, static_cast<int64_t>(200000 * sf));
  const int64_t orders = std::max<int64_t>(1500, static_cast<int64_t>(1500000 * sf));
  const int64_t clerks = std::max<int64_t>(10, static_cast<int64_t>(1000 * sf));

  auto table = [&](const char* name, size_t columns, auto&& fill) {
    querylens::db::Transaction tx(c);
    BatchInserter out(c, name, columns);
    fill(out);
    out.flush();
    tx.commit();
    std::fprintf(stderr, "  %-9s %9zu rows\n", name, out.total());
  };

  table("region", 3, [&](BatchInserter& out) {
    for (int64_t r = 0; r < 5; ++r) out.add({r, std::string(kRegions[r]), rng.text(31, 115)});
  });
  table("nation", 4, [&](BatchInserter& out) {
    for (int64_t n = 0; n < 25; ++n)
      out.add({n, std::string(kNations[n].name), int64_t{kNations[n].region}, rng.text(31, 114)});
  });
  table("supplier", 7, [&](BatchInserter& out) {
    for (int64_t s = 1; s <= suppliers; ++s) {
      const int64_t nation = rng.uniform(0, 24);
      out.add({s, fmt::format("Supplier#{:09}", s), rng.text(10, 40), nation, phone(rng, nation),
               rng.money(-999.99, 9999.99), rng.text(25, 100)});
    }
  });
  table("customer", 8, [&](BatchInserter& out) {
    for (int64_t k = 1; k <= customers; ++k) {
      const int64_t nation = rng.uniform(0, 24);
      out.add({k, fmt::format("Customer#{:09}", k), rng.text(10, 40), nation, phone(rng, nation),
               rng.money(-999.99, 9999.99), std::string(rng.pick(kSegments)), rng.text(29, 116)});
    }
  });
  std::vector<double> retail_price(static_cast<size_t>(parts) + 1);
  table("part", 9, [&](BatchInserter& out) {
    for (int64_t p = 1; p <= parts; ++p) {
      std::string name;
      for (int w = 0; w < 5; ++w) name += fmt::format("{}{}", w ? " " : "", rng.pick(kColors));
      const int64_t m = rng.uniform(1, 5);
      retail_price[static_cast<size_t>(p)] = (90000.0 + static_cast<double>((p / 10) % 20001) +
                                              100.0 * static_cast<double>(p % 1000)) /
                                             100.0;
      out.add({p, name, fmt::format("Manufacturer#{}", m),
               fmt::format("Brand#{}{}", m, rng.uniform(1, 5)),
               fmt::format("{} {} {}", rng.pick(kTypeSize), rng.pick(kTypeFinish),
                           rng.pick(kTypeMetal)),
               rng.uniform(1, 50),
               fmt::format("{} {}", rng.pick(kContainerSize), rng.pick(kContainerKind)),
               retail_price[static_cast<size_t>(p)], rng.text(5, 22)});
    }
  });
  // The spec's supplier spread: part p is supplied by four suppliers, a fixed function of p.
  auto supplier_of = [&](int64_t part, int64_t i) {
    return (part + i * (suppliers / 4 + (part - 1) / suppliers)) % suppliers + 1;
  };
  table("partsupp", 5, [&](BatchInserter& out) {
    for (int64_t p = 1; p <= parts; ++p)
      for (int64_t i = 0; i < 4; ++i)
        out.add({p, supplier_of(p, i), rng.uniform(1, 9999), rng.money(1.0, 1000.0),
                 rng.text(49, 198)});
  });
  // Orders and their line items together: the order's status and total come from its lines.
  querylens::db::Transaction tx(c);
  BatchInserter order_out(c, "orders", 9);
  BatchInserter line_out(c, "lineitem", 16);
  for (int64_t o = 1; o <= orders; ++o) {
    const int64_t order_date = rng.uniform(kStartDate, kLastOrderDate - 151);
    const int64_t lines = rng.uniform(1, 7);
    double total = 0;
    int64_t shipped = 0;
    for (int64_t l = 1; l <= lines; ++l) {
      const int64_t part = rng.uniform(1, parts);
      const int64_t quantity = rng.uniform(1, 50);
      const double price = static_cast<double>(quantity) * retail_price[static_cast<size_t>(part)];
      const double discount = static_cast<double>(rng.uniform(0, 10)) / 100.0;
      const double tax = static_cast<double>(rng.uniform(0, 8)) / 100.0;
      const int64_t ship = order_date + rng.uniform(1, 121);
      const int64_t commit = order_date + rng.uniform(30, 90);
      const int64_t receipt = ship + rng.uniform(1, 30);
      const char* flag = receipt <= kCurrentDate ? (rng.uniform(0, 1) ? "R" : "A") : "N";
      const bool open = ship > kCurrentDate;
      shipped += open ? 0 : 1;
      total += price * (1 + tax) * (1 - discount);
      line_out.add({o, part, supplier_of(part, rng.uniform(0, 3)), l, quantity, price, discount,
                    tax, std::string(flag), std::string(open ? "O" : "F"), format_date(ship),
                    format_date(commit), format_date(receipt), std::string(rng.pick(kInstructions)),
                    std::string(rng.pick(kShipModes)), rng.text(10, 43)});
    }
    const char* status = shipped == lines ? "F" : shipped == 0 ? "O" : "P";
    order_out.add({o, rng.uniform(1, customers), std::string(status),
                   static_cast<double>(static_cast<int64_t>(total * 100)) / 100.0,
                   format_date(order_date), std::string(rng.pick(kPriorities)),
                   fmt::format("Clerk#{:09}", rng.uniform(1, clerks)), int64_t{0},
                   rng.text(19, 78)});
  }
  order_out.flush();
  line_out.flush();
  tx.commit();
  std::fprintf(stderr, "  %-9s %9zu rows\n  %-9s %9zu rows\n", "orders", order_out.total(),
               "lineitem", line_out.total());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: querylens_tpch_gen URL [--sf SCALE]  (default scale 0.05)\n");
    return argc < 2 ? 2 : 0;
  }
  double sf = 0.05;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--sf") sf = std::atof(argv[i + 1]);
  }
  if (sf <= 0 || sf > 10) {
    std::fprintf(stderr, "querylens_tpch_gen: --sf must be in (0, 10]\n");
    return 2;
  }
  try {
    auto database = querylens::db::Database::open(argv[1]);
    auto connection = database->connect();
    connection->execute_script(read_file(QUERYLENS_BENCH_TPCH_DIR "/schema.sql"));
    std::fprintf(stderr, "querylens_tpch_gen: scale factor %g into %s\n", sf,
                 database->redacted_url().c_str());
    generate(*connection, sf);
    if (database->backend() == querylens::db::Backend::kPostgres)
      connection->execute_script("ANALYZE");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "querylens_tpch_gen: %s\n", e.what());
    return 1;
  }
  return 0;
}
