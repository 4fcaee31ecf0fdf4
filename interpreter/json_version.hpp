#pragma once
// The version of the JSON that utfall writes: every object it prints or returns (`run`,
// `explain`, `sweep`, `compare`, `returns`, `bounds`, `solve`, `simulate` with `--format json`;
// the API's result and contract) begins with `"version": 1`. It changes when a field changes
// meaning or is removed, never when one is added (docs/schema/README.md).

namespace utfall {
inline constexpr int json_version = 1;
}  // namespace utfall
