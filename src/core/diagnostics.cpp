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

uint64_t Diagnostics::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

std::vector<Diagnostic> Diagnostics::kept() const {
  std::lock_guard lock(mutex_);
  return kept_;
}

}  // namespace querylens
