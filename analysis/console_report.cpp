#include "analysis/console_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "analysis/console_tail.hpp"

namespace ctxbench {

std::string format_duration_ns(double ns) {
  if (!std::isfinite(ns)) return "-";
  const double a = std::fabs(ns);
  auto three = [](double v, const char* unit) {
    const double av = std::fabs(v);
    if (av >= 100) return fmt::format("{:.0f} {}", v, unit);
    if (av >= 10) return fmt::format("{:.1f} {}", v, unit);
    return fmt::format("{:.2f} {}", v, unit);
  };
  if (a >= 1e9) return three(ns / 1e9, "s");
  if (a >= 1e6) return three(ns / 1e6, "ms");
  if (a >= 1e3) return three(ns / 1e3, "us");
  return three(ns, "ns");
}

namespace {

std::string placement_cell(const Record& r) {
  if (r.placement.kind == PlacementKind::None) return r.keep_awake ? "- +awake" : "-";
  std::string cell = placement_kind_name(r.placement.kind);
  if (r.placement.cpu_a >= 0 && r.placement.cpu_b >= 0 && r.placement.cpu_a != r.placement.cpu_b)
    cell += fmt::format(" ({},{})", r.placement.cpu_a, r.placement.cpu_b);
  else if (r.placement.cpu_a >= 0)
    cell += fmt::format(" ({})", r.placement.cpu_a);
  if (r.keep_awake) cell += " +awake";
  return cell;
}

// The server line (or the pairs line): throughput and what one request cost the server (analysis/session_metrics.hpp).
std::string metrics_line(const Record& r) {
  if (r.metrics.empty()) return "";
  auto get = [&r](const char* name) -> double {
    for (const auto& [k, v] : r.metrics)
      if (k == name) return v;
    return -1;
  };
  if (get("handoffs_per_second") >= 0)  // ctxswitch.pairs: every pair's hand-offs over the window
    return fmt::format(
        "    {:.0f} {}: {:.0f} hand-offs/s, {} per round trip, {:.2f} switches per round trip; "
        "CPUs idle {:.0f}%\n",
        get("pairs"), get("pairs") == 1 ? "pair" : "pairs, all", get("handoffs_per_second"),
        format_duration_ns(get("round_trip_ns_all_pairs")), get("switches_per_round_trip_all_pairs"),
        100 * get("cpu_idle_share"));
  std::string out =
      fmt::format("    {:.0f} req/s; server per request: {} CPU, {:.2f} switches", get("requests_per_second"),
                  format_duration_ns(get("server_cpu_ns_per_request")), get("server_switches_per_request"));
  if (get("rss_bytes_per_connection") >= 0)
    out += fmt::format("; per connection: RSS {:.0f} KiB, PSS {:.0f} KiB", get("rss_bytes_per_connection") / 1024,
                       get("pss_bytes_per_connection") / 1024);
  return out + "\n";
}

// "ran on" line of an unpinned record: where each task was seen, as shares of the samples.
std::string observed_line(const Record& r) {
  if (r.placement.kind != PlacementKind::Unpinned || r.observed_cpus.size() < 2) return "";
  std::string out = "    ran on:";
  for (const ObservedTask& t : r.observed_cpus) {
    std::size_t n = 0;
    for (const CpuCount& c : t.cpus) n += c.samples;
    out += fmt::format(" {} ", t.task);
    bool first = true;
    for (const CpuCount& c : t.cpus) {
      out +=
          fmt::format("{}{} {:.0f}%", first ? "" : ", ", c.cpu < 0 ? std::string("cpu?") : fmt::format("cpu{}", c.cpu),
                      n ? 100.0 * static_cast<double>(c.samples) / static_cast<double>(n) : 0.0);
      first = false;
    }
    out += ";";
  }
  // Bimodal groups as data beside where the tasks ran (the warning may be said once for the run).
  if (r.bimodal)
    for (const PlacementGroup& g : r.placement_groups)
      out += fmt::format(" {} {:.0f}% at {};", g.name, 100 * g.share, format_duration_ns(g.median_ns));
  out.back() = '\n';
  return out;
}

// The keep-awake row beside its twin without spinners: the difference is the idle-state exit.
std::string keep_awake_line(const Record& r, const std::vector<Record>& all) {
  if (!r.keep_awake || r.status != RunStatus::Ok) return "";
  for (const Record& o : all) {
    if (o.keep_awake || o.status != RunStatus::Ok || o.probe != r.probe || o.placement.kind != r.placement.kind)
      continue;
    const double diff = o.stats.p50 - r.stats.p50;
    // Slower with spinners: no idle exit was saved, and an IPI to a running vCPU can cost more than one to an
    // idle vCPU that polls before it halts (results/README.md, "Where the time went").
    if (diff <= 0)
      return fmt::format(
          "    keep-awake: p50 {} with idle spinners vs {} without: {} ({:.0f}%) slower with the CPUs kept busy, "
          "so no idle-exit cost to save here (--explain times the IPI to a busy and to an idle CPU)\n",
          format_duration_ns(r.stats.p50), format_duration_ns(o.stats.p50), format_duration_ns(-diff),
          o.stats.p50 > 0 ? -100.0 * diff / o.stats.p50 : 0.0);
    return fmt::format(
        "    keep-awake: p50 {} with idle spinners vs {} without: {} ({:.0f}%) is the cost of "
        "waking a CPU out of its idle state\n",
        format_duration_ns(r.stats.p50), format_duration_ns(o.stats.p50), format_duration_ns(diff),
        o.stats.p50 > 0 ? 100.0 * diff / o.stats.p50 : 0.0);
  }
  return "";
}

// --explain: "where the time went", one line per phase under the row.
std::string explain_block(const Record& r) {
  if (!r.explain) return "";
  const Explanation& x = *r.explain;
  if (x.status == ExplainStatus::Skipped || x.status == ExplainStatus::Failed || x.status == ExplainStatus::NoOps ||
      x.status == ExplainStatus::LostEvents)
    return fmt::format("    where the time went: {} ({})\n", explain_status_name(x.status), x.reason);
  std::string out = fmt::format(
      "    where the time went ({} traced ops, median {} traced vs {} untraced; phases add up to {:.0f}% of it):\n",
      x.ops, format_duration_ns(x.traced_median_ns), format_duration_ns(x.untraced_median_ns),
      x.explained_fraction * 100);
  // Phases on the path of under 1% of the ops and under 0.5% of the time are counted, not listed (the
  // JSON has them all).
  int rare = 0;
  double rare_share = 0;
  for (const PhaseSummary& p : x.phases) {
    if (p.present < 0.01 && p.share < 0.005) {
      ++rare;
      rare_share += p.share;
      continue;
    }
    out += fmt::format("      {:>9} {:>9}  {:>4.0f}%  {}{}\n", format_duration_ns(p.median_ns),
                       format_duration_ns(p.p99_ns), p.share * 100, p.phase,
                       p.present < 0.95 ? fmt::format(" (in {:.0f}% of ops)", p.present * 100) : "");
  }
  if (rare > 0)
    out += fmt::format("      {} rarer phases (each in under 1% of ops): {:.1f}% of the op together\n", rare,
                       rare_share * 100);
  out += "      (median, p99, share of the mean op)\n";
  if (x.faults > 0)
    out += fmt::format("      page faults per op: {:.1f} in user space, {:.1f} in the kernel ({} of {} timed)\n",
                       x.user_faults_per_op, x.kernel_faults_per_op, x.faults_timed, x.faults);
  if (x.status == ExplainStatus::Incomplete) out += fmt::format("      incomplete: {}\n", x.reason);
  if (x.tail) out += explain_tail_block(*x.tail);
  return out;
}

std::string switches_cell(const Record& r) {
  if (!r.switches_per_op) return "";
  if (r.expected_switches_per_op && r.expected_switches_are_sleeps && r.voluntary_switches_per_op)
    return fmt::format("{:.2f} ({:.2f} sleeps, exp {:g})", *r.switches_per_op, *r.voluntary_switches_per_op,
                       *r.expected_switches_per_op);
  if (r.expected_switches_per_op)
    return fmt::format("{:.2f} (exp {:g})", *r.switches_per_op, *r.expected_switches_per_op);
  return fmt::format("{:.2f}", *r.switches_per_op);
}

std::string status_cell(const Record& r) {
  if (r.status == RunStatus::Ok) return r.derived ? "ok (derived)" : "ok";
  return status_name(r.status) + ": " + r.reason;
}

// A rate in SI units (stress-ng and dd report MB/s the same way).
std::string format_rate(double bytes_per_second) {
  if (!std::isfinite(bytes_per_second)) return "-";
  const double v = bytes_per_second;
  if (v >= 1e9) return fmt::format("{:.2f} GB/s", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.1f} MB/s", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f} kB/s", v / 1e3);
  return fmt::format("{:.0f} B/s", v);
}

// A figure of the record (ns per op) in its unit: time for ns (and ns per something), a rate for B/s.
std::string format_value(const Record& r, double ns) {
  return is_rate(r) ? format_rate(bytes_per_second(r, ns)) : format_duration_ns(ns);
}

constexpr const char* kRowFormat = "  {:<22} {:>10} {:>10} {:>11} {:>16}  {}\n";

}  // namespace

std::string format_table(const std::vector<Record>& records) {
  std::string out;
  std::string current;
  for (const Record& r : records) {
    if (r.probe != current) {
      current = r.probe;
      out += fmt::format("\n{}\n  op: {}\n", r.probe, r.op);
      if (r.unit != "ns") out += fmt::format("  unit: {}\n", r.unit);
      // For a rate the bad tail is the low end: show the slowest sample instead of p99.
      out += fmt::format(kRowFormat, "placement", "p50", is_rate(r) ? "min" : "p99", "rerun", "switches/op", "status");
    }
    if (r.status == RunStatus::Ok) {
      out += fmt::format(kRowFormat, placement_cell(r), format_value(r, r.stats.p50),
                         format_value(r, is_rate(r) ? r.stats.max : r.stats.p99),  // slowest op: lowest rate
                         rerun_cell(r.rerun), switches_cell(r), status_cell(r));
    } else {
      out += fmt::format(kRowFormat, placement_cell(r), "-", "-", "-", "", status_cell(r));
    }
    out += observed_line(r);
    out += metrics_line(r);
    out += keep_awake_line(r, records);
    out += explain_block(r);
    for (const Warning& w : r.warnings) out += fmt::format("    warning: {}\n", console_text(w));
  }
  out +=
      "\np50 is the headline (median of all timed samples); p99 the tail; rerun = how far a rerun's p50 is "
      "expected to move on this machine (95%, from the repetitions; docs/METHODOLOGY.md).\n";
  return out;
}

std::string format_progress(const Record& r, int index, int total) {
  const std::string value = r.status == RunStatus::Ok ? "p50 " + format_value(r, r.stats.p50) : status_cell(r);
  return fmt::format("[{:>2}/{}] {:<44} {}\n", index, total, r.id(), value);
}

std::string format_list(const std::vector<ListedProbe>& probes) {
  std::string out;
  for (const ListedProbe& p : probes) {
    std::string placements;
    for (const std::string& s : p.placements) {
      if (!placements.empty()) placements += ',';
      placements += s;
    }
    std::string suites;
    for (const std::string& s : p.info->suites) suites += s + ",";
    suites += "full";  // every probe is in the full suite
    out += fmt::format("{:<32} {:<10} [{}] suites: {}\n    {}\n", p.info->name, p.info->family,
                       placements.empty() ? "one task" : placements, suites, p.info->op);
  }
  return out;
}

}  // namespace ctxbench
