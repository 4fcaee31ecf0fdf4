// A contract of many clauses, each a definition and a payment: what scenario_bench compiles and
// runs at 1 000 and 10 000 clauses, and what the API tests count the allocations of.
#pragma once

#include <string>

namespace utfall::test_support {

inline std::string many_clauses_contract(int clauses) {
  std::string s =
      "contract \"Generated\"\ncurrency SEK\nparty kommun \"Kommunen\"\nparty fonden \"Fonden\"\nperiods yearly 2025 .. 2029\n"
      "input kostnad : SEK per period\nterm baslinje = 200_000_000 SEK\nterm andel = 30 %\nterm tak = 1_000_000 SEK\n";
  for (int k = 1; k <= clauses; ++k) {
    const std::string n = std::to_string(k);
    s += "clause \"" + n + "\" \"Klausul " + n + "\" {\n  let d" + n + " = max(baslinje - kostnad * " + std::to_string(k % 9 + 1) +
         " / 10, 0 SEK)\n  pay p" + n + ": kommun -> fonden\n    amount min(d" + n + " * andel, tak)\n    rounded half_even to 0.01\n"
         "    when d" + n + " > 0 SEK\n    capped at 500_000 SEK per period\n}\n";
  }
  return s;
}

}  // namespace utfall::test_support
