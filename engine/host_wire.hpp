// What the measuring process (probe_host.hpp) sends its owner over a pipe: each finished repetition as
// soon as it ends, then one closing message. A small binary framing of plain data, encoded and decoded
// by pure functions (tests/measuring_process_test.cpp, HostWire), so nothing about it depends on the pipe.
//
// Frame: u32 payload length, u8 kind, payload. Numbers are in the host's byte order (both ends are the
// same binary build on the same machine).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "engine/run_result.hpp"

namespace ctxbench {

// A frame that does not parse: the measuring process is broken (the owner fails the record).
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The closing message: everything of a ProbeRun but its repetitions.
struct HostEnd {
  ProbeRun run;  // repetitions empty
};
// The probe stopped because of SIGINT/SIGTERM: the owner stops the whole run.
struct HostInterrupted {
  int signal = 0;
};
using HostMessage = std::variant<RepetitionRun, HostEnd, HostInterrupted>;

std::string encode_repetition(const RepetitionRun& rep);
std::string encode_end(const ProbeRun& run);  // run.repetitions are not sent
std::string encode_interrupted(int signal);

// Takes one whole frame off the front of `buffer` when it holds one (erasing it), nullopt when more bytes
// are needed. Throws WireError on a frame that cannot be valid.
std::optional<HostMessage> take_message(std::string& buffer);

}  // namespace ctxbench
