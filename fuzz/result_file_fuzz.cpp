// libFuzzer target: the result-file loader `ctxbench compare` reads user files with. Any outcome but a
// loaded file or CompareInputError (another exception, a crash, a sanitizer report, a hang) is a bug. A
// file that loads is then compared with itself and rendered, as compare would do with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/compare.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<ctxbench::ResultFile> files = {ctxbench::load_result_file("fuzz.json", text),
                                                     ctxbench::load_result_file("fuzz2.json", text)};
    const ctxbench::CompareSettings settings;
    const std::vector<ctxbench::Comparison> comparisons = {ctxbench::compare_files(files[0], files[1], settings)};
    (void)ctxbench::format_comparisons(files, comparisons, settings);
    (void)ctxbench::comparisons_to_json(files, comparisons, settings).dump();
  } catch (const ctxbench::CompareInputError&) {
    // bad input, reported to the user naming the file: the expected outcome for most inputs
  }
  return 0;
}
