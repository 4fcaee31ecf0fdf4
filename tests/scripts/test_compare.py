"""`utfall compare`: two versions of scenario A, and two or three of its data sets under one contract,
against payments computed here with Python fractions from docs/language.md (§17.2, the tier
algorithm; §17.3, netting of a cumulative pool), never taken from a run.

The new version differs from scenario A in a term (premium share 25 % instead of 30 %), a cap
(the premium tier capped at 6 000 000 SEK instead of `takbelopp`, 7 000 000 SEK) and a clause
added (3.3, paying an evaluator 50 000 SEK a year from 2026, to a party of its own). A third
version differs in layout and comments only: no change, the same payments.
"""
import csv
import io
import json
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, command_json, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
folder = src / "examples/a-aldreomsorg"
contract = folder / "contract.utfall"
T = Tally()
PERIODS = ["2025", "2026", "2027", "2028", "2029"]


def read_data(name):
    rows = list(csv.DictReader(open(folder / name)))
    return [Fraction(r["hemtjanst_kostnad"]) for r in rows], [Fraction(r["avropat"]) for r in rows]


def payments(data, andel, tak):
    """kommun -> utfallsfonden by period on a data file of examples/a-aldreomsorg (scriptlib.scenario_a)."""
    rows = list(csv.DictReader(open(folder / data)))
    pay = scenario_a([r["hemtjanst_kostnad"] for r in rows], [r["avropat"] for r in rows], 200_000_000, andel, tak)
    return dict(zip(PERIODS[2:], pay))


def money(x, separators=False):
    """An exact amount with two decimals, as docs/cli.md shows money: 26700000.00 or 26,700,000.00."""
    assert (x * 100).denominator == 1, x
    cents = abs(int(x * 100))
    whole = f"{cents // 100:,}" if separators else str(cents // 100)
    return ("-" if x < 0 else "") + f"{whole}.{cents % 100:02d}"


def run(*args):
    return subprocess.run([utfall, "compare", *map(str, args)], capture_output=True, text=True)


def compare_json(label, *args):
    """The JSON of `utfall compare ARGS --format json`, or None (a failed check) when it does not exit 0."""
    return command_json(T, [utfall, "compare", *args, "--format", "json"], label)


original = contract.read_text(encoding="utf-8")
new_text = (original.replace("term premieandel = 30 %", "term premieandel = 25 %")
            .replace("capped at takbelopp", "capped at 6_000_000 SEK")
            .replace('party utfallsfonden "Utfallsfonden"', 'party utfallsfonden "Utfallsfonden"\nparty utvarderare "Utvärderaren"'))
new_text += '\nclause "3.3" "Utvärdering" {\n  pay kommun -> utvarderare amount 50_000 SEK from 2026\n}\n'
assert new_text.count("25 %") == 1 and "6_000_000 SEK" in new_text
# Layout and comments only: every line's comment gone, indentation doubled, a blank line added.
same_text = "\n\n".join(line.split("#")[0].replace("  ", "    ") for line in original.splitlines())

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    new = tmp / "v2.utfall"
    new.write_text(new_text, encoding="utf-8")
    same = tmp / "relaid.utfall"
    same.write_text(same_text, encoding="utf-8")
    broken = tmp / "broken.utfall"
    broken.write_text(original.replace("term takbelopp   = 7_000_000 SEK", "term takbelopp   = 7_000_000 SEK +"), encoding="utf-8")

    # Two versions on two data sets: every cell against the model.
    for data in ["plan.csv", "messy.csv"]:
        old_pay = payments(data, Fraction(30, 100), Fraction(7_000_000))
        new_pay = payments(data, Fraction(25, 100), Fraction(6_000_000))
        j = compare_json(f"versions on {data}", contract, new, "--data", folder / data)
        if j is None:
            continue
        T.check(f"versions on {data}: sides", (j["compare"], j["old"]["name"], j["new"]["name"], j["periods"]) ==
                ("versions", "old", "new", PERIODS), str((j["compare"], j["old"]["name"], j["periods"])))
        flows = {(f["from"], f["to"], f["currency"]): f for f in j["flows"]}
        T.check(f"versions on {data}: the flows", sorted(flows) == [("kommun", "utfallsfonden", "SEK"), ("kommun", "utvarderare", "SEK")],
                str(sorted(flows)))
        f = flows.get(("kommun", "utfallsfonden", "SEK"))
        if f:
            for cell in f["periods"]:
                p = cell["period"]
                o, n = old_pay.get(p), new_pay.get(p)
                want = (None if o is None else money(o), None if n is None else money(n), money((n or 0) - (o or 0)))
                T.check(f"versions on {data}: kommun -> utfallsfonden in {p}", (cell["old"], cell["new"], cell["difference"]) == want,
                        f"{cell}, expected {want}")
            so, sn = sum(old_pay.values()), sum(new_pay.values())
            T.check(f"versions on {data}: kommun -> utfallsfonden in total", f["total"] == {"old": money(so), "new": money(sn), "difference": money(sn - so)},
                    f"{f['total']}, expected {money(so)}, {money(sn)}")
        # The evaluator's flow exists only in the new version: the old side is null (no payment).
        f = flows.get(("kommun", "utvarderare", "SEK"))
        if f:
            want = [{"period": "2025", "old": None, "new": None, "difference": "0.00"}] + [
                {"period": p, "old": None, "new": "50000.00", "difference": "50000.00"} for p in PERIODS[1:]]
            T.check(f"versions on {data}: a flow in the new version only", f["periods"] == want and
                    f["total"] == {"old": None, "new": "200000.00", "difference": "200000.00"}, json.dumps(f))
        changes = {(c["kind"], c["name"], c["what"]): (c["old"], c["new"]) for c in j["changes"]}
        want = {("term", "premieandel", "value"): ("30 %", "25 %"),
                ("tier", "aterbetalning.premie", "cap"): ("takbelopp", "6_000_000 SEK"),
                ("party", "utvarderare", "added"): (None, "Utvärderaren"),
                ("clause", "3.3", "added"): (None, "3.3 Utvärdering"),
                ("payment", "kommun -> utvarderare in clause 3.3", "added"): (None, "pay kommun -> utvarderare amount 50_000 SEK from 2026")}
        T.check(f"versions on {data}: the changes are the term, the cap and the clause", changes == want, json.dumps(j["changes"], ensure_ascii=False))

    plan_old = payments("plan.csv", Fraction(30, 100), Fraction(7_000_000))
    plan_new = payments("plan.csv", Fraction(25, 100), Fraction(6_000_000))

    # The question for scenario A: a premium share of 25 % instead of 30 %, nothing else.
    share = tmp / "share25.utfall"
    share.write_text(original.replace("term premieandel = 30 %", "term premieandel = 25 %"), encoding="utf-8")
    for data in ["plan.csv", "messy.csv"]:
        old_pay, new_pay = (payments(data, Fraction(share_, 100), Fraction(7_000_000)) for share_ in (30, 25))
        j = compare_json(f"premium share 25 % against 30 % on {data}", contract, share, "--data", folder / data) or {"flows": [{}], "changes": []}
        got = {c["period"]: c["difference"] for c in j["flows"][0].get("periods", [])}
        want = {p: money(new_pay.get(p, 0) - old_pay.get(p, 0)) for p in PERIODS}
        T.check(f"premium share 25 % against 30 % on {data}: the differences", got == want and
                j["flows"][0]["total"]["difference"] == money(sum(new_pay.values()) - sum(old_pay.values())), f"{got} expected {want}")
        T.check(f"premium share 25 % against 30 % on {data}: one change", [(c["kind"], c["name"], c["old"], c["new"]) for c in j["changes"]] ==
                [("term", "premieandel", "30 %", "25 %")], str(j["changes"]))

    # Text: flows as rows, a row per side and the difference; unchanged cells are `=`.
    r = run(contract, new, "--data", folder / "plan.csv")
    T.check("versions, text: exits 0", r.returncode == 0, r.stderr)
    lines = r.stdout.splitlines()
    row = lambda first, second: next((l.split() for l in lines if l.split()[:len(first.split()) + 1] == first.split() + [second]), None)
    want_old = ["kommun", "→", "utfallsfonden", "old", "–", "–"] + [money(plan_old[p], True) for p in PERIODS[2:]] + [money(sum(plan_old.values()), True)]
    T.check("versions, text: the old row", row("kommun → utfallsfonden", "old") == want_old, f"{row('kommun → utfallsfonden', 'old')} expected {want_old}")
    i = next((k for k, l in enumerate(lines) if l.startswith("kommun → utfallsfonden")), None)
    diff_row = lines[i + 2].split() if i is not None and i + 2 < len(lines) else []
    want_diff = ["difference", "=", "="]
    for p in PERIODS[2:]:
        d = plan_new[p] - plan_old[p]
        want_diff.append("=" if d == 0 else ("+" if d > 0 else "") + money(d, True))
    d = sum(plan_new.values()) - sum(plan_old.values())
    want_diff.append("=" if d == 0 else ("+" if d > 0 else "") + money(d, True))
    T.check("versions, text: the difference row", diff_row == want_diff, f"{diff_row} expected {want_diff}")
    T.check("versions, text: the changes", "term premieandel: value: 30 % -> 25 %" in r.stdout and
            "tier aterbetalning.premie: cap: takbelopp -> 6_000_000 SEK" in r.stdout and "clause 3.3: added: 3.3 Utvärdering" in r.stdout, r.stdout)

    # CSV: a row per flow and side, a column per period and the total.
    r = run(contract, new, "--data", folder / "plan.csv", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    T.check("versions, csv: header", rows and rows[0] == ["from", "to", "currency", "side"] + PERIODS + ["total"], str(rows[:1]))
    want = [["kommun", "utfallsfonden", "SEK", side] + ["", ""] + [money(pay[p]) for p in PERIODS[2:]] + [money(sum(pay.values()))]
            for side, pay in [("old", plan_old), ("new", plan_new)]]
    want.append(["kommun", "utfallsfonden", "SEK", "difference", "0.00", "0.00"] + [money(plan_new[p] - plan_old[p]) for p in PERIODS[2:]] +
                [money(sum(plan_new.values()) - sum(plan_old.values()))])
    T.check("versions, csv: kommun -> utfallsfonden", rows[1:4] == want, f"{rows[1:4]} expected {want}")
    T.check("versions, csv: kommun -> utvarderare", rows[4:7] == [
        ["kommun", "utvarderare", "SEK", "old"] + [""] * 6, ["kommun", "utvarderare", "SEK", "new", ""] + ["50000.00"] * 4 + ["200000.00"],
        ["kommun", "utvarderare", "SEK", "difference", "0.00"] + ["50000.00"] * 4 + ["200000.00"]], str(rows[4:7]))

    # Layout and comments are no change: the diff is of the checked contracts.
    r = run(contract, same, "--data", folder / "plan.csv", "--format", "json")
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    T.check("a version that differs in layout and comments only: no change", r.returncode == 0 and j["changes"] == [] and
            all(c["difference"] == "0.00" for f in j["flows"] for c in f["periods"]), r.stderr + r.stdout[:2000])

    # Two data sets under one contract: the sides are named by the scenarios.
    fail = payments("fail.csv", Fraction(30, 100), Fraction(7_000_000))
    r = run(contract, "--scenario", f"plan={folder / 'plan.csv'}", "--scenario", f"fail={folder / 'fail.csv'}", "--format", "json")
    T.check("scenarios: exits 0", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        j = json.loads(r.stdout)
        T.check("scenarios: named by NAME, no changes", (j["compare"], j["old"]["name"], j["new"]["name"], j["changes"]) == ("scenarios", "plan", "fail", []),
                str((j["compare"], j["old"]["name"], j["new"]["name"])))
        f = j["flows"][0] if len(j["flows"]) == 1 else {}
        want = [{"period": p, "old": money(plan_old[p]) if p in plan_old else None, "new": money(fail[p]) if p in fail else None,
                 "difference": money(fail.get(p, 0) - plan_old.get(p, 0))} for p in PERIODS]
        T.check("scenarios: kommun -> utfallsfonden, plan against fail", f.get("periods") == want, f"{f.get('periods')} expected {want}")
        T.check("scenarios: total", f.get("total", {}).get("difference") == money(sum(fail.values()) - sum(plan_old.values())), str(f.get("total")))
    # Three data sets: each side's amounts, and each later one less the first (plan).
    messy = payments("messy.csv", Fraction(30, 100), Fraction(7_000_000))
    three = [("plan", plan_old), ("fail", fail), ("messy", messy)]
    args = [a for name, _ in three for a in ("--scenario", f"{name}={folder / (name + '.csv')}")]
    j = compare_json("three scenarios", contract, *args)
    if j:
        T.check("three scenarios: sides in order", [x["name"] for x in j.get("sides", [])] == ["plan", "fail", "messy"], str(j.get("sides")))
        f = j["flows"][0] if len(j["flows"]) == 1 else {}
        want = [{"period": p, "old": money(plan_old[p]) if p in plan_old else None, "new": money(fail[p]) if p in fail else None,
                 "difference": money(fail.get(p, 0) - plan_old.get(p, 0)),
                 "amounts": [money(pay[p]) if p in pay else None for _, pay in three],
                 "differences": [money(pay.get(p, 0) - plan_old.get(p, 0)) for _, pay in three[1:]]} for p in PERIODS]
        T.check("three scenarios: kommun -> utfallsfonden per period", f.get("periods") == want, f"{f.get('periods')} expected {want}")
        T.check("three scenarios: totals", f.get("total", {}).get("differences") == [money(sum(pay.values()) - sum(plan_old.values())) for _, pay in three[1:]],
                str(f.get("total")))
    r = run(contract, *args, "--format", "csv")
    labels = [row[3] for row in csv.reader(io.StringIO(r.stdout))][1:]
    T.check("three scenarios: CSV rows, each difference against the first", labels == ["plan", "fail", "messy", "fail - plan", "messy - plan"], labels)
    r = run(contract, *args)
    T.check("three scenarios: the table says what each difference is against", r.returncode == 0 and "each difference against plan" in r.stdout
            and "messy - plan" in r.stdout, r.stdout[-1500:])
    # A scenario of two files: the second file gives the inputs, the first is another set. The
    # files split scenario A's inputs by column.
    cost_file, drawn_file = tmp / "kostnad.csv", tmp / "avropat.csv"
    rows = list(csv.DictReader(open(folder / "plan.csv")))
    cost_file.write_text("period,hemtjanst_kostnad\n" + "".join(f"{x['period']},{x['hemtjanst_kostnad']}\n" for x in rows))
    drawn_file.write_text("period,avropat\n" + "".join(f"{x['period']},{x['avropat']}\n" for x in rows))
    r = run(contract, "--scenario", f"split={cost_file},{drawn_file}", "--scenario", f"fail={folder / 'fail.csv'}", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    T.check("scenarios: NAME=FILE,FILE", r.returncode == 0 and rows[1][3:] == ["split", "", ""] + [money(plan_old[p]) for p in PERIODS[2:]] +
            [money(sum(plan_old.values()))], r.stderr + str(rows[:2]))

    # A payment's parts: amount, periods, rounding, its caps; a clause and its payment removed;
    # then a calendar moved by a year. Without inputs: p pays round(pris * 3) = 300 SEK capped at
    # 250 SEK per period, q 10 SEK in 2026; the new p pays pris * 2 = 200 SEK from 2026, at most
    # 150 SEK in total (150 SEK in 2026, a line of 0 in 2027).
    head = 'contract "t"\ncurrency SEK\nparty a "A"\nparty b "B"\nterm pris = 100 SEK\n'
    small_old, small_new, small_cal = tmp / "p_old.utfall", tmp / "p_new.utfall", tmp / "p_cal.utfall"
    small_old.write_text(head + 'periods yearly 2025 .. 2027\nclause "1" "Pay" {\n  pay p: a -> b amount pris * 3 rounded half_even to 1 SEK '
                         'capped at 250 SEK per period\n}\nclause "2" "Other" {\n  pay q: a -> b amount 10 SEK in 2026\n}\n')
    new_p = 'clause "1" "Pay" {\n  pay p: a -> b amount pris * 2 from 2026 rounded half_up to 1 SEK capped at 150 SEK in total\n}\n'
    small_new.write_text(head + "periods yearly 2025 .. 2027\n" + new_p)
    small_cal.write_text(head + "periods yearly 2026 .. 2028\n" + new_p)
    j = compare_json("a payment's parts changed", small_old, small_new)
    if j:
        changes = {(c["kind"], c["name"], c["what"]): (c["old"], c["new"]) for c in j["changes"]}
        T.check("a payment's parts changed: the changes", changes == {
            ("clause", "2", "removed"): ("2 Other", None),
            ("payment", "q", "removed"): ("pay q: a -> b amount 10 SEK in 2026", None),
            ("payment", "p", "periods"): ("every period", "2026 .. 2027"),
            ("payment", "p", "amount"): ("pris * 3", "pris * 2"),
            ("payment", "p", "cap per period"): ("250 SEK", None),
            ("payment", "p", "cap in total"): (None, "150 SEK"),
            ("payment", "p", "rounding"): ("rounded half_even to 1 SEK", "rounded half_up to 1 SEK")}, json.dumps(j["changes"]))
        T.check("a payment's parts changed: the amounts", j["flows"] == [{"from": "a", "to": "b", "currency": "SEK", "periods": [
            {"period": "2025", "old": "250.00", "new": None, "difference": "-250.00"},
            {"period": "2026", "old": "260.00", "new": "150.00", "difference": "-110.00"},
            {"period": "2027", "old": "250.00", "new": "0.00", "difference": "-250.00"}],
            "total": {"old": "760.00", "new": "150.00", "difference": "-610.00"}}], json.dumps(j["flows"]))
    j = compare_json("calendars that differ", small_old, small_cal)
    if j:
        cells = {c["period"]: (c["old"], c["new"]) for c in j["flows"][0]["periods"]}
        T.check("calendars that differ: the union, in order, marked", (j["periods"], j["calendars_differ"], cells["2025"], cells["2028"]) ==
                (["2025", "2026", "2027", "2028"], True, ("250.00", None), (None, "0.00")), str((j["periods"], j["calendars_differ"], cells)))
        T.check("calendars that differ: a calendar change", ("calendar", "periods", "periods") in {(c["kind"], c["name"], c["what"]) for c in j["changes"]},
                str(j["changes"]))

    # Several currencies: flows are matched by currency code, so EUR renamed NOK is two flows,
    # each on one side only, with the same amounts; the amount of a payment is shown with its type.
    lc = src / "examples/l-currencies"
    nok = tmp / "nok.utfall"
    nok.write_text((lc / "contract.utfall").read_text(encoding="utf-8").replace("EUR", "NOK"), encoding="utf-8")
    j = compare_json("EUR renamed NOK", lc / "contract.utfall", nok, "--data", lc / "plan.csv")
    if j:
        flows = {(f["from"], f["to"], f["currency"]): f["total"] for f in j["flows"]}
        eur, nok_total = flows.get(("eufond", "utforare", "EUR"), {}), flows.get(("eufond", "utforare", "NOK"), {})
        T.check("EUR renamed NOK: two flows, each on one side", eur.get("new", 0) is None and nok_total.get("old", 0) is None and
                eur.get("old") == nok_total.get("new") is not None and ("kommun", "utforare", "SEK") in flows, str(flows))
        T.check("EUR renamed NOK: the amount with its type", {"kind": "payment", "name": "medfinansiering", "what": "amount",
                "old": "eu_pris * undvikta (EUR)", "new": "eu_pris * undvikta (NOK)"} in j["changes"], json.dumps(j["changes"]))

    # Usage and bad input: the exit codes of `run`, 64 for usage.
    for label, args, code, words in [
        ("compare with neither NEW nor --scenario", [contract, "--data", folder / "plan.csv"], 64, "give two versions"),
        ("compare with NEW and --scenario", [contract, new, "--scenario", f"a={folder / 'plan.csv'}", "--scenario", f"b={folder / 'fail.csv'}"], 64,
         "--scenario compares data sets under one contract"),
        ("compare with one --scenario", [contract, "--scenario", f"a={folder / 'plan.csv'}"], 64, "give two to 12 --scenario"),
        ("compare with thirteen scenarios", [contract, *[f"--scenario=s{i}={folder / 'plan.csv'}" for i in range(13)]], 64, "not 13"),
        ("compare with a --scenario without NAME=", [contract, "--scenario", str(folder / "plan.csv"), "--scenario", f"b={folder / 'fail.csv'}"], 64,
         "expected NAME=FILE"),
        ("compare with two scenarios of one name", [contract, "--scenario", f"a={folder / 'plan.csv'}", "--scenario", f"a={folder / 'fail.csv'}"], 64,
         "two scenarios named `a`"),
        ("compare with a new version that does not parse", [contract, broken, "--data", folder / "plan.csv"], 2, "broken.utfall:"),
        ("compare with a data file that does not exist", [contract, new, "--data", tmp / "missing.csv"], 3, "missing.csv"),
    ]:
        r = run(*args)
        T.check(label, r.returncode == code and words in r.stderr and r.stdout == "", f"exit {r.returncode}: {r.stderr}")

T.finish()
