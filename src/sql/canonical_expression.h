// Internal: the canonical form of one parse-tree node (see querylens/sql/canonical_expression.h).
#pragma once

#include <simdjson.h>

#include <string>

namespace querylens::sql {

// "" when the node is nested too deeply to compare.
std::string canonical_expression(simdjson::dom::element node);

}  // namespace querylens::sql
