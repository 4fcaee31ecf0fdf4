#include "interpreter/data.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace utfall {

std::optional<checked::Value> parse_value(const checked::Contract& contract, const Type& type, bool percent,
                                          const std::string& text, std::string* reason) {
  switch (type.kind) {
    case TypeKind::number: {
      std::string t = text;
      bool has_percent = false;
      if (!t.empty() && t.back() == '%') {
        t.pop_back();
        while (!t.empty() && t.back() == ' ') t.pop_back();
        has_percent = true;
      }
      if (has_percent && !percent) {
        *reason = "a percent sign where the declaration is not a percentage";
        return std::nullopt;
      }
      auto n = Number::parse_decimal(t);
      if (!n) {
        *reason = fmt::format("`{}` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)", excerpt(text));
        return std::nullopt;
      }
      if (percent) *n = *n / Number::from_int(100);
      return *n;
    }
    case TypeKind::boolean: {
      std::string t = text;
      std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
      if (t == "true" || t == "yes" || t == "ja" || t == "1") return true;
      if (t == "false" || t == "no" || t == "nej" || t == "0") return false;
      *reason = fmt::format("`{}` is not a boolean (true/false, yes/no, ja/nej, 1/0)", excerpt(text));
      return std::nullopt;
    }
    case TypeKind::period: {
      if (auto i = contract.period_index(text)) return checked::PeriodValue{*i};
      *reason = fmt::format("`{}` is not a period of the calendar", excerpt(text));
      return std::nullopt;
    }
    case TypeKind::text: return text;
  }
  return std::nullopt;
}

namespace {

Diagnostic data_error(std::string code, std::string message, std::string location) {
  Diagnostic d;
  d.kind = DiagKind::data;
  d.code = std::move(code);
  d.message = std::move(message);
  d.location = std::move(location);
  return d;
}

std::string stem(const std::string& file) {
  auto slash = file.find_last_of('/');
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  auto dot = base.find('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

BindResult bind_data(const checked::Contract& c, const std::vector<Table>& tables) {
  BindResult out;
  Diagnostics& diags = out.diagnostics;
  Dataset data;
  data.series.resize(c.inputs.size());
  data.participants.resize(c.inputs.size());
  std::vector<std::string> series_source(c.inputs.size());  // which file gave each series
  std::vector<bool> participants_given(c.inputs.size());
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (!c.inputs[i].participants) data.series[i].assign(c.periods.size(), std::nullopt);

  std::vector<int> participant_inputs;
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].participants) participant_inputs.push_back(static_cast<int>(i));

  for (const auto& table : tables) {
    auto period_col = std::find(table.columns.begin(), table.columns.end(), "period");
    if (period_col != table.columns.end()) {
      std::size_t pc = period_col - table.columns.begin();
      // Columns -> inputs
      std::vector<int> input_of(table.columns.size(), -1);
      for (std::size_t col = 0; col < table.columns.size(); ++col) {
        if (col == pc) continue;
        auto i = c.input_index(table.columns[col]);
        if (!i || c.inputs[*i].participants) {
          diags.push_back(data_error("E521", fmt::format("the column `{}` is not a series input of the contract", excerpt(table.columns[col])),
                                     fmt::format("{}: column `{}`", table.file, excerpt(table.columns[col]))));
          continue;
        }
        if (!series_source[*i].empty()) {
          diags.push_back(data_error("E526", fmt::format("`{}` is given twice (also in {})", table.columns[col], series_source[*i]),
                                     fmt::format("{}: column `{}`", table.file, table.columns[col])));
          continue;
        }
        series_source[*i] = table.file;
        input_of[col] = *i;
      }
      std::vector<bool> seen(c.periods.size());
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        auto t = c.period_index(row[pc].text);
        if (!t) {
          diags.push_back(data_error("E522", fmt::format("`{}` is not a period of the calendar ({} .. {})", excerpt(row[pc].text),
                                                         c.periods.front(), c.periods.back()),
                                     table.location(r, pc)));
          continue;
        }
        if (seen[*t]) {
          diags.push_back(data_error("E523", fmt::format("the period {} has a second row", row[pc].text), table.location(r, pc)));
          continue;
        }
        seen[*t] = true;
        for (std::size_t col = 0; col < row.size(); ++col) {
          int i = input_of[col];
          if (i < 0) continue;
          const auto& in = c.inputs[i];
          bool declared = *t >= in.first && *t <= in.last;
          if (!row[col].present || row[col].text.empty()) {
            if (declared)
              diags.push_back(data_error("E524", fmt::format("`{}` has no value for period {}", in.name, c.periods[*t]),
                                         table.location(r, col)));
            continue;
          }
          if (!declared) {
            diags.push_back(data_error("E525", fmt::format("`{}` is declared for {} .. {} only, but has a value for {}", in.name,
                                                           c.periods[in.first], c.periods[in.last], c.periods[*t]),
                                       table.location(r, col)));
            continue;
          }
          std::string reason;
          auto v = parse_value(c, in.type, in.percent, row[col].text, &reason);
          if (!v) {
            diags.push_back(data_error("E528", fmt::format("`{}`: {}", in.name, reason), table.location(r, col)));
            continue;
          }
          data.series[i][*t] = std::move(*v);
        }
      }
      continue;
    }
    // A participant table.
    int target = -1;
    std::string label = table.name.empty() ? stem(table.file) : table.name;
    for (int i : participant_inputs)
      if (c.inputs[i].name == label) target = i;
    if (target < 0 && participant_inputs.size() == 1) target = participant_inputs.front();
    if (target < 0) {
      diags.push_back(data_error("E529",
                                 participant_inputs.empty()
                                     ? "the table has no `period` column, and the contract has no participant input"
                                     : fmt::format("the table has no `period` column and does not name a participant input "
                                                   "(name the file or its JSON key after one of them)"),
                                 table.file));
      continue;
    }
    if (participants_given[target]) {
      diags.push_back(data_error("E526", fmt::format("the participants `{}` are given twice", c.inputs[target].name), table.file));
      continue;
    }
    participants_given[target] = true;
    const auto& in = c.inputs[target];
    std::vector<int> col_of(in.fields.size(), -1);
    for (std::size_t col = 0; col < table.columns.size(); ++col) {
      auto f = std::find_if(in.fields.begin(), in.fields.end(), [&](const checked::Field& x) { return x.name == table.columns[col]; });
      if (f == in.fields.end()) {
        diags.push_back(data_error("E521", fmt::format("the column `{}` is not a field of `{}`", excerpt(table.columns[col]), in.name),
                                   fmt::format("{}: column `{}`", table.file, excerpt(table.columns[col]))));
        continue;
      }
      col_of[f - in.fields.begin()] = static_cast<int>(col);
    }
    bool complete = true;
    for (std::size_t f = 0; f < in.fields.size(); ++f)
      if (col_of[f] < 0) {
        diags.push_back(data_error("E530", fmt::format("the field `{}` of `{}` has no column", in.fields[f].name, in.name), table.file));
        complete = false;
      }
    if (!complete) continue;
    auto& records = data.participants[target];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      std::vector<checked::Value> record;
      bool ok = true;
      for (std::size_t f = 0; f < in.fields.size(); ++f) {
        const auto& cell = table.rows[r][col_of[f]];
        if (!cell.present || cell.text.empty()) {
          diags.push_back(data_error("E524", fmt::format("`{}` has no value", in.fields[f].name), table.location(r, col_of[f])));
          ok = false;
          continue;
        }
        std::string reason;
        auto v = parse_value(c, in.fields[f].type, in.fields[f].percent, cell.text, &reason);
        if (!v) {
          diags.push_back(data_error("E528", fmt::format("`{}`: {}", in.fields[f].name, reason), table.location(r, col_of[f])));
          ok = false;
          continue;
        }
        record.push_back(std::move(*v));
      }
      if (ok) records.push_back(std::move(record));
      if (diags.size() > 100) break;  // enough to act on
    }
  }
  // Every declared series value and every participant input must be there.
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& in = c.inputs[i];
    if (in.participants) {
      if (!participants_given[i])
        diags.push_back(data_error("E527", fmt::format("no data file gives the participants `{}`", in.name), "data"));
      continue;
    }
    if (series_source[i].empty()) {
      diags.push_back(data_error("E527", fmt::format("no data file has a column `{}`", in.name), "data"));
      continue;
    }
    for (int t = in.first; t <= in.last; ++t)
      if (!data.series[i][t] && !has_errors(diags))
        diags.push_back(data_error("E527", fmt::format("`{}` has no value for period {}: {} has no row for it", in.name, c.periods[t],
                                                       series_source[i]),
                                   series_source[i]));
  }
  if (!has_errors(diags)) out.data = std::move(data);
  return out;
}

}  // namespace utfall
