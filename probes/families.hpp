// Factories of every probe, one block per family file. registry.cpp puts them in ONE ordered table;
// nothing registers itself, so the table is the complete list.
#pragma once

#include <memory>
#include <vector>

#include "probes/probe.hpp"
#include "probes/registry.hpp"

namespace ctxbench {

// baseline.cpp
std::unique_ptr<Probe> make_baseline_clock();    // baseline.clock
std::unique_ptr<Probe> make_baseline_syscall();  // baseline.syscall

// ipc_pipe.cpp
std::unique_ptr<Probe> make_ipc_pipe_self();  // ipc.pipe.self

// ctxswitch_pipe.cpp
std::unique_ptr<Probe> make_ctxswitch_pipe_process();  // ctxswitch.pipe.process
std::unique_ptr<Probe> make_ctxswitch_pipe_thread();   // ctxswitch.pipe.thread

// ctxswitch_futex.cpp
std::unique_ptr<Probe> make_ctxswitch_futex_process();  // ctxswitch.futex.process
std::unique_ptr<Probe> make_ctxswitch_futex_thread();   // ctxswitch.futex.thread

// process.cpp
std::unique_ptr<Probe> make_process_fork_exit();           // process.fork_exit
std::unique_ptr<Probe> make_process_fork_exec_static();    // process.fork_exec.static
std::unique_ptr<Probe> make_process_fork_exec_bin_true();  // process.fork_exec.bin_true
std::unique_ptr<Probe> make_process_posix_spawn();           // process.posix_spawn
std::unique_ptr<Probe> make_process_posix_spawn_bin_true();  // process.posix_spawn.bin_true

// thread.cpp
std::unique_ptr<Probe> make_thread_create_join();  // thread.create_join

// shm.cpp
std::unique_ptr<Probe> make_shm_pingpong();  // shm.pingpong

// ipc_latency.cpp: ipc.<mechanism>.<process|thread>[.one_way][/size:N] (every mechanism and size)
void add_ipc_latency_probes(std::vector<std::unique_ptr<Probe>>& table);

// shm_c2c.cpp: shm.c2c/cpu_a:I/cpu_b:J for every pair of CPUs in the affinity mask
void add_shm_c2c_probes(std::vector<std::unique_ptr<Probe>>& table);

// shm_ring.cpp: shm.ring.spin (futex = false), shm.ring.futex (futex = true)
std::unique_ptr<Probe> make_shm_ring(bool futex);

// ctxswitch_ws.cpp: ctxswitch.ws.self/ws:W and ctxswitch.ws.process/ws:W (working-set sweep)
void add_ctxswitch_ws_probes(std::vector<std::unique_ptr<Probe>>& table);

// ctxswitch_ring.cpp: ctxswitch.ring/tasks:N, ctxswitch.yield.{thread,process}[.fifo]
void add_ctxswitch_ring_probes(std::vector<std::unique_ptr<Probe>>& table);

// process_variants.cpp: process.vfork_exec.static, process.clone_vm_vfork_exec.static,
// process.fork_exec.dynamic, process.sh_c, process.fork_rss/rss_mib:R
void add_process_variant_probes(std::vector<std::unique_ptr<Probe>>& table);

// thread_variants.cpp: thread.create_join/stack:S, thread.std_thread, thread.first_instruction
void add_thread_variant_probes(std::vector<std::unique_ptr<Probe>>& table);

// wakeup.cpp: wakeup.timer, wakeup.timer.fifo
void add_wakeup_probes(std::vector<std::unique_ptr<Probe>>& table);

// bandwidth.cpp: bw.<pipe|unix_stream|shm_ring>/size:N (unit B/s)
void add_bandwidth_probes(std::vector<std::unique_ptr<Probe>>& table);
// server_load.cpp: server.<model>.<persistent|per_request>/connections:C/work_ns:W (connection models)
void add_server_probes(std::vector<std::unique_ptr<Probe>>& table, const ServerSweep& sweep);

// db_load.cpp: db.<server>.<model>.<persistent|per_request>/connections:C (real PostgreSQL, PgBouncer,
// MariaDB servers; suite db only)
void add_db_probes(std::vector<std::unique_ptr<Probe>>& table);

// test_probes.cpp: test.hang.*, test.crash.* (misbehave on purpose; only in a CTXBENCH_TEST_PROBES build)
std::vector<std::unique_ptr<Probe>> make_test_probes();

}  // namespace ctxbench
