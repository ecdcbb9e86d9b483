// thread.create_join: the thread counterpart of process.fork_exit — the whole life of a thread that
// does nothing, so the two can be compared directly.
#include <pthread.h>

#include <cstring>
#include <string>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

extern "C" void* empty_thread(void*) { return nullptr; }

}  // namespace

static std::unique_ptr<Probe> make_thread_create_join() {
  ProbeInfo info;
  info.name = "thread.create_join";
  info.explainable = true;
  info.family = "thread";
  info.op =
      "pthread_create() of a thread (default attributes) running an empty function, then "
      "pthread_join() it";
  info.where.kinds = kCreationPlacements;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) {
    return make_thread_spawning_loop_session([] {
      throw_if_stopped();
      pthread_t t;
      // Raw pthreads, not std::thread: no heap-allocated state object inside the op.
      int rc = pthread_create(&t, nullptr, empty_thread, nullptr);
      if (rc != 0) throw ProbeError(std::string("pthread_create: ") + std::strerror(rc));
      rc = pthread_join(t, nullptr);
      if (rc != 0) throw ProbeError(std::string("pthread_join: ") + std::strerror(rc));
    });
  });
}

void add_thread_probes(ProbeTable& table, const ProbeTableConfig&) { table.push_back(make_thread_create_join()); }

}  // namespace ctxbench
