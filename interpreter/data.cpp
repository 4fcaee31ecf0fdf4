#include "interpreter/data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "interpreter/dates.hpp"
#include "interpreter/decimal_text.hpp"
#include "interpreter/huge_pages.hpp"
#include "interpreter/text_hash.hpp"
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
  using Index = TextViewMap<int>;
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

// Looks for the decimal mark of a CSV table in rows [from, to), in order: the first cell of a
// number column (`numeric`) that shows one. True, with `s` set, when found.
bool find_mark(const Table& table, const std::vector<bool>& numeric, std::size_t from, std::size_t to, Spreadsheet& s) {
  for (std::size_t r = from; r < to; ++r)
    for (const auto& cell : table.rows[r])
      if (cell.column < numeric.size() && numeric[cell.column] && cell.present)
        if (auto m = shown_mark(cell.text); m != DecimalMark::unknown) {
          s.mark = m;
          s.evidence = fmt::format("`{}` in {}", excerpt(cell.text), table.location(r, cell.column).in(Language::en));
          return true;
        }
  return false;
}

// The decimal mark of a CSV table, from the cells of its number columns (`numeric`), in order.
Spreadsheet spreadsheet_of(const Table& table, const std::vector<bool>& numeric) {
  Spreadsheet s;
  find_mark(table, numeric, 0, table.rows.size(), s);
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

// The common number cell of a participant field read straight into a record's cell: ASCII
// digits, or digits, a point and digits, of at most 18 digits in all (so no int64 overflows),
// and a file that does not write a decimal comma where the text has a point (parse_into's
// common case, narrowed). The same value as Number::parse_decimal(text, percent ? 2 : 0) gives,
// as digits and places with no trailing zeros (Number::to_decimal64's form); nullopt for any
// other text, which then takes parse_into's way.
std::optional<Number::Decimal64> common_decimal(std::string_view text, bool percent, const Spreadsheet* sheet) {
  // No sign: a signed cell takes parse_into's way, which reads it the same.
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  const auto s = short_decimal(text);
  // A point in a file of decimal commas is a thousands point, or a mistake: parse_into decides.
  if (!s || (s->fraction > 0 && sheet && sheet->mark == DecimalMark::comma)) return std::nullopt;
  auto value = static_cast<std::int64_t>(s->digits);  // below 10^18
  int places = s->fraction + (percent ? 2 : 0);
  while (places > 0 && value % 10 == 0) value /= 10, --places;
  if (places > static_cast<int>(ParticipantRecords::kMaxPlaces)) return std::nullopt;
  return Number::Decimal64{value, places};
}

// parse_value, with the calendar looked up in `names` when given, and a number read as a
// spreadsheet writes it when `sheet` is given (a CSV cell). The value is written into `out` (for
// a participant, the binder's one value, reused, so that a cell's number or text is not made
// anew each time); false (and `out` left as it is) with a reason when the text does not fit.
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
  std::map<int, TextMap<std::size_t>> ids;  // per target input: id -> record
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
          const auto id = records.text(r, static_cast<std::size_t>(key));
          auto [it, fresh] = index.emplace(std::string(id), r);
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
        const auto id = records.text(r, f);
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

// The binding of tables in order, one at a time, into one Dataset (bind_data); the first table,
// when it is a participant CSV file, may be bound while it is read (DataBinder::first_table).
// With `consume` (the table bound, the caller's to spend), a participant table's cells are let
// go a chunk of rows at a time once bound, so that the records take the memory the cells leave.
class DataBinder::Impl {
 public:
  explicit Impl(const checked::Contract& c) : c_(c), names_(c) {
    data_.series.resize(c.inputs.size());
    data_.participants.resize(c.inputs.size());
    data_.sources.resize(c.inputs.size());
    series_source_.resize(c.inputs.size());
    participants_given_.resize(c.inputs.size());
    for (std::size_t i = 0; i < c.inputs.size(); ++i)
      if (!c.inputs[i].participants) data_.series[i].assign(c.periods.size(), std::nullopt);
    period_row_in_.assign(c.periods.size(), 0);
    for (std::size_t i = 0; i < c.inputs.size(); ++i)
      if (c.inputs[i].participants) participant_inputs_.push_back(static_cast<int>(i));
  }

  void table(std::size_t index, const Table& table, Table* consume) {
    if (index == 0 && stream_ == Stream::refused) return;  // its header's errors are reported
    if (index == 0 && stream_ == Stream::begun) {
      rows(table, streamed_, table.rows.size(), true, consume);
      if (consume) consume->rows.clear();
      return;
    }
    if (has_period(table)) return series(table);
    auto p = begin_participants(table, table.rows.size());
    if (!p) return;
    rows(table, *p, table.rows.size(), true, consume);
    if (consume) consume->rows.clear();
  }

  // The first table, `rows_expected` rows long or about: once its header shows a participant
  // table, its rows read so far are bound (when the decimal mark of its numbers is known: the
  // first number cell that shows one, in order, as a whole table's binding finds it) and let go.
  void stream(Table& table, std::size_t rows_expected) {
    if (stream_ == Stream::none) {
      if (has_period(table) || !table.csv) {
        stream_ = Stream::declined;
        return;
      }
      auto p = begin_participants(table, rows_expected);
      if (!p) {
        stream_ = Stream::refused;
        return;
      }
      streamed_ = std::move(*p);
      stream_ = Stream::begun;
    }
    if (stream_ == Stream::begun) rows(table, streamed_, table.rows.size(), false, &table);
  }

  BindResult finish() {
    // Every declared series value and every participant input must be there.
    for (std::size_t i = 0; i < c_.inputs.size(); ++i) {
      const auto& in = c_.inputs[i];
      if (in.participants) {
        if (!participants_given_[i]) report("E527", text("no data file gives the participants `{}`", in.name), "data");
        continue;
      }
      if (series_source_[i].empty()) {
        report("E527", text("no data file has a column `{}`", in.name), "data");
        continue;
      }
      for (int t = in.first; t <= in.last; ++t)
        if (!data_.series[i][t] && out_.diagnostics.empty())
          report("E527", text("`{}` has no value for period {}: {} has no row for it", in.name, c_.periods[t], series_source_[i]),
                 series_source_[i]);
    }
    auto reporter = [&](std::string code, Text message, Text location) { report(std::move(code), std::move(message), std::move(location)); };
    if (out_.diagnostics.empty()) bind_links(c_, data_, reporter);
    if (out_.diagnostics.empty()) out_.data = std::move(data_);
    return std::move(out_);
  }

 private:
  // A participant table being bound: its input, the column of each field, and how far it is.
  struct Participants {
    int target = -1;
    std::vector<int> col_of;      // per field
    std::vector<bool> numeric;    // per column: it gives a number field
    std::optional<Spreadsheet> sheet;  // CSV: the decimal mark, once known
    bool mark_known = true;
    std::size_t scanned = 0, bound = 0;  // rows looked at for the mark, and rows bound
    std::optional<BadValue> reason;      // set by each parse that fails
  };
  enum class Stream { none, declined, refused, begun };

  void report(std::string code, Text message, Text location) {
    keep_bounded(out_.diagnostics, data_error(std::move(code), std::move(message), std::move(location)));
  }
  // "plan.csv: column `x`": a column as a whole, where its header names no input or field.
  static Text column_at(const Table& table, std::size_t col) { return text("{}: column `{}`", table.file, excerpt(table.columns[col])); }
  static bool has_period(const Table& table) {
    return std::find(table.columns.begin(), table.columns.end(), "period") != table.columns.end();
  }

  void series(const Table& table) {
    const std::size_t pc = std::find(table.columns.begin(), table.columns.end(), "period") - table.columns.begin();
    const std::size_t this_table = ++series_tables_;
    // Columns -> inputs; `read` lists the columns that give one.
    std::vector<int> input_of(table.columns.size(), -1);
    std::vector<std::size_t> read;
    for (std::size_t col = 0; col < table.columns.size(); ++col) {
      if (col == pc) continue;
      auto i = names_.input(table.columns[col]);
      if (!i || c_.inputs[*i].participants) {
        report("E521", text("the column `{}` is not a series input of the contract", excerpt(table.columns[col])), column_at(table, col));
        continue;
      }
      if (!series_source_[*i].empty()) {
        report("E526", text("`{}` is given twice (also in {})", excerpt(table.columns[col]), series_source_[*i]), column_at(table, col));
        continue;
      }
      series_source_[*i] = table.file;
      input_of[col] = *i;
      read.push_back(col);
    }
    std::optional<Spreadsheet> sheet;
    if (table.csv) {
      std::vector<bool> numeric(table.columns.size(), false);
      for (std::size_t col : read) numeric[col] = c_.inputs[input_of[col]].type.kind == TypeKind::number;
      sheet = spreadsheet_of(table, numeric);
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const Cell* period = table.find(r, pc);
      const std::string_view period_text = period ? period->text : std::string_view();
      auto t = names_.period(period_text);
      if (!t) {
        report("E522", text("`{}` is not a period of the calendar ({} .. {})", excerpt(period_text), c_.periods.front(), c_.periods.back()),
               table.location(r, pc));
        continue;
      }
      if (period_row_in_[*t] == this_table) {
        report("E523", text("the period {} has a second row", period_text), table.location(r, pc));
        continue;
      }
      period_row_in_[*t] = this_table;
      for (std::size_t col : read) {
        const int i = input_of[col];
        const auto& in = c_.inputs[i];
        const Cell* cell = table.find(r, col);
        bool declared = *t >= in.first && *t <= in.last;
        if (!cell || !cell->present || cell->text.empty()) {
          if (declared) report("E524", text("`{}` has no value for period {}", in.name, c_.periods[*t]), table.location(r, col));
          continue;
        }
        if (!declared) {
          report("E525", text("`{}` is declared for {} .. {} only, but has a value for {}", in.name, c_.periods[in.first], c_.periods[in.last],
                              c_.periods[*t]),
                 table.location(r, col));
          continue;
        }
        std::optional<BadValue> reason;
        auto v = parse(c_, &names_, in.type, in.percent, cell->text, reason, sheet ? &*sheet : nullptr);
        if (!v) {
          report("E528", cannot_read(in.name, *reason), table.location(r, col));
          continue;
        }
        if (auto why = out_of_range(in.allowed, *v, in.type, in.percent)) {
          report("E532", outside(in.name, excerpt(cell->text), *why), table.location(r, col));
          continue;
        }
        data_.series[i][*t] = std::move(*v);
      }
    }
  }

  // The header of a participant table: its input and its columns, room for `rows_expected`
  // records; nothing (the errors reported) when the table cannot be bound.
  std::optional<Participants> begin_participants(const Table& table, std::size_t rows_expected) {
    Participants p;
    std::string label = nfc(table.name.empty() ? stem(table.file) : table.name);
    if (auto i = names_.input(label); i && c_.inputs[*i].participants) p.target = *i;
    if (p.target < 0 && participant_inputs_.size() == 1) p.target = participant_inputs_.front();
    if (p.target < 0) {
      report("E529",
             participant_inputs_.empty() ? text("the table has no `period` column, and the contract has no participant input")
                                         : text("the table has no `period` column and does not name a participant input "
                                                "(name the file or its JSON key after one of them)"),
             table.file);
      return std::nullopt;
    }
    if (participants_given_[p.target]) {
      report("E526", text("the participants `{}` are given twice", c_.inputs[p.target].name), table.file);
      return std::nullopt;
    }
    participants_given_[p.target] = true;
    const auto& in = c_.inputs[p.target];
    TextViewMap<std::size_t> field_of;
    for (std::size_t f = 0; f < in.fields.size(); ++f) field_of.emplace(in.fields[f].name, f);
    p.col_of.assign(in.fields.size(), -1);
    for (std::size_t col = 0; col < table.columns.size(); ++col) {
      // A column is read in NFC, as the field names are: `ä` precomposed or as `a` + U+0308.
      auto f = field_of.find(nfc(table.columns[col]));
      if (f == field_of.end()) {
        report("E521", text("the column `{}` is not a field of `{}`", excerpt(table.columns[col]), in.name), column_at(table, col));
        continue;
      }
      if (int other = p.col_of[f->second]; other >= 0) {  // two spellings of one name
        report("E504", text("columns {} and {} both name the field `{}` (in two Unicode spellings)", other + 1, col + 1, in.fields[f->second].name),
               column_at(table, col));
        continue;
      }
      p.col_of[f->second] = static_cast<int>(col);
    }
    bool complete = true;
    for (std::size_t f = 0; f < in.fields.size(); ++f)
      if (p.col_of[f] < 0) {
        report("E530", text("the field `{}` of `{}` has no column", in.fields[f].name, in.name), table.file);
        complete = false;
      }
    if (!complete) return std::nullopt;
    if (table.csv) {
      p.numeric.assign(table.columns.size(), false);
      for (std::size_t f = 0; f < in.fields.size(); ++f) p.numeric[p.col_of[f]] = in.fields[f].type.kind == TypeKind::number;
      p.sheet = Spreadsheet{};
      p.mark_known = false;
    }
    auto& source = data_.sources[p.target];
    source.file = table.file;
    source.table = table.name;
    for (std::size_t f = 0; f < in.fields.size(); ++f) source.columns.push_back(table.columns[p.col_of[f]]);
    reserve_offering_huge_pages(source.rows, rows_expected, Growth::exact);
    data_.participants[p.target].reserve(rows_expected, in.fields.size());
    return p;
  }

  // Binds the rows of a participant table up to `to`, once the decimal mark of its numbers is
  // known: the first number cell, in order, that shows one (find_mark, as spreadsheet_of), or
  // none in the whole table (`last`: these are all its rows). Until then its rows wait, read but
  // not bound.
  void rows(const Table& table, Participants& p, std::size_t to, bool last, Table* consume) {
    if (!p.mark_known) p.mark_known = find_mark(table, p.numeric, p.scanned, to, *p.sheet);
    p.scanned = std::max(p.scanned, to);
    if (!p.mark_known && !last) return;
    p.mark_known = true;
    const auto& in = c_.inputs[p.target];
    auto& records = data_.participants[p.target];
    auto& source = data_.sources[p.target];
    const Spreadsheet* sheet = p.sheet ? &*p.sheet : nullptr;
    for (std::size_t r = p.bound; r < to; ++r) {
      const CellRow cells = table.rows[r];
      source.rows.push_back(cells.empty() ? Dataset::Source::Row{cell_number(r + 1), 0} : Dataset::Source::Row{cells.front().row, cells.front().line});
      records.start_record();
      bool ok = true;
      for (std::size_t f = 0; f < in.fields.size(); ++f) {
        const auto col = static_cast<std::size_t>(p.col_of[f]);
        const Cell* cell = cells.find(col);
        if (!cell || !cell->present || cell->text.empty()) {
          report("E524", text("`{}` has no value", in.fields[f].name), table.location(r, col));
          ok = false;
          continue;
        }
        if (in.fields[f].type.kind == TypeKind::number && !in.fields[f].allowed.any())
          if (auto d = common_decimal(cell->text, in.fields[f].percent, sheet)) {
            if (ok) records.add_decimal(d->digits, d->places);
            continue;
          }
        if (in.fields[f].type.kind == TypeKind::text && !in.fields[f].allowed.any() && is_ascii(cell->text)) {
          if (ok) records.add_text(cell->text);  // its own NFC: parse_into would keep it as it is
          continue;
        }
        checked::Value& v = value_;
        if (!parse_into(c_, &names_, in.fields[f].type, in.fields[f].percent, cell->text, p.reason, sheet, v)) {
          report("E528", cannot_read(in.fields[f].name, *p.reason), table.location(r, col));
          ok = false;
          continue;
        }
        if (auto why = out_of_range(in.fields[f].allowed, v, in.fields[f].type, in.fields[f].percent)) {
          report("E532", outside(in.fields[f].name, excerpt(cell->text), *why), table.location(r, col));
          ok = false;
          continue;
        }
        if (ok) records.add(v);  // a record with a problem is taken back whole
      }
      if (ok) records.end_record();
      else records.drop_record();
      if (consume && (r + 1) % CellRows::kChunk == 0) consume->rows.release_before(r + 1);  // a chunk at a time
    }
    p.bound = to;
  }

  const checked::Contract& c_;
  const Names names_;
  BindResult out_;  // its diagnostics: errors only, has_errors(diags) == !diags.empty()
  Dataset data_;
  checked::Value value_;  // a participant's value as it is read, before it is kept in its records
  std::vector<std::string> series_source_;  // which file gave each series
  std::vector<bool> participants_given_;
  // Per period, the last series table (1-based) that had a row for it: a second row is E523.
  std::vector<std::size_t> period_row_in_;
  std::size_t series_tables_ = 0;
  std::vector<int> participant_inputs_;
  Stream stream_ = Stream::none;
  Participants streamed_;  // the first table's, while it is read
};

DataBinder::DataBinder(const checked::Contract& contract) : impl_(std::make_unique<Impl>(contract)) {}
DataBinder::~DataBinder() = default;

RowsRead DataBinder::first_table() {
  return [impl = impl_.get()](Table& table, std::size_t rows_expected) { impl->stream(table, rows_expected); };
}

void DataBinder::read_files(const std::vector<std::string>& paths, const ReadLimits& limits, std::vector<Table>& tables,
                            Diagnostics& diagnostics) {
  for (const auto& path : paths) {
    try {
      for (auto& [name, table] : read_data_file(path, limits, tables.empty() && diagnostics.empty() ? first_table() : RowsRead()))
        tables.push_back(std::move(table));
    } catch (DiagnosticError& e) {
      diagnostics.push_back(std::move(e.diagnostic));
    }
  }
}

BindResult DataBinder::bind(std::vector<Table>&& tables) {
  for (std::size_t i = 0; i < tables.size(); ++i) impl_->table(i, tables[i], &tables[i]);
  return impl_->finish();
}

BindResult bind_data(const checked::Contract& c, const std::vector<Table>& tables) {
  DataBinder::Impl b(c);
  for (std::size_t i = 0; i < tables.size(); ++i) b.table(i, tables[i], nullptr);
  return b.finish();
}

BindResult bind_data(const checked::Contract& c, std::vector<Table>&& tables) { return DataBinder(c).bind(std::move(tables)); }

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
