#include "interpreter/text_keys.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/data_files.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {

const checked::TableRow* find_text_row(const checked::Table& table, std::string_view key) {
  auto it = std::lower_bound(table.rows.begin(), table.rows.end(), key,
                             [](const checked::TableRow& row, std::string_view k) { return std::string_view(*row.key) < k; });
  return it != table.rows.end() && *it->key == key ? &*it : nullptr;
}

namespace {

std::string source_text(const SourceRange& r) {
  if (!r.source || r.end_offset <= r.begin.offset || r.end_offset > r.source->text.size()) return "the key";
  return fmt::format("`{}`", excerpt(std::string_view(r.source->text).substr(r.begin.offset, r.end_offset - r.begin.offset), 60));
}

// "participant 3 of `deltagare`", with its row in the data file where that is known, and the
// cell of `field` when one is given.
std::string participant(const checked::Contract& c, const Dataset& d, int set, int record, int field) {
  std::string out = fmt::format("participant {} of `{}`", record + 1, c.inputs[set].name);
  if (static_cast<std::size_t>(set) >= d.sources.size()) return out;
  const auto& src = d.sources[set];
  if (record < 0 || static_cast<std::size_t>(record) >= src.rows.size()) return out;
  const auto& row = src.rows[record];
  if (field >= 0 && static_cast<std::size_t>(field) < src.columns.size() && row.line > 0)
    return out + fmt::format(" ({})", cell_location(src.file, src.table, row.row, row.line, src.columns[field], field).in(Language::en));
  return out + fmt::format(" ({}: row {})", src.file, row.row);
}

}  // namespace

std::string text_key_origin(const checked::Contract& c, const Dataset& d, const checked::Expr& key, std::span<const int> slots,
                            int t) {
  auto record = [&](int binder) { return binder >= 0 && static_cast<std::size_t>(binder) < slots.size() ? slots[binder] : -1; };
  std::string in_period = t >= 0 && static_cast<std::size_t>(t) < c.periods.size() ? " in " + c.periods[t] : std::string();
  if (const auto* f = std::get_if<checked::FieldRef>(&key.node))
    return fmt::format("{} of {}", source_text(key.range), participant(c, d, f->set, record(f->binder), f->field));
  if (const auto* p = std::get_if<checked::ParticipantDefRef>(&key.node))
    return fmt::format("{} of {}{}", source_text(key.range), participant(c, d, p->link_field >= 0 ? p->set : c.participant_defs[p->def].set, record(p->binder), -1),
                       in_period);
  if (std::holds_alternative<checked::InputRef>(key.node)) return fmt::format("{}{}", source_text(key.range), in_period);
  return source_text(key.range) + in_period;
}

}  // namespace utfall
