// Fuzz target: the parser alone. Any bytes as a contract file, and as a single expression
// (what `utfall eval` and `--set` parse). The parser's hand-written expression reader is held
// to the grammar's rules: with it and without it, the same tree (to every position) and the
// same diagnostics (interpreter/parse_expr.hpp).
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/fuzz/parse_outcome.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto source = std::make_shared<Source>(Source{"fuzz.utfall", text});
  auto contract = parse_contract(source);
  fuzz::check_diagnostics(contract.diagnostics);
  if (!contract.contract && !has_errors(contract.diagnostics)) fuzz::finding("no contract and no error");
  ParseOptions rules_only;
  rules_only.expression_reader = false;
  if (testing::parse_outcome(contract) != testing::parse_outcome(parse_contract(source, rules_only)))
    fuzz::finding("the expression reader and the grammar's rules read the text differently");
  auto expression = parse_expression(std::make_shared<Source>(Source{"<expression>", text}));
  fuzz::check_diagnostics(expression.diagnostics);
  if (!expression.expr && !has_errors(expression.diagnostics)) fuzz::finding("no expression and no error");
  return 0;
}
