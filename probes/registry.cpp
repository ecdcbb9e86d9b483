// The ONE table of every probe. Order is run order and --list order: baselines and ipc.pipe.self come
// first because the derived per-switch figure of the ctxswitch probes subtracts ipc.pipe.self.
#include "probes/registry.hpp"

#include "probes/families.hpp"

namespace ctxbench {

ProbeTable build_probe_table(const ProbeTableConfig& config) {
  ProbeTable t;
  t.push_back(make_baseline_clock());              // baseline.clock
  t.push_back(make_baseline_syscall());            // baseline.syscall
  t.push_back(make_ipc_pipe_self());               // ipc.pipe.self
  t.push_back(make_ctxswitch_pipe_process());      // ctxswitch.pipe.process
  t.push_back(make_ctxswitch_pipe_thread());       // ctxswitch.pipe.thread
  t.push_back(make_ctxswitch_futex_process());     // ctxswitch.futex.process
  t.push_back(make_ctxswitch_futex_thread());      // ctxswitch.futex.thread
  add_ctxswitch_ws_probes(t);                      // ctxswitch.ws.{self,process}/ws:W
  add_ctxswitch_ring_probes(t);                    // ctxswitch.ring/tasks:N, ctxswitch.yield.*
  t.push_back(make_process_fork_exit());           // process.fork_exit
  t.push_back(make_process_fork_exec_static());    // process.fork_exec.static
  t.push_back(make_process_fork_exec_bin_true());  // process.fork_exec.bin_true
  t.push_back(make_process_posix_spawn());         // process.posix_spawn
  t.push_back(make_process_posix_spawn_bin_true());  // process.posix_spawn.bin_true
  add_process_variant_probes(t);                   // vfork/clone exec, dynamic helper, sh -c, fork_rss
  t.push_back(make_thread_create_join());          // thread.create_join
  add_thread_variant_probes(t);                    // thread.create_join/stack:S, std_thread, first_instruction
  t.push_back(make_shm_pingpong());                // shm.pingpong
  add_shm_c2c_probes(t);                           // shm.c2c/cpu_a:I/cpu_b:J
  t.push_back(make_shm_ring(false));               // shm.ring.spin
  t.push_back(make_shm_ring(true));                // shm.ring.futex
  add_wakeup_probes(t);                            // wakeup.timer[.fifo]
  add_bandwidth_probes(t);                         // bw.<medium>/size:N
  add_ipc_latency_probes(t);                       // ipc.<mechanism>.<process|thread>[.one_way][/size:N]
  add_server_probes(t, config.sweep);              // server.<model>.<scenario>/connections:C/work_ns:W
  add_db_probes(t);                                // db.<server>.<model>.<scenario>/connections:C
  // Probes that hang or crash on purpose, for the watchdog and kill-matrix tests only.
#ifdef CTXBENCH_HAS_TEST_PROBES
  if (config.test_probes)
    for (auto& p : make_test_probes()) t.push_back(std::move(p));
#endif
  return t;
}

const Probe* find_probe(const ProbeTable& table, const std::string& name) {
  for (const auto& p : table)
    if (p->info().name == name) return p.get();
  return nullptr;
}

}  // namespace ctxbench
