// The "Query Text" of a logged plan, without building the plan: simdjson on-demand reads the
// first keys and stops, so a shape's plans that are not kept cost a few microseconds, not
// the whole-tree parse (bench/plan_bench.cpp).
#include <simdjson.h>

#include "querylens/plan/parse.h"

namespace querylens::plan {

std::optional<std::string> postgres_plan_query_text(std::string_view json) {
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string padded;
  padded.assign(json);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::document doc;
  if (parser.iterate(padded.data(), json.size(), padded.size()).get(doc)) return std::nullopt;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  // auto_explain writes "Query Text" first; a plan without it (EXPLAIN's own output) has none.
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    if (key != "Query Text") continue;
    std::string_view text;
    if (field.value().get_string().get(text)) return std::nullopt;
    return std::string(text);
  }
  return std::nullopt;
}

}  // namespace querylens::plan
