#pragma once
// utfall's version, in one place: `utfall --version`, the C API's utfall_version(), the language
// server, report pages and INDIGO exports all give this text. CMakeLists.txt's
// project(VERSION) says the same; test_version.py checks that they agree and that no source
// writes a version of its own.
//
// And the version of the JSON that utfall writes: every object it prints or returns (`run`,
// `explain`, `sweep`, `compare`, `returns`, `bounds`, `solve`, `simulate` with `--format json`;
// the API's result and contract JSON) begins with `"version": 1`. It changes when a field changes
// meaning or is removed, never when one is added (docs/schema/README.md).

namespace utfall {
inline constexpr const char* version_text = "0.1.0";
inline constexpr int json_version = 1;
}  // namespace utfall
