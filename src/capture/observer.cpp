#include "querylens/capture/observer.h"

#include <algorithm>

#include "querylens/core/error.h"

namespace querylens {

void EventHub::add(std::shared_ptr<QueryObserver> observer) {
  if (!observer) return;
  std::lock_guard lock(mutex_);
  size_t used = used_.load(std::memory_order_relaxed);
  size_t slot = used;
  for (size_t i = 0; i < used; ++i) {
    if (slots_[i].load(std::memory_order_relaxed) == nullptr) {
      slot = i;
      break;
    }
  }
  if (slot == kMaxObservers) {
    throw Error(ErrorKind::kUsage, "too many query observers (at most 16)");
  }
  slots_[slot].store(observer.get(), std::memory_order_release);
  if (slot == used) used_.store(used + 1, std::memory_order_release);
  active_.fetch_add(1, std::memory_order_acq_rel);
  owned_.push_back(std::move(observer));
}

void EventHub::remove(const QueryObserver* observer) {
  std::lock_guard lock(mutex_);
  size_t used = used_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used; ++i) {
    if (slots_[i].load(std::memory_order_relaxed) == observer) {
      slots_[i].store(nullptr, std::memory_order_release);
      active_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

}  // namespace querylens
