// libFuzzer target for the Sigma condition parser alone (faster than through YAML): any text
// over a fixed set of identifiers parses or fails with a message; what parses evaluates.
#include <cstddef>
#include <cstdint>
#include <string>

#include "correlator/engine/condition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> ids = {"selection", "selection_img", "filter",
                                               "filter_main_x", "_private", "keywords"};
  std::string text(reinterpret_cast<const char*>(data), size);
  auto condition = tripline::correlator::engine::Condition::Parse({text}, ids);
  if (!condition.ok()) return 0;
  (void)condition->Evaluate([&](int i) { return (i + static_cast<int>(size)) % 3 == 0; });
  (void)condition->DebugString(ids);
  return 0;
}
