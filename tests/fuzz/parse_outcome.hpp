// A parse as one text, for comparing two parses of one source: every diagnostic with its code,
// message and place, then the tree with every position (dump_ast). Used by the fuzz target of
// the parser and the tests of the expression reader (interpreter/parse_expr.hpp).
#pragma once

#include <string>

#include "interpreter/format.hpp"
#include "interpreter/parse.hpp"

namespace utfall::testing {

inline std::string parse_outcome(const ParseResult& parsed) {
  std::string out;
  for (const auto& d : parsed.diagnostics) {
    out += d.code + " " + d.message;
    if (d.range)
      out += " @" + std::to_string(d.range->begin.offset) + ":" + std::to_string(d.range->begin.line) + ":" +
             std::to_string(d.range->begin.column) + "-" + std::to_string(d.range->end_offset);
    out += "\n";
  }
  if (parsed.contract) out += dump_ast(*parsed.contract, true);
  return out;
}

}  // namespace utfall::testing
