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


def main():
    seeds = {t: {} for t in ("fuzz_parse", "fuzz_check", "fuzz_run", "fuzz_data")}

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

    for data in sorted((ROOT / "tests" / "data").iterdir()):
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
