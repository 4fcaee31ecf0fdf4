// number_probe: a line-oriented window onto utfall::Number for differential tests.
//
// Reads one request per line from stdin and prints one line per request:
//   add A B | sub A B | mul A B | div A B   -> the exact result as "n/d" (or "n")
//   cmp A B                                 -> -1, 0 or 1
//   round A STEP MODE                       -> the rounded value as "n/d" (or "n")
//   parse TEXT                              -> parse_decimal(TEXT) as "n/d", or "invalid"
//   str A                                   -> A.to_string()
//   fixed A PLACES                          -> A.to_fixed(PLACES), or "inexact"
// A, B and STEP are "n/d" or decimal literals (Number::parse_exact). An ArithmeticError
// prints "error"; an unreadable request prints "bad request".
#include <iostream>
#include <sstream>
#include <string>

#include "interpreter/number.hpp"

namespace {

using utfall::Number;

Number operand(const std::string& text) {
  auto n = Number::parse_exact(text);
  if (!n) throw std::invalid_argument("bad operand");
  return *n;
}

std::string answer(const std::string& line) {
  std::istringstream in(line);
  std::string op, a, b, c;
  in >> op >> a >> b >> c;
  if (op == "add") return (operand(a) + operand(b)).to_fraction_string();
  if (op == "sub") return (operand(a) - operand(b)).to_fraction_string();
  if (op == "mul") return (operand(a) * operand(b)).to_fraction_string();
  if (op == "div") return (operand(a) / operand(b)).to_fraction_string();
  if (op == "cmp") {
    const auto order = operand(a) <=> operand(b);
    return order < 0 ? "-1" : (order > 0 ? "1" : "0");
  }
  if (op == "round") {
    const auto mode = utfall::rounding_mode_from_name(c);
    if (!mode) throw std::invalid_argument("bad mode");
    return operand(a).round(operand(b), *mode).to_fraction_string();
  }
  if (op == "parse") {
    const auto n = Number::parse_decimal(a);
    return n ? n->to_fraction_string() : "invalid";
  }
  if (op == "str") return operand(a).to_string();
  if (op == "fixed") return operand(a).to_fixed(std::stoi(b)).value_or("inexact");
  throw std::invalid_argument("bad op");
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    try {
      std::cout << answer(line) << '\n';
    } catch (const utfall::ArithmeticError&) {
      std::cout << "error\n";
    } catch (const std::exception&) {
      std::cout << "bad request\n";
    }
  }
  return 0;
}
