// Fuzz target: parse + check, and the bounds of a contract that checks (`utfall bounds`). Any
// bytes as a contract file; also as an expression checked without a contract (`utfall eval`)
// and, when that parses and checks, evaluated.
#include "interpreter/bounds.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto compiled = compile(std::make_shared<Source>(Source{"fuzz.utfall", text}));
  fuzz::check_diagnostics(compiled.diagnostics);
  if (!compiled.contract && !has_errors(compiled.diagnostics)) fuzz::finding("no contract and no error");
  if (compiled.contract) {  // `utfall bounds` and `utfall export` read every contract that checks
    BoundsOptions options;
    options.limits = fuzz::fuzz_eval_options().limits;  // seconds at most, as an evaluation
    auto bounds = payment_bounds(*compiled.contract, options);
    fuzz::check_diagnostics(bounds.diagnostics);
    if (!bounds.ok && !has_errors(bounds.diagnostics)) fuzz::finding("no bounds and no error");
  }

  auto parsed = parse_expression(std::make_shared<Source>(Source{"<expression>", text}));
  if (!parsed.expr) return 0;
  auto checked = check_expression(*parsed.expr, nullptr);
  fuzz::check_diagnostics(checked.diagnostics);
  if (!checked.expr) return 0;
  checked::Contract empty;
  auto value = evaluate_expression(empty, Dataset{}, *checked.expr, -1, fuzz::fuzz_eval_options());
  fuzz::check_diagnostics(value.diagnostics);
  if (value.value) (void)format_value(empty, *value.value, checked.expr->type);
  return 0;
}
