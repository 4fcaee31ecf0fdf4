// Fuzz target: parse + check + evaluate, contract and data fuzzed together.
//
// Input: a contract text, then optionally data files, each after a separator line
// `%%%% NAME` whose extension (.csv or .json) decides how the text after it is read, the way
// `utfall run CONTRACT --data NAME...` reads it. Seeds: tests/fuzz/corpus/fuzz_run/.
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view separator = "\n%%%% ";
  auto cut = input.find(separator);
  auto compiled = compile(std::make_shared<Source>(Source{"fuzz.utfall", std::string(input.substr(0, cut))}));
  fuzz::check_diagnostics(compiled.diagnostics);
  if (!compiled.contract) return 0;

  Diagnostics read_problems;
  std::vector<Table> tables;
  while (cut != std::string_view::npos) {
    auto name_begin = cut + separator.size();
    auto name_end = input.find('\n', name_begin);
    if (name_end == std::string_view::npos) break;
    std::string name(input.substr(name_begin, name_end - name_begin));
    cut = input.find(separator, name_end);
    auto text = input.substr(name_end + 1, cut == std::string_view::npos ? std::string_view::npos : cut - name_end - 1);
    for (auto& t : fuzz::read_tables(name, text, read_problems)) tables.push_back(std::move(t));
  }
  fuzz::check_diagnostics(read_problems);
  if (has_errors(read_problems)) return 0;
  fuzz::bind_and_evaluate(*compiled.contract, tables);
  return 0;
}
