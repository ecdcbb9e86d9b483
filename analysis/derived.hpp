// Figures computed from measured records, never measured directly, and labelled so (docs/METHODOLOGY.md).
//
// Every derivation has the form  value = (FROM - 2 * SELF) / 2  where SELF is the median of a one-task
// record (or 0 when the derivation has none): the per-switch cost of lmbench lat_ctx / Li, Ding & Shen
// (2007) — a round trip holds two switches and two write+read pairs — and the one-way time of a
// symmetric round trip.
#pragma once

#include <string>
#include <vector>

#include "analysis/record.hpp"

namespace ctxbench {

struct Derivation {
  std::string name;  // name of the derived record
  std::string family;
  std::string op;           // what one derived op is, saying it is derived
  std::string from;         // probe whose samples are transformed (every placement it has)
  std::string minus_twice;  // one-task probe subtracted twice, or empty
  Measure measure;          // what one derived value is
};

const std::vector<Derivation>& derivation_registry();

// Derived records for every derivation whose inputs are present and ok in `measured`, one per placement
// of `from`. Sample-wise: each FROM sample x becomes (x - 2 * median(SELF)) / 2.
std::vector<Record> derive_records(const std::vector<Record>& measured);
// True when derive_records needs this record's raw samples (it is the `from` of a derivation).
bool feeds_derivation(const Record& record);

// The record a derived record's figure moves with by construction, by record id, so that the two count as one
// hypothesis of the false discovery rate (analysis/history_analysis.cpp): a derivation's `from` with the same
// parameters and placement ("ctxswitch.pipe.thread.per_switch/same-cpu" -> "ctxswitch.pipe.thread/same-cpu",
// "ctxswitch.ws.process.per_switch/ws:1048576/same-cpu" -> "ctxswitch.ws.process/ws:1048576/same-cpu"); for
// process.fork_rss.ns_per_mib, the process.fork_rss step of its placement with the most resident MiB among
// `record_ids` (the slope is (y_max - y_0) / R_max over two steps, and the largest step's fork dominates it).
// Not its SELF record (ipc.pipe.self): one SELF serves eight pipe records, and joining it would make their
// whole mechanism one hypothesis. "" when record_id is not derived, or no step of it is among record_ids.
std::string derived_base_id(const std::string& record_id, const std::vector<std::string>& record_ids);

// `measured` with every derived record inserted right after the last record of the probe it comes from,
// so tables and files read "round trip, then what it implies".
std::vector<Record> with_derived(std::vector<Record> measured);
// The same order, without copying: pointers into `measured` and `derived` (derive_records(measured)).
std::vector<const Record*> interleave_derived(const std::vector<Record>& measured, const std::vector<Record>& derived);

}  // namespace ctxbench
