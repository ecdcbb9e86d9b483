#include "analysis/console_tail.hpp"

#include <fmt/format.h>

#include "analysis/console_report.hpp"

namespace ctxbench {

namespace {

std::string cause_text(const TailCause& c) {
  if (c.kind == "task") {
    const char* klass = c.klass == "ours" ? "ours" : c.klass == "kernel_thread" ? "kernel thread" : "other process";
    return fmt::format("{} ran instead (pid {}, {})", c.name, c.pid, klass);
  }
  if (c.kind == "irq") return fmt::format("interrupt {}", c.name);
  if (c.kind == "softirq") return fmt::format("softirq {}", c.name);
  if (c.kind == "page_fault")
    return fmt::format("page faults in {} mode{}", c.name, c.ns == 0 ? " (counted, not timed)" : "");
  if (c.kind == "migration") return fmt::format("migrated {} (pid {})", c.name, c.pid);
  if (c.kind == "wakeup_wait") return "woken, waiting for an idle CPU to wake up";
  if (c.kind == "idle_exit")
    return fmt::format("the timer's CPU, halted in {}, left it late: the timer interrupt came after the timer was due",
                       c.name);
  if (c.kind == "silent") return "no event while our task ran, beyond the median ops' longest such stretch";
  return "not inside a named cause";
}

std::string percent(double q) { return fmt::format("{:g}%", q * 100); }

}  // namespace

std::string explain_tail_block(const TailExplanation& t) {
  std::string out =
      fmt::format("    the slowest {} ({} ops, mean {}) against the median ops (mean {}): {}{}, of which\n",
                  percent(t.quantile), t.ops_in_tail, format_duration_ns(t.tail_op_ns),
                  format_duration_ns(t.median_op_ns), t.excess_ns >= 0 ? "+" : "", format_duration_ns(t.excess_ns));
  // Causes of under 2% of the excess are left to the JSON; the unnamed rest, and faults and migrations in the
  // tail ops (counted even when they took no measurable time), are always shown.
  for (const TailCause& c : t.causes) {
    const bool counted = (c.kind == "migration" || c.kind == "page_fault") && c.count > 0;
    if (c.kind != "unnamed" && c.share < 0.02 && !counted) continue;
    out += fmt::format("      {:>9}  {:>4.0f}%  {}{}\n", format_duration_ns(c.ns), c.share * 100, cause_text(c),
                       c.count > 0 ? fmt::format(" x{}", c.count) : "");
  }
  std::string grew;
  for (const TailPhase& p : t.phases) {
    if (p.excess_ns <= 0 || (t.excess_ns > 0 && p.excess_ns < 0.05 * t.excess_ns) || grew.size() > 200) continue;
    grew += fmt::format("{}{} +{}", grew.empty() ? "" : "; ", p.phase, format_duration_ns(p.excess_ns));
  }
  if (!grew.empty()) out += fmt::format("      phases that grew: {}\n", grew);
  return out;
}

}  // namespace ctxbench
