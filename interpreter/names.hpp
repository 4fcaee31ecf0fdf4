// One name, one meaning: the rules that keep two names from looking alike.
//
// A reviewer reads a contract on a screen; the evaluator compares bytes. The two agree only if
// every name has one spelling and no two spellings look the same:
//   - the parser reads names and clause numbers in NFC (a precomposed `ä` and `a` + U+0308 are
//     one name), and refuses a character in them that cannot be seen or is not a letter (E104,
//     the message from `refused_character`): U+200B in `kommun​` would make a second `kommun`;
//   - after the parse, `confusable_names` compares the distinct names of the contract, and the
//     clause numbers among themselves, by their Unicode UTS #39 skeletons: `kommun` (Latin o)
//     and `kоmmun` (Cyrillic о), or `Α` and `A`, are error E216, naming the characters that
//     differ. Swedish names (`ärende`, `åtgärd`, `Öresund`) are letters of one script with
//     their own skeletons and pass.
// Host-given names (data file columns and keys, `--set`, the API) are read in NFC as well, at
// the lookup (`checked::Contract::*_index`) and at binding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/ast.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

// Why `c` may not stand in `what` ("a name", "a clause number"): it is invisible, a bidi
// control, a control character, or (in a name) not a letter. One sentence for E104.
std::string refused_character(char32_t c, std::string_view what);
// The same sentence from the message table, for a name or (`clause_number`) a clause number.
Text refused_character_text(char32_t c, bool clause_number);

// An ASCII letter, digit or `_`: the characters of a name in ASCII. A name of these alone is in
// NFC and holds no refused sign.
constexpr bool ascii_name_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The byte offset of the first character of a name that is not an ASCII letter, digit or `_`,
// nor another letter or combining mark (the letter blocks of §2.3 hold a few signs, such as
// U+037E GREEK QUESTION MARK, which NFC would turn into `;`); none when all are.
std::optional<std::size_t> first_not_in_name(std::string_view text);

// The byte offset of the first character of a clause number that cannot be seen (invisible,
// bidi control, control character); none when every character shows.
std::optional<std::size_t> first_unseen(std::string_view text);

// E216 for every name that is confusable with another, different name of the contract (at the
// later one, with a note at the earlier), and for clause numbers likewise. `names` holds each
// distinct name once, at its first occurrence.
Diagnostics confusable_names(const std::vector<ast::Name>& names, const std::vector<ast::ClauseDecl>& clauses);

}  // namespace utfall
