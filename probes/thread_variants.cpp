// Thread creation variants: pthread_create+join by stack size, std::thread, and the create-to-first-
// instruction latency (how long after pthread_create is called the new thread runs its first line).
#include <pthread.h>

#include <cstring>
#include <string>
#include <thread>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

extern "C" void* empty_body(void*) { return nullptr; }

// The first thing the new thread does: read the clock into the slot it was given.
extern "C" void* stamp_body(void* slot) {
  static_cast<std::atomic<std::uint64_t>*>(slot)->store(now_ns(), std::memory_order_release);
  return nullptr;
}

std::string stack_text(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

// Self-timed: one value per created thread, the new thread's first clock read minus the creator's read
// just before pthread_create.
class FirstInstruction final : public Session {
 public:
  FirstInstruction() : caller_(this_task()) {}
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    const StopSignalsBlocked blocked;  // created threads inherit it (see make_thread_spawning_loop_session)
    for (std::uint64_t i = 0; i < n; ++i) {
      std::atomic<std::uint64_t> slot{0};
      pthread_t t;
      const std::uint64_t before = now_ns();
      int rc = pthread_create(&t, nullptr, stamp_body, &slot);
      if (rc != 0) throw ProbeError(std::string("pthread_create: ") + std::strerror(rc));
      rc = pthread_join(t, nullptr);
      if (rc != 0) throw ProbeError(std::string("pthread_join: ") + std::strerror(rc));
      own_.push_back(static_cast<double>(slot.load(std::memory_order_acquire) - before));
    }
  }
  std::vector<TaskId> tasks() const override { return {caller_}; }
  std::vector<double>* own_samples() override { return &own_; }

 private:
  TaskId caller_;
  std::vector<double> own_;
};

}  // namespace

void add_thread_variants_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (std::size_t bytes : {std::size_t{16} << 10, std::size_t{64} << 10, std::size_t{256} << 10, std::size_t{1} << 20,
                            std::size_t{8} << 20}) {
    ProbeInfo info;
    info.name = "thread.create_join/stack:" + std::to_string(bytes);
    info.explainable = true;
    info.family = "thread";
    info.params = {{"stack", std::to_string(bytes)}};
    info.op = "pthread_create() of an empty thread with a " + stack_text(bytes) +
              " stack (pthread_attr_setstacksize), then pthread_join() (glibc reuses freed stacks of the "
              "same size from its cache, so the mmap is rarely in the op)";
    info.where.kinds = kCreationPlacements;
    info.suites = {"thread"};
    table.push_back(std::make_unique<SimpleProbe>(std::move(info), [bytes](const Placement&) {
      auto attr = std::shared_ptr<pthread_attr_t>(new pthread_attr_t, [](pthread_attr_t* a) {
        pthread_attr_destroy(a);
        delete a;
      });
      pthread_attr_init(attr.get());
      const int rc = pthread_attr_setstacksize(attr.get(), bytes);
      if (rc != 0) throw ProbeSkip("pthread_attr_setstacksize(" + std::to_string(bytes) + "): " + std::strerror(rc));
      return make_thread_spawning_loop_session([attr] {
        throw_if_stopped();
        pthread_t t;
        int r = pthread_create(&t, attr.get(), empty_body, nullptr);
        if (r != 0) throw ProbeError(std::string("pthread_create: ") + std::strerror(r));
        r = pthread_join(t, nullptr);
        if (r != 0) throw ProbeError(std::string("pthread_join: ") + std::strerror(r));
      });
    }));
  }
  {
    ProbeInfo info;
    info.name = "thread.std_thread";
    info.explainable = true;
    info.family = "thread";
    info.op =
        "std::thread of an empty lambda, then join() (pthread_create + join plus the heap-allocated "
        "state object std::thread carries)";
    info.where.kinds = kCreationPlacements;
    info.suites = {"thread"};
    table.push_back(std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) {
      return make_thread_spawning_loop_session([] {
        throw_if_stopped();
        std::thread t([] {});
        t.join();
      });
    }));
  }
  ProbeInfo info;
  info.name = "thread.first_instruction";
  info.explain_why_not =
      "its sample ends at the new thread's own clock read, which no kernel event marks (the thread is in user "
      "space by then); thread.create_join's breakdown covers the same creation";
  info.family = "thread";
  info.op =
      "create-to-first-instruction latency: CLOCK_MONOTONIC read by the new thread as its first action "
      "minus the creator's read just before pthread_create() (default attributes; the thread is "
      "joined after each sample)";
  info.where.kinds = kCreationPlacements;
  info.suites = {"default", "thread"};
  table.push_back(std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) -> std::unique_ptr<Session> {
    return std::make_unique<FirstInstruction>();
  }));
}

}  // namespace ctxbench
