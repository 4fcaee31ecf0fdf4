# The charts of `utfall report` (cli/report_html.hpp) are Vega-Lite specifications drawn by the
# vega, vega-lite and vega-embed packages of the npm registry. The report is one self-contained
# HTML file, so the three bundles go into the utfall binary at build time: this file installs
# the versions pinned by report/package-lock.json into the build folder (`npm ci`, at configure
# time and again only when the lock file changes), and cli/report_scripts.cpp includes the three
# minified files with the assembler's .incbin. Nothing is fetched when a report is made or viewed.
#
# UTFALL_CHARTS: AUTO (the default) bundles them when npm is found and the install works, and
# otherwise builds utfall without charts (a report then says so in a note); ON requires them;
# OFF never tries. Sets UTFALL_CHART_SCRIPTS (the three files, empty without charts).
set(UTFALL_CHARTS AUTO CACHE STRING "Bundle the chart libraries into `utfall report`: AUTO, ON or OFF")
set_property(CACHE UTFALL_CHARTS PROPERTY STRINGS AUTO ON OFF)
set(UTFALL_CHART_SCRIPTS "")

set(report_dir ${PROJECT_SOURCE_DIR}/report)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${report_dir}/package.json ${report_dir}/package-lock.json)
if(NOT UTFALL_CHARTS STREQUAL "OFF")
  find_program(UTFALL_NPM npm)
  set(js_dir ${CMAKE_BINARY_DIR}/report-js)
  file(SHA256 ${report_dir}/package-lock.json lock_hash)
  set(stamp ${js_dir}/installed-${lock_hash})
  set(why "npm was not found")
  if(UTFALL_NPM AND NOT EXISTS ${stamp})
    message(STATUS "utfall report: installing the chart libraries with npm ci (report/package-lock.json)")
    file(REMOVE_RECURSE ${js_dir})
    file(MAKE_DIRECTORY ${js_dir})
    file(COPY ${report_dir}/package.json ${report_dir}/package-lock.json DESTINATION ${js_dir})
    execute_process(COMMAND ${UTFALL_NPM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
                    WORKING_DIRECTORY ${js_dir} RESULT_VARIABLE npm_result ERROR_VARIABLE npm_error OUTPUT_QUIET TIMEOUT 600)
    if(npm_result EQUAL 0)
      file(TOUCH ${stamp})
    else()
      set(why "npm ci failed: ${npm_error}")
    endif()
  endif()
  set(scripts ${js_dir}/node_modules/vega/build/vega.min.js ${js_dir}/node_modules/vega-lite/build/vega-lite.min.js
              ${js_dir}/node_modules/vega-embed/build/vega-embed.min.js)
  if(EXISTS ${stamp})
    set(UTFALL_CHART_SCRIPTS ${scripts})
    foreach(s IN LISTS scripts)
      if(NOT EXISTS ${s})
        set(UTFALL_CHART_SCRIPTS "")
        set(why "${s} is missing after npm ci")
      endif()
    endforeach()
  endif()
  if(UTFALL_CHART_SCRIPTS)
    message(STATUS "utfall report: charts bundled (vega, vega-lite, vega-embed from report/package-lock.json)")
  elseif(UTFALL_CHARTS STREQUAL "ON")
    message(FATAL_ERROR "UTFALL_CHARTS=ON, but the chart libraries cannot be installed: ${why}")
  else()
    message(STATUS "utfall report: no charts (${why}); reports say so in a note")
  endif()
endif()
