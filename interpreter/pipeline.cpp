#include "interpreter/pipeline.hpp"

#include <fmt/format.h>

#include "interpreter/files.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {

Compiled compile(SourcePtr source, const ParseOptions& parse_options, const CheckOptions& check_options) {
  Compiled out;
  auto parsed = parse_contract(source, parse_options);
  out.diagnostics = std::move(parsed.diagnostics);
  if (!parsed.contract) return out;
  auto checked = check(*parsed.contract, check_options);
  out.diagnostics.insert(out.diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
  out.contract = std::move(checked.contract);
  return out;
}

static Diagnostic io_error(const std::string& path, std::string why) {
  Diagnostic d;
  d.kind = DiagKind::io;
  d.code = "E801";
  set_message(d, text("cannot read `{}`: {}", path, why));  // `why`: the operating system's words
  d.location = path.empty() ? "(a file with an empty name)" : path;
  return d;
}

std::variant<std::string, Diagnostic> read_contract_file(const std::string& path, const ParseOptions& parse_options,
                                                         std::vector<LiterateHeading>* headings, std::string* markdown) {
  auto read = read_regular_file(path, source_limit(parse_options));
  auto* failure = std::get_if<ReadFailure>(&read);
  if (!failure && is_literate(path)) {
    auto literate = literate_code(std::get<std::string>(read));
    if (literate.blocks.empty()) {
      Diagnostic d;
      d.kind = DiagKind::syntax;
      d.code = "E105";
      set_message(d, text("`{}` is a literate contract (Markdown) with no ```utfall block: its rules go in fenced blocks "
                          "whose first line is ```utfall (docs/language.md §2.10)",
                          path));
      d.location = path;
      return d;
    }
    if (headings) *headings = std::move(literate.headings);
    if (markdown) *markdown = std::move(std::get<std::string>(read));
    return std::move(literate.code);
  }
  if (!failure) return std::move(std::get<std::string>(read));
  if (failure->kind == ReadFailure::Kind::unreadable) return io_error(path, failure->reason);
  Diagnostic d;
  d.kind = DiagKind::limit;
  d.code = "E701";
  set_message(d, too_large_message(path, *failure, source_limit(parse_options)));
  d.location = path;
  return d;
}

Compiled compile_file(const std::string& path, const ParseOptions& parse_options) {
  std::vector<LiterateHeading> headings;
  auto read = read_contract_file(path, parse_options, &headings);
  if (auto* d = std::get_if<Diagnostic>(&read)) return {nullptr, {std::move(*d)}};
  auto source = std::make_shared<Source>(Source{path, std::move(std::get<std::string>(read))});
  auto compiled = compile(source, parse_options);
  if (!headings.empty()) note_headings(compiled.diagnostics, source, headings);
  return compiled;
}

BindResult load_data(const checked::Contract& contract, const std::vector<std::string>& paths, const std::string& beneath) {
  std::vector<Table> tables;
  BindResult out;
  ReadLimits limits;
  limits.beneath = beneath;
  DataBinder binder(contract);  // the first file, when it holds participants, is bound as it is read
  binder.read_files(paths, limits, tables, out.diagnostics);
  if (has_errors(out.diagnostics)) return out;
  auto bound = binder.bind(std::move(tables));
  if (paths.empty())  // a contract with inputs run with no data file: say what is missing once
    for (auto& d : bound.diagnostics)
      if (d.code == "E527") {
        set_suggestion(d, text("no data file was given: name the files that hold the contract's inputs (`--data FILE...`)"));
        break;
      }
  return bound;
}

// E424: an example's data file lies outside the contract's folder, and why.
static Text outside_folder(const PathRefused& refused, const std::string& file, const std::string& example) {
  using Kind = PathRefused::Kind;
  switch (refused.kind) {
    case Kind::empty:
      return text("the data file `{}` of the example \"{}\" is outside the contract's folder: the name is empty", file, example);
    case Kind::absolute:
      return text("the data file `{}` of the example \"{}\" is outside the contract's folder: it is an absolute path; name it "
                  "relative to the folder",
                  file, example);
    case Kind::parent:
      return text("the data file `{}` of the example \"{}\" is outside the contract's folder: it has a `..` component; the "
                  "file must be inside the folder",
                  file, example);
    case Kind::unfollowable:
      return text("the data file `{}` of the example \"{}\" is outside the contract's folder: its links cannot be followed: {}",
                  file, example, refused.detail);
    case Kind::outside: break;
  }
  return text("the data file `{}` of the example \"{}\" is outside the contract's folder: it leads through a link to outside "
              "the folder",
              file, example);
}

ExamplePaths example_data_paths(const checked::Example& example, const std::string& folder) {
  ExamplePaths out;
  for (const auto& name : example.data_files) {
    auto path = path_inside(folder, name.text);
    if (auto* refused = std::get_if<PathRefused>(&path)) {
      Diagnostic d;
      d.kind = DiagKind::structure;
      d.code = "E424";
      set_message(d, outside_folder(*refused, excerpt(name.text, 80), excerpt(example.name)));
      d.range = name.range;
      out.diagnostics.push_back(std::move(d));
    } else {
      out.paths.push_back(std::move(std::get<std::string>(path)));
    }
  }
  return out;
}

Diagnostics example_data_diagnostics(const checked::Contract& contract, const std::string& folder) {
  Diagnostics out;
  for (const auto& example : contract.examples) {
    auto paths = example_data_paths(example, folder);
    out.insert(out.end(), paths.diagnostics.begin(), paths.diagnostics.end());
  }
  return out;
}

BindResult load_example_data(const checked::Contract& contract, const checked::Example& example, const std::string& folder) {
  auto paths = example_data_paths(example, folder);
  if (has_errors(paths.diagnostics)) return {std::nullopt, std::move(paths.diagnostics)};
  return load_data(contract, paths.paths, folder.empty() ? "." : folder);
}

// A term used as a number, not only as a limit, cannot take the value `unlimited`
// (docs/language.md §9.2): the diagnostic names that use.
static std::optional<Diagnostic> cannot_be_unlimited(const checked::Term& term, const std::string& assignment) {
  if (!term.other_use) return std::nullopt;
  Diagnostic d;
  d.kind = DiagKind::type;
  d.code = "E322";
  set_message(d, text("`{}` cannot be unlimited: line {}, column {} uses it as a number, not as a limit written as its bare "
                      "name (`capped at {}`, `up to {}`)",
                      term.name, term.other_use->begin.line, term.other_use->begin.column, term.name, term.name));
  d.location = "--set " + assignment;
  return d;
}

std::optional<std::string> scaled_input(std::string_view name) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
  };
  name = trim(name);
  if (name.substr(0, 5) != "scale") return std::nullopt;
  auto rest = trim(name.substr(5));
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
  return std::string(trim(rest.substr(1, rest.size() - 2)));
}

// `scale(INPUT)=FACTOR`: INPUT a series of numbers, FACTOR a constant plain number.
static std::optional<Diagnostic> apply_scale(const checked::Contract& contract, const std::string& name, const std::string& text,
                                             const std::string& assignment, EvalOptions& options) {
  auto fail = [&](DiagKind kind, std::string code, Text message) {
    Diagnostic d;
    d.kind = kind;
    d.code = std::move(code);
    set_message(d, std::move(message));
    d.location = "--set " + assignment;
    return d;
  };
  auto input = contract.input_index(name);
  if (!input) return fail(DiagKind::name, "E214", utfall::text("`{}` is not an input of the contract: scale(INPUT) scales an input", name));
  const auto& in = contract.inputs[*input];
  if (in.participants)
    return fail(DiagKind::name, "E214", utfall::text("`{}` is an input of records; scale(INPUT) scales a series input", name));
  if (in.type.kind != TypeKind::number)
    return fail(DiagKind::name, "E214",
                utfall::text("`{}` is a series of {}; scale(INPUT) scales a series of numbers", name, in.type.describe()));
  auto parsed = parse_expression(std::make_shared<Source>(Source{"--set scale(" + name + ")", text}));
  if (!parsed.expr) return parsed.diagnostics.front();
  auto checked = check_expression(*parsed.expr, &contract);
  if (!checked.expr) return checked.diagnostics.front();
  if (!(checked.expr->type == Type::number()))
    return fail(DiagKind::name, "E214", utfall::text("the factor of scale({}) must be a plain number, but this is {}", name,
                                                checked.expr->type.describe()));
  auto value = evaluate_expression(contract, Dataset{}, *checked.expr, -1);
  if (!value.value) return value.diagnostics.front();
  options.input_scales[*input] = std::get<Number>(*value.value);
  return std::nullopt;
}

void merge_overrides(const EvalOptions& from, EvalOptions& into) {
  for (const auto& [term, value] : from.term_overrides) into.term_overrides[term] = value, into.unlimited_terms.erase(term);
  for (int term : from.unlimited_terms) into.term_overrides.erase(term), into.unlimited_terms.insert(term);
  for (const auto& [input, factor] : from.input_scales) into.input_scales[input] = factor;
}

Diagnostics apply_overrides(const checked::Contract& contract, const std::vector<std::string>& assignments, EvalOptions& options) {
  Diagnostics diags;
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    std::string name = a.substr(0, eq);
    auto trim = [](std::string s) {
      while (!s.empty() && s.back() == ' ') s.pop_back();
      while (!s.empty() && s.front() == ' ') s.erase(s.begin());
      return s;
    };
    name = trim(name);
    auto fail = [&](Text message) {
      Diagnostic d;
      d.kind = DiagKind::name;
      d.code = "E214";
      set_message(d, std::move(message));
      d.location = "--set " + a;
      diags.push_back(std::move(d));
    };
    if (eq == std::string::npos) {
      fail(text("expected TERM=VALUE"));
      continue;
    }
    if (auto input = scaled_input(name)) {
      if (auto d = apply_scale(contract, *input, a.substr(eq + 1), a, options)) diags.push_back(std::move(*d));
      continue;
    }
    auto term = contract.term_index(name);
    if (!term) {
      fail(text("`{}` is not a term of the contract", name));
      continue;
    }
    auto source = std::make_shared<Source>(Source{"--set " + name, a.substr(eq + 1)});
    const auto& t = contract.terms[*term];
    if (trim(a.substr(eq + 1)) == "unlimited") {  // the unit may go unsaid: it is the term's
      if (auto d = cannot_be_unlimited(t, a)) diags.push_back(std::move(*d));
      else options.term_overrides.erase(*term), options.unlimited_terms.insert(*term);
      continue;
    }
    auto parsed = parse_expression(source);
    if (!parsed.expr) {
      diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      continue;
    }
    if (auto* lit = std::get_if<ast::NumberLit>(&parsed.expr->node); lit && lit->unlimited) {
      auto unit = check_expression(ast::Expr{ast::NumberLit{Number::from_int(1), false, lit->unit}, parsed.expr->range}, &contract);
      if (!unit.expr) {
        diags.insert(diags.end(), unit.diagnostics.begin(), unit.diagnostics.end());
      } else if (!(unit.expr->type == t.type)) {
        fail(text("`{}` is {}, but the new value is {}", name, t.type.describe(), unit.expr->type.describe()));
      } else if (auto d = cannot_be_unlimited(t, a)) {
        diags.push_back(std::move(*d));
      } else {
        options.term_overrides.erase(*term), options.unlimited_terms.insert(*term);
      }
      continue;
    }
    if (auto d = ambiguous_percent(contract.terms[*term], *parsed.expr)) {
      diags.push_back(std::move(*d));
      continue;
    }
    auto checked = check_expression(*parsed.expr, &contract);
    if (!checked.expr) {
      diags.insert(diags.end(), checked.diagnostics.begin(), checked.diagnostics.end());
      continue;
    }
    if (!(checked.expr->type == contract.terms[*term].type)) {
      fail(text("`{}` is {}, but the new value is {}", name, contract.terms[*term].type.describe(), checked.expr->type.describe()));
      continue;
    }
    auto value = evaluate_expression(contract, Dataset{}, *checked.expr, -1);
    if (!value.value) {
      diags.insert(diags.end(), value.diagnostics.begin(), value.diagnostics.end());
      continue;
    }
    options.term_overrides[*term] = *value.value;
    options.unlimited_terms.erase(*term);
  }
  return diags;
}


}  // namespace utfall
