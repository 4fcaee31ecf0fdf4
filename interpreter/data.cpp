#include "interpreter/data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include "interpreter/dates.hpp"
#include "interpreter/decimal_text.hpp"
#include "interpreter/huge_pages.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {

namespace {

// The contract's periods and inputs by name, hashed once per binding: a data file of many rows,
// columns or tables binds in time linear in its size, whatever the size of the calendar.
class Names {
 public:
  explicit Names(const checked::Contract& c) {
    for (std::size_t t = 0; t < c.periods.size(); ++t) periods_.emplace(c.periods[t], static_cast<int>(t));
    for (std::size_t i = 0; i < c.inputs.size(); ++i) inputs_.emplace(c.inputs[i].name, static_cast<int>(i));
  }
  std::optional<int> period(std::string_view name) const { return find(periods_, name); }
  // Column and table names are read in NFC, as the contract's names are (docs/language.md §2.3).
  std::optional<int> input(std::string_view name) const { return find(inputs_, nfc(name)); }

 private:
  using Index = std::unordered_map<std::string_view, int>;
  static std::optional<int> find(const Index& index, std::string_view name) {
    auto it = index.find(name);
    return it == index.end() ? std::nullopt : std::optional<int>(it->second);
  }
  Index periods_, inputs_;  // the first of a name, as Contract::period_index and input_index
};

// How a CSV file writes its numbers (decimal_text.hpp): the decimal mark its number cells show
// and where they first show it.
struct Spreadsheet {
  DecimalMark mark = DecimalMark::unknown;
  std::string evidence;  // "`7000000,50` in plan.csv: row 2 (line 3), column `avropat`"
};

// The decimal mark of a CSV table, from the cells of its number columns (`numeric`), in order.
Spreadsheet spreadsheet_of(const Table& table, const std::vector<bool>& numeric) {
  Spreadsheet s;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (const auto& cell : table.rows[r])
      if (cell.column < numeric.size() && numeric[cell.column] && cell.present)
        if (auto m = shown_mark(cell.text); m != DecimalMark::unknown) {
          s.mark = m;
          s.evidence = fmt::format("`{}` in {}", excerpt(cell.text), table.location(r, cell.column).in(Language::en));
          return s;
        }
  return s;
}

// Why a cell's text is not a value of its declared type. Each message (E528, parse_value's
// reason) says it in its own sentence, in English or Swedish.
struct BadValue {
  enum class Kind { spreadsheet, percent, number, boolean, period, date } kind;
  std::string shown;   // the text, quoted as a cell is
  std::string detail;  // spreadsheet, date: the reason given by decimal_text or dates (in English)
};

// The reason without the name of the input, for parse_value.
std::string english(const BadValue& bad) {
  switch (bad.kind) {
    case BadValue::Kind::spreadsheet: return bad.detail;
    case BadValue::Kind::percent: return "a percent sign where the declaration is not a percentage";
    case BadValue::Kind::number:
      return fmt::format("`{}` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)", bad.shown);
    case BadValue::Kind::boolean: return fmt::format("`{}` is not a boolean (true/false, yes/no, ja/nej, 1/0)", bad.shown);
    case BadValue::Kind::period: return fmt::format("`{}` is not a period of the calendar", bad.shown);
    case BadValue::Kind::date: return fmt::format("`{}` is not a date: {}", bad.shown, bad.detail);
  }
  return bad.detail;
}

// E528: the value of `name` does not read.
Text cannot_read(const std::string& name, const BadValue& bad) {
  switch (bad.kind) {
    case BadValue::Kind::spreadsheet: return text("`{}`: {}", name, bad.detail);
    case BadValue::Kind::percent: return text("`{}`: a percent sign where the declaration is not a percentage", name);
    case BadValue::Kind::number:
      return text("`{}`: `{}` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)", name,
                  bad.shown);
    case BadValue::Kind::boolean: return text("`{}`: `{}` is not a boolean (true/false, yes/no, ja/nej, 1/0)", name, bad.shown);
    case BadValue::Kind::period: return text("`{}`: `{}` is not a period of the calendar", name, bad.shown);
    case BadValue::Kind::date: return text("`{}`: `{}` is not a date: {}", name, bad.shown, bad.detail);
  }
  return text("`{}`: {}", name, bad.detail);
}

// E532: the value `shown` of `name` lies outside its declared range.
Text outside(const std::string& name, const std::string& shown, const OutOfRange& why) {
  switch (why.kind) {
    case OutOfRange::Kind::below: return text("`{}` is {}, below its declared least value, {}", name, shown, why.bound);
    case OutOfRange::Kind::above: return text("`{}` is {}, above its declared most value, {}", name, shown, why.bound);
    case OutOfRange::Kind::not_whole: break;
  }
  return text("`{}` is {}, not a whole number, as declared (`whole`)", name, shown);
}

// A number cell that the common case in parse_into did not read: as a spreadsheet writes it
// when `sheet` is given, with a percent sign for a percent field.
[[gnu::noinline]] bool parse_number(bool percent, std::string_view text, std::optional<BadValue>& reason, const Spreadsheet* sheet,
                                    checked::Value& out) {
  std::optional<std::string_view> plain;  // the cell as a plain decimal, when a spreadsheet wrote it
  std::string rewritten;                  // what `plain` views when the cell was rewritten
  if (sheet) {
    std::string error;
    plain = plain_decimal(text, sheet->mark, sheet->evidence, error, rewritten);
    if (!plain) {
      reason = BadValue{BadValue::Kind::spreadsheet, "", std::move(error)};
      return false;
    }
  }
  std::string_view t = plain ? *plain : std::string_view(text);
  bool has_percent = false;
  if (!t.empty() && t.back() == '%') {
    t.remove_suffix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    has_percent = true;
  }
  if (has_percent && !percent) {
    reason = BadValue{BadValue::Kind::percent, "", ""};
    return false;
  }
  auto n = Number::parse_decimal(t, percent ? 2 : 0);  // a percent field holds the hundredth
  if (!n) {
    reason = BadValue{BadValue::Kind::number, excerpt(text), ""};
    return false;
  }
  out = std::move(*n);
  return true;
}

// parse_value, with the calendar looked up in `names` when given, and a number read as a
// spreadsheet writes it when `sheet` is given (a CSV cell). The value is written into `out`, a
// record's own slot, so that binding makes each value where it stays; false (and `out` left as
// it is) with a reason when the text does not fit.
bool parse_into(const checked::Contract& contract, const Names* names, const Type& type, bool percent, std::string_view text,
                std::optional<BadValue>& reason, const Spreadsheet* sheet, checked::Value& out) {
  switch (type.kind) {
    case TypeKind::number: {
      // The common cell first: ASCII digits with at most a point, no sign, percent sign or
      // separator. plain_decimal gives such a text back as it is (unless the file writes a
      // decimal comma and the text has a point), so the number reader alone decides it; any
      // other text, or one it refuses, takes the whole way below.
      if (std::all_of(text.begin(), text.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; }) &&
          (!sheet || sheet->mark != DecimalMark::comma || text.find('.') == std::string_view::npos))
        if (auto n = Number::parse_decimal(text, percent ? 2 : 0)) {
          out = std::move(*n);
          return true;
        }
      return parse_number(percent, text, reason, sheet, out);
    }
    case TypeKind::boolean: {
      auto is = [&](std::string_view word) {  // ASCII case aside, as std::tolower in the C locale
        return text.size() == word.size() &&
               std::equal(word.begin(), word.end(), text.begin(), [](char w, char c) { return w == (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
      };
      if (is("true") || is("yes") || is("ja") || is("1")) return out = true, true;
      if (is("false") || is("no") || is("nej") || is("0")) return out = false, true;
      reason = BadValue{BadValue::Kind::boolean, excerpt(text), ""};
      return false;
    }
    case TypeKind::period: {
      if (auto i = names ? names->period(text) : contract.period_index(text)) return out = checked::PeriodValue{*i}, true;
      reason = BadValue{BadValue::Kind::period, excerpt(text), ""};
      return false;
    }
    case TypeKind::text: return out = nfc(text), true;  // compared as the names are: one spelling of `ä`
    case TypeKind::date: {
      if (auto why = dates::not_a_date(text)) {
        reason = BadValue{BadValue::Kind::date, excerpt(text), *why};
        return false;
      }
      return out = checked::DateValue{dates::parse(text)}, true;
    }
  }
  return false;
}

// parse_into, giving the value.
std::optional<checked::Value> parse(const checked::Contract& contract, const Names* names, const Type& type, bool percent,
                                    std::string_view text, std::optional<BadValue>& reason, const Spreadsheet* sheet = nullptr) {
  checked::Value v;
  if (!parse_into(contract, names, type, percent, text, reason, sheet, v)) return std::nullopt;
  return v;
}

Diagnostic data_error(std::string code, Text message, Text location) {
  Diagnostic d;
  d.kind = DiagKind::data;
  d.code = std::move(code);
  set_message(d, std::move(message));
  set_location(d, std::move(location));
  return d;
}

std::string stem(const std::string& file) {
  auto slash = file.find_last_of('/');
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  auto dot = base.find('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

// Link fields (docs/language.md §8.5): each names the record of its target input whose `id` it
// holds. An `id` given twice in a target that a link names is E534, naming both rows; a key
// that no record has is E533, naming the row of the record that holds it.
template <typename Report>
void bind_links(const checked::Contract& c, Dataset& data, Report& report) {
  auto where = [&](int input, std::size_t record, int field) {
    const auto& src = data.sources[input];
    if (record >= src.rows.size() || static_cast<std::size_t>(field) >= src.columns.size()) return verbatim(src.file);
    return cell_location(src.file, src.table, src.rows[record].row, src.rows[record].line, src.columns[field], field);
  };
  std::map<int, std::unordered_map<std::string, std::size_t>> ids;  // per target input: id -> record
  data.links.resize(c.inputs.size());
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& fields = c.inputs[i].fields;
    for (std::size_t f = 0; f < fields.size(); ++f) {
      const int target = fields[f].link, key = fields[f].link_key;
      if (target < 0) continue;
      if (!ids.count(target)) {
        auto& index = ids[target];
        const auto& records = data.participants[target];
        for (std::size_t r = 0; r < records.size(); ++r) {
          const auto& id = std::get<std::string>(records[r][key]);
          auto [it, fresh] = index.emplace(id, r);
          if (!fresh)
            report("E534",
                   text("the id `{}` of `{}` is given twice (also at {}); a link must name one record", excerpt(id),
                        c.inputs[target].name, where(target, it->second, key)),
                   where(target, r, key));
        }
      }
      const auto& index = ids[target];
      auto& links = data.links[i];
      links.resize(fields.size());
      const auto& records = data.participants[i];
      links[f].reserve(records.size());
      for (std::size_t r = 0; r < records.size(); ++r) {
        const auto& id = std::get<std::string>(records[r][f]);
        auto it = index.find(id);
        if (it == index.end()) {
          report("E533", text("`{}` is `{}`, but no record of `{}` has that id", fields[f].name, excerpt(id), c.inputs[target].name),
                 where(static_cast<int>(i), r, static_cast<int>(f)));
          links[f].push_back(-1);
          continue;
        }
        links[f].push_back(static_cast<int>(it->second));
      }
    }
  }
}

}  // namespace

std::optional<checked::Value> parse_value(const checked::Contract& contract, const Type& type, bool percent,
                                          const std::string& text, std::string* reason) {
  std::optional<BadValue> bad;
  auto value = parse(contract, nullptr, type, percent, text, bad);
  if (bad && reason) *reason = english(*bad);
  return value;
}

namespace {

// bind_data; with `consume` (the same tables, the caller's to spend), each participant row's
// cells are freed once the row is bound, so that the records take the memory the cells leave.
BindResult bind_tables(const checked::Contract& c, const std::vector<Table>& tables, std::vector<Table>* consume) {
  BindResult out;
  Diagnostics& diags = out.diagnostics;  // errors only: has_errors(diags) == !diags.empty()
  auto report = [&](std::string code, Text message, Text location) {
    keep_bounded(diags, data_error(std::move(code), std::move(message), std::move(location)));
  };
  // "plan.csv: column `x`": a column as a whole, where its header names no input or field.
  auto column_at = [](const Table& table, std::size_t col) {
    return text("{}: column `{}`", table.file, excerpt(table.columns[col]));
  };
  const Names names(c);
  Dataset data;
  data.series.resize(c.inputs.size());
  data.participants.resize(c.inputs.size());
  data.sources.resize(c.inputs.size());
  std::vector<std::string> series_source(c.inputs.size());  // which file gave each series
  std::vector<bool> participants_given(c.inputs.size());
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (!c.inputs[i].participants) data.series[i].assign(c.periods.size(), std::nullopt);
  // Per period, the last series table (1-based) that had a row for it: a second row is E523.
  std::vector<std::size_t> period_row_in(c.periods.size(), 0);
  std::size_t series_tables = 0;
  std::vector<int> participant_inputs;
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].participants) participant_inputs.push_back(static_cast<int>(i));

  for (std::size_t table_index = 0; table_index < tables.size(); ++table_index) {
    const Table& table = tables[table_index];
    auto period_col = std::find(table.columns.begin(), table.columns.end(), "period");
    if (period_col != table.columns.end()) {
      const std::size_t pc = period_col - table.columns.begin();
      const std::size_t this_table = ++series_tables;
      // Columns -> inputs; `read` lists the columns that give one.
      std::vector<int> input_of(table.columns.size(), -1);
      std::vector<std::size_t> read;
      for (std::size_t col = 0; col < table.columns.size(); ++col) {
        if (col == pc) continue;
        auto i = names.input(table.columns[col]);
        if (!i || c.inputs[*i].participants) {
          report("E521", text("the column `{}` is not a series input of the contract", excerpt(table.columns[col])),
                 column_at(table, col));
          continue;
        }
        if (!series_source[*i].empty()) {
          report("E526", text("`{}` is given twice (also in {})", excerpt(table.columns[col]), series_source[*i]),
                 column_at(table, col));
          continue;
        }
        series_source[*i] = table.file;
        input_of[col] = *i;
        read.push_back(col);
      }
      std::optional<Spreadsheet> sheet;
      if (table.csv) {
        std::vector<bool> numeric(table.columns.size(), false);
        for (std::size_t col : read) numeric[col] = c.inputs[input_of[col]].type.kind == TypeKind::number;
        sheet = spreadsheet_of(table, numeric);
      }
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const Cell* period = table.find(r, pc);
        const std::string_view period_text = period ? period->text : std::string_view();
        auto t = names.period(period_text);
        if (!t) {
          report("E522", text("`{}` is not a period of the calendar ({} .. {})", excerpt(period_text), c.periods.front(),
                              c.periods.back()),
                 table.location(r, pc));
          continue;
        }
        if (period_row_in[*t] == this_table) {
          report("E523", text("the period {} has a second row", period_text), table.location(r, pc));
          continue;
        }
        period_row_in[*t] = this_table;
        for (std::size_t col : read) {
          const int i = input_of[col];
          const auto& in = c.inputs[i];
          const Cell* cell = table.find(r, col);
          bool declared = *t >= in.first && *t <= in.last;
          if (!cell || !cell->present || cell->text.empty()) {
            if (declared)
              report("E524", text("`{}` has no value for period {}", in.name, c.periods[*t]), table.location(r, col));
            continue;
          }
          if (!declared) {
            report("E525", text("`{}` is declared for {} .. {} only, but has a value for {}", in.name, c.periods[in.first],
                                c.periods[in.last], c.periods[*t]),
                   table.location(r, col));
            continue;
          }
          std::optional<BadValue> reason;
          auto v = parse(c, &names, in.type, in.percent, cell->text, reason, sheet ? &*sheet : nullptr);
          if (!v) {
            report("E528", cannot_read(in.name, *reason), table.location(r, col));
            continue;
          }
          if (auto why = out_of_range(in.allowed, *v, in.type, in.percent)) {
            report("E532", outside(in.name, excerpt(cell->text), *why), table.location(r, col));
            continue;
          }
          data.series[i][*t] = std::move(*v);
        }
      }
      continue;
    }
    // A participant table.
    int target = -1;
    std::string label = nfc(table.name.empty() ? stem(table.file) : table.name);
    if (auto i = names.input(label); i && c.inputs[*i].participants) target = *i;
    if (target < 0 && participant_inputs.size() == 1) target = participant_inputs.front();
    if (target < 0) {
      report("E529",
             participant_inputs.empty() ? text("the table has no `period` column, and the contract has no participant input")
                                        : text("the table has no `period` column and does not name a participant input "
                                               "(name the file or its JSON key after one of them)"),
             table.file);
      continue;
    }
    if (participants_given[target]) {
      report("E526", text("the participants `{}` are given twice", c.inputs[target].name), table.file);
      continue;
    }
    participants_given[target] = true;
    const auto& in = c.inputs[target];
    std::unordered_map<std::string_view, std::size_t> field_of;
    for (std::size_t f = 0; f < in.fields.size(); ++f) field_of.emplace(in.fields[f].name, f);
    std::vector<int> col_of(in.fields.size(), -1);
    for (std::size_t col = 0; col < table.columns.size(); ++col) {
      // A column is read in NFC, as the field names are: `ä` precomposed or as `a` + U+0308.
      auto f = field_of.find(nfc(table.columns[col]));
      if (f == field_of.end()) {
        report("E521", text("the column `{}` is not a field of `{}`", excerpt(table.columns[col]), in.name),
               column_at(table, col));
        continue;
      }
      if (int other = col_of[f->second]; other >= 0) {  // two spellings of one name
        report("E504", text("columns {} and {} both name the field `{}` (in two Unicode spellings)", other + 1, col + 1,
                            in.fields[f->second].name),
               column_at(table, col));
        continue;
      }
      col_of[f->second] = static_cast<int>(col);
    }
    bool complete = true;
    for (std::size_t f = 0; f < in.fields.size(); ++f)
      if (col_of[f] < 0) {
        report("E530", text("the field `{}` of `{}` has no column", in.fields[f].name, in.name), table.file);
        complete = false;
      }
    if (!complete) continue;
    std::optional<Spreadsheet> sheet;
    if (table.csv) {
      std::vector<bool> numeric(table.columns.size(), false);
      for (std::size_t f = 0; f < in.fields.size(); ++f) numeric[col_of[f]] = in.fields[f].type.kind == TypeKind::number;
      sheet = spreadsheet_of(table, numeric);
    }
    auto& records = data.participants[target];
    auto& source = data.sources[target];
    source.file = table.file;
    source.table = table.name;
    for (std::size_t f = 0; f < in.fields.size(); ++f) source.columns.push_back(table.columns[col_of[f]]);
    source.rows.reserve(table.rows.size());
    offer_huge_pages(source.rows.data(), source.rows.capacity() * sizeof(Dataset::Source::Row));
    records.reserve(table.rows.size(), in.fields.size());
    std::optional<BadValue> reason;  // set by each parse that fails
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const CellRow cells = table.rows[r];
      source.rows.push_back(cells.empty() ? Dataset::Source::Row{cell_number(r + 1), 0} : Dataset::Source::Row{cells.front().row, cells.front().line});
      records.start_record();
      bool ok = true;
      for (std::size_t f = 0; f < in.fields.size(); ++f) {
        const auto col = static_cast<std::size_t>(col_of[f]);
        const Cell* cell = cells.find(col);
        if (!cell || !cell->present || cell->text.empty()) {
          report("E524", text("`{}` has no value", in.fields[f].name), table.location(r, col_of[f]));
          ok = false;
          continue;
        }
        checked::Value& v = records.add();  // taken back with the record when it has a problem
        if (!parse_into(c, &names, in.fields[f].type, in.fields[f].percent, cell->text, reason, sheet ? &*sheet : nullptr, v)) {
          report("E528", cannot_read(in.fields[f].name, *reason), table.location(r, col_of[f]));
          ok = false;
          continue;
        }
        if (auto why = out_of_range(in.fields[f].allowed, v, in.fields[f].type, in.fields[f].percent)) {
          report("E532", outside(in.fields[f].name, excerpt(cell->text), *why), table.location(r, col_of[f]));
          ok = false;
          continue;
        }
      }
      if (ok) records.end_record();
      else records.drop_record();
      if (consume && (r + 1) % CellRows::kChunk == 0)
        (*consume)[table_index].rows.release_before(r + 1);  // the cells of bound rows can go, a chunk at a time
    }
    if (consume) (*consume)[table_index].rows.clear();
  }
  // Every declared series value and every participant input must be there.
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& in = c.inputs[i];
    if (in.participants) {
      if (!participants_given[i]) report("E527", text("no data file gives the participants `{}`", in.name), "data");
      continue;
    }
    if (series_source[i].empty()) {
      report("E527", text("no data file has a column `{}`", in.name), "data");
      continue;
    }
    for (int t = in.first; t <= in.last; ++t)
      if (!data.series[i][t] && diags.empty())
        report("E527", text("`{}` has no value for period {}: {} has no row for it", in.name, c.periods[t], series_source[i]),
               series_source[i]);
  }
  if (diags.empty()) bind_links(c, data, report);
  if (diags.empty()) out.data = std::move(data);
  return out;
}

}  // namespace

BindResult bind_data(const checked::Contract& c, const std::vector<Table>& tables) { return bind_tables(c, tables, nullptr); }

BindResult bind_data(const checked::Contract& c, std::vector<Table>&& tables) { return bind_tables(c, tables, &tables); }

std::optional<OutOfRange> out_of_bounds(const checked::DeclaredRange& allowed, const checked::Value& value, const Type& type,
                                        bool percent) {
  const auto* n = std::get_if<Number>(&value);
  if (!n) return std::nullopt;
  auto shown = [&](const Number& x) {
    if (percent) return (x * Number::from_int(100)).to_string() + " %";
    return type.unit.dimensionless() ? x.to_string() : x.to_string() + " " + type.to_string();
  };
  if (allowed.lower && *n < *allowed.lower) return OutOfRange{OutOfRange::Kind::below, shown(*allowed.lower)};
  if (allowed.upper && *allowed.upper < *n) return OutOfRange{OutOfRange::Kind::above, shown(*allowed.upper)};
  if (allowed.whole && !n->is_integer()) return OutOfRange{OutOfRange::Kind::not_whole, ""};
  return std::nullopt;
}

std::optional<std::string> outside_range(const checked::DeclaredRange& allowed, const checked::Value& value, const Type& type,
                                         bool percent) {
  auto why = out_of_range(allowed, value, type, percent);
  if (!why) return std::nullopt;
  switch (why->kind) {
    case OutOfRange::Kind::below: return fmt::format("below its declared least value, {}", why->bound);
    case OutOfRange::Kind::above: return fmt::format("above its declared most value, {}", why->bound);
    case OutOfRange::Kind::not_whole: break;
  }
  return std::string("not a whole number, as declared (`whole`)");
}

}  // namespace utfall
