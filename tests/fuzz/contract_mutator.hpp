// Structure-aware mutations of contract text, for the fuzz targets that take a contract
// (fuzz_check, fuzz_run; contract_mutator.cpp hooks them into libFuzzer).
//
// Why: libFuzzer's byte mutations rarely turn one valid contract into another valid one that
// differs in *structure*. Yet order- and name-dependent bugs live exactly there: the checker once
// gave a `let` written after a `for each` block the type of the per-participant definition. A
// valid contract whose declarations are written in another order, whose items sit in another
// clause, or whose names of one kind are exchanged is just as valid (or fails in a new way), and
// each of those is one mutation here, where it would take many lucky byte flips.
//
// How: a light tokenizer (names, numbers, strings, punctuation; comments and spaces skipped)
// tracks the brace depth. Since the declaration and item keywords are reserved words, a keyword
// token is enough to find where a declaration (`term`, `clause`, ... at depth 0) or an item
// (`let`, `pay`, `waterfall`, `table`, `scale`, `for each V in S {` inside braces) begins; it
// ends where the next one at its depth begins or its block closes. The mutations are text edits
// on those spans and on name tokens (never inside strings or comments):
//   - move a declaration or an item to another place: the same clause, another clause, a
//     `for each` block, the top level (mostly where the language allows it, sometimes not);
//   - exchange two names of one kind everywhere (terms, lets, parties, units, inputs, payment
//     and waterfall names, participant variables, or any two value names);
//   - duplicate a clause under a new clause number, renaming what it declares (or, sometimes,
//     not: then the duplicate names are the point);
//   - replace the unit after a number (or after `per`) with another declared unit.
// No dependency on the project's parser: a mutation may give invalid text, which is fine.
// Everything is deterministic given the seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../tools/splitmix.hpp"

namespace utfall::fuzz::mutator {

using Rng = test_support::Random;  // splitmix64, seeded from libFuzzer's Seed

enum class Kind { name, number, string, punct };
struct Token {
  Kind kind;
  std::size_t b, e;
  int depth;  // brace depth: of the outside for `{` and `}`
};

inline bool digit(char c) { return c >= '0' && c <= '9'; }
inline bool name_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}
inline bool name_char(char c) { return name_start(c) || digit(c); }

inline std::vector<Token> tokenize(std::string_view t) {
  std::vector<Token> out;
  int depth = 0;
  for (std::size_t i = 0; i < t.size();) {
    char c = t[i];
    std::size_t j = i + 1;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { i = j; continue; }
    if (c == '#') {
      while (j < t.size() && t[j] != '\n') ++j;
      i = j;
      continue;
    }
    Kind kind = Kind::punct;
    if (c == '"') {
      kind = Kind::string;
      while (j < t.size() && t[j] != '"' && t[j] != '\n') j += (t[j] == '\\' && j + 1 < t.size()) ? 2 : 1;
      if (j < t.size() && t[j] == '"') ++j;
    } else if (digit(c)) {  // digits, `_`, `.` before a digit, letters: `2025Q3` is one token
      kind = Kind::number;
      while (j < t.size() && (name_char(t[j]) || (t[j] == '.' && j + 1 < t.size() && digit(t[j + 1])))) ++j;
    } else if (name_start(c)) {
      kind = Kind::name;
      while (j < t.size() && name_char(t[j])) ++j;
    }
    if (c == '}' && depth > 0) --depth;
    out.push_back({kind, i, j, depth});
    if (c == '{') ++depth;
    i = j;
  }
  return out;
}

// A declaration (depth 0) or a clause item (depth > 0): [b, e) in the text.
struct Span {
  std::string_view kw;
  std::size_t b, e;
  int depth;
  std::size_t tok;  // index of its keyword token
};

// Where a moved span can go: before a span, before the `}` of a clause or `for each` body, or
// at the end of the text; `depth` is the depth a span placed there has.
struct Point {
  std::size_t at;
  int depth;
};

struct Contract {
  std::string_view text;
  std::vector<Token> toks;
  std::vector<Span> spans;
  std::vector<Point> points;

  std::string_view str(const Token& k) const { return text.substr(k.b, k.e - k.b); }
  bool is(std::size_t i, std::string_view s) const { return i < toks.size() && str(toks[i]) == s; }
  bool is_name(std::size_t i) const { return i < toks.size() && toks[i].kind == Kind::name; }
};

// Where a declaration (depth 0) or an item (inside braces) begins: all are reserved words.
inline bool starts_span(std::string_view w, int depth) {
  if (w == "let" || w == "table" || w == "scale") return true;
  if (depth > 0) return w == "pay" || w == "waterfall";
  return w == "contract" || w == "currency" || w == "party" || w == "unit" || w == "periods" || w == "input" ||
         w == "term" || w == "clause" || w == "example";
}

inline Contract analyse(std::string_view text) {
  Contract c{text, tokenize(text), {}, {}};
  const auto& k = c.toks;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (k[i].kind != Kind::name) continue;
    auto w = c.str(k[i]);
    bool start = starts_span(w, k[i].depth);
    bool block = w == "for" && k[i].depth > 0 && c.is(i + 1, "each") && c.is_name(i + 2) && c.is(i + 3, "in") &&
                 c.is_name(i + 4) && c.is(i + 5, "{");
    if (!start && !block) continue;
    // The span ends before the next start at its depth or the `}` that closes its block.
    std::size_t j = i + 1;
    bool body = block || w == "clause";
    std::size_t body_close = 0;
    for (; j < k.size(); ++j) {
      if (k[j].depth < k[i].depth) break;
      if (k[j].depth == k[i].depth && k[j].kind == Kind::name) {
        auto v = c.str(k[j]);
        if (starts_span(v, k[i].depth) || (v == "for" && c.is(j + 1, "each") && c.is(j + 5, "{"))) break;
      }
      if (body && k[j].depth == k[i].depth && c.is(j, "}") && body_close == 0) body_close = j;
    }
    std::size_t e = j < k.size() ? k[j].b : text.size();
    while (e > k[i].b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n' || text[e - 1] == '\r')) --e;
    c.spans.push_back({w, k[i].b, e, k[i].depth, i});
    c.points.push_back({k[i].b, k[i].depth});
    if (body_close) c.points.push_back({k[body_close].b, k[i].depth + 1});
  }
  c.points.push_back({text.size(), 0});
  return c;
}

// The spans and points have offsets in c.text; this removes span s and inserts it at point p.
inline std::string move_span(const Contract& c, const Span& s, const Point& p) {
  std::string item(c.text.substr(s.b, s.e - s.b));
  std::string out(c.text.substr(0, s.b));
  out += c.text.substr(s.e);
  std::size_t at = p.at > s.b ? p.at - (s.e - s.b) : p.at;
  out.insert(at, "\n" + item + "\n");
  return out;
}

inline std::optional<std::string> move_something(const Contract& c, Rng& rng) {
  if (c.spans.empty()) return std::nullopt;
  const Span& s = c.spans[rng.below(c.spans.size())];
  // Where the language allows it: `let`, `table`, `scale` anywhere; payments, waterfalls and
  // `for each` blocks in a clause; declarations at the top. One move in eight goes anywhere.
  bool anywhere = rng.chance(1, 8);
  bool item_anywhere = s.kw == "let" || s.kw == "table" || s.kw == "scale";
  std::vector<Point> ok;
  for (const auto& p : c.points) {
    if (p.at >= s.b && p.at <= s.e) continue;
    if (anywhere || (item_anywhere ? (p.depth <= 1 || s.kw == "let") : p.depth == (s.depth > 0 ? 1 : 0)))
      ok.push_back(p);
  }
  if (ok.empty()) return std::nullopt;
  return move_span(c, s, ok[rng.below(ok.size())]);
}

// The names the declarations introduce, by kind, with where they are declared.
struct Declared {
  std::string_view kind, name;
  std::size_t at;
};

inline std::vector<Declared> declared_names(const Contract& c) {
  std::vector<Declared> out;
  for (std::size_t i = 0; i + 1 < c.toks.size(); ++i) {
    auto w = c.str(c.toks[i]);
    std::string_view kind;
    if (w == "term" || w == "let" || w == "party" || w == "input") kind = w;
    if (w == "unit" || w == "plural" || w == "currency") kind = "unit";
    if ((w == "pay" || w == "waterfall") && c.is(i + 2, ":")) kind = "payment";
    if (w == "table" || w == "scale") kind = "table";
    if (w == "each" && c.is(i + 2, "in")) kind = "variable";
    if (kind.empty() || !c.is_name(i + 1)) continue;
    auto name = c.str(c.toks[i + 1]);
    out.push_back({kind, name, c.toks[i + 1].b});
    if (kind != "party" && kind != "unit" && kind != "variable") out.push_back({"value", name, c.toks[i + 1].b});
  }
  return out;
}

// Rewrites the name tokens in [b, e) through `rename` (which returns the token unchanged or not).
template <class F>
std::string rename_tokens(const Contract& c, std::size_t b, std::size_t e, F rename) {
  std::string out;
  std::size_t last = b;
  for (const auto& k : c.toks) {
    if (k.b < b || k.e > e || k.kind != Kind::name) continue;
    out += c.text.substr(last, k.b - last);
    out += rename(c.str(k));
    last = k.e;
  }
  out += c.text.substr(last, e - last);
  return out;
}

inline std::optional<std::string> swap_names(const Contract& c, Rng& rng) {
  auto names = declared_names(c);
  if (names.size() < 2) return std::nullopt;
  auto a = names[rng.below(names.size())];
  std::vector<std::string_view> others;
  for (const auto& n : names)
    if (n.kind == a.kind && n.name != a.name) others.push_back(n.name);
  if (others.empty()) return std::nullopt;
  std::string x(a.name), y(others[rng.below(others.size())]);
  return rename_tokens(c, 0, c.text.size(), [&](std::string_view n) -> std::string {
    return n == x ? y : n == y ? x : std::string(n);
  });
}

inline std::optional<std::string> duplicate_clause(const Contract& c, Rng& rng) {
  std::vector<const Span*> clauses;
  for (const auto& s : c.spans)
    if (s.kw == "clause" && s.depth == 0) clauses.push_back(&s);
  if (clauses.empty()) return std::nullopt;
  const Span& s = *clauses[rng.below(clauses.size())];
  // Its own declarations get a suffix in the copy, unless the point is to declare them twice.
  std::vector<std::string_view> own;
  if (!rng.chance(1, 4))
    for (const auto& n : declared_names(c))
      if ((n.kind == "let" || n.kind == "payment" || n.kind == "table") && n.at > s.b && n.at < s.e)
        own.push_back(n.name);
  std::string suffix = "_" + std::to_string(2 + rng.below(8));
  std::string copy = rename_tokens(c, s.b, s.e, [&](std::string_view n) {
    for (auto o : own)
      if (o == n) return std::string(n) + suffix;
    return std::string(n);
  });
  // The clause number: the first string after `clause`.
  auto q = copy.find('"');
  auto q2 = q == std::string::npos ? q : copy.find('"', q + 1);
  if (q2 != std::string::npos) copy.insert(q2, rng.chance(1, 8) ? "" : suffix);  // sometimes the same number (E417)
  const auto& p = c.points[rng.below(c.points.size())];
  std::size_t at = p.depth == 0 && (p.at <= s.b || p.at >= s.e) ? p.at : s.e;
  std::string out(c.text);
  out.insert(at, "\n" + copy + "\n");
  return out;
}

inline std::optional<std::string> change_unit(const Contract& c, Rng& rng) {
  std::vector<std::string_view> units;
  for (const auto& n : declared_names(c))
    if (n.kind == "unit") units.push_back(n.name);
  if (units.size() < 2) return std::nullopt;
  std::vector<const Token*> uses;  // a unit name after a number or after `per`
  for (std::size_t i = 1; i < c.toks.size(); ++i) {
    if (c.toks[i].kind != Kind::name || !(c.toks[i - 1].kind == Kind::number || c.is(i - 1, "per"))) continue;
    for (auto u : units)
      if (c.str(c.toks[i]) == u) uses.push_back(&c.toks[i]);
  }
  if (uses.empty()) return std::nullopt;
  const Token& t = *uses[rng.below(uses.size())];
  std::vector<std::string_view> others;
  for (auto u : units)
    if (u != c.str(t)) others.push_back(u);
  if (others.empty()) return std::nullopt;
  std::string_view to = others[rng.below(others.size())];
  std::string out(c.text);
  out.replace(t.b, t.e - t.b, to);
  return out;
}

// One semantic mutation of a contract text, or nothing when none applies (no declarations found,
// too few names of a kind, ...). Tries a few kinds before giving up.
inline std::optional<std::string> mutate_contract(std::string_view text, Rng& rng) {
  Contract c = analyse(text);
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::optional<std::string> out;
    switch (rng.below(10)) {
      case 0: case 1: case 2: case 3: out = move_something(c, rng); break;
      case 4: case 5: case 6: out = swap_names(c, rng); break;
      case 7: out = duplicate_clause(c, rng); break;
      default: out = change_unit(c, rng); break;
    }
    if (out && *out != text) return out;
  }
  return std::nullopt;
}

// Inserts a declaration or item of `other` into `text` at a place of its depth.
inline std::optional<std::string> cross_over(std::string_view text, std::string_view other, Rng& rng) {
  Contract from = analyse(other), into = analyse(text);
  if (from.spans.empty()) return std::nullopt;
  const Span& s = from.spans[rng.below(from.spans.size())];
  std::vector<Point> ok;
  for (const auto& p : into.points)
    if (p.depth == (s.depth > 0 ? 1 : 0) || (s.kw == "let" && p.depth > 0)) ok.push_back(p);
  const Point& p = ok.empty() ? into.points.back() : ok[rng.below(ok.size())];
  std::string out(text);
  out.insert(p.at, "\n" + std::string(other.substr(s.b, s.e - s.b)) + "\n");
  return out;
}

// fuzz_run's input is a contract, then data files after `\n%%%% NAME` lines: only the contract
// is mutated here, the data is left as it is.
inline std::pair<std::string_view, std::string_view> split_data(std::string_view input) {
  auto cut = input.find("\n%%%% ");
  if (cut == std::string_view::npos) return {input, {}};
  return {input.substr(0, cut), input.substr(cut)};
}

}  // namespace utfall::fuzz::mutator
