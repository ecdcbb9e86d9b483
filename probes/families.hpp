// The adder of every probe family file. registry.cpp lists them in ONE ordered table; nothing registers
// itself, so the table is the complete list.
#pragma once

#include <memory>
#include <vector>

#include "engine/probe.hpp"
#include "probes/registry.hpp"

namespace ctxbench {

// Every family file exports one adder of this shape, which appends its probes to the table in their run
// order; the config carries what the command line chose (server sweep, test probes).
using FamilyAdder = void (*)(ProbeTable& table, const ProbeTableConfig& config);

void add_baseline_probes(ProbeTable&, const ProbeTableConfig&);        // baseline.{clock,syscall}
void add_ipc_pipe_probes(ProbeTable&, const ProbeTableConfig&);        // ipc.pipe.self
void add_ctxswitch_pipe_probes(ProbeTable&, const ProbeTableConfig&);  // ctxswitch.pipe.{process,thread}
// ctxswitch.futex.{process,thread}, ctxswitch.futex_waitv.{process,thread} (the futex2 wait)
void add_ctxswitch_futex_probes(ProbeTable&, const ProbeTableConfig&);
// ctxswitch.{eventfd,eventfd_epoll,pipe_epoll}.{process,thread}: blocking read and epoll_wait hand-offs
void add_ctxswitch_epoll_probes(ProbeTable&, const ProbeTableConfig&);
// ctxswitch.{eventfd_uring,pipe_uring,msg_ring}.{process,thread}: io_uring hand-offs (a build with liburing)
void add_ctxswitch_uring_probes(ProbeTable&, const ProbeTableConfig&);
// ctxswitch.ws.self/ws:W and ctxswitch.ws.process/ws:W (working-set sweep)
void add_ctxswitch_ws_probes(ProbeTable&, const ProbeTableConfig&);
// ctxswitch.ring/tasks:N, ctxswitch.yield.{thread,process}[.fifo]
void add_ctxswitch_ring_probes(ProbeTable&, const ProbeTableConfig&);
// ctxswitch.pairs[.futex]/pairs:N: N ping-pong pairs of threads at once, N = 1 ... 4 x CPUs
void add_ctxswitch_pairs_probes(ProbeTable&, const ProbeTableConfig&);
// process.fork_exit, process.fork_exec.{static,bin_true}, process.posix_spawn[.bin_true]
// ctxswitch.futex_{wake,wake_all,requeue,lock_pi}/waiters:N: N futex waiters woken, requeued, or contending
// for a PI lock (perf bench futex's four), N = 1 ... 4 x CPUs
void add_futex_contention_probes(ProbeTable&, const ProbeTableConfig&);
void add_process_probes(ProbeTable&, const ProbeTableConfig&);
// process.vfork_exec.static, process.clone_vm_vfork_exec.static, process.fork_exec.dynamic, process.sh_c,
// process.fork_rss/rss_mib:R
void add_process_variants_probes(ProbeTable&, const ProbeTableConfig&);
void add_thread_probes(ProbeTable&, const ProbeTableConfig&);  // thread.create_join
// thread.create_join/stack:S, thread.std_thread, thread.first_instruction
void add_thread_variants_probes(ProbeTable&, const ProbeTableConfig&);
void add_shm_probes(ProbeTable&, const ProbeTableConfig&);        // shm.pingpong
void add_shm_c2c_probes(ProbeTable&, const ProbeTableConfig&);    // shm.c2c/cpu_a:I/cpu_b:J, every CPU pair
void add_shm_ring_probes(ProbeTable&, const ProbeTableConfig&);   // shm.ring.{spin,futex}
void add_wakeup_probes(ProbeTable&, const ProbeTableConfig&);     // wakeup.timer, wakeup.timer.fifo
void add_bandwidth_probes(ProbeTable&, const ProbeTableConfig&);  // bw.<pipe|unix_stream|shm_ring>/size:N (B/s)
// ipc.<mechanism>.<process|thread>[.one_way][/size:N] (every mechanism of the table in ipc_channels.cpp)
void add_ipc_latency_probes(ProbeTable&, const ProbeTableConfig&);
// server.<model>.<persistent|per_request>/connections:C/work_ns:W (connection models; config.sweep)
void add_server_load_probes(ProbeTable&, const ProbeTableConfig&);
// db.<server>.<model>.<persistent|per_request>/connections:C (real PostgreSQL, PgBouncer, MariaDB; suite db)
void add_db_load_probes(ProbeTable&, const ProbeTableConfig&);
// test.hang.*, test.crash.*, test.noop (misbehave on purpose; only in a CTXBENCH_TEST_PROBES build, and
// only when config.test_probes)
void add_test_probes(ProbeTable&, const ProbeTableConfig&);

}  // namespace ctxbench
