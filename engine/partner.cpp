#include "engine/partner.hpp"

#include <unistd.h>

#include <utility>

namespace ctxbench {

Partner Partner::start(bool process, int cpu, std::function<int()> body, std::function<void()> on_stop,
                       std::function<void()> in_child) {
  Partner p;
  if (process) {
    p.child_ = Child::spawn(
        [&body, &in_child] {
          if (in_child) in_child();
          return body();
        },
        cpu);
  } else {
    p.thread_ = PartnerThread([body = std::move(body)] { body(); }, std::move(on_stop), cpu);
  }
  return p;
}

std::function<void()> Partner::closing(std::vector<int> caller_fds) {
  return [fds = std::move(caller_fds)] {
    for (int fd : fds) ::close(fd);
  };
}

TaskId Partner::task() const {
  if (is_process()) return TaskId{child_.pid(), child_.pid()};
  return TaskId{::getpid(), thread_.tid()};
}

void Partner::stop() noexcept {
  thread_.stop_and_join();
  child_.kill_and_reap();
}

}  // namespace ctxbench
