"""utfall.distributed on a LocalCluster of two worker processes: the same results as in one
process (client=None) and as Decimal sums, written here, of each data set's `contract.run`."""
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import EXAMPLES, read_csv_text

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:tornado")  # Dask's own, on Debian 12

import utfall  # noqa: E402
import utfall.distributed as ud  # noqa: E402

A = EXAMPLES / "a-aldreomsorg"
B = EXAMPLES / "b-placeringar"


@pytest.fixture(scope="module")
def client():
    # No dashboard; the scheduler's HTTP routes (it always has some) on a free port, not on 8787.
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                       scheduler_kwargs={"dashboard_address": ":0"})
    with cluster, distributed.Client(cluster) as c:
        yield c


def generated(plan, count, steps):
    """`count` data sets from a plan ({input: {period: str}}): set k adds steps[input] times a
    small whole number that depends on k and the period to each value, in exact Decimals."""
    sets = []
    for k in range(count):
        sets.append({name: {p: Decimal(v) + steps[name] * ((k * 7 + j * 3) % 11 - 5) for j, (p, v) in
                            enumerate(sorted(values.items()))} for name, values in plan.items()})
    return sets


A_SETS = generated(read_csv_text(A / "plan.csv"), 1200, {"hemtjanst_kostnad": Decimal("1234567.89"),
                                                          "avropat": Decimal("250000.01")})
B_SETS = generated(read_csv_text(B / "plan.csv"), 500, {"nya_placeringar": Decimal("1.5")})


def by_hand(contract, sets):
    """Totals of `sets`, one `contract.run` each, summed with Python's Decimals: {pair: (count,
    sum, min, max)}, {(period, payer, payee, rule, clause): sum} and {pair: [each set's total]}."""
    per_pair, flows = {}, {}
    for data in sets:
        result = contract.run(data)
        for t in result.totals:
            per_pair.setdefault((t.payer, t.payee, t.currency), []).append(t.amount)
        for p in result.payments:
            key = (p.period, p.payer, p.payee, p.rule, p.clause)
            flows[key] = flows.get(key, Decimal(0)) + p.amount
    pairs = {k: (len(v), sum(v, Decimal(0)), min(v), max(v)) for k, v in per_pair.items()}
    return pairs, flows, per_pair


@pytest.mark.parametrize("folder,sets,chunk", [(A, A_SETS, 97), (B, B_SETS, 64)])
def test_totals_on_two_workers(client, folder, sets, chunk):
    text = (folder / "contract.utfall").read_text(encoding="utf-8")
    on_cluster = ud.totals(client, text, sets, chunk=chunk)
    assert on_cluster == ud.totals(None, text, sets, chunk=chunk) == ud.totals(None, text, sets, chunk=len(sets))
    pairs, flows, per_set = by_hand(utfall.compile(folder / "contract.utfall"), sets)
    assert on_cluster.count == len(sets)
    got = {k: (s.count, s.sum, s.min, s.max) for k, s in on_cluster.pairs.items()}
    assert {k: v for k, v in got.items() if v[1:] != (0, 0, 0)} == pairs  # run leaves out pairs that paid nothing
    for key, stat in on_cluster.pairs.items():
        amounts = [Fraction(a) for a in per_set[key]]
        mean = sum(amounts) / len(amounts)
        assert stat.mean == mean and stat.variance == sum((a - mean) ** 2 for a in amounts) / len(amounts)
        assert type(stat.sum) is Decimal and type(stat.squares) is Decimal
    assert {(line.period, line.payer, line.payee, line.rule, line.clause): s.sum
            for line, s in on_cluster.flows.items()} == flows
    assert all(type(s.min) is Decimal and type(s.max) is Decimal for s in on_cluster.flows.values())


def test_run_batches_keeps_input_order(client):
    text = (A / "contract.utfall").read_text(encoding="utf-8")
    on_cluster = ud.run_batches(client, text, A_SETS, chunk=101)
    local = ud.run_batches(None, text, A_SETS, chunk=101)
    contract = utfall.compile(A / "contract.utfall")
    assert on_cluster.lines == local.lines == contract.batch([]).lines
    assert on_cluster.amounts == local.amounts == contract.batch(A_SETS).amounts
    assert on_cluster.errors == [None] * len(A_SETS)
    # Each set's amounts, in input order, against its own run.
    for data, amounts in zip(A_SETS[::37], on_cluster.amounts[::37]):
        paid = {p.period: p.amount for p in contract.run(data).payments}
        assert {line.period: a for line, a in zip(on_cluster.lines, amounts)} == paid


def test_each_worker_compiles_a_contract_once(client):
    text = (B / "contract.utfall").read_text(encoding="utf-8")
    for _ in range(3):
        ud.run_batches(client, text, B_SETS, chunk=25)
    key = ud.source(text).key
    counts = client.run(ud.compilations)
    assert len(counts) == 2
    assert all(c.get(key, 0) <= 1 for c in counts.values()) and sum(c.get(key, 0) for c in counts.values()) >= 1
    limited = ud.source(text, limits={"max_steps": 10_000_000})
    assert limited.key != key and limited.key[:2] == key[:2]


def test_a_bad_data_set_raises_its_error_with_its_index(client):
    text = (A / "contract.utfall").read_text(encoding="utf-8")
    sets = [dict(d) for d in A_SETS[:400]]
    for i in (123, 301):
        sets[i] = {**sets[i], "avropat": {**sets[i]["avropat"], "2028": "sju miljoner"}}
    with pytest.raises(utfall.DataError) as raised:
        ud.run_batches(client, text, sets, chunk=50)
    assert raised.value.dataset == 123 and "avropat" in raised.value.location and raised.value.code
    with pytest.raises(utfall.DataError) as raised:
        ud.totals(client, text, sets, chunk=50)
    assert raised.value.dataset == 123 and "avropat" in raised.value.location
    kept = ud.run_batches(client, text, sets, chunk=50, errors="keep")
    assert [i for i, e in enumerate(kept.errors) if e is not None] == [123, 301]
    assert kept.amounts[123] is None and kept.amounts[124] is not None
    assert isinstance(kept.errors[301], utfall.DataError) and kept.errors[301].dataset == 301
    with pytest.raises(utfall.CheckError):
        ud.totals(client, text.replace("max(", "maks("), sets)
    with pytest.raises(TypeError, match="cannot be sent"):
        ud.totals(client, utfall.compile(text), sets)


def test_sweep_split_over_workers(client):
    text = (A / "contract.utfall").read_text(encoding="utf-8")
    vary = {"premieandel": [Decimal(k) / 100 for k in range(10, 41, 2)],
            "takbelopp": [5_000_000, "7_000_000 SEK", 9_000_000]}
    on_cluster = ud.sweep(client, text, A_SETS[5], vary=vary, chunk=7)
    direct = utfall.compile(text).sweep(A_SETS[5], vary=vary)
    assert len(on_cluster) == len(direct) == 48
    cases = [(v, r.to_dict()) for v, r in on_cluster]
    assert cases == [(v, r.to_dict()) for v, r in direct]
    assert cases == [(v, r.to_dict()) for v, r in ud.sweep(None, text, A_SETS[5], vary=vary, chunk=7)]


def test_portfolio(client):
    contracts = {"a": A / "contract.utfall", "b": (B / "contract.utfall").read_text(encoding="utf-8"),
                 "c": EXAMPLES / "c-tfco" / "contract.utfall"}
    data = {"a": A_SETS[0], "b": B_SETS[0], "c": [EXAMPLES / "c-tfco" / "data.csv"]}
    results = ud.portfolio(client, contracts, data, terms_by_name={"a": {"premieandel": "25 %"}})
    assert list(results) == ["a", "b", "c"]
    a = utfall.compile(contracts["a"])
    assert results["a"].to_dict() == a.run(data["a"], terms={"premieandel": "25 %"}).to_dict()
    assert results["b"].to_dict() == utfall.compile(contracts["b"]).run(data["b"]).to_dict()
    assert results["c"].amount(payer="kommun") == Decimal("6845000.00")  # examples/c-tfco: expect ... in total
    local = ud.portfolio(None, contracts, data, terms_by_name={"a": {"premieandel": "25 %"}})
    assert {n: r.to_dict() for n, r in local.items()} == {n: r.to_dict() for n, r in results.items()}
    bad = {**data, "b": {"nya_placeringar": {"2025": "x"}}}
    with pytest.raises(utfall.DataError, match="nya_placeringar") as raised:
        ud.portfolio(client, contracts, bad)
    assert raised.value.contract == "b"


def test_statistics_merge_exactly_in_any_order():
    big, cent = Decimal("123456789012345678901234567890.01"), Decimal("0.01")
    assert big + cent != Decimal("123456789012345678901234567890.02")  # the default context keeps 28 digits
    merged = ud.Stat.of(big).merge(ud.Stat.of(cent)).merge(ud.Stat.of(cent))
    assert merged.sum == Decimal("123456789012345678901234567890.03") and merged.mean == Fraction(merged.sum) / 3
    assert Fraction(merged.squares) == Fraction(big) ** 2 + 2 * Fraction(cent) ** 2
    assert (merged.min, merged.max) == (cent, big)
    one, one_00 = ud.Stat.of(Decimal("1.0")), ud.Stat.of(Decimal("1.00"))
    assert str(one.merge(one_00).min) == str(one_00.merge(one).min) == "1.00"
    assert str(one.merge(one_00).max) == str(one_00.merge(one).max) == "1.0"


def test_errors_cross_processes_as_themselves():
    import pickle
    try:
        utfall.compile(A / "contract.utfall").run({"avropat": {"2027": "x"}})
    except utfall.DataError as error:
        error.dataset = 7
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and back.dataset == 7
        assert (back.code, back.location, back.messages) == (error.code, error.location, error.messages)


def test_import_utfall_leaves_dask_alone_and_names_the_package():
    script = "import sys, utfall; print('dask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).stdout.strip() == "False"
    script = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None\n"
              "try:\n    import utfall.distributed\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "python3-distributed" in out.stdout, out.stderr
