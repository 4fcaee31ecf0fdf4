// The chart libraries of `utfall report` (vega, vega-lite and vega-embed from the npm registry),
// bundled into the binary at build time by cmake/ReportCharts.cmake; none where the build had
// no npm. Nothing is read or fetched at run time.
#pragma once

#include <optional>
#include <string_view>

namespace utfall::cli {

struct ChartScripts {
  std::string_view vega, vega_lite, vega_embed;  // the minified bundles, as installed
  std::string_view versions;                     // "vega 6.4.0, vega-lite 6.5.0, vega-embed 7.3.0"
};
std::optional<ChartScripts> chart_scripts();

}  // namespace utfall::cli
