#include "engine/pm_qos.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace ctxbench {

PmQosHold::PmQosHold(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    reason_ = path + ": " + std::strerror(errno) + (errno == EACCES ? " (root only)" : "");
    return;
  }
  const std::int32_t zero = 0;
  ssize_t n;
  do {
    n = ::write(fd, &zero, sizeof zero);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof zero)) {
    reason_ = path + ": writing 0 failed (" + (n < 0 ? std::strerror(errno) : "short write") + ")";
    ::close(fd);
    return;
  }
  fd_ = fd;
}

PmQosHold::~PmQosHold() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ctxbench
