#include "interpreter/messages.hpp"

#include <fmt/args.h>

namespace utfall {

std::optional<Language> language_named(std::string_view name) {
  if (name == "en") return Language::en;
  if (name == "sv") return Language::sv;
  return std::nullopt;
}

std::string localized_number(std::string_view english, Language numbers) {
  if (numbers == Language::en) return std::string(english);
  std::string out;
  out.reserve(english.size());
  bool in_number = true;  // the unit after the first space is left as it is
  for (char ch : english) {
    if (ch == ' ') in_number = false;
    if (in_number && ch == ',') out += ' ';
    else if (in_number && ch == '.') out += ',';
    else out += ch;
  }
  return out;
}

std::string Text::in(Language language, Language numbers) const {
  if (phrase == kVerbatim) return args.empty() ? std::string() : args[0];
  const Phrase& row = kPhrases[phrase];
  std::string_view pattern = language == Language::sv ? row.sv : row.en;
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (const auto& a : args) {
    if (!a.empty() && a[0] == detail::kFigureMark) store.push_back(localized_number(std::string_view(a).substr(1), numbers));
    else if (!a.empty() && a[0] == detail::kPartMark) store.push_back(parts.at(std::stoul(a.substr(1))).in(language, numbers));
    else store.push_back(a);
  }
  try {
    return fmt::vformat(pattern, store);
  } catch (const fmt::format_error&) {
    // A row whose placeholders do not fit its arguments is a bug that test_messages catches;
    // a person still gets the sentence and its arguments rather than nothing.
    std::string out(pattern);
    for (const auto& a : args) out += " | " + a;
    return out;
  }
}

}  // namespace utfall
