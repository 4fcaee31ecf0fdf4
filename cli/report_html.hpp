// The page of `utfall report`: one self-contained HTML file for a council paper or a board deck.
//
// Takes what the command computed (cli/report.hpp) and presents it; nothing is evaluated here.
// Sections: a summary (the total of every flow, each party's payments and receipts, and with
// --party its returns), the payment schedule, the charts (the cumulative payments of every flow
// over the periods, with --payoff the total of every flow against a varied term or scale, and
// with --draw the distribution of every flow's total over the runs of a simulation),
// and the explanation of every payment, each in a collapsible <details>.
//
// Every amount in a table carries its exact decimal in `data-amount`, and is shown in the
// language's convention (`26,700,000.00` in English, `26 700 000,00` in Swedish). The charts are
// Vega-Lite specifications in a <script type="application/json">, drawn by the chart libraries
// bundled at build time (cli/report_scripts.hpp) with the SVG renderer; their data are the exact
// decimals as text, turned into numbers only to place the marks. Without the libraries the
// page says so where the charts would be. The page loads nothing from anywhere: no address of
// another file or site appears in it. When it has drawn, <body> gets `data-charts="drawn"` (or
// "failed", or "none"), and every error the page's scripts meet is written into
// <pre id="utfall-errors">, so that a test in a headless browser can read both from the DOM.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/varied.hpp"
#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/returns.hpp"
#include "interpreter/statistics.hpp"

namespace utfall::cli {

// A flow: what one party pays another in one currency, over the contract's rules.
struct Flow {
  int payer = 0, payee = 0, currency = 0;
  friend bool operator==(const Flow&, const Flow&) = default;
};

// The payoff curve: the total of each flow over all periods at each value of the varied term.
struct Payoff {
  Varied varied;
  std::optional<Number> current;   // the value the contract (or --set) gives it, when a number
  std::vector<Flow> flows;         // the flows paid at any of the points
  struct Point {
    Number x;
    std::vector<Number> totals;  // per flow, exact (may be a fraction of the minor unit)
  };
  std::vector<Point> points;
};

// The distribution of each flow's total over the runs of `utfall simulate` (--draw).
struct Simulated {
  std::uint64_t runs = 0, failed = 0, seed = 0;
  std::vector<std::string> draws;  // as written
  struct FlowDistribution {
    Flow flow;
    int places = 2;                     // the values count the currency's minor units, 10^-places
    Summary summary;                    // percentiles 5, 50 and 95
    std::int64_t bin_width = 1;         // in units; bin k is [min + k * width, min + (k + 1) * width)
    std::vector<std::uint64_t> counts;  // runs per bin
  };
  std::vector<FlowDistribution> flows;
};

struct ReportInput {
  const checked::Contract* contract = nullptr;
  std::string contract_file;
  std::vector<std::string> data_files;
  const Evaluation* evaluation = nullptr;  // traced (EvalOptions::trace)
  std::optional<Returns> returns;
  std::optional<Payoff> payoff;
  std::optional<Simulated> simulated;
  std::string lang = "en";  // "en" or "sv": the page's headings and number convention
};

// The flows of an evaluation, in the order their first payment line comes.
std::vector<Flow> flows_of(const Evaluation& evaluation, const checked::Contract& contract);

std::string report_html(const ReportInput& input);

// Shared with `utfall doc` (cli/doc.hpp): text escaped for HTML; the pages' <style> element; the
// payment schedule's section (<section id="schedule">) in the language's headings and numbers.
std::string html_escape(std::string_view text);
// A number written the English way, `26,700,000.00`, the Swedish way: `26 700 000,00`, with no-break spaces.
std::string swedish_number(std::string_view text);
std::string page_style();
std::string schedule_html(const checked::Contract& contract, const Evaluation& evaluation, const std::string& lang);

}  // namespace utfall::cli
