// The ONE table of every probe. Order is run order and --list order: baselines and ipc.pipe.self come
// first because the derived per-switch figure of the ctxswitch probes subtracts ipc.pipe.self.
#include "probes/registry.hpp"

#include "probes/families.hpp"

namespace ctxbench {

namespace {

// One line per family file (probes/families.hpp), in run order.
constexpr FamilyAdder kFamilies[] = {
    add_baseline_probes,
    add_ipc_pipe_probes,
    add_ctxswitch_pipe_probes,
    add_ctxswitch_futex_probes,
    add_ctxswitch_ws_probes,
    add_ctxswitch_ring_probes,
    add_process_probes,
    add_process_variants_probes,
    add_thread_probes,
    add_thread_variants_probes,
    add_shm_probes,
    add_shm_c2c_probes,  // shm_c2c.cpp
    add_shm_ring_probes,
    add_wakeup_probes,
    add_bandwidth_probes,
    add_ipc_latency_probes,
    add_server_load_probes,
    add_db_load_probes,
#ifdef CTXBENCH_HAS_TEST_PROBES
    add_test_probes,  // test_probes.cpp: hang or crash on purpose, for the watchdog and kill-matrix tests
#endif
};

}  // namespace

ProbeTable build_probe_table(const ProbeTableConfig& config) {
  ProbeTable t;
  for (FamilyAdder add : kFamilies) add(t, config);
  return t;
}

const Probe* find_probe(const ProbeTable& table, const std::string& name) {
  for (const auto& p : table)
    if (p->info().name == name) return p.get();
  return nullptr;
}

}  // namespace ctxbench
