// PostgreSQL's EXPLAIN text output → Plan, the same model the JSON parser fills.
//
// A hand-written line parser: the text format is a tree drawn with indentation, one node per
// line ("->  " before every node but the root), each node's properties on the lines below it
// two columns right of its arrow, and "SubPlan 1" / "InitPlan 1 (returns $0)" / "CTE x"
// labels above the nodes they name. What it reads is what the JSON parser reads; anything else
// (Output, Cache Key, Worker lines, I/O Timings, …) is skipped. Total over any bytes: numbers go
// through from_chars, nothing is indexed without a bounds check (fuzz/plan_fuzz.cpp).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "plan/text_plan_lines.h"
#include "querylens/core/error.h"
#include "querylens/plan/parse.h"

namespace querylens::plan {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

bool eat(std::string_view& s, std::string_view p) {
  if (!starts_with(s, p)) return false;
  s.remove_prefix(p.size());
  return true;
}

// A number at the front of `s` (consumed); 0 when there is none or it is not finite.
double number(std::string_view& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return 0;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return std::isfinite(v) ? v : 0;
}

int64_t integer(std::string_view& s) {
  double v = number(s);
  return v > 9.0e18 || v < -9.0e18 ? 0 : static_cast<int64_t>(v);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// An identifier at the front of `s` (consumed): "name", "schema.name" or a quoted one, as
// EXPLAIN prints it; quotes are kept off like the JSON format's names.
std::string identifier(std::string_view& s) {
  std::string out;
  while (!s.empty() && s.front() != ' ') {
    if (s.front() == '"') {
      s.remove_prefix(1);
      while (!s.empty()) {
        char c = s.front();
        s.remove_prefix(1);
        if (c == '"') {
          if (!s.empty() && s.front() == '"') {
            out.push_back('"');
            s.remove_prefix(1);
            continue;
          }
          break;
        }
        out.push_back(c);
      }
    } else {
      out.push_back(s.front());
      s.remove_prefix(1);
    }
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return out;
}

// "on rel [alias]" after a scan's name; with VERBOSE the relation is schema-qualified, which the
// JSON format keeps apart ("Schema"): only the name is kept.
void read_target(std::string_view rest, PlanNode& n, std::string* into) {
  if (!eat(rest, "on ")) return;
  std::string name = identifier(rest);
  size_t dot = name.rfind('.');
  if (into == &n.relation && dot != std::string::npos) name = name.substr(dot + 1);
  *into = name;
  n.alias = rest.empty() ? name : identifier(rest);
}

// The node's name as EXPLAIN text writes it → the JSON format's fields.
void read_label(std::string_view label, PlanNode& n) {
  eat(label, "Parallel ");
  bool partial = eat(label, "Partial ") || eat(label, "Finalize ");
  (void)partial;
  struct Aggregate {
    std::string_view text, strategy;
  };
  for (Aggregate a : {Aggregate{"HashAggregate", "Hashed"}, Aggregate{"GroupAggregate", "Sorted"},
                      Aggregate{"MixedAggregate", "Mixed"}, Aggregate{"Aggregate", "Plain"}}) {
    if (label == a.text) {
      n.node_type = "Aggregate";
      n.strategy = a.strategy;
      return;
    }
  }
  for (std::string_view setop : {"HashSetOp ", "SetOp "}) {
    if (starts_with(label, setop)) {
      n.node_type = "SetOp";
      n.strategy = setop == "HashSetOp " ? "Hashed" : "Sorted";
      return;
    }
  }
  // Joins: "Hash Join", "Hash Left Join", "Nested Loop", "Nested Loop Anti Join", …
  for (std::string_view join : {"Nested Loop", "Hash", "Merge"}) {
    if (!starts_with(label, join)) continue;
    std::string_view rest = label.substr(join.size());
    if (join == "Hash" && rest.empty()) break;  // the Hash node under a Hash Join
    n.node_type = join == "Nested Loop" ? "Nested Loop" : std::string(join) + " Join";
    if (rest.empty() || rest == " Join") {
      n.join_type = "Inner";
      return;
    }
    if (eat(rest, " ") && rest.size() > 5 && rest.substr(rest.size() - 5) == " Join") {
      n.join_type = std::string(rest.substr(0, rest.size() - 5));
      return;
    }
    n.node_type.clear();
    break;
  }
  for (std::string_view modify : {"Insert on ", "Update on ", "Delete on ", "Merge on "}) {
    if (starts_with(label, modify)) {
      n.node_type = "ModifyTable";
      read_target(label.substr(modify.find(' ') + 1), n, &n.relation);
      return;
    }
  }
  // Scans: "<type> on rel [alias]", "<type> [Backward] using index on rel [alias]".
  size_t using_at = label.find(" using ");
  size_t on_at = label.find(" on ");
  if (using_at != std::string_view::npos && (on_at == std::string_view::npos || using_at < on_at)) {
    std::string_view type = label.substr(0, using_at);
    if (type.size() > 9 && type.substr(type.size() - 9) == " Backward") type.remove_suffix(9);
    n.node_type = type;
    std::string_view rest = label.substr(using_at + 7);
    n.index = identifier(rest);
    read_target(rest, n, &n.relation);
  } else if (on_at != std::string_view::npos) {
    n.node_type = label.substr(0, on_at);
    std::string_view rest = label.substr(on_at + 1);
    if (n.node_type == "Bitmap Index Scan") {
      eat(rest, "on ");
      n.index = identifier(rest);
    } else if (n.node_type == "CTE Scan" || n.node_type == "WorkTable Scan") {
      read_target(rest, n, &n.subplan_name);
    } else if (n.node_type == "Function Scan" || n.node_type == "Table Function Scan") {
      read_target(rest, n, &n.relation);
    } else if (n.node_type == "Subquery Scan" || n.node_type == "Values Scan") {
      std::string ignored;
      read_target(rest, n, &ignored);
      if (n.alias.empty()) n.alias = ignored;
    } else {
      read_target(rest, n, &n.relation);
    }
  } else {
    n.node_type = label;
  }
  n.covering_index = n.node_type == "Index Only Scan";
}

// "(cost=1.00..2.50 rows=10 width=4) (actual time=0.1..0.2 rows=5 loops=1)" and its variants.
bool read_measures(std::string_view s, PlanNode& n, bool* analyzed) {
  while (!s.empty()) {
    s = trim(s);
    if (eat(s, "(cost=")) {
      n.startup_cost = number(s);
      if (!eat(s, "..")) return false;
      n.total_cost = number(s);
      if (!eat(s, " rows=")) return false;
      n.plan_rows = number(s);
      if (!eat(s, " width=")) return false;
      n.plan_width = integer(s);
      if (!eat(s, ")")) return false;
    } else if (eat(s, "(actual ")) {
      n.has_actuals = true;
      *analyzed = true;
      if (eat(s, "time=")) {
        n.actual_startup_ms = number(s);
        if (!eat(s, "..")) return false;
        n.actual_total_ms = number(s);
        eat(s, " ");
      }
      if (!eat(s, "rows=")) return false;
      n.actual_rows = number(s);
      if (!eat(s, " loops=")) return false;
      n.actual_loops = number(s);
      n.never_executed = n.actual_loops == 0;
      if (!eat(s, ")")) return false;
    } else if (eat(s, "(never executed)")) {
      n.has_actuals = true;
      n.never_executed = true;
      *analyzed = true;
    } else {
      return s.empty();
    }
  }
  return true;
}

// "a, b DESC, (sum(x))" → items, split at commas outside parentheses and quotes.
std::vector<std::string> items(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' || c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.emplace_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (start < s.size()) out.emplace_back(trim(s.substr(start)));
  return out;
}

// "shared hit=5 read=3 dirtied=1 written=2, local hit=1, temp read=4 written=5".
void read_buffers(std::string_view s, Buffers& b) {
  for (const std::string& part : items(s)) {
    std::string_view p = part;
    bool shared = eat(p, "shared "), local = !shared && eat(p, "local "),
         temp = !shared && !local && eat(p, "temp ");
    while (!p.empty()) {
      size_t eq = p.find('=');
      if (eq == std::string_view::npos) break;
      std::string_view key = trim(p.substr(0, eq));
      p.remove_prefix(eq + 1);
      int64_t v = integer(p);
      eat(p, " ");
      if (shared && key == "hit") b.shared_hit = v;
      if (shared && key == "read") b.shared_read = v;
      if (shared && key == "dirtied") b.shared_dirtied = v;
      if (shared && key == "written") b.shared_written = v;
      if (local && key == "hit") b.local_hit = v;
      if (local && key == "read") b.local_read = v;
      if (temp && key == "read") b.temp_read = v;
      if (temp && key == "written") b.temp_written = v;
    }
  }
}

// "Memory: 25kB" / "Disk: 5640kB" / "Memory Usage: 9kB" → kB (EXPLAIN always writes kB).
int64_t kilobytes(std::string_view s) { return integer(s); }

// Values after "Key: " on one line with more pairs separated by two spaces
// ("Buckets: 1024  Batches: 1  Memory Usage: 9kB").
template <typename F>
void for_each_pair(std::string_view line, F&& f) {
  while (!line.empty()) {
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) return;
    std::string_view key = trim(line.substr(0, colon));
    line.remove_prefix(colon + 2);
    size_t next = line.find("  ");
    std::string_view value = line.substr(0, next);
    f(key, value);
    if (next == std::string_view::npos) return;
    line.remove_prefix(next + 2);
  }
}

void read_property(std::string_view key, std::string_view value, std::string_view line,
                   PlanNode& n) {
  std::string_view v = value;
  if (key == "Filter")
    n.filter = value;
  else if (key == "Index Cond")
    n.index_cond = value;
  else if (key == "Recheck Cond")
    n.recheck_cond = value;
  else if (key == "Join Filter")
    n.join_filter = value;
  else if (key == "Hash Cond")
    n.hash_cond = value;
  else if (key == "Merge Cond")
    n.merge_cond = value;
  else if (key == "Sort Key")
    n.sort_keys = items(value);
  else if (key == "Group Key")
    n.group_keys = items(value);
  else if (key == "Rows Removed by Filter")
    n.rows_removed_by_filter = number(v);
  else if (key == "Rows Removed by Join Filter")
    n.rows_removed_by_join_filter = number(v);
  else if (key == "Rows Removed by Index Recheck")
    n.rows_removed_by_index_recheck = number(v);
  else if (key == "Heap Fetches")
    n.heap_fetches = integer(v);
  else if (key == "Workers Planned")
    n.workers_planned = static_cast<int>(integer(v));
  else if (key == "Workers Launched")
    n.workers_launched = static_cast<int>(integer(v));
  else if (key == "Buffers")
    read_buffers(value, n.buffers);
  else if (key == "Heap Blocks") {
    std::string_view p = value;
    while (!p.empty()) {
      size_t eq = p.find('=');
      if (eq == std::string_view::npos) break;
      std::string_view k = trim(p.substr(0, eq));
      p.remove_prefix(eq + 1);
      int64_t x = integer(p);
      eat(p, " ");
      if (k == "exact") n.exact_heap_blocks = x;
      if (k == "lossy") n.lossy_heap_blocks = x;
    }
  } else if (key == "Sort Method" || key == "Buckets" || key == "Batches") {
    // "Sort Method: quicksort  Memory: 25kB", "Buckets: 4096 (originally 1024)  Batches: 4
    // (originally 1)  Memory Usage: 9kB", "Batches: 1  Memory Usage: 24kB  Disk Usage: 0kB".
    bool hash = key == "Buckets";
    for_each_pair(line, [&](std::string_view k, std::string_view val) {
      std::string_view x = val;
      if (k == "Sort Method") n.sort_method = val;
      if (k == "Memory" || k == "Disk") {
        n.sort_space_type = k;
        n.sort_space_kb = kilobytes(x);
      }
      if (k == "Buckets") n.hash_buckets = integer(x);
      if (k == "Batches") {
        int64_t batches = integer(x);
        if (hash) {
          n.hash_batches = batches;
          n.original_hash_batches = batches;
          std::string_view orig = x;
          if (eat(orig, " (originally ")) n.original_hash_batches = integer(orig);
        } else {
          n.hashagg_batches = batches;
        }
      }
      if (k == "Memory Usage") n.peak_memory_kb = kilobytes(x);
      if (k == "Disk Usage") n.disk_usage_kb = kilobytes(x);
    });
  }
}

struct Open {
  size_t arrow;  // column of the node's "->" (the root: none)
  int id;
};

}  // namespace

Plan parse_postgres_text_plan(std::string_view text) {
  TextPlanLines lines = split_text_plan(text);
  if (!lines.found_tree) {
    throw Error(ErrorKind::kInput,
                "no plan node line (\"Seq Scan on t  (cost=…)\"): expected EXPLAIN's text output");
  }
  Plan plan;
  plan.engine = Engine::kPostgres;
  plan.query_text = lines.query_text;
  std::vector<Open> open;
  std::string label;  // "SubPlan 1", "InitPlan 1 (returns $0)", "CTE x": names the next node
  size_t label_column = 0;
  bool jit = false;
  for (size_t i = lines.tree_begin; i < lines.lines.size(); ++i) {
    std::string_view raw = lines.lines[i];
    while (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    size_t column = raw.find_first_not_of(' ');
    if (column == std::string_view::npos) continue;
    std::string_view line = raw.substr(column);
    bool root = plan.nodes.empty();
    bool arrow = starts_with(line, "->  ");
    if (arrow && column <= lines.tree_column) {
      throw Error(ErrorKind::kInput,
                  fmt::format("line {} of the plan: a node left of the root", i + 1));
    }
    if (column <= lines.tree_column && !root &&
        !arrow) {  // after the tree: Planning Time, Execution Time, JIT, Settings
      jit = line == "JIT:";
      for_each_pair(line, [&](std::string_view key, std::string_view value) {
        std::string_view v = value;
        if (key == "Planning Time") plan.planning_ms = number(v);
        if (key == "Execution Time") plan.execution_ms = number(v);
        if (key == "Settings") {
          for (const std::string& s : items(value)) {
            size_t eq = s.find(" = ");
            if (eq != std::string::npos)
              plan.settings.emplace_back(s.substr(0, eq), s.substr(eq + 3));
          }
        }
      });
      continue;
    }
    if (jit) {  // "  Functions: 4", "  Timing: Generation 0.5 ms, …, Total 3.2 ms"
      std::string_view v = line;
      if (eat(v, "Functions: ")) plan.jit_functions = integer(v);
      if (eat(v, "Timing: ")) {
        size_t total = v.find("Total ");
        if (total != std::string_view::npos) {
          std::string_view t = v.substr(total + 6);
          plan.jit_ms = number(t);
        }
      }
      continue;
    }
    if (root || arrow) {
      if (arrow) {
        while (!open.empty() && open.back().arrow != std::string_view::npos &&
               open.back().arrow >= column)
          open.pop_back();
        if (open.empty()) {
          throw Error(ErrorKind::kInput,
                      fmt::format("line {} of the plan: a node outside the tree: '{}'", i + 1,
                                  line.substr(0, 80)));
        }
        line.remove_prefix(4);
      }
      if (open.size() >= 500) throw Error(ErrorKind::kInput, "plan nested deeper than 500 nodes");
      int id = static_cast<int>(plan.nodes.size());
      plan.nodes.emplace_back();
      PlanNode& n = plan.nodes.back();
      n.id = id;
      if (!open.empty()) {
        PlanNode& parent = plan.nodes[static_cast<size_t>(open.back().id)];
        n.parent = parent.id;
        n.depth = parent.depth + 1;
        if (!label.empty() && column > label_column) {
          n.subplan_name = label;
          n.parent_relationship = starts_with(label, "SubPlan") ? "SubPlan" : "InitPlan";
        } else if (parent.node_type == "Append" || parent.node_type == "Merge Append" ||
                   parent.node_type == "BitmapAnd" || parent.node_type == "BitmapOr") {
          n.parent_relationship = "Member";
        } else if (parent.node_type == "Subquery Scan") {
          n.parent_relationship = "Subquery";
        } else {
          bool inner = false;
          for (int c : parent.children) {
            const std::string& r = plan.nodes[static_cast<size_t>(c)].parent_relationship;
            inner |= r == "Outer";
          }
          n.parent_relationship = inner ? "Inner" : "Outer";
        }
        label.clear();
        parent.children.push_back(id);
      }
      size_t end = text_plan_label_end(line);
      std::string_view name = line.substr(0, end);
      if (name.empty() ||
          !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
        throw Error(ErrorKind::kInput, fmt::format("line {} of the plan: not a node name: '{}'",
                                                   i + 1, name.substr(0, 80)));
      }
      // A label above the node names it over a CTE Scan's CTE, as "Subplan Name" does over
      // "CTE Name" in the JSON format.
      std::string from_label = n.subplan_name;
      read_label(name, n);
      if (!from_label.empty()) n.subplan_name = from_label;
      if (end != std::string_view::npos && !read_measures(line.substr(end), n, &plan.analyzed)) {
        throw Error(ErrorKind::kInput, fmt::format("line {} of the plan: cannot read '{}'", i + 1,
                                                   line.substr(end, 120)));
      }
      open.push_back(Open{arrow ? column : std::string_view::npos, id});
      continue;
    }
    // A property or a label of the innermost open node whose arrow is left of it.
    while (open.size() > 1 && open.back().arrow >= column) open.pop_back();
    PlanNode& owner = plan.nodes[static_cast<size_t>(open.back().id)];
    if ((starts_with(line, "SubPlan ") || starts_with(line, "InitPlan ") ||
         starts_with(line, "CTE ")) &&
        line.find(": ") == std::string_view::npos) {
      label = line;
      label_column = column;
      continue;
    }
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    read_property(line.substr(0, colon), line.substr(colon + 2), line, owner);
  }
  derive_metrics(plan);
  return plan;
}

std::optional<std::string> postgres_text_plan_query_text(std::string_view text) {
  TextPlanLines lines = split_text_plan(text);
  if (!lines.found_tree || !lines.has_query_text || lines.query_text.empty()) return std::nullopt;
  return lines.query_text;
}

}  // namespace querylens::plan
