// A blocking client for set-up and readiness checks of a db.* server (not for the timed load, which
// probes/db_load.cpp drives with its own non-blocking connections).
#pragma once

#include <string>

#include "engine/os.hpp"
#include "probes/db/wire.hpp"

namespace ctxbench::db {

// Logs in as `user` on the unix socket, runs statements; throws ProbeError (OS, timeout) or WireError.
class BlockingClient {
 public:
  BlockingClient(const std::string& socket, Protocol p, const std::string& user, const std::string& database,
                 int timeout_ms);
  void run(const std::string& sql);

 private:
  void exchange(const std::string& out, WireState& s);
  Protocol protocol_;
  int timeout_ms_;
  UniqueFd fd_;
};

}  // namespace ctxbench::db
