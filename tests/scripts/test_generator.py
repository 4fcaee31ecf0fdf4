"""Random well-typed contracts (tests/generator/gen.py) against an independent model
(tests/generator/model.py, written from docs/language.md alone), with a fixed seed.

Every generated contract is run with `utfall run --format json`; every payment line (period,
payer, payee, currency, clause, rule, amount) must equal the model's exactly, or utfall must fail with the
model's error code. A quarter of the contracts also carry an `example` with the model's amounts,
run by `utfall test`. Then ill-typed mutations must fail `utfall check` with their code, and every
saved regression (tests/generator/regressions/*) must give its expected.json.

On a disagreement this prints the seed, the contract and the differing lines; minimise it with
    python3 tests/generator/run_gen.py --utfall build/utfall --seed SEED --count 1
Under the sanitizer build (UTFALL_SANITIZED=1) fewer contracts are run. UTFALL_GEN_COUNT
overrides the number of contracts.
"""
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction as F
from pathlib import Path

from scriptlib import SANITIZED, Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, str(src / "tests" / "generator"))

import gen  # noqa: E402
import model  # noqa: E402
import mutate  # noqa: E402
import run_gen  # noqa: E402

SEED = 20261130
COUNT = int(os.environ.get("UTFALL_GEN_COUNT", "400" if SANITIZED else "2500"))
MUTATIONS = COUNT // 5
JOBS = max(1, min(4, os.cpu_count() or 1))

tally = Tally()
t0 = time.time()

# 1. The model itself against the worked rounding table of §15 (step 0.01).
TABLE = {
    "half_up": ["2.35", "-2.35", "2.36", "2.34", "-2.34", "2.35", "-2.35"],
    "half_down": ["2.34", "-2.34", "2.35", "2.34", "-2.34", "2.35", "-2.35"],
    "half_even": ["2.34", "-2.34", "2.36", "2.34", "-2.34", "2.35", "-2.35"],
    "up": ["2.35", "-2.35", "2.36", "2.35", "-2.35", "2.35", "-2.35"],
    "down": ["2.34", "-2.34", "2.35", "2.34", "-2.34", "2.34", "-2.34"],
    "ceiling": ["2.35", "-2.34", "2.36", "2.35", "-2.34", "2.35", "-2.34"],
    "floor": ["2.34", "-2.35", "2.35", "2.34", "-2.35", "2.34", "-2.35"],
}
XS = ["2.345", "-2.345", "2.355", "2.341", "-2.341", "2.349", "-2.349"]
bad = [(m, x, want) for m, row in TABLE.items() for x, want in zip(XS, row)
       if model.round_to(F(x), F("0.01"), m) != F(want)]
bad += [] if model.round_to(F(1234), F(100), "half_up") == 1200 else [("half_up", "1234", "1200")]
bad += [] if model.round_to(F("0.125"), F("0.05"), "half_even") == F("0.1") else [("half_even", "0.125", "0.1")]
tally.check("model: the rounding table of §15", not bad, f"{bad}")

# 2. Generated contracts.
tmp = Path(tempfile.mkdtemp(prefix="utfall-gen-test-"))


def one(seed):
    try:
        c = gen.generate(seed)
        with_example = seed % 4 == 0
        bad, res, mres, files = run_gen.check_case(utfall, c, tmp / str(seed), seed, with_example)
    except Exception:
        import traceback
        return seed, (("python-error",), traceback.format_exc()), {"ok": False}, False, None
    text = (tmp / str(seed) / "contract.utfall").read_text() if bad else None
    return seed, bad, mres, bool(c.examples), text


contracts = ok_runs = lines = examples = 0
failures = []
with ThreadPoolExecutor(JOBS) as pool:
    for seed, bad, mres, had_example, text in pool.map(one, range(SEED, SEED + COUNT)):
        contracts += 1
        if mres["ok"]:
            ok_runs += 1
            lines += len(mres["lines"])
            examples += had_example
        if bad is not None:
            failures.append((seed, bad, text))
for seed, (sig, desc), text in failures[:10]:
    print(f"--- seed {seed}: {sig}\n{text}\n{desc}\n")
tally.check(f"{contracts} generated contracts agree with the model (seeds {SEED}..{SEED + COUNT - 1})",
            not failures, f"{len(failures)} disagree, seeds {[s for s, _, _ in failures][:50]}")
tally.check(f"{ok_runs} contracts evaluated, {lines} payment lines compared, {examples} examples run",
            contracts == COUNT and ok_runs >= 0.6 * contracts and lines > 5 * ok_runs and examples > 0,
            f"too few: contracts {contracts}, evaluated {ok_runs}, lines {lines}, examples {examples}")

# 3. Ill-typed mutations.
mstats = mutate.run(utfall, SEED, MUTATIONS, tmp / "mutants")
tally.check(f"{mstats['checked']} ill-typed mutations fail `utfall check` with their code "
            f"({len(mstats['kinds'])} codes)",
            mstats["failed"] == 0 and mstats["checked"] == MUTATIONS and len(mstats["kinds"]) >= 10,
            f"{mstats['failed']} wrong: {mstats['failures'][:10]}")

# 4. Saved regressions.
regs = sorted(p for p in (src / "tests" / "generator" / "regressions").iterdir() if p.is_dir()) \
    if (src / "tests" / "generator" / "regressions").is_dir() else []
for d in regs:
    r = run_gen.replay(utfall, d)
    tally.check(f"regression {d.name}", r is None, r or "")

print(f"{time.time() - t0:.1f} s, {JOBS} jobs")
import shutil  # noqa: E402
shutil.rmtree(tmp, ignore_errors=True)
tally.finish()
