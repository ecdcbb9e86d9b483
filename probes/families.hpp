// Factories of every probe, one block per family file. registry.cpp puts them in ONE ordered table;
// nothing registers itself, so the table is the complete list.
#pragma once

#include <memory>
#include <vector>

#include "probes/probe.hpp"

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

// test_probes.cpp: test.hang.*, test.crash.* (misbehave on purpose; only with CTXBENCH_TEST_PROBES=1)
std::vector<std::unique_ptr<Probe>> make_test_probes();

}  // namespace ctxbench
