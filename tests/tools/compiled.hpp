// Contracts compiled for unit tests: from a source text, or from a file under the source tree.
// A contract that does not check stops the test, with the checker's messages shown.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "interpreter/pipeline.hpp"

namespace utfall::test_support {

inline std::shared_ptr<const checked::Contract> checked_or_stop(const Compiled& r) {
  std::string messages;
  for (const auto& d : r.diagnostics) messages += d.code + " " + d.message + "\n";
  INFO(messages);
  REQUIRE(r.contract);
  return r.contract;
}

inline std::shared_ptr<const checked::Contract> compiled_text(const std::string& text, const std::string& name = "t.utfall") {
  return checked_or_stop(compile(std::make_shared<Source>(Source{name, text})));
}

// `path` relative to the source tree: "examples/c-tfco/contract.utfall".
inline std::shared_ptr<const checked::Contract> compiled_file(const std::string& path) {
  return checked_or_stop(compile_file(std::string(UTFALL_SOURCE_DIR) + "/" + path));
}

}  // namespace utfall::test_support
