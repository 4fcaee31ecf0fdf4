// Reading spreadsheet numbers (decimal_text.hpp).
#include "interpreter/decimal_text.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// The text with its group separators dropped and U+2212 made `-`, if the groups are well formed
// (digits before the decimal mark grouped by three); `mark_at` the position of the one `,` or `.`
// in the result, if any. None when the text is not a number of this shape.
struct Parts {
  std::string digits;  // sign, digits, at most one mark, digits
  std::size_t mark_at = std::string::npos;
  char mark = 0;
  std::size_t after = 0;  // digits after the mark
  bool grouped = false;
};

std::optional<Parts> parts(std::string_view text) {
  Parts p;
  std::size_t i = 0;
  auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
  if (starts("\xE2\x88\x92")) p.digits += '-', i += 3;  // U+2212 MINUS SIGN
  else if (starts("-")) p.digits += '-', i += 1;
  else if (starts("+")) i += 1;
  std::size_t group = 0, groups = 0;
  bool in_fraction = false;
  for (; i < text.size();) {
    const char c = text[i];
    std::size_t space = starts(" ") ? 1 : starts("\xC2\xA0") ? 2 : starts("\xE2\x80\xAF") ? 3 : 0;  // space, NBSP, NNBSP
    if (space) {
      if (in_fraction || group == 0 || (groups > 0 && group != 3) || group > 3) return std::nullopt;
      ++groups, group = 0, p.grouped = true, i += space;
      continue;
    }
    if (digit(c)) {
      p.digits += c, ++group, ++i;
      if (in_fraction) ++p.after;
      continue;
    }
    if ((c == ',' || c == '.') && !in_fraction && group > 0) {
      if (groups > 0 && group != 3) return std::nullopt;
      p.mark = c, p.mark_at = p.digits.size(), in_fraction = true, p.digits += '.', ++i;
      continue;
    }
    return std::nullopt;
  }
  if (group == 0 || (groups > 0 && !in_fraction && group != 3) || (in_fraction && p.after == 0)) return std::nullopt;
  return p;
}

std::string_view without_percent(std::string_view t) {
  if (!t.empty() && t.back() == '%') {
    t.remove_suffix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  }
  return t;
}

}  // namespace

DecimalMark shown_mark(std::string_view text) {
  auto p = parts(without_percent(text));
  if (!p || !p->mark || (p->after == 3 && !p->grouped)) return DecimalMark::unknown;
  return p->mark == ',' ? DecimalMark::comma : DecimalMark::point;
}

std::optional<std::string_view> plain_decimal(std::string_view text, DecimalMark mark, const std::string& evidence,
                                              std::string& error, std::string& storage) {
  auto shown = [&] { return excerpt(text); };  // for a message only: most cells read without one
  std::string_view body = without_percent(text);
  const std::string_view percent = text.substr(body.size());
  // No comma, no space, no U+2212: a decimal as the language writes it (`+13`, `1_000`, `0.5`),
  // left to the number reader, unless its point clashes with the file's decimal comma.
  // An ASCII body holds none of the three; most cells are ASCII, and need one pass.
  bool ascii = true, separator = false;
  for (char c : body) ascii &= static_cast<unsigned char>(c) < 0x80, separator |= c == ',' || c == ' ';
  const bool plain = !separator && (ascii || (body.find("\xC2\xA0") == std::string_view::npos &&
                                              body.find("\xE2\x80\xAF") == std::string_view::npos &&
                                              body.find("\xE2\x88\x92") == std::string_view::npos));
  if (plain && (mark != DecimalMark::comma || body.find('.') == std::string_view::npos)) return text;
  auto p = parts(body);
  if (!p) {
    error = fmt::format("`{}` is not a number (digits, spaces between groups of three, one decimal comma or point; no exponent)", shown());
    return std::nullopt;
  }
  auto result = [&](const std::string& digits) { return std::string_view(storage = digits + std::string(percent)); };
  if (!p->mark) return result(p->digits);
  const std::string as_decimal = p->digits;
  std::string as_thousands = p->digits;
  as_thousands.erase(p->mark_at, 1);
  const DecimalMark own = p->mark == ',' ? DecimalMark::comma : DecimalMark::point;
  // Fewer or more than three digits after the mark, or spaces grouping the thousands
  // (`1 234,567`): the mark can only be the decimal one.
  if (p->after != 3 || p->grouped) {
    if (mark != DecimalMark::unknown && own != mark) {
      error = fmt::format("`{}` has a decimal {}, but this file writes decimals with a {} ({})", shown(), p->mark == ',' ? "comma" : "point",
                          mark == DecimalMark::comma ? "comma" : "point", evidence);
      return std::nullopt;
    }
    return result(as_decimal);
  }
  if (own == mark || (own == DecimalMark::point && mark == DecimalMark::unknown)) return result(as_decimal);
  const bool comma = p->mark == ',';
  error = fmt::format("`{}` reads two ways: {} with a decimal {}, or {} with a thousands {}{}; {}", shown(), as_decimal, comma ? "comma" : "point",
                      as_thousands, comma ? "comma" : "point",
                      mark == DecimalMark::unknown ? " (the file shows no decimal mark elsewhere)"
                                                   : fmt::format(" (this file writes decimals with a {}: {})", mark == DecimalMark::comma ? "comma" : "point", evidence),
                      comma ? fmt::format("write `{}` for {}, or `{},{}0` for {}", as_thousands, as_thousands, as_decimal.substr(0, p->mark_at),
                                          as_decimal.substr(p->mark_at + 1), as_decimal)
                            : fmt::format("write `{}` for the thousands, or the decimals with a comma as the file does", as_thousands));
  return std::nullopt;
}

}  // namespace utfall
