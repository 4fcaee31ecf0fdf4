#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets from the examples and the test fixtures.

Usage: tests/fuzz/make_corpus.py   (from anywhere; writes tests/fuzz/corpus/<target>/seed-*)

Seeds: every example contract with each of its data files; every contract, expression and data
file of the rows of tests/scripts/test_diagnostics.py (their data files also against the first
example contract); the data files under tests/data. The
formats are those the targets read (see the comment at the top of each fuzz_*.cpp). Files
named `regress-*` are reproducers of findings, added by hand: this script leaves them alone.
Inputs of more than 64 KiB (the deep-nesting rows) are left out: they slow every run down and
the fuzzer reaches the limits on its own.
"""
import importlib.util
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"
MAX = 64 * 1024
SEP = b"\n%%%% "


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def b(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


# The configuration and options lines of the fuzz_api seeds: defaults, limits past what any
# stack holds (the API clamps them), a data file within files_dir (tests/fuzz/files/), a trace.
API_LINES = [("{}", "null"), ('{"max_nesting": 100000000, "max_digits": 50}', '{"trace": true}'),
             ('{"max_steps": 1000}', '{"files": ["plan.csv"], "time_limit_ms": 100000}')]


def inputs_of(contract):
    """The series inputs of a contract and the unit their values are written in ("" for none)."""
    out = {}
    for m in re.finditer(rb"^input\s+(\w+)\s*:\s*(\w+) per period", contract, re.M):
        unit = m.group(2).decode()
        out[m.group(1).decode()] = "" if unit in ("ratio", "number") else unit
    return out


def repl_script(contract, data):
    """REPL lines that set the data file's series through :set, then ask what users ask."""
    lines = []
    units = inputs_of(contract)
    rows = [r.split(",") for r in data.read_text().splitlines() if r.strip()]
    if rows and rows[0][0] == "period":
        for row in rows[1:]:
            for name, cell in zip(rows[0][1:], row[1:]):
                if name in units and cell.strip():
                    lines.append(f":set {name}@{row[0]} = {cell.strip()} {units[name]}".rstrip())
        lines += [f":period {rows[1][0]}", rows[0][1] if len(rows[0]) > 1 else "1 + 1"]
    lines += [":payments", ":explain", ":explain all", ":names", ":data", "let extra = 2 * 3", ":type extra", ":unset", ":quit"]
    return b("\n".join(lines) + "\n")


def repl_declarations(contract):
    """The contract's declarations typed one by one into a session that starts empty."""
    parts = re.split(rb"\n(?=(?:clause|term|input|party|unit)\b)", contract)
    return b"\n".join(p for p in parts[1:]) + b"\n:names\n:payments\n"


def data_json(contract, data):
    """A CSV data file as the one-line JSON of utfall_evaluate_json (cells as strings)."""
    rows = [r.split(",") for r in data.read_text().splitlines() if r.strip()]
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    if rows[0][0] == "period":
        return json.dumps({"series": records})
    m = re.search(rb"^input\s+(\w+)\s*:\s*participants", contract, re.M)
    return json.dumps({m.group(1).decode() if m else "participants": records})


def main():
    seeds = {t: {} for t in ("fuzz_parse", "fuzz_check", "fuzz_run", "fuzz_data", "fuzz_repl", "fuzz_api")}

    def add(target, name, data):
        if len(data) <= MAX:
            seeds[target][f"seed-{name}"] = data

    examples = sorted(p for p in (ROOT / "examples").iterdir() if (p / "contract.utfall").exists())
    for index, ex in enumerate(examples):
        text = (ex / "contract.utfall").read_bytes()
        add("fuzz_parse", ex.name, text)
        add("fuzz_check", ex.name, text)
        add("fuzz_run", ex.name, text)
        for data in sorted(ex.iterdir()):
            if data.suffix in (".csv", ".json"):
                add("fuzz_run", f"{ex.name}-{data.stem}", text + SEP + b(data.name) + b"\n" + data.read_bytes())
                kind = 1 if data.suffix == ".json" else 0
                add("fuzz_data", f"{ex.name}-{data.stem}", bytes([index * 2 + kind]) + data.read_bytes())
            if data.suffix == ".csv":
                add("fuzz_repl", f"{ex.name}-{data.stem}", text + b"%%%% repl\n" + repl_script(text, data))
                for config, options in API_LINES:
                    add("fuzz_api", f"{ex.name}-{data.stem}-{slug(config + options) or 'plain'}",
                        b(f"{config}\n{options}\n{data_json(text, data)}\n") + text)
        add("fuzz_repl", f"{ex.name}-declarations", repl_declarations(text))

    sys.path.insert(0, str(ROOT / "tests" / "scripts"))  # test_diagnostics.py imports scriptlib
    spec = importlib.util.spec_from_file_location("diag", ROOT / "tests" / "scripts" / "test_diagnostics.py")
    diag = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(diag)
    for row in diag.rows():
        name = slug(row.name)
        if row.args and row.args[0] == "eval":
            add("fuzz_parse", "eval-" + name, b(row.args[1]))
            add("fuzz_check", "eval-" + name, b(row.args[1]))
            continue
        contract = row.files.get("c.utfall")
        if contract is None:
            continue
        add("fuzz_parse", name, b(contract))
        add("fuzz_check", name, b(contract))
        run = b(contract)
        for fname, content in row.files.items():
            if fname != "c.utfall":
                run += SEP + b(fname) + b"\n" + b(content)
                kind = 1 if fname.endswith(".json") else 0
                add("fuzz_data", f"{name}-{slug(fname)}", bytes([kind]) + b(content))
        add("fuzz_run", name, run)

    for data in sorted(p for p in (ROOT / "tests" / "data").iterdir() if p.is_file()):
        kind = 1 if data.suffix == ".json" else 0
        for index in range(len(examples)):
            add("fuzz_data", f"{data.stem}-{examples[index].name}", bytes([index * 2 + kind]) + data.read_bytes())

    for target, files in seeds.items():
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("seed-*"):
            old.unlink()
        for name, data in files.items():
            (d / name).write_bytes(data)
        print(f"{target}: {len(files)} seeds")


if __name__ == "__main__":
    main()
