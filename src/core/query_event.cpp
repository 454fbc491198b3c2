#include "querylens/core/query_event.h"

#include <fmt/format.h>

namespace querylens {

std::string QueryShape::fingerprint_hex() const { return fmt::format("{:016x}", fingerprint); }

OwnedQueryEvent::OwnedQueryEvent(const QueryEvent& e)
    : sql(e.sql),
      start_us(e.start_us),
      duration_ns(e.duration_ns),
      rows(e.rows),
      error(e.error),
      session(e.session),
      transaction_id(e.transaction_id),
      tags(e.tags ? *e.tags : Tags{}),
      shape(e.shape) {}

QueryEvent OwnedQueryEvent::view() const {
  QueryEvent e;
  e.sql = sql;
  e.start_us = start_us;
  e.duration_ns = duration_ns;
  e.rows = rows;
  e.error = error;
  e.session = session;
  e.transaction_id = transaction_id;
  e.tags = tags.empty() ? nullptr : &tags;
  e.shape = shape;
  return e;
}

}  // namespace querylens
