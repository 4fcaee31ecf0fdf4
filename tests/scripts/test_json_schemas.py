"""The JSON Schemas of docs/schema against what utfall really reads and writes.

- Every schema is itself valid draft 2020-12, names its draft, its `$id` and a title, and
  describes every property it declares; the copies that api-result.schema.json keeps of the
  message (diagnostics.schema.json) and of the trace step (trace.schema.json) are equal to them.
- `run --format json` and `explain --format json` of every example (each contract of each folder
  of examples/, English, Swedish and literate) on each data set its `example` blocks name, and on
  every other data file of the folder in place of the one with its columns; the same data sets
  as JSON data files, rows (an array of row objects per file) and tables (one object of named
  tables), each valid against data.schema.json and giving the payments the CSV gives.
- The JSON of sweep, compare (versions; three scenarios), returns (with and without a discount),
  bounds (bounded with --smallest and a witness; unbounded), solve and simulate (--caps --party)
  on scenario A.
- The C API's JSON through ctypes, in a process of its own: the messages of a contract that does
  not check, of a configuration refused, of a data document that is wrong (a result with `ok`
  false), a result with traces, and the contract JSON of every example contract; the
  configuration and options a host gives, by hand.
- By hand, each rejected: an amount as a JSON number, a missing required field, an unknown
  field, a data file whose rows are not objects, and more.

Needs Python's jsonschema (Debian's python3-jsonschema, which .ci/build installs).
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import SANITIZED, Tally

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
schemas_dir = src / "docs/schema"
T = Tally()
try:
    import jsonschema
except ImportError:
    T.check("import jsonschema", False, "Python's jsonschema is missing: install Debian's python3-jsonschema (.ci/build does)")
    T.finish()

TIMEOUT = 300 if SANITIZED else 60  # a command that runs longer hangs
DRAFT = "https://json-schema.org/draft/2020-12/schema"


# --- the schemas themselves --------------------------------------------------------------------

def undescribed(node, where):
    """The places of properties in a schema without a description (directly or beside a $ref)."""
    out = []
    if isinstance(node, dict):
        for key in ("properties", "patternProperties"):
            for name, sub in node.get(key, {}).items():
                if not isinstance(sub, dict) or "description" not in sub:
                    out.append(f"{where}/{key}/{name}")
        for key, sub in node.items():
            if key != "if":  # a condition's properties declare nothing
                out += undescribed(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            out += undescribed(sub, f"{where}/{i}")
    return out


schemas = {}
for path in sorted(schemas_dir.glob("*.schema.json")):
    name = path.name[: -len(".schema.json")]
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
    except (ValueError, jsonschema.SchemaError) as e:
        T.check(f"{path.name} is a valid 2020-12 schema", False, str(e)[:500])
        continue
    T.check(f"{path.name} is a valid 2020-12 schema", True)
    T.check(f"{path.name}: $schema, $id, title, description",
            schema.get("$schema") == DRAFT and schema.get("$id") == f"https://utfall.example/schema/{path.name}"
            and schema.get("title") and schema.get("description"), json.dumps({k: schema.get(k) for k in ("$schema", "$id")}))
    missing = undescribed(schema, "#")
    T.check(f"{path.name}: every property has a description", not missing, ", ".join(missing[:10]))
    schemas[name] = jsonschema.Draft202012Validator(schema)

EXPECTED = {"data", "result", "trace", "diagnostics", "api-result", "contract", "configuration", "options", "sweep", "compare", "returns",
            "bounds", "solve", "simulate"}
T.check("docs/schema has a schema for each kind of JSON", EXPECTED <= set(schemas), sorted(EXPECTED - set(schemas)))
if not EXPECTED <= set(schemas):
    T.finish()
api = schemas["api-result"].schema
T.check("api-result's message is diagnostics' message", api["$defs"]["message"] == schemas["diagnostics"].schema["$defs"]["message"])
T.check("api-result's step is trace's step", api["$defs"]["step"] == schemas["trace"].schema["$defs"]["step"])


def problems(kind, instance):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}"
            for e in sorted(schemas[kind].iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))]


def valid(label, kind, instance):
    found = problems(kind, instance)
    T.check(f"{label}: valid against {kind}.schema.json", not found, "\n  ".join(found[:5]))


def rejected(label, kind, instance):
    T.check(f"{label}: rejected by {kind}.schema.json", bool(problems(kind, instance)), "it validates")


def utfall_json(label, argv, cwd=None):
    """Runs utfall; a check that it exits 0 with JSON on standard output; the JSON or None."""
    try:
        r = subprocess.run([utfall, *map(str, argv)], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        T.check(f"{label}: exits 0", False, f"no answer in {TIMEOUT} s")
        return None
    if r.returncode != 0:
        T.check(f"{label}: exits 0", False, f"exit {r.returncode}: {r.stderr[:500]}")
        return None
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        T.check(f"{label}: prints JSON", False, f"{e}: {r.stdout[:200]!r}")
        return None


def check_output(label, kind, argv, cwd=None):
    out = utfall_json(label, argv, cwd)
    if out is not None:
        valid(label, kind, out)
    return out


# --- run and explain of every example ----------------------------------------------------------

EXAMPLE = re.compile(r'^(?:example|exempel)\s+"[^"]*"\s+data\s+((?:"[^"]+"\s*,\s*)*"[^"]+")', re.M)
PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def header(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f), [])


def data_sets(folder):
    """The data sets of a folder: those its contract's examples name, then each other data file
    of the folder in place of the file with its columns in the first set that has one."""
    sets = []
    for m in EXAMPLE.finditer((folder / "contract.utfall").read_text(encoding="utf-8")):
        names = tuple(re.findall(r'"([^"]+)"', m.group(1)))
        if names not in sets:
            sets.append(names)
    used = {n for s in sets for n in s}
    others = []
    for extra in sorted(p.name for p in folder.glob("*.csv") if p.name not in used):
        for s in sets:
            same = [n for n in s if header(folder / n) == header(folder / extra)]
            if same:
                others.append(tuple(extra if n == same[0] else n for n in s))
                break
        else:
            others.append((extra,))
    return sets, others


def json_cell(text):
    """A CSV cell as JSON: a plain decimal as a JSON number with its digits, empty as null, else a string."""
    text = text.strip()
    return "null" if not text else text if PLAIN_NUMBER.match(text) and not re.match(r"^-?0[0-9]", text) else json.dumps(text, ensure_ascii=False)


def json_rows(path):
    """A CSV data file as the text of a JSON data file: an array of row objects."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    keys = [json.dumps(k.strip(), ensure_ascii=False) for k in rows[0]]
    lines = ["  {" + ", ".join(f"{k}: {json_cell(v)}" for k, v in zip(keys, row)) + "}" for row in rows[1:] if any(c.strip() for c in row)]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def payments_of(result):
    return (result["payments"], result["totals"]) if result else None


# The good JSON data files kept in the sources (examples/ has none so far: its CSV files are
# converted below); tests/data may also hold wrong ones on purpose, so only the one named here.
kept = sorted(p for p in (src / "examples").rglob("*.json") if "embedding" not in p.parts)
kept += [src / "tests/data/datafiles-tables.json"] + sorted((src / "tests/generator/regressions").glob("*/perioder.json"))
T.check("JSON data files found in the sources", bool(kept))
for path in kept:
    valid(str(path.relative_to(src)), "data", json.loads(path.read_text(encoding="utf-8")))

examples = sorted(p.parent for p in (src / "examples").glob("*/contract.utfall"))
T.check("examples found", len(examples) >= 10, str(examples))
with tempfile.TemporaryDirectory(prefix="utfall-schemas-") as tmp:
    tmp = Path(tmp)
    for folder in examples:
        contracts = [folder / "contract.utfall"] + sorted(p for p in folder.iterdir() if p.name.startswith("avtal."))
        sets, others = data_sets(folder)
        T.check(f"{folder.name}: has data sets", bool(sets))
        for names in sets:
            shown = f"{folder.name} {'+'.join(names)}"
            files = [folder / n for n in names]
            csv_result = None
            for contract in contracts:
                out = check_output(f"run {contract.name} {shown}", "result", ["run", contract, "--format", "json", *[a for f in files for a in ("--data", f)]])
                csv_result = csv_result or out
                check_output(f"explain {contract.name} {shown}", "trace", ["explain", contract, "--format", "json", *[a for f in files for a in ("--data", f)]])
            # The same data as JSON: one file of rows per CSV file, and one file of named tables.
            here = tmp / folder.name
            here.mkdir(exist_ok=True)
            rows_files, tables = [], {}
            for f in files:
                text = json_rows(f)
                doc = json.loads(text)
                valid(f"{folder.name}/{f.stem}.json (rows)", "data", doc)
                (here / f"{f.stem}.json").write_text(text, encoding="utf-8")
                rows_files.append(here / f"{f.stem}.json")
                tables[f.stem] = doc
            (here / "tables.json").write_text(json.dumps(tables, ensure_ascii=False, indent=1), encoding="utf-8")
            valid(f"{folder.name} tables.json ({'+'.join(tables)})", "data", tables)
            contract = folder / "contract.utfall"
            out = check_output(f"run {shown} as JSON rows", "result", ["run", contract, "--format", "json", *[a for f in rows_files for a in ("--data", f)]])
            T.check(f"run {shown}: JSON rows pay as the CSV does", payments_of(out) == payments_of(csv_result))
            check_output(f"explain {shown} as JSON rows", "trace", ["explain", contract, "--format", "json", *[a for f in rows_files for a in ("--data", f)]])
            out = check_output(f"run {shown} as JSON tables", "result", ["run", contract, "--format", "json", "--data", here / "tables.json"])
            T.check(f"run {shown}: JSON tables pay as the CSV does", payments_of(out) == payments_of(csv_result))
        # The other data files (most of them wrong on purpose): valid JSON when the run succeeds,
        # nothing on standard output when it does not.
        for names in others:
            argv = ["run", folder / "contract.utfall", "--format", "json", *[a for n in names for a in ("--data", folder / n)]]
            r = subprocess.run([utfall, *map(str, argv)], capture_output=True, text=True, timeout=TIMEOUT)
            label = f"run {folder.name} {'+'.join(names)}"
            if r.returncode == 0:
                valid(label, "result", json.loads(r.stdout))
                check_output(f"explain {folder.name} {'+'.join(names)}", "trace", ["explain", *argv[1:]])
            else:
                T.check(f"{label}: a data or evaluation error (exit {r.returncode}), no JSON", r.returncode in (3, 4) and not r.stdout.strip(),
                        r.stderr[:300])

    # --- every other command on scenario A -----------------------------------------------------

    a = src / "examples/a-aldreomsorg"
    contract, plan, fail, messy = a / "contract.utfall", a / "plan.csv", a / "fail.csv", a / "messy.csv"
    check_output("explain --lang sv --period 2028 --payment", "trace", ["explain", contract, "--data", plan, "--lang", "sv", "--period", "2028",
                                                                       "--payment", "kommun->utfallsfonden", "--format", "json"])
    check_output("run --set", "result", ["run", contract, "--data", plan, "--set", "premieandel=25 %", "--format", "json"])
    check_output("sweep", "sweep", ["sweep", contract, "--data", messy, "--vary", "premieandel=20 %..40 % step 10 %",
                                    "--vary", "takbelopp=6_000_000 SEK,8_000_000 SEK", "--format", "json"])
    # A variation whose payments are not whole öre fails (E602): the sweep exits 4 after all of them.
    r = subprocess.run([utfall, "sweep", str(contract), "--data", str(plan), "--vary", "scale(avropat)=1,1.000000001", "--format", "json"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    try:
        swept = json.loads(r.stdout)
        T.check("sweep with a failing variation: exit 4, one variation not ok",
                r.returncode == 4 and [v["ok"] for v in swept["variations"]] == [True, False],
                f"exit {r.returncode}: {r.stdout[:300]}")
        valid("sweep with a failing variation", "sweep", swept)
    except ValueError:
        T.check("sweep with a failing variation prints JSON", False, f"exit {r.returncode}: {r.stdout[:300]} {r.stderr[:300]}")
    proposal = tmp / "proposal.utfall"
    proposal.write_text(contract.read_text(encoding="utf-8").replace("term premieandel = 30 %", "term premieandel = 25 %")
                        .replace("capped at takbelopp", "capped at 6_000_000 SEK")
                        + '\nparty utvarderare "Utvärderaren"\nclause "3.3" "Utvärdering" {\n  pay kommun -> utvarderare amount 50_000 SEK from 2026\n}\n',
                        encoding="utf-8")
    out = check_output("compare versions", "compare", ["compare", contract, proposal, "--data", plan, "--format", "json"])
    T.check("compare versions: changes found", bool(out and len(out["changes"]) >= 4), json.dumps(out and out["changes"])[:300])
    out = check_output("compare three scenarios", "compare", ["compare", contract, "--scenario", f"plan={plan}", "--scenario", f"fail={fail}",
                                                             "--scenario", f"messy={messy}", "--format", "json"])
    T.check("compare three scenarios: sides and amounts", bool(out and len(out.get("sides", [])) == 3 and "amounts" in out["flows"][0]["total"]))
    outlays = [a for y in range(2025, 2030) for a in ("--outlay", f"{y}=7_000_000")]
    check_output("returns with a discount and outlays", "returns", ["returns", contract, "--data", plan, "--party", "utfallsfonden",
                                                                    "--discount", "5 %", *outlays, "--format", "json"])
    check_output("returns of a party that pays nothing in", "returns", ["returns", contract, "--data", plan, "--party", "kommun", "--format", "json"])
    out = check_output("bounds --smallest --witness", "bounds", ["bounds", contract, "--assume", "hemtjanst_kostnad in 150000000..250000000",
                                                                "--assume", "avropat in 0..20000000", "--smallest", "--witness", tmp / "w", "--format", "json"])
    T.check("bounds: a witness written", bool(out and any("witness" in f[k] for f in out["flows"] for k in f if k != "limits" and isinstance(f[k], dict))))
    out = check_output("bounds unbounded", "bounds", ["bounds", contract, "--format", "json"])
    T.check("bounds: an unbounded flow", bool(out and any(f["most_in_total"]["bound"] is None for f in out["flows"])))
    check_output("solve", "solve", ["solve", contract, "--data", fail, "--vary", "scale(hemtjanst_kostnad)", "--range", "0.8..1",
                                    "--goal", "kommun -> utfallsfonden in total >= 35_000_000 SEK", "--format", "json"])
    check_output("solve, not exact", "solve", ["solve", contract, "--data", fail, "--vary", "scale(hemtjanst_kostnad)", "--range", "0.8..1",
                                               "--goal", "kommun -> utfallsfonden in total >= 35_000_000 SEK", "--max-evaluations", "70", "--format", "json"])
    check_output("simulate --caps --party", "simulate", ["simulate", contract, "--data", plan, "--draw", "premieandel ~ uniform(20 %, 40 %)",
                                                         "--draw", "hemtjanst_kostnad@2027 ~ normal(170_000_000, 10_000_000)", "--runs", "300",
                                                         "--percentiles", "2.5,50,97.5", "--caps", "--party", "utfallsfonden", *outlays,
                                                         "--format", "json"])

    # --- the C API's JSON: messages and results --------------------------------------------------

    library = Path(utfall).parent / "libutfall.so"
    if SANITIZED:
        print("skip the C API's JSON (a sanitized library needs its runtime preloaded; tested in the plain build)")
    elif not library.exists():
        T.check("libutfall.so beside the utfall binary", False, str(library))
    else:
        broken = tmp / "broken.utfall"
        broken.write_text(contract.read_text(encoding="utf-8").replace("max(baslinje - hemtjanst_kostnad", "max(baslinje - hemtjanst_kosnad"),
                          encoding="utf-8")
        host = tmp / "host.py"
        host.write_text(f'''import ctypes, json, sys
sys.path.insert(0, {str(src / "examples/embedding/python")!r})
import example
lib, handle = example.load()
lib.utfall_contract_json.argtypes = [handle]
lib.utfall_contract_json.restype = ctypes.c_void_p
out = {{}}
engine, messages = handle(), ctypes.c_void_p()
out["configuration status"] = lib.utfall_engine_new(b'{{"max_stepz": 1}}', ctypes.byref(engine), ctypes.byref(messages))
out["configuration"] = json.loads(example.take_string(lib, messages))
lib.utfall_engine_new(None, ctypes.byref(engine), None)
contract = handle()
out["broken status"] = lib.utfall_compile_file(engine, {str(broken)!r}.encode(), ctypes.byref(contract), ctypes.byref(messages))
out["broken"] = json.loads(example.take_string(lib, messages))
assert lib.utfall_compile_file(engine, {str(contract)!r}.encode(), ctypes.byref(contract), ctypes.byref(messages)) == 0
out["compiled"] = json.loads(example.take_string(lib, messages))
result = ctypes.c_void_p()
bad = json.dumps({{"t": [{{"period": "2025", "hemtjanst_kostnad": "200 000 000,5,0", "avropat": 7000000}}]}})
out["bad data status"] = lib.utfall_evaluate_json(engine, contract, bad.encode(), None, ctypes.byref(result))
out["bad data"] = json.loads(example.take_string(lib, result))
rows = [dict(zip(["period", "hemtjanst_kostnad", "avropat"], line.split(",")))
        for line in open({str(plan)!r}).read().split()[1:]]
out["traced status"] = lib.utfall_evaluate_json(engine, contract, json.dumps({{"plan": rows}}).encode(), b'{{"trace": true}}', ctypes.byref(result))
out["traced"] = json.loads(example.take_string(lib, result))
out["contracts"] = {{}}
for path in {[str(p) for e in examples for p in sorted(e.iterdir()) if p.suffix in (".utfall", ".md") and p.name != "README.md"]!r}:
    if lib.utfall_compile_file(engine, path.encode(), ctypes.byref(contract), ctypes.byref(messages)) == 0:
        text = ctypes.c_void_p(lib.utfall_contract_json(contract))
        out["contracts"][path] = json.loads(example.take_string(lib, text))
    else:
        out["contracts"][path] = json.loads(example.take_string(lib, messages))
print(json.dumps(out))
''', encoding="utf-8")
        r = subprocess.run([sys.executable, str(host)], capture_output=True, text=True, timeout=TIMEOUT,
                           env=dict(os.environ, UTFALL_LIBRARY=str(library)))
        T.check("the C API host runs", r.returncode == 0, r.stderr[-1000:])
        if r.returncode == 0:
            got = json.loads(r.stdout)
            T.check("a configuration refused: status 64, a message", got["configuration status"] == 64 and len(got["configuration"]) == 1,
                    json.dumps(got["configuration"])[:300])
            valid("the messages of a configuration refused", "diagnostics", got["configuration"])
            T.check("a contract that does not check: status 2, an E2xx message with a place",
                    got["broken status"] == 2 and any(m["code"].startswith("E2") and "line" in m for m in got["broken"]),
                    json.dumps(got["broken"])[:300])
            valid("the messages of a contract that does not check", "diagnostics", got["broken"])
            valid("the messages of a contract that checks", "diagnostics", got["compiled"])
            T.check("a wrong data document: status 3, ok false", got["bad data status"] == 3 and got["bad data"]["ok"] is False
                    and got["bad data"]["messages"], json.dumps(got["bad data"])[:300])
            valid("the result of a wrong data document", "api-result", got["bad data"])
            valid("its messages", "diagnostics", got["bad data"]["messages"])
            T.check("a traced evaluation: status 0, traces", got["traced status"] == 0 and bool(got["traced"].get("traces")),
                    json.dumps(got["traced"])[:300])
            valid("a result with traces", "api-result", got["traced"])
            for path, described in got["contracts"].items():
                shown = str(Path(path).relative_to(src))
                T.check(f"{shown}: compiles through the C API", isinstance(described, dict), json.dumps(described)[:300])
                if isinstance(described, dict):
                    valid(f"the contract JSON of {shown}", "contract", described)

    # --- by hand: what each schema must refuse -------------------------------------------------

    run_a = utfall_json("run scenario A", ["run", contract, "--data", plan, "--format", "json"])
    explain_a = utfall_json("explain scenario A", ["explain", contract, "--data", plan, "--format", "json"])
    if run_a and explain_a:
        def changed(doc, edit):
            copy = json.loads(json.dumps(doc))
            edit(copy)
            return copy

        T.check("run's JSON begins with \"version\": 1", next(iter(run_a.items()), None) == ("version", 1), str(run_a)[:100])
        T.check("explain's JSON begins with \"version\": 1", next(iter(explain_a.items()), None) == ("version", 1), str(explain_a)[:100])
        rejected("run with \"version\": 2", "result", changed(run_a, lambda d: d.update(version=2)))
        rejected("run without its version", "result", changed(run_a, lambda d: d.pop("version")))
        rejected("explain without its version", "trace", changed(explain_a, lambda d: d.pop("version")))
        rejected("an amount as a JSON number", "result", changed(run_a, lambda d: d["payments"][0].update(amount=26700000.00)))
        rejected("a total as a JSON number", "result", changed(run_a, lambda d: d["totals"][0].update(amount=42000000)))
        rejected("an amount with thousands separators", "result", changed(run_a, lambda d: d["payments"][0].update(amount="26,700,000.00")))
        rejected("an amount in exponent notation", "result", changed(run_a, lambda d: d["payments"][0].update(amount="2.67e7")))
        rejected("no totals", "result", changed(run_a, lambda d: d.pop("totals")))
        rejected("a payment without its clause", "result", changed(run_a, lambda d: d["payments"][0].pop("clause")))
        rejected("an unknown field at the top", "result", changed(run_a, lambda d: d.update(schedule=[])))
        rejected("a field renamed in a payment", "result", changed(run_a, lambda d: d["payments"][0].update(payee=d["payments"][0].pop("to"))))
        rejected("a step of an unknown kind", "trace", changed(explain_a, lambda d: d["explanations"][0]["steps"][0].update(kind="guess")))
        rejected("a step without its period", "trace", changed(explain_a, lambda d: d["explanations"][0]["steps"][0].pop("period")))
        rejected("a step with an extra field", "trace", changed(explain_a, lambda d: d["explanations"][0]["steps"][0].update(source="x")))
        rejected("an explained amount as a number", "trace", changed(explain_a, lambda d: d["explanations"][0]["payments"][0].update(amount=1)))
    valid("a configuration", "configuration", {"max_steps": 10000000, "max_work": 1, "files_dir": "/srv/utfall/data"})
    rejected("a configuration with a limit as text", "configuration", {"max_steps": "10000000"})
    rejected("a configuration with an unknown limit", "configuration", {"max_stepz": 1})
    valid("options", "options", {"terms": {"premieandel": "25 %"}, "trace": False, "files": ["plan.csv"], "time_limit_ms": 1000})
    rejected("options with a term as a number", "options", {"terms": {"premieandel": 0.25}})
    rejected("options with an unknown key", "options", {"traces": True})
    rejected("data: rows that are numbers", "data", [1, 2])
    rejected("data: rows that are arrays", "data", [["period", "avropat"], ["2025", "7000000"]])
    rejected("data: a table whose rows are strings", "data", {"perioder": ["2025,7000000"]})
    rejected("data: a nested object as a value", "data", [{"period": "2025", "avropat": {"value": 7000000}}])
    rejected("data: an array as a value", "data", {"perioder": [{"period": "2025", "avropat": [7000000]}]})
    rejected("data: a key with no name", "data", [{"period": "2025", " ": 1}])
    rejected("data: a table that is an object", "data", {"perioder": {"period": "2025"}})
    rejected("data: a number at the top", "data", 7000000)
    valid("data: the example of embedding.md", "data", {"perioder": [{"period": "2027", "hemtjanst_kostnad": "170000000", "avropat": 7000000}],
                                                        "ungdomar": [{"id": "Y01", "inskriven": "2025", "stabil": True, "narvaro": "92", "nytt_brott": False}]})
    message = {"severity": "error", "kind": "name", "code": "E201", "message": "unknown name", "file": "c.utfall", "line": 3, "column": 4,
               "rendered": "c.utfall:3:4: error[E201]: unknown name"}
    valid("a message by hand", "diagnostics", [message])
    rejected("a message without its code", "diagnostics", [{k: v for k, v in message.items() if k != "code"}])
    rejected("a message of an unknown severity", "diagnostics", [dict(message, severity="fatal")])
    rejected("a message with a file but no line", "diagnostics", [{k: v for k, v in message.items() if k != "line"}])
    rejected("a message with an extra field", "diagnostics", [dict(message, hint="x")])
    rejected("a message with a line as text", "diagnostics", [dict(message, line="3")])

T.finish()
