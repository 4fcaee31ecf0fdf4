// Fuzz target: the parser alone. Any bytes as a contract file, and as a single expression
// (what `utfall eval` and `--set` parse).
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto contract = parse_contract(std::make_shared<Source>(Source{"fuzz.utfall", text}));
  fuzz::check_diagnostics(contract.diagnostics);
  if (!contract.contract && !has_errors(contract.diagnostics)) fuzz::finding("no contract and no error");
  auto expression = parse_expression(std::make_shared<Source>(Source{"<expression>", text}));
  fuzz::check_diagnostics(expression.diagnostics);
  if (!expression.expr && !has_errors(expression.diagnostics)) fuzz::finding("no expression and no error");
  return 0;
}
