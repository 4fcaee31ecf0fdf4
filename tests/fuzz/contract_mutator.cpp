// libFuzzer hooks for the targets that take a contract (fuzz_check, fuzz_run): one mutation in
// three is a semantic one from contract_mutator.hpp (move a declaration or item, exchange two
// names of a kind, duplicate a clause, change a unit), the rest are libFuzzer's own byte
// mutations (LLVMFuzzerMutate, which also uses the -dict keywords). The cross-over inserts a
// declaration or item of one input into another. Both are deterministic given libFuzzer's seed
// and never write more than MaxSize bytes. A custom mutator turns libFuzzer's -len_control off
// by default, letting inputs grow to -max_len at once; run.sh passes -len_control=100 (the
// usual default) to keep them growing slowly. See docs/fuzzing.md.
#include <cstring>

#include "tests/fuzz/contract_mutator.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

std::size_t put(const std::string& out, std::uint8_t* data, std::size_t max_size) {
  if (out.empty() || out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  using namespace utfall::fuzz::mutator;
  Rng rng{seed};
  if (rng.chance(1, 3)) {
    auto [contract, rest] = split_data(std::string_view(reinterpret_cast<const char*>(data), size));
    if (auto out = mutate_contract(contract, rng)) {
      *out += rest;
      if (auto n = put(*out, data, max_size)) return n;
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned int seed) {
  using namespace utfall::fuzz::mutator;
  Rng rng{seed};
  // libFuzzer picks this as often as the mutator above; declining (0) three times in four lets
  // it pick another, so that a cross-over is about one mutation in eight.
  if (!rng.chance(1, 4)) return 0;
  auto [into, rest] = split_data(std::string_view(reinterpret_cast<const char*>(data1), size1));
  auto [from, _] = split_data(std::string_view(reinterpret_cast<const char*>(data2), size2));
  auto crossed = cross_over(into, from, rng);
  if (!crossed) return 0;
  *crossed += rest;
  return put(*crossed, out, max_out_size);
}
