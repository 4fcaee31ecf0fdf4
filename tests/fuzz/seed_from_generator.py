#!/usr/bin/env python3
"""Writes contracts from the random contract generator (tests/generator/gen.py) as fuzz seeds.

    python3 tests/fuzz/seed_from_generator.py OUT_DIR [--target fuzz_check|fuzz_run] [--count N] [--seed S]

Writes N files OUT_DIR/gen-SEED, one generated contract each (seeds S, S+1, ...): for fuzz_check
the contract text; for fuzz_run the contract followed by its generated data files, each after a
line `%%%% NAME` (the input format of tests/fuzz/fuzz_run.cpp). The generator builds well-typed
contracts with definitions in any order (a `let` after a `for each`, a use above its
declaration), which is where the structure-aware mutator (contract_mutator.hpp) has the most to
move around. tests/fuzz/run.sh generates ~200 of them into a temporary directory for each run;
they are not committed. The same seed always gives the same files.

If the generator is missing or its interface (gen.generate(seed), gen.write_data(contract,
folder, rng), syntax.to_text(contract, rng)) is not there, it prints why and exits 0 having
written nothing, so a fuzz run goes on with the committed corpus alone.
"""
import argparse
import random
import sys
import tempfile
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"


def load_generator():
    """(gen, syntax) modules, or None with a message when they cannot be used."""
    if not (GENERATOR / "gen.py").is_file():
        print(f"seed_from_generator: {GENERATOR}/gen.py not found; no generated seeds", file=sys.stderr)
        return None
    sys.path.insert(0, str(GENERATOR))
    try:
        import gen
        import syntax
    except Exception as e:  # noqa: BLE001 - any failure to import means: no generated seeds
        print(f"seed_from_generator: cannot import the generator ({e!r}); no generated seeds", file=sys.stderr)
        return None
    missing = [f for m, f in ((gen, "generate"), (gen, "write_data"), (syntax, "to_text")) if not hasattr(m, f)]
    if missing:
        print(f"seed_from_generator: the generator has no {', '.join(missing)}; no generated seeds", file=sys.stderr)
        return None
    return gen, syntax


def one_seed(gen, syntax, seed, target):
    """The fuzz input for one generator seed, as bytes."""
    contract = gen.generate(seed)
    rng = random.Random(seed)  # the layout of the data and of the text, as run_gen.py does it
    with tempfile.TemporaryDirectory() as tmp:
        files = gen.write_data(contract, Path(tmp), rng) if target == "fuzz_run" else []
        data = [(name, (Path(tmp) / name).read_bytes()) for name in files]
    out = syntax.to_text(contract, rng).encode("utf-8")
    for name, text in data:
        out += b"\n%%%% " + name.encode("utf-8") + b"\n" + text
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="the corpus directory to write gen-SEED files into")
    ap.add_argument("--target", choices=["fuzz_check", "fuzz_run"], default="fuzz_check")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()

    modules = load_generator()
    if modules is None:
        return 0
    gen, syntax = modules
    args.out.mkdir(parents=True, exist_ok=True)
    written = failed = 0
    for seed in range(args.seed, args.seed + args.count):
        try:
            data = one_seed(gen, syntax, seed, args.target)
        except Exception as e:  # noqa: BLE001 - a generator bug costs one seed, not the fuzz run
            failed += 1
            if failed <= 3:
                print(f"seed_from_generator: seed {seed}: {e!r}", file=sys.stderr)
            continue
        (args.out / f"gen-{seed}").write_bytes(data)
        written += 1
    print(f"seed_from_generator: {written} generated {args.target} seeds in {args.out}"
          + (f" ({failed} seeds failed)" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
