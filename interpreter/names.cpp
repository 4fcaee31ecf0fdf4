#include "interpreter/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "interpreter/checked.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {

namespace {

std::vector<char32_t> code_points_of(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) out.push_back(next_code_point(text, i));
  return out;
}

// The characters of `a` worth naming beside `b`: where both have as many characters, those
// that differ; otherwise those outside ASCII. At most three, each with its 1-based place.
std::string differing(std::string_view a, std::string_view b) {
  auto x = code_points_of(a), y = code_points_of(b);
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < x.size(); ++i) {
    bool worth = x.size() == y.size() ? x[i] != y[i] : x[i] >= 0x80;
    if (!worth) continue;
    if (parts.size() == 3) {
      parts.push_back("…");
      break;
    }
    parts.push_back(fmt::format("{} at {}", describe_code_point(x[i]), i + 1));
  }
  return parts.empty() ? "" : fmt::format(" ({})", fmt::join(parts, ", "));
}

struct Spelling {
  std::string_view text;
  const SourceRange* range;
};

// One diagnostic per spelling whose skeleton an earlier, different spelling has, in the order
// of the spellings. `clause_numbers`: the spellings are clause numbers, not names (each has its
// own sentences).
//
// The skeletons are written one after another into one string and the spellings sorted by
// the hash of their skeleton, then the skeleton, then their place: the first of each run of
// equal skeletons is the earliest spelling with it. Neither a table nor a string per skeleton:
// some 30 000 spellings in a contract of 10 000 clauses, each an allocation and a keyed hash
// (text_hash.hpp) in a table. The hash here is a plain one: texts chosen to share it cost a
// comparison of their skeletons each, not a longer probe, so the sort stays O(n log n).
void compare(const std::vector<Spelling>& spellings, bool clause_numbers, const Skeletons& skeletons, Diagnostics& out) {
  std::string written;
  std::vector<std::size_t> ends;  // of each spelling's skeleton in `written`
  ends.reserve(spellings.size());
  for (const auto& s : spellings) {
    skeletons.append(s.text, written);
    ends.push_back(written.size());
  }
  const auto skeleton = [&](std::size_t i) {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(written).substr(begin, ends[i] - begin);
  };
  struct Key {
    std::size_t hash;
    std::size_t index;
  };
  std::vector<Key> order;
  order.reserve(spellings.size());
  for (std::size_t i = 0; i < spellings.size(); ++i) order.push_back({std::hash<std::string_view>{}(skeleton(i)), i});
  std::sort(order.begin(), order.end(), [&](const Key& a, const Key& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    const int c = skeleton(a.index).compare(skeleton(b.index));
    return c < 0 || (c == 0 && a.index < b.index);
  });
  std::vector<std::pair<std::size_t, std::size_t>> alike;  // (a later spelling, the first with its skeleton)
  for (std::size_t run = 0; run < order.size();) {
    const std::size_t first = order[run].index;
    std::size_t next = run + 1;
    for (; next < order.size() && order[next].hash == order[run].hash && skeleton(order[next].index) == skeleton(first); ++next)
      if (spellings[order[next].index].text != spellings[first].text) alike.emplace_back(order[next].index, first);
    run = next;
  }
  std::sort(alike.begin(), alike.end());
  for (const auto& [i, first_index] : alike) {
    const Spelling& earlier = spellings[first_index];
    const Spelling& later = spellings[i];
    std::size_t line = earlier.range->begin.line;
    std::size_t column = earlier.range->source ? display_column(*earlier.range->source, earlier.range->begin) : 0;
    Diagnostic d;
    d.kind = DiagKind::name;
    d.code = "E216";
    const std::string later_differs = differing(later.text, earlier.text), earlier_differs = differing(earlier.text, later.text);
    set_message(d, clause_numbers ? text("the clause number `{}`{} is confusable with the clause number `{}`{} first written at "
                                         "{}:{}: they look alike but are different clause numbers",
                                         later.text, later_differs, earlier.text, earlier_differs, line, column)
                                  : text("the name `{}`{} is confusable with the name `{}`{} first written at {}:{}: they look "
                                         "alike but are different names",
                                         later.text, later_differs, earlier.text, earlier_differs, line, column));
    d.range = *later.range;
    d.related.push_back(related_note(*earlier.range, text("`{}` is written here", earlier.text)));
    set_suggestion(d, clause_numbers
                          ? text("write every clause number in one spelling, and give different clause numbers different letters")
                          : text("write every name in one spelling, and give different names different letters"));
    out.push_back(std::move(d));
  }
}

}  // namespace

Text refused_character_text(char32_t c, bool clause_number) {
  std::string name = describe_code_point(c);
  if (is_bidi_control(c))
    return clause_number ? text("a clause number may not contain the bidirectional control {}: it changes the order in which "
                                "the text around it is shown", name)
                         : text("a name may not contain the bidirectional control {}: it changes the order in which the text "
                                "around it is shown", name);
  if (is_invisible(c))
    return clause_number ? text("a clause number may not contain the invisible character {}: two clause numbers that look the "
                                "same would differ", name)
                         : text("a name may not contain the invisible character {}: two names that look the same would differ",
                                name);
  if (is_control(c))
    return clause_number ? text("a clause number may not contain the control character {}", name)
                         : text("a name may not contain the control character {}", name);
  if (is_space(c)) return text("{} is not a space that separates words here: write a plain space", name);
  return clause_number ? text("{} cannot be part of a clause number: names are made of letters, digits and `_`", name)
                       : text("{} cannot be part of a name: names are made of letters, digits and `_`", name);
}

std::string refused_character(char32_t c, std::string_view what) {
  return refused_character_text(c, what == "a clause number").in(Language::en);
}

std::optional<std::size_t> first_not_in_name(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t at = i;
    char32_t c = next_code_point(text, i);
    if (!ascii_name_char(c) && (c < 0x80 || !is_letter_or_mark(c) || is_invisible(c))) return at;
  }
  return std::nullopt;
}

std::optional<std::size_t> first_unseen(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t at = i;
    char32_t c = next_code_point(text, i);
    if (is_invisible(c) || is_control(c)) return at;
  }
  return std::nullopt;
}

Diagnostics confusable_names(const std::vector<ast::Name>& names, const std::vector<ast::ClauseDecl>& clauses) {
  Diagnostics out;
  Skeletons skeletons;
  std::vector<Spelling> spellings;
  spellings.reserve(names.size());
  for (const auto& n : names) spellings.push_back({n.text, &n.range});
  compare(spellings, false, skeletons, out);
  spellings.clear();
  for (const auto& c : clauses)
    if (!c.number.empty()) spellings.push_back({c.number, &c.range});
  compare(spellings, true, skeletons, out);
  return out;
}

// ---- checked::Contract lookups: a host's spelling of a name, read in NFC ----
namespace checked {
template <typename V, typename F>
static std::optional<int> find_index(const V& v, F&& name_of, std::string_view as_given) {
  const std::string name = nfc(as_given);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (name_of(v[i]) == name) return static_cast<int>(i);
  return std::nullopt;
}
std::optional<int> Contract::period_index(std::string_view name) const {
  return find_index(periods, [](const std::string& s) -> const std::string& { return s; }, name);
}
std::optional<int> Contract::party_index(std::string_view id) const {
  return find_index(parties, [](const Party& p) -> const std::string& { return p.id; }, id);
}
std::optional<int> Contract::term_index(std::string_view name) const {
  return find_index(terms, [](const Term& t) -> const std::string& { return t.name; }, name);
}
std::optional<int> Contract::input_index(std::string_view name) const {
  return find_index(inputs, [](const Input& t) -> const std::string& { return t.name; }, name);
}
std::optional<int> Contract::currency_index(const Unit& u) const {
  for (std::size_t i = 0; i < currencies.size(); ++i)
    if (currencies[i].unit == u) return static_cast<int>(i);
  return std::nullopt;
}
std::string Contract::currency_codes(std::string_view conjunction) const {
  std::string codes;
  for (std::size_t i = 0; i < currencies.size(); ++i) {
    if (i > 0) codes += i + 1 == currencies.size() ? fmt::format(" {} ", conjunction) : std::string(", ");
    codes += currencies[i].code;
  }
  return codes;
}
}  // namespace checked

}  // namespace utfall
