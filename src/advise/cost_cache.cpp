// The evaluation cache: a query's cost depends only on the indexes of the tables it touches.
#include <algorithm>

#include "querylens/advise/whatif.h"

namespace querylens::advise {

const Evaluation& CostCache::evaluate(size_t query_id, const WorkloadQuery& query,
                                      const std::vector<const IndexDef*>& set) {
  std::vector<const IndexDef*> relevant;
  for (const IndexDef* index : set) {
    if (query.tables.count(lower(index->table))) relevant.push_back(index);
  }
  std::sort(relevant.begin(), relevant.end(),
            [](const IndexDef* a, const IndexDef* b) { return a->key() < b->key(); });
  std::string key = std::to_string(query_id);
  for (const IndexDef* index : relevant) key += "|" + index->key();
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    ++hits_;
    return it->second;
  }
  std::vector<IndexDef> hypothetical;
  for (const IndexDef* index : relevant) hypothetical.push_back(*index);
  ++calls_;
  return cache_.emplace(key, whatif_.evaluate(query, hypothetical)).first->second;
}

int64_t CostCache::size(const IndexDef& index) {
  const std::string key = index.key();
  auto it = sizes_.find(key);
  if (it != sizes_.end()) return it->second;
  return sizes_[key] = whatif_.estimated_size(index);
}

}  // namespace querylens::advise
