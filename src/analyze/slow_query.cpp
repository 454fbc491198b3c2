#include "analyze/slow_query.h"

#include <fmt/format.h>

namespace querylens::analyze {

static double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void SlowQueryAnalyzer::analyze(const AnalysisInput& input, std::vector<Finding>& out) {
  const stats::Digest& digest = input.digest;
  const AnalyzeOptions& o = input.options;
  for (const stats::ShapeStats* s : digest.ranked(stats::RankBy::kTotal)) {
    if (s->timed_calls == 0) continue;
    // Aggregates (pg_stat_statements) have no distribution: their mean stands in for the p95.
    int64_t p95 = s->has_distribution() ? s->latency.quantile(0.95) : s->mean_ns();
    double share = digest.total_ns() > 0
                       ? static_cast<double>(s->total_ns) / static_cast<double>(digest.total_ns())
                       : 0;
    bool slow = p95 > o.slow_p95_ns;
    bool heavy = share >= o.heavy_share && s->calls >= o.heavy_min_calls;
    if (!slow && !heavy) continue;
    Finding f;
    f.rule = "slow-query";
    // Ten times over the threshold is an outage in the making; a heavy but fast shape is a
    // target for caching or batching rather than an emergency.
    f.severity = p95 > 10 * o.slow_p95_ns ? Severity::kHigh
                 : slow                   ? Severity::kMedium
                                          : Severity::kLow;
    const char* measure = s->has_distribution() ? "p95" : "mean";
    f.title = slow ? fmt::format("{} {:.1f} ms over {:.0f} ms", measure, ms(p95), ms(o.slow_p95_ns))
                   : fmt::format("{:.0f}% of all query time", share * 100);
    std::string quantiles =
        s->has_distribution()
            ? fmt::format("p95 {:.2f} ms, p99 {:.2f} ms, ", ms(p95), ms(s->latency.quantile(0.99)))
            : std::string("no latency distribution (aggregated source), ");
    f.detail = fmt::format(
        "{} calls, total {:.1f} ms ({:.1f}% of all query time), mean {:.2f} ms, {}max {:.2f} ms: "
        "{}",
        s->calls, ms(s->total_ns), share * 100, ms(s->mean_ns()), quantiles, ms(s->max_ns),
        s->shape->normalized);
    f.fingerprints.push_back(s->shape->fingerprint_hex());
    f.recommendation =
        slow
            ? "Look at its plan (querylens explain) for scans, sorts and misestimates; an index on "
              "its filter and ordering columns is the usual fix."
            : "It runs often: cache its result, batch the calls, or make each call cheaper.";
    out.push_back(std::move(f));
  }
}

}  // namespace querylens::analyze
