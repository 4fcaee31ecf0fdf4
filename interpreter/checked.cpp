// Lookups by name in a checked contract (checked.hpp).
#include "interpreter/checked.hpp"

#include <optional>
#include <string_view>

namespace utfall {

namespace checked {
template <typename V, typename F>
static std::optional<int> find_index(const V& v, F&& name_of, std::string_view name) {
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
}  // namespace checked

}  // namespace utfall
