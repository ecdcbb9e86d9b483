// Interleaved repetitions (docs/METHODOLOGY.md, "Interleaving"): the run goes round the plan once per
// repetition, each probe taking one repetition per round in a fresh measuring process, so a host state
// that lasts seconds hits every probe alike instead of all repetitions of one probe. This file merges one
// round's ProbeRun into the probe's total; it formats nothing and reads no clock.
#pragma once

#include "engine/run_result.hpp"

namespace ctxbench {

// Appends `round`'s repetitions to `total` and weights the switch tallies by the ops each side timed.
// A round that did not end ok (skipped, failed) replaces the status and reason: the probe stops there.
// Wall time adds up; resident sets keep the first start and the largest peak.
void add_round(ProbeRun& total, ProbeRun&& round, bool first);

}  // namespace ctxbench
