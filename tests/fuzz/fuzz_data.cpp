// Fuzz target: the data readers and binding, against the fixed example contracts.
//
// Input: one byte that picks an example contract (examples/*/contract.utfall, compiled once)
// and the format (even: CSV, odd: JSON), then the data file's text. The data is read, bound
// to the contract and evaluated. Seeds: tests/fuzz/corpus/fuzz_data/. A CSV text is also read
// with libcsv reading every line, which must give the same table or the same message as the
// reader that splits plain lines by hand (CsvLines).
#include <algorithm>
#include <filesystem>

#include "tests/fuzz/fuzz_support.hpp"
#include "tests/tools/csv_both_ways.hpp"

namespace {

std::vector<std::shared_ptr<const utfall::checked::Contract>> load_examples() {
  // Sorted so that the byte -> contract mapping is the same on every machine.
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(UTFALL_SOURCE_DIR "/examples"))
    if (std::filesystem::exists(entry.path() / "contract.utfall")) paths.push_back(entry.path() / "contract.utfall");
  std::sort(paths.begin(), paths.end());
  std::vector<std::shared_ptr<const utfall::checked::Contract>> out;
  for (const auto& p : paths) {
    auto compiled = utfall::compile_file(p.string());
    if (!compiled.contract) utfall::fuzz::finding("an example contract does not compile: " + p.string(), compiled.diagnostics);
    out.push_back(compiled.contract);
  }
  if (out.empty()) utfall::fuzz::finding("no example contracts under " UTFALL_SOURCE_DIR "/examples");
  return out;
}

void same_as_libcsv(std::string_view text) {
  const auto both = utfall::testing::read_csv_both_ways(text);
  if (!both.difference.empty()) utfall::fuzz::finding("reading plain CSV lines by hand and libcsv differ: " + both.difference);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace utfall;
  static const auto contracts = load_examples();
  if (size == 0) return 0;
  const auto& contract = *contracts[(data[0] >> 1) % contracts.size()];
  std::string name = (data[0] & 1) ? "fuzz.json" : "fuzz.csv";
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!(data[0] & 1)) same_as_libcsv(text);
  Diagnostics problems;
  auto tables = fuzz::read_tables(name, text, problems);
  fuzz::check_diagnostics(problems);
  if (has_errors(problems)) return 0;
  fuzz::bind_and_evaluate(contract, tables);
  return 0;
}
