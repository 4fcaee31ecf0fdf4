// The REPL's session: its state and its answer to each input (cli/repl_session.hpp).
#include "cli/repl_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <sstream>

#include "cli/scan.hpp"
#include "cli/schedule.hpp"
#include "interpreter/data.hpp"
#include "interpreter/explain.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/unicode.hpp"
#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

using W = grammar::Keyword;

// The contract of a session started without one, in either set of keywords.
std::string empty_contract(grammar::Language language) {
  auto w = [&](W k) { return grammar::spelling(k, language); };
  return fmt::format("{} \"REPL session\"\n{} SEK\n{} {} 2025 .. 2029\n", w(W::contract_), w(W::currency_), w(W::periods_), w(W::yearly_));
}

// The keywords that begin a declaration the session adds to its contract.
constexpr W kDeclarations[] = {W::clause_, W::term_, W::input_, W::party_, W::unit_, W::example_};

// The lines of :help: the syntax (with a keyword of the session's set where it has one), then
// what the line does, aligned in two columns.
struct HelpLine {
  PhraseId syntax;
  std::optional<W> keyword;
  PhraseId what;
};
const HelpLine kHelp[] = {
    {"EXPRESSION", std::nullopt, "evaluate in the current period: frigjort, frigjort @ 2027"},
    {"{} NAME = EXPRESSION", W::term_, "define a term, or redefine one of the contract's"},
    {"{} NAME = EXPRESSION", W::let_, "define a definition, or redefine one of the contract's"},
    {"{} ... {{ ... }}", W::clause_, "add a declaration (clause, term, input, party, unit) to the contract"},
    {":period [PERIOD]", std::nullopt, "show or set the current period (:period none to clear it)"},
    {":set NAME@PERIOD = VALUE", std::nullopt, "override a datum, e.g. :set hemtjanst_kostnad@2028 = 150_000_000 SEK"},
    {":set TERM = VALUE", std::nullopt, "override a term's value"},
    {":unset [NAME[@PERIOD]]", std::nullopt, "drop overrides (all, or of one name)"},
    {":data [FILE...]", std::nullopt, "load data files (CSV or JSON), or show the data and overrides"},
    {":load FILE", std::nullopt, "load a contract (the session's definitions are dropped)"},
    {":reload", std::nullopt, "read the contract and data files again, keeping the session's changes"},
    {":payments", std::nullopt, "evaluate the contract: the payment schedule"},
    {":explain [PERIOD] [A->B]", std::nullopt, "explain the payments (in the current period by default)"},
    {":type EXPRESSION", std::nullopt, "the type and unit of an expression"},
    {":names", std::nullopt, "the names in scope"},
    {":help", std::nullopt, "this text"},
    {":quit", std::nullopt, "leave (or Ctrl-D); Ctrl-C cancels the line being typed"},
};
constexpr std::size_t kHelpColumn = 28;  // the width of the first column, after two spaces

// The number of characters of UTF-8 `s` (each a column in the help's monospaced text).
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

const std::vector<std::string> kCommands = {":data", ":explain", ":help", ":load", ":names", ":payments", ":period",
                                            ":quit", ":reload", ":set", ":type", ":unset"};

std::string trimmed(std::string_view s) { return std::string(scan::trim(s)); }

}  // namespace

class ReplSession::State {
 public:
  explicit State(Config config) : config_(std::move(config)) {}

  std::string out, err;  // what the last input printed; the loop writes it out
  Diagnostics shown;     // the diagnostics in err
  bool failed = false;   // the last input gave an error
  bool quit = false;

  void start(const ReplOptions& options) {
    say_ = options.wording;
    if (!options.contract.empty()) {
      load(options.contract);
    } else {
      file_text_ = text_ = empty_contract(grammar::Language::english);
      language_.reset();
      rebuild(text_, true);
    }
    if (!options.data.empty()) set_data(options.data);
  }

  void handle(const std::string& raw) {
    out.clear(), err.clear(), shown.clear(), failed = false;
    std::string input = trimmed(raw);
    if (input.empty() || input[0] == '#') return;
    if (input[0] == ':') return command(input);
    if (!ready()) return;
    if (!language_) choose_language(input);
    if (auto d = scan::definition(input, word(W::term_), word(W::let_))) return define(d->keyword, d->name, d->expression);
    if (starts_with_keyword(input, kDeclarations, keywords())) return declare(input);
    evaluate_input(input);
  }

  // Whether `buffer` is a whole input: brackets closed, not ending in an operator or `\`.
  static bool complete(const std::string& buffer) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < buffer.size(); ++i) {
      char c = buffer[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '#') {
        while (i < buffer.size() && buffer[i] != '\n') ++i;
      } else if (c == '(' || c == '{' || c == '[') {
        ++depth;
      } else if (c == ')' || c == '}' || c == ']') {
        --depth;
      }
    }
    if (in_string || depth > 0) return false;
    std::string t = trimmed(buffer);
    if (t.empty() || t[0] == ':') return true;
    // The words that want an operand after them, in both sets (the buffer's set is not known here).
    for (std::string end : {"\\", "=", "+", "-", "*", "/", ",", "->", "(", " and", " or", " not", " then", " else", " och", " eller",
                            " inte", " så", " annars"})
      if (t.size() >= end.size() && t.compare(t.size() - end.size(), end.size(), end) == 0) return false;
    return true;
  }

  // Names for tab completion: commands, keywords, built-ins and the contract's names.
  std::vector<std::string> names() const {
    std::vector<std::string> v = kCommands;
    for (W k : {W::if_, W::then_, W::else_, W::and_, W::or_, W::not_, W::sum_, W::count_, W::over_, W::for_, W::each_, W::in_, W::where_,
                W::term_, W::let_, W::period_, W::true_, W::false_})
      v.emplace_back(word(k));
    for (const auto& b : stdlib::builtins()) v.emplace_back(b.name);
    if (contract_) {
      const auto& c = *contract_;
      for (const auto& x : c.terms) v.push_back(x.name);
      for (const auto& x : c.defs) v.push_back(x.name);
      for (const auto& x : c.inputs) v.push_back(x.name);
      for (const auto& x : c.parties) v.push_back(x.id);
      for (const auto& x : c.tables) v.push_back(x.name);
      for (const auto& x : c.periods) v.push_back(x);
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  std::string prompt() const { return period_.empty() ? "utfall> " : fmt::format("utfall {}> ", period_); }

 private:
  Wording say_;  // --lang, --locale: messages, schedule and explanations
  friend class ReplSession;
  Config config_;
  std::string path_;       // the contract file, "" for the empty contract
  std::string file_text_;  // the contract as read
  std::string text_;       // with the session's definitions spliced in or appended
  int session_clauses_ = 0;
  std::vector<std::string> data_paths_;
  struct Datum {
    std::string input, period, value;
  };
  std::vector<Datum> datum_sets_;
  std::vector<std::pair<std::string, std::string>> term_sets_;  // term, value
  std::string period_;
  std::shared_ptr<const checked::Contract> contract_;
  std::optional<Dataset> data_;
  // The set of keywords the session reads: its contract's (grammar/keywords.hpp). A session
  // started without a contract has none until its first definition or declaration chooses one
  // (choose_language); until then each expression is read in the set its first word says.
  std::optional<grammar::Language> language_;

  grammar::Language keywords() const { return language_.value_or(grammar::Language::english); }
  std::string word(W k) const { return std::string(grammar::spelling(k, keywords())); }
  static bool starts_with_keyword(const std::string& input, std::span<const W> keywords, grammar::Language language) {
    return std::any_of(keywords.begin(), keywords.end(), [&](W k) { return scan::starts_with_word(input, {grammar::spelling(k, language)}); });
  }
  // The first definition or declaration of a session without a contract chooses its set: the
  // empty contract is written again in it, so that what the session adds reads as one file.
  void choose_language(const std::string& input) {
    for (auto language : {grammar::Language::english, grammar::Language::swedish}) {
      if (!starts_with_keyword(input, kDeclarations, language) && !scan::starts_with_word(input, {grammar::spelling(W::let_, language)}))
        continue;
      language_ = language;
      if (language != grammar::Language::english) rebuild(file_text_ = empty_contract(language), false);
      return;
    }
  }
  // An expression of the input, read in the session's set; one that reads only in the other
  // set says so.
  ExpressionParseResult parse(const std::string& label, const std::string& text) const {
    auto source = std::make_shared<Source>(Source{label, text});
    if (!language_) return parse_expression_either(source);
    ParseOptions options;
    options.language = language_;
    auto parsed = parse_expression(source, options);
    const auto other = *language_ == grammar::Language::english ? grammar::Language::swedish : grammar::Language::english;
    options.language = other;
    if (!parsed.expr && !parsed.diagnostics.empty() && parse_expression(source, options).expr)
      set_suggestion(parsed.diagnostics.front(),
                     other == grammar::Language::english
                         ? utfall::text("this reads in English, but the session reads Swedish, the set of its contract: write "
                                        "its keywords in Swedish")
                         : utfall::text("this reads in Swedish, but the session reads English, the set of its contract: write "
                                        "its keywords in English"));
    return parsed;
  }

  void error(const std::string& message) {
    err += message + "\n";
    failed = true;
  }
  // Whether there is a contract that checks and data bound to it. A session whose contract
  // does not check (or whose data does not fit) stays open: the file can be fixed and reloaded.
  bool ready() {
    if (!contract_) {
      error(path_.empty() ? say_("no contract that checks: :load a file")
                          : say_("{} does not check (the errors are above): fix it and :reload, or :load another file", path_));
      return false;
    }
    if (!data_) {
      error(say_("the data ({}) does not fit the contract (the errors are above): :data FILE... to read other files",
                 fmt::format("{}", fmt::join(data_paths_, ", "))));
      return false;
    }
    return true;
  }
  void diagnostics(const Diagnostics& d) {
    shown.insert(shown.end(), d.begin(), d.end());
    err += render_all(d, true, say_.words);
    if (has_errors(d)) failed = true;
  }
  std::string name() const { return path_.empty() ? "<session>" : path_; }

  void help() {
    out += say_("Enter an expression to evaluate it, or a command:") + "\n";
    for (const auto& line : kHelp) {
      std::string syntax = line.keyword ? say_(line.syntax, word(*line.keyword)) : say_(line.syntax);
      const std::size_t width = characters(syntax);
      out += fmt::format("  {}{}{}\n", syntax, std::string(width < kHelpColumn ? kHelpColumn - width : 1, ' '), say_(line.what));
    }
    out += say_("Input continues on the next line while brackets are open or a line ends with an operator.") + "\n";
  }

  // Compiles `text` as the session's contract; on success it becomes the contract. With
  // `report`, warnings are shown too.
  bool rebuild(const std::string& text, bool report_warnings) {
    auto compiled = compile(std::make_shared<Source>(Source{name(), text}));
    if (!compiled.contract) {
      diagnostics(compiled.diagnostics);
      return false;
    }
    if (report_warnings && !compiled.diagnostics.empty()) diagnostics(compiled.diagnostics);
    text_ = text;
    contract_ = compiled.contract;
    if (!period_.empty() && !contract_->period_index(period_)) period_.clear();
    rebind();
    return true;
  }

  // Binds the data files to the contract, then applies the overridden data.
  void rebind() {
    data_.reset();
    const auto& c = *contract_;
    if (!data_paths_.empty()) {
      auto bound = load_data(c, data_paths_);
      if (!bound.data) {
        diagnostics(bound.diagnostics);
        return;
      }
      data_ = std::move(*bound.data);
    } else {
      Dataset empty;
      for (const auto& in : c.inputs) {
        empty.series.emplace_back(in.participants ? 0 : c.periods.size());
        empty.participants.emplace_back();
      }
      data_ = std::move(empty);
    }
    std::vector<Datum> kept;
    for (const auto& d : datum_sets_)
      if (apply_datum(d)) kept.push_back(d);
    datum_sets_ = std::move(kept);
  }

  std::optional<checked::Value> constant(const std::string& label, const std::string& text, std::optional<Type>& type) {
    auto parsed = parse(label, text);
    if (!parsed.expr) return diagnostics(parsed.diagnostics), std::nullopt;
    auto checked = check_expression(*parsed.expr, contract_.get());
    if (!checked.expr) return diagnostics(checked.diagnostics), std::nullopt;
    EvalOptions o;
    o.limits = config_.limits;
    auto v = evaluate_expression(*contract_, Dataset{}, *checked.expr, -1, o);
    if (!v.value) return diagnostics(v.diagnostics), std::nullopt;
    type = checked.expr->type;
    return v.value;
  }

  bool apply_datum(const Datum& d) {
    const auto& c = *contract_;
    auto input = c.input_index(d.input);
    if (!input || c.inputs[*input].participants) {
      error(say_("`{}` is not a series input of the contract", d.input));
      return false;
    }
    auto period = c.period_index(d.period);
    if (!period) {
      error(say_("{} is not a period of the contract ({} .. {})", d.period, c.periods.front(), c.periods.back()));
      return false;
    }
    std::optional<Type> type;
    auto value = constant(fmt::format(":set {}@{}", d.input, d.period), d.value, type);
    if (!value) return false;
    if (!(*type == c.inputs[*input].type)) {
      error(say_("`{}` is in {}, but the value is in {}", d.input, c.inputs[*input].type.describe(), type->describe()));
      return false;
    }
    const auto& in = c.inputs[*input];
    if (auto why = outside_range(in.allowed, *value, in.type, in.percent)) {
      error(say_("error[E532]: `{}` is {}, {}", d.input, excerpt(d.value), *why));
      return false;
    }
    data_->series[*input][*period] = *value;
    return true;
  }

  EvalOptions options() {
    EvalOptions o;
    o.limits = config_.limits;
    std::vector<std::string> sets;
    for (const auto& [t, v] : term_sets_) sets.push_back(t + "=" + v);
    diagnostics(apply_overrides(*contract_, sets, o));
    return o;
  }

  // Whether this session may read files; else says so.
  bool files_allowed() {
    if (!config_.read_files) error(say_("this session reads no files"));
    return config_.read_files;
  }

  // The text of a contract file, or nothing after showing why (a FIFO, a device, too large).
  std::optional<std::string> read_file(const std::string& path) {
    if (!files_allowed()) return std::nullopt;
    auto read = read_contract_file(path);
    if (auto* d = std::get_if<Diagnostic>(&read)) {
      diagnostics({*d});
      return std::nullopt;
    }
    return std::move(std::get<std::string>(read));
  }

  void load(const std::string& path) {
    if (auto text = read_file(path)) load_text(path, std::move(*text));
  }

  // A contract's text becomes the session's contract, as if read from the file `path`.
  void load_text(const std::string& path, std::string text) {
    // The file becomes the session's contract even when it does not check, so that :reload
    // picks up the fix; the session's own definitions and overrides belong to the old one.
    path_ = path;
    language_ = grammar::language_of(text);
    file_text_ = text_ = std::move(text);
    session_clauses_ = 0;
    term_sets_.clear();
    datum_sets_.clear();
    if (!rebuild(file_text_, true)) {
      contract_.reset();
      data_.reset();
      return;
    }
    out += say_("loaded {}: {} ({} periods, {} parties, {} terms, {} payments, {} waterfalls)", path, contract_->title,
                       contract_->periods.size(), contract_->parties.size(), contract_->terms.size(), contract_->payments.size(),
                       contract_->waterfalls.size()) + "\n";
  }

  void set_data(const std::vector<std::string>& paths) {
    if (!files_allowed()) return;
    if (!contract_) {  // read when a contract checks (:reload, :load)
      data_paths_ = paths;
      out += say_("data: {} (read once the contract checks)", fmt::format("{}", fmt::join(paths, ", "))) + "\n";
      return;
    }
    auto saved = std::exchange(data_paths_, paths);
    auto bound = load_data(*contract_, paths);
    if (!bound.data) {
      data_paths_ = saved;
      return diagnostics(bound.diagnostics);
    }
    rebind();
    out += say_("data: {}", fmt::format("{}", fmt::join(paths, ", "))) + "\n";
  }

  // term/let NAME = EXPRESSION: replaces the expression of an existing term or definition in
  // the session's text, or appends a new one.
  void define(const std::string& keyword, const std::string& name, const std::string& expression) {
    auto parsed = parse("<input>", expression);
    if (!parsed.expr) return diagnostics(parsed.diagnostics);
    const auto& c = *contract_;
    const checked::Expr* old = nullptr;
    for (const auto& t : c.terms)
      if (t.name == name) old = t.value.get();
    for (const auto& d : c.defs)
      if (d.name == name) old = d.value.get();
    for (const auto& d : c.participant_defs)
      if (d.name == name) old = d.value.get();
    std::string text = text_;
    if (old && old->range.end_offset <= text.size()) {
      text.replace(old->range.begin.offset, old->range.end_offset - old->range.begin.offset, expression);
    } else if (keyword == word(W::term_)) {
      text += fmt::format("\n{} {} = {}\n", keyword, name, expression);
    } else {
      text += fmt::format("\n{} \"repl.{}\" \"REPL session\" {{\n  {} {} = {}\n}}\n", word(W::clause_), session_clauses_ + 1, keyword, name,
                          expression);
    }
    if (!rebuild(text, false)) return;
    if (!old && keyword != word(W::term_)) ++session_clauses_;
    term_sets_.erase(std::remove_if(term_sets_.begin(), term_sets_.end(), [&](const auto& s) { return s.first == name; }), term_sets_.end());
    out += (old ? say_("redefined {} = {}", name, expression) : say_("defined {} = {}", name, expression)) + "\n";
  }

  void declare(const std::string& declaration) {
    if (!rebuild(text_ + "\n" + declaration + "\n", true)) return;
    out += say_("added") + "\n";
  }

  void evaluate_input(const std::string& input) {
    auto parsed = parse("<input>", input);
    if (!parsed.expr) return diagnostics(parsed.diagnostics);
    auto checked = check_expression(*parsed.expr, contract_.get());
    if (!checked.expr) return diagnostics(checked.diagnostics);
    int t = period_.empty() ? -1 : *contract_->period_index(period_);
    auto v = evaluate_expression(*contract_, *data_, *checked.expr, t, options());
    if (!v.value) {
      diagnostics(v.diagnostics);
      for (const auto& d : v.diagnostics)
        if (d.code == "E604") err += say_("(or set the current period with :period PERIOD)") + "\n";
      return;
    }
    out += format_value(*contract_, *v.value, checked.expr->type) + "\n";
  }

  void command(const std::string& input) {
    std::string cmd = input.substr(0, input.find_first_of(" \t\n"));
    std::string rest = trimmed(input.substr(cmd.size()));
    std::vector<std::string> args;
    std::istringstream words(rest);
    for (std::string w; words >> w;) args.push_back(w);
    bool needs_contract = !(cmd == ":q" || cmd == ":quit" || cmd == ":exit" || cmd == ":help" || cmd == ":h" || cmd == ":?" ||
                            cmd == ":load" || cmd == ":reload" || (cmd == ":data" && !args.empty()));
    if (needs_contract && !ready()) return;
    if (cmd == ":q" || cmd == ":quit" || cmd == ":exit") {
      quit = true;
    } else if (cmd == ":help" || cmd == ":h" || cmd == ":?") {
      help();
    } else if (cmd == ":load") {
      if (args.size() != 1) return error(say_(":load takes one contract file"));
      load(args[0]);
    } else if (cmd == ":reload") {
      reload();
    } else if (cmd == ":data") {
      if (args.empty()) return show_data();
      set_data(args);
    } else if (cmd == ":period") {
      if (args.empty()) {
        out += (period_.empty() ? say_("no current period (expressions that depend on one need :period or @)") : period_) + "\n";
      } else if (args[0] == "none") {
        period_.clear();
      } else if (contract_->period_index(args[0])) {
        period_ = args[0];
      } else {
        error(say_("{} is not a period of the contract ({} .. {})", args[0], contract_->periods.front(), contract_->periods.back()));
      }
    } else if (cmd == ":set") {
      set(rest);
    } else if (cmd == ":unset") {
      unset(rest);
    } else if (cmd == ":payments") {
      auto ev = evaluate(*contract_, *data_, options());
      if (!ev.ok) return diagnostics(ev.diagnostics);
      out += schedule_table(*contract_, ev, &*data_, say_);
    } else if (cmd == ":explain") {
      explain(args);
    } else if (cmd == ":type") {
      auto parsed = parse("<input>", rest);
      if (!parsed.expr) return diagnostics(parsed.diagnostics);
      auto checked = check_expression(*parsed.expr, contract_.get());
      if (!checked.expr) return diagnostics(checked.diagnostics);
      out += checked.expr->type.describe().in(say_.words) + "\n";
    } else if (cmd == ":names") {
      show_names();
    } else {
      error(say_("unknown command {}; :help lists the commands", cmd));
    }
  }

  void reload() {
    if (path_.empty()) return error(say_("no contract file to reload (the session started from an empty contract)"));
    auto text = read_file(path_);
    if (!text) return;
    // The session's changes are replayed on the new text: what was appended is appended again;
    // redefinitions of the file's own names are lost if the file changed under them.
    std::string appended = text_.size() >= file_text_.size() && text_.compare(0, file_text_.size(), file_text_) == 0
                               ? text_.substr(file_text_.size())
                               : std::string();
    if (!rebuild(*text + appended, true)) return;
    language_ = grammar::language_of(*text);
    file_text_ = std::move(*text);
    out += say_("reloaded {}", path_) + "\n";
  }

  void set(const std::string& rest) {
    auto a = scan::assignment(rest);
    if (a && !a->period.empty()) {
      Datum d{a->name, a->period, a->value};
      if (!apply_datum(d)) return;
      std::erase_if(datum_sets_, [&](const Datum& x) { return x.input == d.input && x.period == d.period; });
      datum_sets_.push_back(d);
      out += say_("{} in {} = {}", d.input, d.period, d.value) + "\n";
    } else if (a) {
      std::string name = a->name, value = a->value;
      if (!contract_->term_index(name))
        return error(say_("`{}` is not a term; to set a datum give its period: :set {}@PERIOD = VALUE", name, name));
      EvalOptions probe;
      auto d = apply_overrides(*contract_, {name + "=" + value}, probe);
      if (has_errors(d)) return diagnostics(d);
      std::erase_if(term_sets_, [&](const auto& s) { return s.first == name; });
      term_sets_.emplace_back(name, value);
      out += fmt::format("{} = {}\n", name, value);
    } else {
      error(say_(":set NAME@PERIOD = VALUE (a datum) or :set TERM = VALUE (a term)"));
    }
  }

  void unset(const std::string& rest) {
    std::string name = rest.substr(0, rest.find('@'));
    std::string period = rest.find('@') == std::string::npos ? "" : trimmed(rest.substr(rest.find('@') + 1));
    name = trimmed(name);
    std::size_t before = datum_sets_.size() + term_sets_.size();
    std::erase_if(datum_sets_, [&](const Datum& d) { return name.empty() || (d.input == name && (period.empty() || d.period == period)); });
    std::erase_if(term_sets_, [&](const auto& s) { return name.empty() || s.first == name; });
    rebind();
    out += say_("{} overrides dropped", before - datum_sets_.size() - term_sets_.size()) + "\n";
  }

  void explain(const std::vector<std::string>& args) {
    ExplainFilter filter;
    if (!period_.empty()) filter.period = contract_->period_index(period_);
    for (const auto& a : args) {
      if (auto p = contract_->period_index(a)) {
        filter.period = p;
      } else if (a == "all") {
        filter.period.reset();
      } else if (a.find("->") != std::string::npos || a.find("→") != std::string::npos) {
        if (auto problem = filter.set_payment(*contract_, a)) return error(*problem);
      } else {
        return error(say_("`{}` is neither a period nor PAYER->PAYEE", a));
      }
    }
    EvalOptions o = options();
    o.trace = true;
    if (filter.period) o.trace_period = *filter.period;
    auto ev = evaluate(*contract_, *data_, o);
    if (!ev.ok) return diagnostics(ev.diagnostics);
    out += explanation_text(*contract_, ev, filter, say_);
  }

  void show_data() {
    const auto& c = *contract_;
    out += (data_paths_.empty() ? say_("no data files") : say_("data files: {}", fmt::format("{}", fmt::join(data_paths_, ", ")))) + "\n";
    for (std::size_t i = 0; i < c.inputs.size(); ++i) {
      const auto& in = c.inputs[i];
      if (in.participants) {
        out += say_("  {}: {} participants", in.name, data_->participants[i].size()) + "\n";
        continue;
      }
      std::vector<std::string> values;
      for (std::size_t t = 0; t < c.periods.size(); ++t) {
        const auto& v = data_->series[i][t];
        if (v) values.push_back(fmt::format("{} {}", c.periods[t], format_value(c, *v, in.type)));
      }
      out += (values.empty() ? say_("  {}: no values", in.name) : fmt::format("  {}: {}", in.name, fmt::join(values, ", "))) + "\n";
    }
    for (const auto& d : datum_sets_) out += say_("  overridden: {}@{} = {}", d.input, d.period, d.value) + "\n";
    for (const auto& [t, v] : term_sets_) out += say_("  overridden term: {} = {}", t, v) + "\n";
  }

  void show_names() {
    const auto& c = *contract_;
    auto list = [&](PhraseId what, auto const& xs, auto name) {
      std::vector<std::string> v;
      for (const auto& x : xs) v.push_back(name(x));
      if (!v.empty()) out += say_(what, fmt::format("{}", fmt::join(v, ", "))) + "\n";
    };
    list("parties: {}", c.parties, [](const auto& x) { return x.id; });
    list("inputs: {}", c.inputs, [](const auto& x) { return x.name; });
    list("terms: {}", c.terms, [](const auto& x) { return x.name; });
    list("definitions: {}", c.defs, [](const auto& x) { return x.name; });
    list("tables: {}", c.tables, [](const auto& x) { return x.name; });
    out += say_("periods: {} .. {} ({})", c.periods.front(), c.periods.back(), c.periods.size()) + "\n";
  }
};

ReplSession::ReplSession(Config config) : state_(std::make_unique<State>(std::move(config))) {}
ReplSession::~ReplSession() = default;
void ReplSession::start(const ReplOptions& options) { state_->start(options); }
void ReplSession::start_text(const std::string& label, std::string text) { state_->load_text(label, std::move(text)); }
void ReplSession::handle(const std::string& input) { state_->handle(input); }
bool ReplSession::complete(const std::string& buffer) { return State::complete(buffer); }
const std::string& ReplSession::out() const { return state_->out; }
const std::string& ReplSession::err() const { return state_->err; }
const Diagnostics& ReplSession::diagnostics() const { return state_->shown; }
bool ReplSession::failed() const { return state_->failed; }
bool ReplSession::quit() const { return state_->quit; }
std::vector<std::string> ReplSession::names() const { return state_->names(); }
std::string ReplSession::prompt() const { return state_->prompt(); }

}  // namespace utfall
