// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex: the run id of a stored result file (its
// content hash, so the same file added twice is stored once) and the machine fingerprint. Pure.
#pragma once

#include <string>
#include <string_view>

namespace ctxbench {

std::string sha256_hex(std::string_view bytes);

}  // namespace ctxbench
