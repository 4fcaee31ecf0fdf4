"""`utfall explain`: the audit statement agrees with the scenario tables and with `utfall run`.

Expected values are transcribed from ../shared/scenarios (computed there independently of
utfall) or counted from the data files here; the explanation's own numbers are never the
reference.
"""
import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

utfall, src = sys.argv[1], Path(sys.argv[2])
ex = src / "examples"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(*args, code=0):
    p = subprocess.run([utfall, *args], capture_output=True, text=True, timeout=60)
    check(p.returncode == code, f"{args}: exit {p.returncode}, expected {code}\n{p.stderr}")
    return p


def explain_json(contract, data, *extra):
    return json.loads(run("explain", str(ex / contract / "contract.utfall"), "--data", str(ex / contract / data), "-f", "json", *extra).stdout)


def steps(e, kind=None, label=None):
    return [s for s in e["steps"] if (kind is None or s["kind"] == kind) and (label is None or s["label"].startswith(label))]


# Scenario A, plan: the columns of the scenario's table, per period of the waterfall.
A = {  # period: freed to date, drawn to date = principal, premium, payment
    "2027": ("40000000.00", "21000000.00", "5700000.00", "26700000.00"),
    "2028": ("90000000.00", "28000000.00", "7000000.00", "8300000.00"),
    "2029": ("150000000.00", "35000000.00", "7000000.00", "7000000.00"),
}
doc = explain_json("a-aldreomsorg", "plan.csv")
by_period = {e["period"]: e for e in doc["explanations"]}
check(sorted(by_period) == ["2027", "2028", "2029"], f"A: explained periods {sorted(by_period)}")
for period, (pool, principal, premium, paid) in A.items():
    e = by_period.get(period)
    if not e:
        continue
    check(e["clause"] == "3.2" and e["clause_title"] == "Återbetalning", f"A {period}: clause {e['clause']}")
    check(e["payments"] == [{"from": "kommun", "to": "utfallsfonden", "amount": paid, "currency": "SEK"}], f"A {period}: payments {e['payments']}")
    check(Decimal(steps(e, "amount", "pool")[0]["value"]) == Decimal(pool), f"A {period}: pool")
    check(Decimal(steps(e, "tier", "kapital")[0]["value"]) == Decimal(principal), f"A {period}: principal")
    cap = steps(e, "bound", "capped at")[0]
    check(Decimal(cap["value"]) == Decimal(premium), f"A {period}: premium after the cap {cap}")
    # The cap binds exactly when the premium before it exceeds 7 000 000 (30 % of what is left).
    before = (Decimal(pool) - Decimal(principal)) * Decimal("0.3")
    check(("did not bind" in cap["note"]) == (before <= 7000000), f"A {period}: cap note {cap['note']}")
    result = steps(e, "result")[-1]
    check(Decimal(result["value"]) == Decimal(paid) and result["unit"] == "SEK", f"A {period}: result {result}")
    # Every yearly datum the pool used is listed, with its period.
    used = {s["period"] for s in steps(e, "input", "hemtjanst_kostnad")}
    check(used == {y for y in ["2025", "2026", "2027", "2028", "2029"] if y <= period}, f"A {period}: inputs used {used}")

# Scenario A, messy: the 2027 premium is 4616666.685 before rounding; half to even gives .68.
doc = explain_json("a-aldreomsorg", "messy.csv", "--period", "2027")
rounding = [s for s in doc["explanations"][0]["steps"] if s["kind"] == "rounding"]
check(len(rounding) == 1 and rounding[0]["value"] == "4616666.68", f"A messy rounding {rounding}")
check(rounding and "4,616,666.685 SEK -> 4,616,666.68 SEK" in rounding[0]["note"], f"A messy rounding note {rounding}")

# Scenario F, 2027: the balance of 2026 that the definition `skuld` carries (its table in
# examples/f-loan/README.md: 2 870 000.00), shown once as one step, not explained back to 2025;
# and in 2025, the first period, the fallback.
doc = explain_json("f-loan", "plan.csv", "--period", "2027", "--payment", "kommun->investerare")
e = doc["explanations"][0]
carried = steps(e, "definition", "skuld")
check(carried and all(s["value"] == "2870000.00" and s["period"] == "2026" and "the period before, 2026" in s["note"]
                      for s in carried), f"F 2027: the balance of 2026 {carried}")
check(not [s for s in e["steps"] if s.get("period") == "2025"], f"F 2027: nothing of 2025 is explained {e['steps']}")
doc = explain_json("f-loan", "plan.csv", "--period", "2025", "--payment", "kommun->investerare")
first = steps(doc["explanations"][0], "definition", "previous")
check(first and first[0]["value"] == "0.00" and "the fallback" in first[0]["note"], f"F 2025: the fallback {first}")

# Scenario B, total-cap, 2029: 4 000 000 a year for three years leaves 3 000 000 under the
# 15 000 000 total cap.
doc = explain_json("b-placeringar", "total-cap.csv", "--period", "2029", "--payment", "kommun->barnens_val")
check(len(doc["explanations"]) == 1, f"B: {len(doc['explanations'])} explanations for one payment")
e = doc["explanations"][0]
total = steps(e, "bound", "capped in total")[0]
check(total["value"] == "3000000.00" and "12,000,000.00 SEK paid in earlier periods" in total["note"] and "cut by" in total["note"],
      f"B total cap {total}")

# Scenario C: the per-participant base fee counts the participants enrolled in the period.
rows = list(csv.DictReader(open(ex / "c-tfco" / "data.csv", encoding="utf-8")))
doc = explain_json("c-tfco", "data.csv", "--payment", "kommun->humana")
for e in doc["explanations"]:
    if e["rule"] != "grundersattning":
        continue
    enrolled = [r["id"] for r in rows if r["inskriven"] == e["period"]]
    head = steps(e, "participants")[0]
    check(head["value"] == str(len(enrolled)) and f"{len(enrolled)} of {len(rows)} participants" in head["note"], f"C {e['period']}: {head}")
    listed = [s["label"] for s in steps(e, "participants")[1:]]
    check(all(any(f"({i})" in l for l in listed) for i in enrolled), f"C {e['period']}: listed {listed}")
    check(Decimal(e["payments"][0]["amount"]) == 360000 * len(enrolled), f"C {e['period']}: {e['payments']}")

# Every payment of every example has exactly one explanation, and they agree with `utfall run`.
for contract in ["a-aldreomsorg", "b-placeringar", "c-tfco", "d-norrkoping"]:
    for data in sorted((ex / contract).glob("*.csv")):
        paid = json.loads(run("run", str(ex / contract / "contract.utfall"), "--data", str(data), "-f", "json").stdout)["payments"]
        doc = explain_json(contract, data.name)
        explained = [(e["period"], p["from"], p["to"], p["amount"], e["clause"]) for e in doc["explanations"] for p in e["payments"]]
        expected = [(p["period"], p["from"], p["to"], p["amount"], p["clause"]) for p in paid]
        check(sorted(explained) == sorted(expected), f"{contract}/{data.name}: explained payments differ from run")
        for e in doc["explanations"]:
            results = steps(e, "result")
            check(len(results) == len(e["payments"]), f"{contract}/{data.name} {e['period']}: {len(results)} results")

# The text form names the clause and the file:line of the rule.
text = run("explain", str(ex / "a-aldreomsorg" / "contract.utfall"), "-d", str(ex / "a-aldreomsorg" / "plan.csv"), "-p", "2028").stdout
check('2028 · clause 3.2 "Återbetalning" · waterfall aterbetalning' in text and "contract.utfall:26)" in text, "A text header")
check("kommun → utfallsfonden: 8,300,000.00 SEK" in text, "A text payment")
check("bound: cut by 11,600,000.00 SEK" in text, "A text cap")  # 30 % of 62 000 000 = 18 600 000 > 7 000 000

# Wrong filters are usage errors that say what is wrong.
p = run("explain", str(ex / "a-aldreomsorg" / "contract.utfall"), "-d", str(ex / "a-aldreomsorg" / "plan.csv"), "-p", "2031", code=64)
check("2031 is not a period of the contract (2025 .. 2029)" in p.stderr, p.stderr)
p = run("explain", str(ex / "a-aldreomsorg" / "contract.utfall"), "-d", str(ex / "a-aldreomsorg" / "plan.csv"), "--payment", "kommun->fonden", code=64)
check("no party `fonden`" in p.stderr, p.stderr)
p = run("explain", str(ex / "a-aldreomsorg" / "contract.utfall"), "-d", str(ex / "a-aldreomsorg" / "plan.csv"), "--payment", "kommun", code=64)
check("write PAYER->PAYEE" in p.stderr, p.stderr)

# Every formula is printed as written in the contract: the text after `NAME = ` on each line of
# the statement is a piece of the contract's own text (a formula ending in a bracket once lost
# it: `y = 3 * (x + 1 SEK`), for each bundled example and a contract of bracketed formulas.
import re
import tempfile

BRACKETS = """contract "br"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2025
input x : SEK per period
clause "1" {
  let y = 3 * (x + 1 SEK)
  let z = ((x))
  pay kommun -> fonden amount y + z + max((x), 1 SEK)
}
"""
with tempfile.TemporaryDirectory() as tmp:
    (Path(tmp) / "c.utfall").write_text(BRACKETS, encoding="utf-8")
    (Path(tmp) / "d.csv").write_text("period,x\n2025,2\n", encoding="utf-8")
    cases = [(Path(tmp) / "c.utfall", Path(tmp) / "d.csv")]
    cases += [(ex / name / "contract.utfall", ex / name / data) for name, data in
              [("a-aldreomsorg", "plan.csv"), ("b-placeringar", "plan.csv"), ("c-tfco", "data.csv"), ("d-norrkoping", "data.csv")]]
    for contract, data in cases:
        text = contract.read_text(encoding="utf-8")
        out = run("explain", str(contract), "-d", str(data)).stdout
        formulas = [m.group(1).strip() for m in re.finditer(r"^\s+[\w.]+ = (.+?)\s{2,}= ", out, re.M)]
        check(formulas, f"{contract.parent.name}: no formulas found in the statement")
        for f in formulas:
            check(f in text and f.count("(") == f.count(")"), f"{contract.parent.name}: `{f}` is not as written")
    out = run("explain", str(cases[0][0]), "-d", str(cases[0][1])).stdout
    check("y = 3 * (x + 1 SEK) " in out and "z = ((x)) " in out, f"bracketed formulas as written: {out}")

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
