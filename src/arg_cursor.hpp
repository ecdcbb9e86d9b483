// One command-line argument at a time, "--flag VALUE" and "--flag=VALUE" alike (docs/inputs.md): the
// one cursor of ctxbench's, `compare`'s and `history`'s parsers, so the three read flags the same way.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "src/options.hpp"

namespace ctxbench {

class ArgCursor {
 public:
  // Starts before args[first]: call next() to reach it.
  ArgCursor(const std::vector<std::string>& args, std::size_t first) : args_(args), next_(first) {}

  // Moves to the next argument; false when none is left.
  bool next() {
    if (next_ >= args_.size()) return false;
    raw_ = args_[next_++];
    flag_ = raw_;
    inline_value_.reset();
    if (flag_.rfind("--", 0) == 0) {
      const auto eq = flag_.find('=');
      if (eq != std::string::npos) {
        inline_value_ = flag_.substr(eq + 1);
        flag_ = flag_.substr(0, eq);
      }
    }
    return true;
  }
  // The argument without its "=VALUE"; the argument as given.
  const std::string& flag() const { return flag_; }
  const std::string& raw() const { return raw_; }
  // The flag's value: after '=' or the next argument (consumed). Throws UsageError naming the flag.
  std::string value() {
    if (inline_value_) return *inline_value_;
    if (next_ >= args_.size()) throw UsageError(fmt::format("{} needs a value", flag_));
    return args_[next_++];
  }
  // For flags without a value: "--quick=yes" is an error, not a silent yes.
  void no_value() const {
    if (inline_value_) throw UsageError(fmt::format("{} takes no value", flag_));
  }

 private:
  const std::vector<std::string>& args_;
  std::size_t next_;
  std::string raw_, flag_;
  std::optional<std::string> inline_value_;
};

}  // namespace ctxbench
