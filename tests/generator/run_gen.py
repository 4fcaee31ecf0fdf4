#!/usr/bin/env python3
"""run_gen.py: generate random contracts, run them through utfall, compare with the model.

    python3 tests/generator/run_gen.py --utfall build/utfall --seed 1 --count 500
    python3 tests/generator/run_gen.py --utfall build/utfall --hours 2        # random seeds
    python3 tests/generator/run_gen.py --utfall build/utfall --mutations 200  # ill-typed ones

For every contract: `utfall run CONTRACT --data FILE... --format json` must print exactly the
model's payment lines (period, payer, payee, currency, clause, rule, amount, in order) and totals, or fail with the
model's error code. A disagreement is minimised (clauses, items, modifiers, participants, periods
dropped while it persists) and saved in tests/generator/regressions/<name>/ with expected.json
from the model. Some contracts also get an `example` block with the model's amounts, run by
`utfall test`; some are also run with `utfall explain --format json` and `run --format csv`,
which must give the same lines. See docs/generator.md.
"""
import argparse
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
for _i, _a in enumerate(sys.argv):  # --avoid KEY,KEY: steer clear of issues of gen.KNOWN
    if _a == "--avoid" and _i + 1 < len(sys.argv):
        os.environ["UTFALL_GEN_AVOID"] = sys.argv[_i + 1]
    elif _a.startswith("--avoid="):
        os.environ["UTFALL_GEN_AVOID"] = _a.split("=", 1)[1]
    elif _a == "--open":  # also the constructs of issues still open in utfall (gen.OPEN)
        os.environ["UTFALL_GEN_OPEN"] = "1"

import gen  # noqa: E402
import model  # noqa: E402
import syntax  # noqa: E402
from syntax import (Example, ForEach, Let, Lit, Pay, Scale, SumOver, Table, TextTable, Waterfall, At, PeriodLit, CountP,  # noqa: E402
                    SumP, set_of_names, walk, dec, item_exprs)

CODE = re.compile(r"error\[(E\d+)\]")
TIMEOUT = 60
sys.setrecursionlimit(20000)
import threading  # noqa: E402
threading.stack_size(256 << 20)


def minor_places(c, cur="SEK"):
    """How many decimals utfall prints for an amount in `cur`: as many as its minor unit has (§4)."""
    s = (c.minor_text if cur == "SEK" else c.eur[1]) or "0.01"
    return len(s.split(".")[1]) if "." in s else 0


# ---------------------------------------------------------------------------------------------
# One case: write, run, compare


def write_case(c, folder, layout_seed, with_example=False):
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.iterdir():
        if f.is_file():
            f.unlink()
    rng = random.Random(layout_seed)
    files = gen.write_data(c, folder, rng)
    c.examples = []
    if with_example:
        add_example(c, files, rng)
    text = syntax.to_text(c, rng)
    (folder / "contract.utfall").write_text(text)
    return files


def add_example(c, files, rng):
    """An `example` with one term overridden (if any) and the model's amounts as expectations."""
    sets, overrides = [], {}
    num_terms = [t for t in c.terms if syntax.is_num(t.t) and t.t != ()]  # unit-carrying terms
    num_terms += [t for t in c.terms if t.t == ()]
    if num_terms and rng.random() < 0.7:
        t = rng.choice(num_terms)
        v = gen.Gen(rng.randrange(10 ** 9)).override(t)
        if t.name in getattr(c, "limit_terms", []) and rng.random() < 0.5:
            v = syntax.Unlimited(syntax.SEK)  # a cap switched off by the example (§9.2)
        sets.append((t.name, v))
        overrides[t.name] = v.value
    try:
        lines, value_of = model.evaluate_with_values(c, overrides)
    except model.ModelError:
        return
    flows = {}  # an expected flow sums only the lines in the currency of its amount (§4.1)
    for ln in lines:
        key = (ln["from"], ln["to"], ln["currency"])
        flows.setdefault(key, {}).setdefault(c.periods.index(ln["period"]), F(0))
        flows[key][c.periods.index(ln["period"])] += ln["amount"]
    expects = []
    for (a, b, cur), per in sorted(flows.items()):
        for t, amt in sorted(per.items()):
            if rng.random() < 0.5:
                expects.append(("flow", a, b, t, amt, cur))
        expects.append(("flow", a, b, None, sum(per.values(), F(0)), cur))
    # a flow with no lines counts as 0 (§20), and so does one with lines in the other currency only
    parties = [p for p, _ in c.parties]
    a, b = rng.sample(parties, 2)
    cur = rng.choice(["SEK", "EUR"]) if c.eur else "SEK"
    if (a, b, cur) not in flows:
        expects.append(("flow", a, b, rng.randrange(len(c.periods)), F(0), cur))
    expects += named_expectations(c, value_of, rng)
    expects += net_expectations(c, lines, rng)
    c.examples = [Example("gen", files, sets, expects)]


def named_expectations(c, value_of, rng):
    """`expect NAME in PERIOD | in total = VALUE` for some named payments, waterfalls and
    definitions (§20), with the model's values; a value the model cannot compute is left out."""
    named = []
    for it in list(c.top) + [it for cl in c.clauses for it in cl.items]:
        if isinstance(it, syntax.Let):
            named.append((it.name, it.t))
        elif isinstance(it, (syntax.Pay, syntax.Waterfall)) and it.name:
            named.append((it.name, syntax.CURRENCY[it.cur]))
    out = []
    for name, t in named:
        if rng.random() < 0.5:
            continue
        if not (syntax.is_num(t) or t in (syntax.BOOL, syntax.PERIOD)):
            continue
        try:
            values = [value_of(name, i) for i in range(len(c.periods))]
        except model.ModelError:
            continue
        i = rng.randrange(len(c.periods))
        v = values[i]
        if t == syntax.PERIOD:
            if not 0 <= v.i < len(c.periods):
                continue
            v = v.i
        out.append(("name", name, i, v, t))
        if syntax.is_num(t) and rng.random() < 0.5:
            out.append(("name", name, None, sum(values, F(0)), t))
    return out


def net_expectations(c, lines, rng):
    """`expect net PARTY in PERIOD | in total` for one or two parties: received less paid."""
    out = []
    for party, _ in rng.sample(c.parties, min(2, len(c.parties))):
        per = rng.choice([None, rng.randrange(len(c.periods))])
        cur = rng.choice(["SEK", "EUR"]) if c.eur else "SEK"
        amt = sum((ln["amount"] * ((ln["to"] == party) - (ln["from"] == party)) for ln in lines
                   if (per is None or ln["period"] == c.periods[per]) and ln["currency"] == cur), F(0))
        out.append(("net", party, per, amt, cur))
    return out


def set_args(c):
    """`--set TERM=VALUE` options for c.run_sets (§9: a term overridden for one run)."""
    out = []
    for name, lit in getattr(c, "run_sets", []):
        out += ["--set", f"{name}={lit.text(syntax.Printer(c, None))}"]
    return out


def run_utfall(utfall, folder, files, sets=()):
    cmd = [utfall, "run", str(folder / "contract.utfall"), "--data", *[str(folder / f) for f in files],
           "--format", "json", *sets]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"rc": "timeout", "stderr": "", "stdout": ""}
    return {"rc": out.returncode, "stdout": out.stdout, "stderr": out.stderr}


def model_result(c):
    try:
        return {"ok": True, "lines": model.evaluate(c, {n: lit.value for n, lit in getattr(c, "run_sets", [])})}
    except model.ModelError as e:
        return {"ok": False, "code": e.code, "msg": str(e)}
    except RecursionError:
        return {"ok": False, "code": "model-recursion"}


def compare(c, res, mres):
    """None when utfall and the model agree, else (signature, description)."""
    rc = res["rc"]
    codes = CODE.findall(res["stderr"])
    first = codes[0] if codes else None
    if rc == "timeout":
        return ("timeout",), "utfall timed out"
    if rc not in (0, 2, 3, 4, 5):
        return ("crash", rc), f"utfall exit {rc}\n{res['stderr'][-2000:]}"
    if not mres["ok"]:
        if mres["code"] == "model-recursion":
            return None
        if rc == 0:
            return ("model-error", mres["code"]), f"model: {mres['msg']}; utfall succeeded"
        if first != mres["code"]:
            return ("error-code", first, mres["code"]), f"model: {mres['msg']}; utfall: {res['stderr'][-1500:]}"
        return None
    if rc != 0:
        return ("utfall-error", first), f"model succeeded; utfall exit {rc}:\n{res['stderr'][-3000:]}"
    try:
        got = json.loads(res["stdout"])["payments"]
    except (ValueError, KeyError) as e:
        return ("json",), f"bad JSON: {e}"
    want = mres["lines"]
    diffs = []
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None or w is None:
            diffs.append(f"line {i}: utfall {g} model {fmt_line(c, w) if w else None}")
            continue
        same = all(g.get(k) == w[k] for k in ("period", "from", "to", "currency", "clause", "rule"))
        amt_ok = F(Decimal(g["amount"])) == w["amount"]
        shape_ok = g["amount"] == dec_places(w["amount"], minor_places(c, w["currency"]))
        if not (same and amt_ok and shape_ok):
            diffs.append(f"line {i}: utfall {g} model {fmt_line(c, w)}")
    if diffs:
        kind = "lines" if len(got) != len(want) else "amount"
        return (kind,), "\n".join(diffs[:20])
    return compare_totals(c, json.loads(res["stdout"]).get("totals"), want)


def compare_totals(c, got, lines):
    """The JSON's totals: one per payer, payee and currency (§4.1), the sum of its lines."""
    want = {}
    for w in lines:
        key = (w["from"], w["to"], w["currency"])
        want[key] = want.get(key, F(0)) + w["amount"]
    if got is None:
        return ("totals",), "no totals in the JSON"
    have = {}
    for g in got:
        key = (g["from"], g["to"], g.get("currency"))
        if key in have or g["amount"] != dec_places(F(Decimal(g["amount"])), minor_places(c, key[2])):
            return ("totals",), f"total repeated or misprinted: {g}"
        have[key] = F(Decimal(g["amount"]))
    if have != want:
        diff = sorted(set(have.items()) ^ set(want.items()), key=str)[:10]
        return ("totals",), "totals differ (utfall ^ model): " + "; ".join(map(str, diff))
    return None


def dec_places(x, places):
    """x (a multiple of 10^-places) as utfall prints it: exactly `places` decimals."""
    n = F(x) * 10 ** places
    if n.denominator != 1:
        return f"(not a multiple of 10^-{places}: {x})"
    s = str(abs(n.numerator)).rjust(places + 1, "0")
    s = (s[:-places] + "." + s[-places:]) if places else s
    return ("-" if n < 0 else "") + s


def fmt_line(c, w):
    return {**w, "amount": dec_places(w["amount"], minor_places(c, w["currency"]))}


def explain_known(c):
    """True where `utfall explain` meets a known issue (regressions/explain-*): an `if` or an
    aggregate over participants evaluated while a participant is bound (inside sum/count over
    participants, a per-participant definition or a per-participant payment); only with
    `--avoid explain-bound-if-or-aggregate`."""
    if "explain-bound-if-or-aggregate" not in gen.AVOID:
        return False
    exprs = []
    for it in list(c.top) + [it for cl in c.clauses for it in cl.items]:
        if isinstance(it, ForEach):
            exprs += [l.expr for l in it.lets]
        elif isinstance(it, Pay) and it.fe:
            exprs += item_exprs(it)
        else:
            exprs += item_exprs(it)
    bound = []
    for e in exprs + [t.expr for t in c.terms]:
        for n in walk(e):
            if isinstance(n, (SumP, CountP)):
                bound += n.kids()
    for it in [it for cl in c.clauses for it in cl.items]:
        if isinstance(it, ForEach):
            bound += [l.expr for l in it.lets]
        elif isinstance(it, Pay) and it.fe:
            bound += item_exprs(it)
    for e in bound:
        for n in walk(e):
            if isinstance(n, (syntax.If, SumP, CountP)):
                return True
    return False


def compare_explain(utfall, c, folder, files, mres):
    """`utfall explain --format json`: its payments must be the same lines (docs/cli.md: the
    statement is the evaluation's own record, so it cannot disagree with `utfall run`)."""
    cmd = [utfall, "explain", str(folder / "contract.utfall"), "--data", *[str(folder / f) for f in files],
           "--format", "json", *set_args(c)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    if out.returncode != 0:
        return ("explain", out.returncode), f"utfall explain: exit {out.returncode}\n{out.stderr[-2000:]}"
    got = [(e["period"], e["clause"], e["rule"], p["from"], p["to"], F(Decimal(p["amount"])), p.get("currency"))
           for e in json.loads(out.stdout)["explanations"] for p in e["payments"]]
    want = [(w["period"], w["clause"], w["rule"], w["from"], w["to"], w["amount"], w["currency"]) for w in mres["lines"]]
    if got != want:
        diff = [f"explain {g}\nmodel   {w}" for g, w in zip(got, want) if g != w][:10]
        return ("explain",), f"{len(got)} lines from explain, {len(want)} from the model\n" + "\n".join(diff)
    return None


def compare_csv(utfall, c, folder, files, mres):
    """`utfall run --format csv`: the same lines as the model."""
    cmd = [utfall, "run", str(folder / "contract.utfall"), "--data", *[str(folder / f) for f in files],
           "--format", "csv", *set_args(c)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    if out.returncode != 0:
        return ("csv", out.returncode), f"utfall run --format csv: exit {out.returncode}\n{out.stderr[-2000:]}"
    import csv as _csv
    import io
    rows = list(_csv.DictReader(io.StringIO(out.stdout)))
    # a currency column only where there are several (§4.1)
    got = [(r["period"], r["from"], r["to"], F(Decimal(r["amount"])), r.get("currency"), r["clause"], r["rule"])
           for r in rows]
    want = [(w["period"], w["from"], w["to"], w["amount"], w["currency"] if c.eur else None, w["clause"], w["rule"])
            for w in mres["lines"]]
    if got != want:
        diff = [f"csv   {g}\nmodel {w}" for g, w in zip(got, want) if g != w][:10]
        return ("csv",), f"{len(got)} csv lines, {len(want)} from the model\n" + "\n".join(diff)
    return None


def check_case(utfall, c, folder, layout_seed, with_example=False):
    files = write_case(c, folder, layout_seed, with_example)
    res = run_utfall(utfall, folder, files, set_args(c))
    mres = model_result(c)
    bad = compare(c, res, mres)
    if bad is None and mres["ok"] and layout_seed % 7 in (3, 6) and not explain_known(c):
        bad = compare_explain(utfall, c, folder, files, mres)
    if bad is None and mres["ok"] and layout_seed % 7 == 5:
        bad = compare_csv(utfall, c, folder, files, mres)
    if bad is None and c.examples:
        out = subprocess.run([utfall, "test", str(folder / "contract.utfall")], capture_output=True, text=True,
                             timeout=TIMEOUT)
        last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        if out.returncode != 0 or not last.endswith(" 0 failed"):
            bad = ("example", out.returncode), f"utfall test: exit {out.returncode}\n{out.stdout[-2000:]}{out.stderr[-2000:]}"
    return bad, res, mres, files


# ---------------------------------------------------------------------------------------------
# Minimising


def item_needs(it):
    need = set()
    for e in item_exprs(it):
        need |= set_of_names(e)
    if isinstance(it, Pay) and it.fe:
        need.add(it.fe[1])
    if isinstance(it, ForEach):
        need.add(it.pset)
    return need


def prune(c):
    """Drop everything that refers to a name no longer declared, until nothing changes."""
    while True:
        names = {s.name for s in c.series} | {p.name for p in c.pinputs} | {t.name for t in c.terms}
        fields = set()
        for p in c.pinputs:
            fields |= {"." + f for f, _, _ in p.fields}
        all_items = list(c.top) + [it for cl in c.clauses for it in cl.items]
        for it in all_items:
            if isinstance(it, (Let, Pay, Waterfall, Table, TextTable, Scale)) and it.name:
                names.add(it.name)
            if isinstance(it, ForEach):
                fields |= {"." + l.name for l in it.lets}
        known = names | fields
        changed = False
        keep_terms = [t for t in c.terms if set_of_names(t.expr) <= known]
        if len(keep_terms) != len(c.terms):
            c.terms, changed = keep_terms, True
        c.run_sets = [(n, v) for n, v in getattr(c, "run_sets", []) if n in {t.name for t in c.terms}]

        def ok(it):
            if isinstance(it, ForEach):
                it.lets = [l for l in it.lets if set_of_names(l.expr) <= known]
                return bool(it.lets) and it.pset in known
            return item_needs(it) <= known

        top = [it for it in c.top if ok(it)]
        if len(top) != len(c.top):
            c.top, changed = top, True
        for cl in c.clauses:
            items = [it for it in cl.items if ok(it)]
            if len(items) != len(cl.items):
                cl.items, changed = items, True
        if not changed:
            return c


def candidates(c):
    """Smaller variants of c (each a deep copy with one thing removed)."""
    out = []

    def variant(fn):
        d = copy.deepcopy(c)
        if fn(d) is not False:
            out.append(prune(d))

    for i in range(len(c.clauses)):
        variant(lambda d, i=i: d.clauses.pop(i))
    for i in range(len(c.top)):
        variant(lambda d, i=i: d.top.pop(i))
    for ci, cl in enumerate(c.clauses):
        for ii, it in enumerate(cl.items):
            variant(lambda d, ci=ci, ii=ii: d.clauses[ci].items.pop(ii))
            if isinstance(it, ForEach) and len(it.lets) > 1:
                for li in range(len(it.lets)):
                    variant(lambda d, ci=ci, ii=ii, li=li: d.clauses[ci].items[ii].lets.pop(li))
    for i in range(len(c.terms)):
        variant(lambda d, i=i: d.terms.pop(i))
    for i in range(len(c.series)):
        variant(lambda d, i=i: d.series.pop(i))
    for i, p in enumerate(c.pinputs):
        variant(lambda d, i=i: d.pinputs.pop(i))
        for j in range(len(c.pdata[p.name])):
            variant(lambda d, n=p.name, j=j: d.pdata[n].pop(j))
    # modifiers
    for ci, cl in enumerate(c.clauses):
        for ii, it in enumerate(cl.items):
            if isinstance(it, Pay):
                for m in list(it.order):
                    if m == "amount":
                        continue

                    def drop(d, ci=ci, ii=ii, m=m):
                        p = d.clauses[ci].items[ii]
                        p.order.remove(m)
                        if m == "when":
                            p.when = None
                        elif m == "appl":
                            p.appl = None
                        elif m == "caps":
                            p.caps = {}
                        elif m == "floor":
                            p.floor = None
                        elif m == "rounding":
                            p.rounding = None
                        elif m == "netted":
                            p.netted = False
                        elif m == "at_most":
                            p.at_most = None
                    variant(drop)
                for scope in list(it.caps):
                    if len(it.caps) > 1:
                        variant(lambda d, ci=ci, ii=ii, s=scope: d.clauses[ci].items[ii].caps.pop(s))
                if it.fe and it.fe[2] is not None:
                    def nowhere(d, ci=ci, ii=ii):
                        p = d.clauses[ci].items[ii]
                        p.fe = (p.fe[0], p.fe[1], None)
                    variant(nowhere)
            if isinstance(it, Waterfall):
                if len(it.tiers) > 1:
                    for ti in range(len(it.tiers)):
                        variant(lambda d, ci=ci, ii=ii, ti=ti: d.clauses[ci].items[ii].tiers.pop(ti))
                if it.rest:
                    variant(lambda d, ci=ci, ii=ii: setattr(d.clauses[ci].items[ii], "rest", None))
                if it.netted:
                    variant(lambda d, ci=ci, ii=ii: setattr(d.clauses[ci].items[ii], "netted", False))
                if it.appl:
                    variant(lambda d, ci=ci, ii=ii: setattr(d.clauses[ci].items[ii], "appl", None))
                for ti, t in enumerate(it.tiers):
                    if t.rounding:
                        variant(lambda d, ci=ci, ii=ii, ti=ti: setattr(d.clauses[ci].items[ii].tiers[ti], "rounding", None))
                    if t.cap is not None:
                        variant(lambda d, ci=ci, ii=ii, ti=ti: setattr(d.clauses[ci].items[ii].tiers[ti], "cap", None))
    # the last period, where nothing names it
    if len(c.periods) > 1 and not names_period(c, len(c.periods) - 1):
        def shorter(d):
            n = len(d.periods) - 1
            d.periods = d.periods[:n]
            if d.period_dates:
                d.period_dates = d.period_dates[:n]
            for k in d.sdata:
                d.sdata[k] = d.sdata[k][:n]
            for recs in d.pdata.values():
                for rec in recs:
                    for f in rec:
                        if f in ("inskriven", "start") and rec[f] >= n:
                            rec[f] = n - 1
        variant(shorter)
    return out


def names_period(c, idx):
    exprs = [t.expr for t in c.terms]
    for it in list(c.top) + [it for cl in c.clauses for it in cl.items]:
        exprs += item_exprs(it)
        if getattr(it, "appl", None) and (it.appl[0] == idx or it.appl[1] == idx):
            return True
    for s in c.series:
        if s.appl and (s.appl[0] == idx or s.appl[1] == idx):
            return True
    for e in exprs:
        for n in walk(e):
            if isinstance(n, (PeriodLit, At)) and n.idx == idx:
                return True
            if isinstance(n, SumOver) and idx in (n.p0, n.p1):
                return True
    return False


def size(c):
    n = len(c.terms) + len(c.series) + len(c.pinputs) + len(c.periods) + len(c.top)
    n += sum(len(v) for v in c.pdata.values())
    for cl in c.clauses:
        n += 1
        for it in cl.items:
            n += 1 + (len(it.lets) if isinstance(it, ForEach) else 0)
            if isinstance(it, Pay):
                n += len(it.order) + len(it.caps)
            if isinstance(it, Waterfall):
                n += len(it.tiers) + bool(it.rest) + bool(it.netted) + bool(it.appl)
    return n


def minimise(utfall, c, sig, folder, layout_seed, budget=400):
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for d in sorted(candidates(c), key=size):
            if size(d) >= size(c):
                continue
            tries += 1
            bad, *_ = check_case(utfall, d, folder, layout_seed)
            if bad is not None and bad[0] == sig:
                c = d
                improved = True
                break
            if tries >= budget:
                break
    return c


def save_regression(utfall, c, name, layout_seed, note):
    folder = HERE / "regressions" / name
    if folder.exists():
        shutil.rmtree(folder)
    bad, res, mres, files = check_case(utfall, c, folder, layout_seed)
    expected = {"data": files, "set": set_args(c)[1::2], "note": note}
    if bad and bad[0][0] in ("explain", "csv"):
        expected["command"] = bad[0][0]  # replayed with `utfall explain` / `run --format csv`
    if mres["ok"]:
        expected["status"] = "ok"
        expected["payments"] = [fmt_line(c, w) for w in mres["lines"]]
    else:
        expected["status"] = "error"
        expected["code"] = mres["code"]
    (folder / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    (folder / "utfall-output.txt").write_text(
        f"exit {res['rc']}\n--- stdout\n{res['stdout'][-4000:]}\n--- stderr\n{res['stderr'][-4000:]}\n")
    return folder


# ---------------------------------------------------------------------------------------------
# Saved regressions


def replay(utfall, folder):
    """None if the regression in folder now passes, else a description."""
    exp = json.loads((folder / "expected.json").read_text())
    sets = [a for s in exp.get("set", []) for a in ("--set", s)]
    keys = ("period", "from", "to", "clause", "rule", "amount")
    if exp.get("command") in ("explain", "csv"):
        cmd = [utfall, "explain" if exp["command"] == "explain" else "run", str(folder / "contract.utfall"),
               "--data", *[str(folder / f) for f in exp["data"]], "--format",
               "json" if exp["command"] == "explain" else "csv", *sets]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        if out.returncode != 0:
            return f"utfall {exp['command']}: exit {out.returncode}: {out.stderr[-800:]}"
        if exp["command"] == "explain":
            got = [{"period": e["period"], "clause": e["clause"], "rule": e["rule"], **p}
                   for e in json.loads(out.stdout)["explanations"] for p in e["payments"]]
        else:
            import csv as _csv
            import io
            got = list(_csv.DictReader(io.StringIO(out.stdout)))
        g = [{k: x[k] for k in keys} for x in got]
        w = [{k: x[k] for k in keys} for x in exp["payments"]]
        return None if g == w else f"{exp['command']} lines differ:\n  got  {g}\n  want {w}"
    res = run_utfall(utfall, folder, exp["data"], sets)
    codes = CODE.findall(res["stderr"])
    if exp["status"] == "error":
        if res["rc"] == 0 or not codes or codes[0] != exp["code"]:
            return f"expected error {exp['code']}, got exit {res['rc']}: {res['stderr'][-800:]}"
        return None
    if res["rc"] != 0:
        return f"expected success, got exit {res['rc']}: {res['stderr'][-800:]}"
    got = json.loads(res["stdout"])["payments"]
    want = exp["payments"]
    g = [{k: x[k] for k in keys} for x in got]
    w = [{k: x[k] for k in keys} for x in want]
    if g != w:
        return "payments differ:\n" + "\n".join(f"  utfall {a}\n  model  {b}" for a, b in zip(g, w) if a != b) + \
            (f"\n  ({len(g)} lines from utfall, {len(w)} expected)" if len(g) != len(w) else "")
    return None


# ---------------------------------------------------------------------------------------------
# Driver


class Stats:
    def __init__(self):
        self.contracts = self.ok_runs = self.error_runs = self.lines = self.examples = 0
        self.failures = []
        self.model_codes = {}


def run_seed(utfall, seed, folder, stats, do_minimise=True, save=True, verbose=False):
    try:
        c = gen.generate(seed)
        with_example = seed % 4 == 0
        bad, res, mres, files = check_case(utfall, c, folder, seed, with_example)
    except Exception:  # a bug of the generator or the model: report the seed, go on
        import traceback
        stats.contracts += 1
        stats.failures.append((seed, ("python-error",), traceback.format_exc(), None))
        print(f"PYTHON ERROR seed {seed}:\n{traceback.format_exc()}", flush=True)
        return ("python-error",)
    stats.contracts += 1
    if mres["ok"]:
        stats.ok_runs += 1
        stats.lines += len(mres["lines"])
        if c.examples:
            stats.examples += 1
    else:
        stats.error_runs += 1
        stats.model_codes[mres["code"]] = stats.model_codes.get(mres["code"], 0) + 1
    if bad is None:
        return None
    sig, desc = bad
    saved = None
    if do_minimise:
        small = minimise(utfall, gen.generate(seed), sig, folder, seed)
        if save:
            saved = save_regression(utfall, small, f"seed-{seed}", seed, f"seed {seed}: {sig}")
        bad2, res2, *_ = check_case(utfall, small, folder, seed)
        desc = (bad2[1] if bad2 else desc)
    stats.failures.append((seed, sig, desc, saved))
    print(f"DISAGREE seed {seed} {sig}" + (f" -> {saved}" if saved else ""), flush=True)
    if verbose:
        print(desc)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--utfall", default=str(HERE.parent.parent / "build" / "utfall"))
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--hours", type=float, default=None, help="run random seeds until the time is up")
    ap.add_argument("--mutations", type=int, default=0, help="also check this many ill-typed mutations")
    ap.add_argument("--avoid", default="", help="comma-separated keys of gen.KNOWN to steer clear of "
                    "(issues still open); also UTFALL_GEN_AVOID")
    ap.add_argument("--open", action="store_true", help="also generate the constructs of issues still open "
                    "(gen.OPEN), which are avoided by default")
    ap.add_argument("--no-minimise", action="store_true")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--replay", action="store_true", help="replay the saved regressions and stop")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    utfall = args.utfall
    tmp = Path(tempfile.mkdtemp(prefix="utfall-gen-"))
    try:
        if args.replay:
            fails = 0
            for d in sorted((HERE / "regressions").iterdir()):
                r = replay(utfall, d)
                print(("pass " if r is None else "FAIL ") + d.name + ("" if r is None else "\n" + r))
                fails += r is not None
            return 1 if fails else 0
        stats = Stats()
        t0 = time.time()
        if args.hours is not None:
            end = t0 + args.hours * 3600
            rng = random.Random()
            while time.time() < end:
                seed = rng.randrange(10 ** 12)
                run_seed(utfall, seed, tmp / "case", stats, not args.no_minimise, not args.no_save, args.verbose)
                if stats.contracts % 1000 == 0:
                    print(f"{stats.contracts} contracts, {len(stats.failures)} disagreements, "
                          f"{time.time() - t0:.0f} s", flush=True)
        else:
            for seed in range(args.seed, args.seed + args.count):
                run_seed(utfall, seed, tmp / "case", stats, not args.no_minimise, not args.no_save, args.verbose)
        mut_fail = 0
        if args.mutations:
            import mutate
            mstats = mutate.run(utfall, args.seed, args.mutations, tmp / "mut", verbose=args.verbose)
            mut_fail = mstats["failed"]
            print(f"mutations: {mstats['checked']} checked, {mstats['failed']} failed; by kind: {mstats['kinds']}")
        print(f"{stats.contracts} contracts ({stats.ok_runs} evaluated, {stats.error_runs} expected errors "
              f"{stats.model_codes}), {stats.lines} payment lines, {stats.examples} examples, "
              f"{len(stats.failures)} disagreements, {time.time() - t0:.1f} s")
        for seed, sig, desc, saved in stats.failures:
            print(f"  seed {seed}: {sig} {saved or ''}")
        return 1 if stats.failures or mut_fail else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
