// `utfall doc`: reads the contract as `check` does (and its data as `run` does), then writes the
// document from the checked contract and the contract's own text. The clauses and examples are
// shown as written: from the keyword before the number to the brace that closes the block
// (found by the formatter's SourceScan, interpreter/format_source.hpp).
#include "cli/doc.hpp"

#include <fmt/format.h>

#include <cctype>
#include <iostream>

#include "cli/output.hpp"
#include "cli/pdf.hpp"
#include "cli/report_html.hpp"
#include "interpreter/files.hpp"
#include "interpreter/format_source.hpp"
#include "interpreter/literate.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/unicode.hpp"

#ifdef UTFALL_HAVE_CMARK
#include <cmark.h>
#endif

namespace utfall {
namespace {

using cli::html_escape;
using cli::report;

struct Words {
  const char* lang;
  const char* document, *contract_file, *parties, *party, *name, *calendar, *periods, *currencies, *minor_unit, *inputs, *input,
      *unit, *per_participant, *terms, *term, *value, *clauses, *examples, *schedule_note, *no_cmark;
};
constexpr Words kEnglish{"en", "agreement", "Contract", "Parties", "Party", "Name", "Calendar", "Periods", "Currencies", "minor unit",
                         "Inputs (the data each period brings)", "Input", "Unit or type", "one record per participant, with",
                         "Terms", "Term", "Value", "Clauses", "Examples", "The payments on the data named here:",
                         "(This utfall was built without libcmark: the Markdown is shown as written.)"};
constexpr Words kSwedish{"sv", "avtal", "Avtal", "Parter", "Part", "Namn", "Perioder", "Perioder", "Valutor", "minsta enhet",
                         "Uppgifter (de data varje period ger)", "Uppgift", "Enhet eller typ", "en post per deltagare, med",
                         "Villkor", "Villkor", "Värde", "Punkter", "Exempel", "Betalningarna med dessa data:",
                         "(Denna utfall är byggd utan libcmark: Markdown visas som den är skriven.)"};

// The text of a block whose name stands at `at` (a clause's number, an example's name): from the
// keyword before it to the brace that closes its first `{`, as the formatter finds them.
std::string block_text(const format_detail::SourceScan& scan, const std::string& text, std::size_t at) {
  const std::size_t begin = scan.words_back(at, 1);
  const std::size_t close = scan.matching_close(scan.next_open(at));
  return text.substr(begin, std::min(close + 1, text.size()) - begin);
}

// A term's value as the parties write it: an amount of a currency with its separators in the
// page's language (`7 000 000,00 SEK`), a percentage as one (`30 %`), anything else as utfall shows it.
std::string term_value(const checked::Contract& c, const checked::Term& term, const checked::Value& value, const std::string& lang) {
  const auto* n = std::get_if<Number>(&value);
  std::string text;
  if (n && term.percent) {
    text = (*n * Number::from_int(100)).to_string() + " %";
  } else if (auto k = std::find_if(c.currencies.begin(), c.currencies.end(), [&](const checked::Currency& x) { return term.type.unit == Unit::of(x.code); });
             n && k != c.currencies.end() && n->is_multiple_of(k->minor_unit)) {
    text = format_money(c, *n, true, static_cast<int>(k - c.currencies.begin())) + " " + k->code;
  } else {
    return format_value(c, value, term.type);
  }
  return lang == "sv" ? cli::swedish_number(text) : text;
}

std::string markdown_html(const std::string& markdown, const Words& w) {
#ifdef UTFALL_HAVE_CMARK
  (void)w;
  // CMARK_OPT_SAFE is the default of 0.30: raw HTML and dangerous links are not passed through.
  char* html = cmark_markdown_to_html(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT);
  std::string out(html);
  free(html);
  return "<section id=\"agreement\">\n" + out + "</section>\n";
#else
  return fmt::format("<section id=\"agreement\">\n<p class=\"note\">{}</p>\n<pre>{}</pre>\n</section>\n", w.no_cmark, html_escape(markdown));
#endif
}

bool ends_with_pdf(const std::string& path) {
  if (path.size() < 4) return false;
  std::string end = path.substr(path.size() - 4);
  for (auto& ch : end) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return end == ".pdf";
}

}  // namespace

DocCommand::DocCommand(CLI::App& app) {
  command_ = app.add_subcommand("doc", "The contract as a document for the parties: one self-contained HTML file, or a PDF of it");
  command_->add_option("contract", contract_, "the contract file (.utfall, or a literate .md)")->required();
  command_->add_option("--data,-d", data_, "data files: add the payment schedule on them");
  command_->add_option("--set,-s", sets_, "override a term: TERM=VALUE");
  command_->add_option("--output,-o", output_,
                       "the file to write (whole or not at all): FILE.html, or FILE.pdf printed (A4) by headless Chromium")
      ->required();
  command_->add_option("--browser", browser_, fmt::format("the browser that prints a .pdf: a name on PATH or a path (default: chromium); it is "
                                                          "stopped after {} s, and utfall exits 1 when it cannot print",
                                                          cli::kBrowserSeconds));
  command_->add_option("--lang", lang_, "the page's language: en (default) or sv")->check(CLI::IsMember({"en", "sv"}));
}

int DocCommand::run() const {
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings
  const auto& c = *compiled.contract;
  const Words& w = lang_ == "sv" ? kSwedish : kEnglish;
  EvalOptions options;
  if (auto d = apply_overrides(c, sets_, options); !d.empty()) return std::max(report(d), 64);
  std::optional<Dataset> data;
  if (!data_.empty()) {
    auto bound = load_data(c, data_);
    if (!bound.data) return report(bound.diagnostics);
    data = std::move(*bound.data);
  }

  std::string out = fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} — {}</title>\n{}</head>\n<body>\n",
                                w.lang, html_escape(c.title), w.document, cli::page_style());
  out += fmt::format("<header>\n<h1>{}</h1>\n<p class=\"meta\">{}: {}</p>\n</header>\n", html_escape(c.title), w.contract_file,
                     html_escape(contract_));

  out += fmt::format("<section id=\"parties\">\n<h2>{}</h2>\n<table class=\"parties\">\n<tr><th>{}</th><th>{}</th></tr>\n", w.parties, w.party,
                     w.name);
  for (const auto& p : c.parties)
    out += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", html_escape(p.id), html_escape(p.display.empty() ? p.id : p.display));
  out += "</table>\n</section>\n";

  out += fmt::format("<section id=\"calendar\">\n<h2>{}</h2>\n<p>{}: {}</p>\n<p>{}: ", w.calendar, w.periods,
                     html_escape(fmt::format("{}", fmt::join(c.periods, ", "))), w.currencies);
  for (std::size_t k = 0; k < c.currencies.size(); ++k)
    out += fmt::format("{}{} ({} {})", k ? ", " : "", html_escape(c.currencies[k].code), w.minor_unit,
                       html_escape(c.currencies[k].minor_unit.to_string()));
  out += "</p>\n</section>\n";

  out += fmt::format("<section id=\"inputs\">\n<h2>{}</h2>\n<table class=\"inputs\">\n<tr><th>{}</th><th>{}</th></tr>\n", w.inputs, w.input, w.unit);
  for (const auto& in : c.inputs) {
    std::string type;
    if (in.participants) {
      type = w.per_participant;
      for (std::size_t k = 0; k < in.fields.size(); ++k)
        type += fmt::format("{} {}: {}", k ? "," : "", in.fields[k].name, in.fields[k].percent ? "%" : in.fields[k].type.to_string());
    } else {
      type = in.percent ? "% per period" : in.type.to_string() + " per period";
    }
    out += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", html_escape(in.name), html_escape(type));
  }
  out += "</table>\n</section>\n";

  out += fmt::format("<section id=\"terms\">\n<h2>{}</h2>\n<table class=\"terms\">\n<tr><th>{}</th><th class=\"amount\">{}</th></tr>\n", w.terms,
                     w.term, w.value);
  for (std::size_t k = 0; k < c.terms.size(); ++k) {
    const auto& term = c.terms[k];
    std::optional<checked::Value> value;
    if (auto it = options.term_overrides.find(static_cast<int>(k)); it != options.term_overrides.end()) value = it->second;
    else if (!term_unlimited(c, options, static_cast<int>(k))) value = evaluate_expression(c, data ? *data : Dataset{}, *term.value, -1, options).value;
    const std::string shown = term_unlimited(c, options, static_cast<int>(k)) ? "unlimited" : value ? term_value(c, term, *value, lang_) : "";
    out += fmt::format("<tr data-term=\"{}\"><td>{}</td><td class=\"amount\">{}</td></tr>\n", html_escape(term.name), html_escape(term.name),
                       html_escape(shown));
  }
  out += "</table>\n</section>\n";

  // The clauses and examples: a literate contract's Markdown, else each block as written.
  const std::string& text = c.source->text;
  if (is_literate(contract_)) {
    auto read = read_regular_file(contract_, ParseOptions{}.max_source_bytes);
    if (auto* markdown = std::get_if<std::string>(&read)) out += markdown_html(*markdown, w);
  } else {
    auto parsed = parse_contract(c.source);
    const format_detail::SourceScan scan(text);
    if (parsed.contract) {
      out += fmt::format("<section id=\"clauses\">\n<h2>{}</h2>\n", w.clauses);
      for (const auto& clause : parsed.contract->clauses)
        if (clause.range.source)  // not the definitions written outside any clause
          out += fmt::format("<article class=\"clause\" data-clause=\"{}\">\n<h3>{} {}</h3>\n<pre>{}</pre>\n</article>\n", html_escape(clause.number),
                           html_escape(clause.number), html_escape(clause.title), html_escape(block_text(scan, text, clause.range.begin.offset)));
      out += "</section>\n";
      if (!parsed.contract->examples.empty()) {
        out += fmt::format("<section id=\"examples\">\n<h2>{}</h2>\n", w.examples);
        for (const auto& example : parsed.contract->examples)
          out += fmt::format("<pre class=\"example\">{}</pre>\n", html_escape(block_text(scan, text, example.range.begin.offset)));
        out += "</section>\n";
      }
    }
  }

  if (data) {
    auto ev = evaluate(c, *data, options);
    if (!ev.ok) return report(ev.diagnostics);
    std::string files;
    for (const auto& f : data_) files += (files.empty() ? "" : ", ") + html_escape(f);
    out += fmt::format("<p class=\"note\">{} {}</p>\n", w.schedule_note, files) + cli::schedule_html(c, ev, lang_);
  }
  out += "</body>\n</html>\n";
  if (ends_with_pdf(output_)) {
    auto printed = cli::print_pdf(out, browser_);
    if (auto* problem = std::get_if<cli::PdfProblem>(&printed)) {
      if (!problem->browser_output.empty()) std::cerr << terminal_text(problem->browser_output) << "\n";
      std::cerr << terminal_text(fmt::format("utfall doc: cannot write {}: {}; to print a PDF install Debian's chromium (or name a "
                                             "browser with --browser PATH), or write .html instead\n",
                                             output_, problem->what));
      return 1;
    }
    out = std::move(std::get<std::string>(printed));
  }
  if (auto problem = cli::write_file_whole(output_, out)) {
    report({*problem});
    return cli::kOutputFailed;
  }
  return 0;
}

}  // namespace utfall
