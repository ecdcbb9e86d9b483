// Where each task of a session ran: the runner samples this once per timed sample (never per op), so a
// record can say where its tasks actually were instead of where they were asked to be.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/probe.hpp"

namespace ctxbench {

// Field 39 ("processor": the CPU the task last ran on) of the text of /proc/<pid>/task/<tid>/stat, or
// -1 when the text is not a stat line. The command name may hold spaces and ')', so fields are counted
// from the LAST ')'.
int parse_stat_processor(const std::string& stat_text);

// Reads the last CPU of a fixed list of tasks. The calling thread is read with sched_getcpu() (a vDSO
// call); every other task through its stat file, opened once and re-read with pread at offset 0 (the
// kernel regenerates the text on every read), so one reading costs a few microseconds, outside the
// timed batches.
class TaskCpuReader {
 public:
  explicit TaskCpuReader(const std::vector<TaskId>& tasks);
  ~TaskCpuReader();
  TaskCpuReader(const TaskCpuReader&) = delete;
  TaskCpuReader& operator=(const TaskCpuReader&) = delete;
  std::size_t size() const { return fds_.size(); }
  // CPU of task i now, or -1 when the task is gone or the file unreadable.
  int cpu(std::size_t i) const;

 private:
  std::vector<int> fds_;  // -1 for the calling thread (sched_getcpu) or an unopenable file
  std::vector<bool> self_;
};

}  // namespace ctxbench
