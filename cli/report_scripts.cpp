// The three bundles go into .rodata as the files are, by the assembler's .incbin: a megabyte of
// JavaScript as a C++ array would cost the compiler far more than the assembler's copy. The
// build names the files (UTFALL_VEGA_JS, ...) and recompiles this file when they change.
#include "cli/report_scripts.hpp"

#ifdef UTFALL_HAVE_CHARTS

#define UTFALL_INCLUDE_BYTES(name, file)  \
  ".section .rodata\n"                    \
  ".balign 16\n" #name "_begin:\n"        \
  ".incbin \"" file "\"\n" #name "_end:\n" \
  ".previous\n"

__asm__(UTFALL_INCLUDE_BYTES(utfall_vega_js, UTFALL_VEGA_JS) UTFALL_INCLUDE_BYTES(utfall_vega_lite_js, UTFALL_VEGA_LITE_JS)
            UTFALL_INCLUDE_BYTES(utfall_vega_embed_js, UTFALL_VEGA_EMBED_JS));

extern "C" {
extern const char utfall_vega_js_begin[], utfall_vega_js_end[];
extern const char utfall_vega_lite_js_begin[], utfall_vega_lite_js_end[];
extern const char utfall_vega_embed_js_begin[], utfall_vega_embed_js_end[];
}

namespace utfall::cli {

std::optional<ChartScripts> chart_scripts() {
  auto bytes = [](const char* begin, const char* end) { return std::string_view(begin, static_cast<std::size_t>(end - begin)); };
  return ChartScripts{bytes(utfall_vega_js_begin, utfall_vega_js_end), bytes(utfall_vega_lite_js_begin, utfall_vega_lite_js_end),
                      bytes(utfall_vega_embed_js_begin, utfall_vega_embed_js_end), UTFALL_CHART_VERSIONS};
}

}  // namespace utfall::cli

#else

namespace utfall::cli {

std::optional<ChartScripts> chart_scripts() { return std::nullopt; }

}  // namespace utfall::cli

#endif
