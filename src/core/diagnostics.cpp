#include "querylens/core/diagnostics.h"

namespace querylens {

std::string Diagnostic::to_string() const {
  return where.known() ? where.to_string() + ": " + message : message;
}

void Diagnostics::report(SourceLocation where, std::string message) {
  std::lock_guard lock(mutex_);
  ++count_;
  if (kept_.size() < keep_) kept_.push_back(Diagnostic{std::move(where), std::move(message)});
}

void Diagnostics::absorb(const Diagnostics& part, int64_t line_offset) {
  std::vector<Diagnostic> kept = part.kept();
  uint64_t count = part.count();
  std::lock_guard lock(mutex_);
  count_ += count;
  for (Diagnostic& d : kept) {
    if (kept_.size() >= keep_) break;
    if (d.where.line > 0) d.where.line += line_offset;
    kept_.push_back(std::move(d));
  }
}

uint64_t Diagnostics::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

std::vector<Diagnostic> Diagnostics::kept() const {
  std::lock_guard lock(mutex_);
  return kept_;
}

}  // namespace querylens
