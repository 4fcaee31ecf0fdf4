"""`utfall export --indigo` (docs/indigo.md): a contract's payments as an INDIGO impact bond project.

- The four reference scenarios on each of their data sets: every outcome payment, each payer's
  total and the project's total against the scenarios' payments (scenario_payments.py, computed
  apart from utfall); the period dates by hand; the clauses that pay (outcome metrics) and the
  prices per unit (outcome pricings) read by hand from the contracts; the maxima by hand where
  the contract caps every flow (scenario B's municipality, scenario D), absent where an input has
  no range (scenarios A and C), and scenario A's with the ranges of docs/cli.md's bounds example.
- Structure: every key written is a field of the INDIGO project schema (draft-07), and every
  value has the field's shape (an object {"value": ...} with a string, a number or a date); the
  list of fields below was written by hand from the standard's project schema, version 4.1.0.
  With Python's jsonschema, also valid against docs/schema/indigo-export.schema.json.
- Exactness: the amounts are JSON numbers whose digits are those of `utfall run --format json`,
  in order, on every scenario, and on a contract paying 12345678901234567.89 a month, which a
  double cannot hold; quarterly, monthly (a leap February) and listed calendars, with and
  without dates.
- Two currencies (examples/l-currencies): whole kronor and euro cents, totals per payer and
  currency, no project amounts.
- Options: --payer, --organisation, --payment-type, --assume, --set, -o, and the example in
  docs/indigo.md; and the errors, with their exit codes.
"""
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from scenario_payments import CASES
from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
VERSION = subprocess.run([utfall, "--version"], capture_output=True, text=True, timeout=60).stdout.split()[-1]  # from `utfall X.Y.Z`
T = Tally()
try:
    import jsonschema
    export_schema = jsonschema.Draft202012Validator(json.loads((src / "docs/schema/indigo-export.schema.json").read_text(encoding="utf-8")))
except ImportError:
    export_schema = None
    print("note: Python's jsonschema is missing: the export is not validated against docs/schema/indigo-export.schema.json")

# --- the INDIGO project schema's fields, by hand ------------------------------------------------
# A dict is an object and its fields; [dict] an array of such objects; a string a leaf:
# "string", "number", "date" (YYYY, YYYY-MM or YYYY-MM-DD), or "enum:A|B". "other" is a field of
# the standard that utfall does not write, not described further here.
STR, NUM, DATE = {"value": "string"}, {"value": "number"}, {"value": "date"}
STATUS = "enum:PUBLIC|PRIVATE|DISPUTED"
STR_S, NUM_S = {"value": "string", "status": STATUS}, {"value": "number", "status": STATUS}
PERIOD = {"start_date": DATE, "end_date": DATE}
ITEM_STATUS = "enum:PUBLIC|SANDBOX|PRIVATE|DISPUTED"

INDIGO = {
    "status": "other", "name": STR, "alternative_names": "other", "stage_development": "other",
    "social_investment_prototype": "other", "dates": "other", "jurisdiction": "other",
    "overall_project_finance": {
        "total_investment_commitment": "other",
        "maximum_potential_outcome_payment_v2": {"currency": STR_S, "amount": NUM_S, "amount_usd": NUM_S},
        "maximum_potential_loss": "other", "maximum_potential_return_type": "other", "maximum_potential_return": "other",
        "configuration_contracting_parties": "other", "investor_repayment": "other",
        "total_outcome_payments_made": {"currency": STR_S, "amount": NUM_S, "amount_usd": NUM_S},
        "source_ids": "string", "notes": "string",
    },
    "investment_details": "other", "purpose_and_classifications": "other", "service_and_beneficiaries": "other",
    "changes_to_project_due_to_covid19": "other",
    "notes": {"value": "string", "status": "string"},
    "outcome_funds": "other", "delivery_locations": "other",
    "sources": [{
        "id": "string", "name": STR,
        "type": {"value": "enum:Contract|Report|Award Notice|Website|News piece|Press release|Email correspondence|Evaluation report"},
        "publishing_organisation_ids": STR, "url": STR, "archive_url": STR, "internal_url": STR, "publication_date": STR,
        "accessed_date": STR, "notes": "string", "status": "string",
    }],
    "service_provisions": "other",
    "outcome_payment_commitments": [{
        "organisation_id": STR, "organisation_role_category": "other",
        "maximum_potential_outcome_payment": {"currency": STR_S, "amount": NUM, "amount_usd": NUM},
        "result_type": {"value": "enum:Interim|Overall"}, "period": PERIOD,
        "total_outcome_payments": {"currency": STR_S, "amount": NUM, "amount_usd": NUM},
        "alterations": "other", "source_ids": "string", "notes": "string", "status": "string",
    }],
    "investments": "other", "intermediary_services": "other",
    "outcome_metrics": [{
        "id": "string", "definition": STR, "target_population": STR, "targeted_number_of_service_users_or_beneficiaries_total": NUM,
        "unit_type_of_targeted_service_users_or_beneficiaries": "other", "unit_description_of_service_user_or_beneficiaries": STR,
        "outcome_metric_target": STR, "other_target_for_meeting_outcome_metric_target": STR, "outcome_validation_method": STR,
        "data_source_for_outcome_validation": STR, "policy_sector": STR, "primary_sdg_goal": STR, "secondary_sdg_goals": STR,
        "primary_sdg_target": STR, "secondary_sdg_targets": STR, "source_ids": "string", "notes": "string", "status": "string",
    }],
    "outcome_pricings": [{
        "outcome_metric_id": {"value": "string"}, "currency": STR, "price_per_unit": {"amount": NUM, "amount_usd": NUM},
        "maximum_price_if_all_targets_achieved": {"amount": STR}, "contracted_increases_to_outcome_pricing": STR,
        "price_description": STR, "source_ids": "string", "notes": "string", "status": "string",
    }],
    "transactions": "other", "technical_assistances": "other", "technical_assistance_details": "other", "results": "other",
    "open_contracting_datas": "other", "360giving_datas": "other", "documents": "other",
    "outcome_payment_plans": [{"id": STR, "period": PERIOD, "status": ITEM_STATUS, "sandboxes": "string", "source_ids": "string",
                               "notes": "string"}],
    "outcome_payments": [{
        "outcome_payment_plan_id": {"value": "string"}, "outcome_metric_id": {"value": "string"}, "period": PERIOD,
        "payer_organisation_id": STR, "recipient_organisation_id": STR, "type": {"value": "enum:Planned|Actual"},
        "money": {"currency": STR, "amount": NUM, "amount_usd": NUM}, "status": ITEM_STATUS, "sandboxes": "string",
        "source_ids": "string", "notes": "string",
    }],
    "provider_side_cost": "other", "outcome_payer_cost": "other",
}
INDIGO_DATE = re.compile(r"^[0-9]{4}$|^[0-9]{4}-[0-9]{2}$|^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def shape_problems(value, shape, where="#"):
    """Where `value` is not of the INDIGO field `shape`."""
    if shape == "other":
        return [f"{where}: a field utfall does not write"]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: not an array"]
        return [p for i, v in enumerate(value) for p in shape_problems(v, shape[0], f"{where}/{i}")]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        out = [f"{where}/{k}: not a field of the INDIGO project schema" for k in value if k not in shape]
        return out + [p for k, v in value.items() if k in shape for p in shape_problems(v, shape[k], f"{where}/{k}")]
    if shape == "string":
        return [] if isinstance(value, str) else [f"{where}: not a string"]
    if shape == "number":  # read with parse_float/parse_int=Decimal: a JSON number is a Decimal
        return [] if isinstance(value, Decimal) else [f"{where}: not a JSON number: {value!r}"]
    if shape == "date":
        return [] if isinstance(value, str) and INDIGO_DATE.match(value) else [f"{where}: not an INDIGO date: {value!r}"]
    if shape.startswith("enum:"):
        return [] if value in shape[5:].split("|") else [f"{where}: {value!r} is not one of {shape[5:]}"]
    raise AssertionError(shape)


T.check("the structure check refuses a field the standard does not have", shape_problems({"name": {"value": "x"}, "project_id": "1"}, INDIGO))
T.check("the structure check refuses an amount written as a string",
        shape_problems({"outcome_payments": [{"money": {"amount": {"value": "1.00"}}}]}, INDIGO))
T.check("the structure check refuses a date in another form", shape_problems({"outcome_payment_plans": [{"period": {"start_date": {"value": "1/1/2026"}}}]}, INDIGO))


# --- running ------------------------------------------------------------------------------------

def run(*args, cwd=None):
    return subprocess.run([utfall, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def load(text):
    """The document, with every JSON number as a Decimal of its digits, exactly as written."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def export(label, *args):
    """Runs export --indigo; checks the exit, the structure and the schema; the document or None."""
    r = run("export", "--indigo", *args)
    T.check(f"{label}: exits 0", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return None
    doc = load(r.stdout)
    problems = shape_problems(doc, INDIGO)
    T.check(f"{label}: every field is an INDIGO project field of its shape", not problems, "\n  ".join(problems[:8]))
    if export_schema:
        found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in export_schema.iter_errors(json.loads(r.stdout))]
        T.check(f"{label}: valid against indigo-export.schema.json", not found, "\n  ".join(found[:5]))
    return doc


def run_amounts(label, *args):
    """(period, payer, payee, amount text) of every payment of `utfall run --format json`."""
    r = run("run", *args, "--format", "json")
    T.check(f"{label}: run exits 0", r.returncode == 0, r.stderr)
    return [(p["period"], p["from"], p["to"], p["amount"]) for p in json.loads(r.stdout)["payments"]] if r.returncode == 0 else []


def value(obj, *path):
    for key in path:
        obj = obj[key]
    return obj["value"]


def payments_of(doc):
    """(start, end, payer, recipient, amount text, currency, metric) of every outcome payment."""
    return [(value(p, "period", "start_date") if "period" in p else None, value(p, "period", "end_date") if "period" in p else None,
             value(p, "payer_organisation_id"), value(p, "recipient_organisation_id"), str(value(p, "money", "amount")),
             value(p, "money", "currency"), value(p, "outcome_metric_id")) for p in doc["outcome_payments"]]


def commitment(doc, party):
    found = [c for c in doc["outcome_payment_commitments"] if value(c, "organisation_id") == party]
    return found[0] if len(found) == 1 else None


# --- the reference scenarios ---------------------------------------------------------------------

# The clauses with a payment or waterfall, and the prices per unit, read from each contract by hand:
# B: `amount pris * undvikta`, pris = 500_000 SEK per placement; C: `for each u ... amount
# grundavgift` (360_000 SEK) and `amount forfinansiering` (480_000 SEK); C's 6.3 is a price times
# a score (a plain number), which is no price per unit.
METRICS = {"a-aldreomsorg": {"3.2": "Återbetalning"},
           "b-placeringar": {"4.1": "Utfallsersättning", "5.1": "Finansiering", "5.2": "Återbetalning"},
           "c-tfco": {"6.1": "Grundersättning", "6.3": "Utfallsersättning", "7.1": "Förfinansiering", "7.2": "Återbetalning"},
           "d-norrkoping": {"5.1": "Avräkning", "5.2": "Mjukt utfall"}}
PRICES = {"a-aldreomsorg": [], "b-placeringar": [("4.1", "500000.00", "SEK per placement")],
          "c-tfco": [("6.1", "360000.00", "SEK per record of `ungdomar`"), ("7.1", "480000.00", "SEK per record of `ungdomar`")],
          "d-norrkoping": []}
# The most a payer can pay, by hand, where every flow of it is capped in the contract. B: the
# municipality's payment is `capped at ... 15_000_000 SEK in total`; the fund pays `finansiering`,
# 2 000 000, in each of 5 years. D: the waterfall pays the investor at most `investering`
# (6 000 000) plus the premium capped at investering * avkastning * ar = 6 000 000 * 10 % * 3 =
# 1 800 000, and the bonus is at most `bonustak`, 300 000: 8 100 000. B's provider repays the
# fund at most its financing, 10 000 000 (kapital), and a premium capped at 2 000 000: 12 000 000.
# A's `hemtjanst_kostnad` and
# `avropat`, and C's number of records, have no declared bound: no maximum.
MOST = {("b-placeringar", "kommun"): "15000000.00", ("b-placeringar", "utfallsfonden"): "10000000.00",
        ("d-norrkoping", "kommun"): "8100000.00", ("b-placeringar", "barnens_val"): "12000000.00",
        ("a-aldreomsorg", "kommun"): None, ("c-tfco", "kommun"): None}

for (folder, data), expected in CASES.items():
    label = f"{folder}/{data}"
    contract, datafile = src / "examples" / folder / "contract.utfall", src / "examples" / folder / f"{data}.csv"
    doc = export(label, contract, "--data", datafile)
    if doc is None:
        continue
    T.check(f"{label}: name is the contract's title", value(doc, "name") == re.search(r'^contract "(.*)"$', contract.read_text(encoding="utf-8"), re.M)[1])
    T.check(f"{label}: notes name utfall, the contract and data files", all(s in value(doc, "notes") for s in (f"utfall {VERSION}", "`contract.utfall`", f"`{data}.csv`")),
            value(doc, "notes"))
    # Payments: the periods' dates by hand (a yearly period Y: Y-01-01 .. Y-12-31), the amounts summed
    # per period and flow against the scenario.
    got, dates_ok = defaultdict(Decimal), True
    for start, end, payer, payee, amount, currency, metric in payments_of(doc):
        year = start[:4]
        dates_ok &= start == f"{year}-01-01" and end == f"{year}-12-31" and currency == "SEK"
        got[(year, payer, payee)] += Decimal(amount)
    T.check(f"{label}: every payment's period runs from 1 January to 31 December, in SEK", dates_ok)
    keys = set(got) | set(expected)
    wrong = {k: (str(got.get(k, 0)), str(expected.get(k, 0))) for k in keys if got.get(k, 0) != expected.get(k, 0)}
    T.check(f"{label}: the outcome payments are the scenario's", not wrong, f"(got, expected): {wrong}")
    # Totals per payer and for the project.
    per_payer = defaultdict(Decimal)
    for (_, payer, _), amount in expected.items():
        per_payer[payer] += amount
    for payer, amount in per_payer.items():
        c = commitment(doc, payer)
        T.check(f"{label}: {payer}'s total outcome payments", c is not None and value(c, "total_outcome_payments", "amount") == amount
                and value(c, "total_outcome_payments", "currency") == "SEK", c and str(value(c, "total_outcome_payments", "amount")))
    overall = doc["overall_project_finance"]
    T.check(f"{label}: total outcome payments made", value(overall, "total_outcome_payments_made", "amount") == sum(expected.values()),
            str(value(overall, "total_outcome_payments_made", "amount")))
    # The digits of every amount are those utfall run writes, in the same order.
    run_lines = run_amounts(label, contract, "--data", datafile)
    mine = [(p[0][:4], p[2], p[3], p[4]) for p in payments_of(doc)]
    T.check(f"{label}: each amount has run's exact digits, in run's order", mine == run_lines, f"{mine[:3]} vs {run_lines[:3]}")
    # The commitments' calendar and the plan.
    years = sorted({k[0] for k in expected})
    first, last = f"{years[0]}-01-01", f"{years[-1]}-12-31"
    T.check(f"{label}: each commitment's period is the calendar, {first} .. {last}",
            all(value(c, "period", "start_date") == first and value(c, "period", "end_date") == last for c in doc["outcome_payment_commitments"]))
    plans = doc["outcome_payment_plans"]
    T.check(f"{label}: one plan over the calendar, named by every payment",
            len(plans) == 1 and value(plans[0], "period", "start_date") == first and value(plans[0], "period", "end_date") == last
            and all(value(p, "outcome_payment_plan_id") == value(plans[0], "id") for p in doc["outcome_payments"]))
    # Metrics and pricings.
    metrics = {m["id"]: value(m, "definition") for m in doc["outcome_metrics"]}
    T.check(f"{label}: the clauses that pay are the outcome metrics", metrics == METRICS[folder], metrics)
    T.check(f"{label}: each payment names its clause's metric", all(p[6] in metrics for p in payments_of(doc)))
    prices = [(value(p, "outcome_metric_id"), str(value(p, "price_per_unit", "amount")), value(p, "price_description").split(" ", 1)[1])
              for p in doc["outcome_pricings"]]
    T.check(f"{label}: the prices per unit the contract states", prices == PRICES[folder], prices)
    # Maxima.
    for (f, party), most in MOST.items():
        if f != folder:
            continue
        c = commitment(doc, party)
        if most is None:
            T.check(f"{label}: {party} has no maximum, and the notes say why",
                    c is not None and "maximum_potential_outcome_payment" not in c and "no upper bound" in c["notes"], c and c["notes"])
        else:
            T.check(f"{label}: {party}'s maximum potential outcome payment is {most}",
                    c is not None and str(value(c, "maximum_potential_outcome_payment", "amount")) == most, c and json.dumps(c, default=str))
    for c in doc["outcome_payment_commitments"]:
        if "maximum_potential_outcome_payment" in c:
            T.check(f"{label}: {value(c, 'organisation_id')}'s maximum is at least what it paid",
                    value(c, "maximum_potential_outcome_payment", "amount") >= value(c, "total_outcome_payments", "amount"))
    has_max = all("maximum_potential_outcome_payment" in c for c in doc["outcome_payment_commitments"])
    T.check(f"{label}: the project's maximum is the payers' sum, or absent with a reason",
            value(overall, "maximum_potential_outcome_payment_v2", "amount")
            == sum(value(c, "maximum_potential_outcome_payment", "amount") for c in doc["outcome_payment_commitments"])
            if has_max else "maximum_potential_outcome_payment_v2" not in overall and "No maximum" in overall["notes"])

# Scenario A with the ranges of docs/cli.md's bounds example: the fund's entitlement is at most
# `avropat`'s 20 000 000 in each of 5 years (kapital) plus `takbelopp`, 7 000 000 (premie): 107 000 000.
a = src / "examples/a-aldreomsorg"
doc = export("A --assume", a / "contract.utfall", "--data", a / "plan.csv", "--assume", "hemtjanst_kostnad in 150000000..250000000",
             "--assume", "avropat in 0..20000000")
if doc:
    c = commitment(doc, "kommun")
    T.check("A --assume: the maximum is 107000000.00", str(value(c, "maximum_potential_outcome_payment", "amount")) == "107000000.00",
            json.dumps(c, default=str))
    T.check("A --assume: the notes name the assumptions", "avropat in 0..20000000" in value(doc, "notes"))

# The Swedish contract gives the same payments as the English one.
sv = export("A in Swedish", a / "avtal.utfall", "--data", a / "plan.csv")
en = export("A in English", a / "contract.utfall", "--data", a / "plan.csv")
if sv and en:
    T.check("A: avtal.utfall and contract.utfall give the same outcome payments", payments_of(sv) == payments_of(en))

# Other calendars, their dates by hand: the quarters of 2026; the half-years that examples/k-window
# lists with their dates (H1_2026 = 2026-01-01 .. 2026-06-30, ...).
def period_names(doc):
    return [p["notes"].split(",")[0].removeprefix("Period ") for p in doc["outcome_payments"]]


for label, folder, data, spans in [
        ("quarterly", "i-dates", "boende.csv", {"2026Q1": ("2026-01-01", "2026-03-31"), "2026Q2": ("2026-04-01", "2026-06-30"),
                                                "2026Q3": ("2026-07-01", "2026-09-30"), "2026Q4": ("2026-10-01", "2026-12-31")}),
        ("listed with dates", "k-window", "deltagare.csv", {"H1_2026": ("2026-01-01", "2026-06-30"), "H2_2026": ("2026-07-01", "2026-12-31"),
                                                           "H1_2027": ("2027-01-01", "2027-06-30"), "H2_2027": ("2027-07-01", "2027-12-31")})]:
    folder = src / "examples" / folder
    doc = export(label, folder / "contract.utfall", "--data", folder / data)
    if doc:
        names = period_names(doc)
        T.check(f"{label}: every period's first and last day", set(names) == set(spans)
                and all((p[0], p[1]) == spans[n] for p, n in zip(payments_of(doc), names)), list(zip(names, payments_of(doc)))[:4])
        first, last = min(v[0] for v in spans.values()), max(v[1] for v in spans.values())
        T.check(f"{label}: the plan runs {first} .. {last}", (value(doc["outcome_payment_plans"][0], "period", "start_date"),
                                                             value(doc["outcome_payment_plans"][0], "period", "end_date")) == (first, last))
        T.check(f"{label}: the digits are run's", [(n, p[2], p[3], p[4]) for p, n in zip(payments_of(doc), names)]
                == run_amounts(label, folder / "contract.utfall", "--data", folder / data))

# Two currencies (examples/l-currencies, its payments by hand in its comments): the municipality
# pays whole kronor (`currency SEK minor 1`), the EU fund and the provider euro with cents. The
# project's amounts, which have one currency, are left out. The EU fund pays at most `eu_tak`,
# 22 000 EUR, a year for 3 years: 66 000.00 EUR. Prices: `pris` 100 000 SEK and `eu_pris`
# 2 500 EUR per placement; clause 3's `40 % * ersattning / kurs` is no price per unit.
folder = src / "examples/l-currencies"
doc = export("two currencies", folder / "contract.utfall", "--data", folder / "plan.csv")
if doc:
    got = [(p[0][:4], p[2], p[3], p[4], p[5]) for p in payments_of(doc)]
    T.check("two currencies: the payments, whole kronor and euro cents", got == [
        ("2026", "kommun", "utforare", "500000", "SEK"), ("2026", "eufond", "utforare", "12500.00", "EUR"),
        ("2026", "utforare", "fonden", "17413.72", "EUR"), ("2027", "kommun", "utforare", "1000000", "SEK"),
        ("2027", "eufond", "utforare", "22000.00", "EUR"), ("2027", "utforare", "fonden", "35704.40", "EUR"),
        ("2028", "kommun", "utforare", "800000", "SEK"), ("2028", "eufond", "utforare", "20000.00", "EUR"),
        ("2028", "utforare", "fonden", "29123.74", "EUR")], got)
    totals = {(value(c, "organisation_id"), value(c, "total_outcome_payments", "currency")): str(value(c, "total_outcome_payments", "amount"))
              for c in doc["outcome_payment_commitments"]}
    T.check("two currencies: each payer's total in its currency", totals == {("kommun", "SEK"): "2300000", ("eufond", "EUR"): "54500.00",
                                                                             ("utforare", "EUR"): "82241.86"}, totals)
    T.check("two currencies: the EU fund's maximum is 66000.00 EUR", value(commitment(doc, "eufond"), "maximum_potential_outcome_payment", "amount") == Decimal("66000.00"))
    overall = doc["overall_project_finance"]
    T.check("two currencies: no project amounts, and the notes say why", list(overall) == ["notes"] and "several currencies" in overall["notes"], overall)
    prices = [(value(p, "outcome_metric_id"), value(p, "price_description")) for p in doc["outcome_pricings"]]
    T.check("two currencies: the prices per unit", prices == [("1", "100000 SEK per placement"), ("2", "2500.00 EUR per placement")], prices)

# --- options ---------------------------------------------------------------------------------------

b = src / "examples/b-placeringar"
doc = export("B --payer kommun", b / "contract.utfall", "--data", b / "plan.csv", "--payer", "kommun", "--organisation",
             "kommun=INDIGO-ORG-0001", "--organisation", "barnens_val=INDIGO-ORG-0002", "--payment-type", "planned")
if doc:
    flows = {(p[2], p[3]) for p in payments_of(doc)}
    T.check("B --payer kommun: only the municipality's payments, by the organisation ids given", flows == {("INDIGO-ORG-0001", "INDIGO-ORG-0002")}, flows)
    T.check("B --payer kommun: one commitment, 11000000.00 paid, at most 15000000.00",
            len(doc["outcome_payment_commitments"]) == 1 and commitment(doc, "INDIGO-ORG-0001")
            and str(value(commitment(doc, "INDIGO-ORG-0001"), "total_outcome_payments", "amount")) == "11000000.00"
            and str(value(commitment(doc, "INDIGO-ORG-0001"), "maximum_potential_outcome_payment", "amount")) == "15000000.00")
    overall = doc["overall_project_finance"]
    T.check("B --payer kommun: the project's totals are the municipality's",
            str(value(overall, "total_outcome_payments_made", "amount")) == "11000000.00"
            and str(value(overall, "maximum_potential_outcome_payment_v2", "amount")) == "15000000.00")
    T.check("B --payer kommun: only clause 4.1 is a metric", [m["id"] for m in doc["outcome_metrics"]] == ["4.1"])
    T.check("B --payment-type planned: every payment is Planned", all(value(p, "type") == "Planned" for p in doc["outcome_payments"]))
    T.check("B: the notes say which id stands for each party, and that a party's own id is to be replaced",
            "`kommun` (Kommunen) as `INDIGO-ORG-0001`" in value(doc, "notes") and "`utfallsfonden` (Utfallsfonden) as `utfallsfonden`" in value(doc, "notes"),
            value(doc, "notes"))
# docs/indigo.md's example: the 2027 payment it shows is one the command writes.
doc = export("docs/indigo.md's example", b / "contract.utfall", "--data", b / "plan.csv", "--payer", "kommun", "--organisation",
             "kommun=INDIGO-ORG-0001", "--payment-type", "planned")
shown = re.search(r"```json\n(.*?)```", (src / "docs/indigo.md").read_text(encoding="utf-8"), re.S)
T.check("docs/indigo.md: its example is the 2027 payment written", doc and shown and load(shown[1]) in doc["outcome_payments"], shown and shown[1])
doc = export("B --payment-type actual", b / "contract.utfall", "--data", b / "plan.csv", "--payment-type", "actual")
if doc:
    T.check("B --payment-type actual: every payment is Actual", all(value(p, "type") == "Actual" for p in doc["outcome_payments"]))
doc = export("B without --payment-type", b / "contract.utfall", "--data", b / "plan.csv")
if doc:
    T.check("B without --payment-type: no type written", all("type" not in p for p in doc["outcome_payments"]))

# --set changes the payments and the price: pris 400 000 SEK per placement. plan.csv has 46, 44,
# 41 and 40 new placements in 2026..2029 against the baseline of 50: 4 (8 %, under the 10 % that
# qualifies: nothing), 6, 9 and 10 avoided: 2 400 000, 3 600 000 and 4 000 000 (the cap of
# 4 000 000 a period; 10 000 000 in all, under the cap of 15 000 000).
doc = export("B --set pris", b / "contract.utfall", "--data", b / "plan.csv", "--payer", "kommun", "--set", "pris = 400_000 SEK per placement")
if doc:
    got = {p[0][:4]: p[4] for p in payments_of(doc) if Decimal(p[4]) != 0}
    T.check("B --set pris: the price and the payments follow", [str(value(p, "price_per_unit", "amount")) for p in doc["outcome_pricings"]] == ["400000.00"]
            and got == {"2027": "2400000.00", "2028": "3600000.00", "2029": "4000000.00"}, got)

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    out = tmp / "b.json"
    r = run("export", "--indigo", b / "contract.utfall", "--data", b / "plan.csv", "-o", out)
    stdout = run("export", "--indigo", b / "contract.utfall", "--data", b / "plan.csv")
    T.check("-o FILE: writes what stdout gets, and nothing to stdout", r.returncode == 0 and r.stdout == "" and out.read_text(encoding="utf-8") == stdout.stdout,
            r.stderr)

    # --- exactness and calendars --------------------------------------------------------------------
    big = "12345678901234567.89"
    T.check("the big amount is one a double cannot hold", Decimal(repr(float(big))) != Decimal(big))
    (tmp / "big.utfall").write_text(f"""contract "Stort belopp"
currency SEK
party stat "Staten"
party fond "Fonden"
periods monthly 2028-01 .. 2028-03
term belopp = {big} SEK
clause "1" "Stor betalning" {{
  pay stor: stat -> fond amount belopp
}}
""", encoding="utf-8")
    r = run("export", "--indigo", tmp / "big.utfall")
    T.check("big: exits 0", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        T.check("big: the amount is written as a JSON number with its exact digits", r.stdout.count(f'"value": {big}\n') == 3, r.stdout[:2000])
        total = "37037036703703703.67"  # 3 * 12345678901234567.89
        T.check("big: the totals and the maximum, exact", r.stdout.count(f'"value": {total}\n') == 4, r.stdout)  # commitment max and total, project's
        doc = load(r.stdout)
        T.check("big: the digits are run's", [(p[0][:7], p[2], p[3], p[4]) for p in payments_of(doc)] == run_amounts("big", tmp / "big.utfall"))
        # Months by hand: 2028 is a leap year.
        T.check("big: monthly periods, February of a leap year to the 29th",
                [(p[0], p[1]) for p in payments_of(doc)] == [("2028-01-01", "2028-01-31"), ("2028-02-01", "2028-02-29"), ("2028-03-01", "2028-03-31")])
        T.check("big: valid INDIGO shapes", not shape_problems(doc, INDIGO))

    # A listed calendar without dates: no period written; the notes name it.
    (tmp / "listed.utfall").write_text("""contract "Utan datum"
currency EUR
party stat "Staten"
party fond "Fonden"
periods P1, P2
clause "1" "Betalning" {
  pay p: stat -> fond amount 10.50 EUR
}
""", encoding="utf-8")
    doc = export("listed without dates", tmp / "listed.utfall")
    if doc:
        T.check("listed without dates: no period on the payments, the commitments or the plan",
                all("period" not in x for x in doc["outcome_payments"] + doc["outcome_payment_commitments"] + doc["outcome_payment_plans"]))
        T.check("listed without dates: the notes name the periods", [p["notes"].split(",")[0] for p in doc["outcome_payments"]] == ["Period P1", "Period P2"])
        T.check("listed without dates: EUR amounts", [(p[4], p[5]) for p in payments_of(doc)] == [("10.50", "EUR")] * 2)

    # --- errors -------------------------------------------------------------------------------------
    def fails(label, code, args, needle, **kw):
        r = run("export", *args, **kw)
        T.check(f"{label}: exit {code}, says so", r.returncode == code and needle in r.stderr and r.stdout == "", f"{r.returncode}: {r.stderr[:500]}")

    plan = ["--data", b / "plan.csv"]
    fails("no --indigo", 64, [b / "contract.utfall", *plan], "--indigo")
    fails("--organisation of no party", 64, ["--indigo", b / "contract.utfall", *plan, "--organisation", "nobody=INDIGO-ORG-1"], "`nobody` is not a party")
    fails("--organisation without =", 64, ["--indigo", b / "contract.utfall", *plan, "--organisation", "kommun"], "PARTY=ORG-ID")
    fails("--organisation without an id", 64, ["--indigo", b / "contract.utfall", *plan, "--organisation", "kommun="], "PARTY=ORG-ID")
    fails("--organisation twice for a party", 64, ["--indigo", b / "contract.utfall", *plan, "--organisation", "kommun=A", "--organisation", "kommun=B"], "twice")
    fails("--payer of no party", 64, ["--indigo", b / "contract.utfall", *plan, "--payer", "nobody"], "not a party")
    d = src / "examples/d-norrkoping"
    fails("--payer of a party that never pays", 64, ["--indigo", d / "contract.utfall", "--data", d / "data.csv", "--payer", "investerare"], "no payment")
    fails("--payment-type other", 64, ["--indigo", b / "contract.utfall", *plan, "--payment-type", "forecast"], "planned")
    fails("--assume of no input", 64, ["--indigo", b / "contract.utfall", *plan, "--assume", "nothing in 0..1"], "not an input")
    fails("--set of no term", 64, ["--indigo", b / "contract.utfall", *plan, "--set", "nothing=1"], "nothing")
    # The data and the contract: the codes `utfall run` gives (docs/cli.md, "Exit codes").
    fails("a missing data file", 3, ["--indigo", b / "contract.utfall", "--data", tmp / "missing.csv"], "missing.csv")
    (tmp / "bad.csv").write_text("period,nya_placeringar\n2025,many\n", encoding="utf-8")
    fails("a data cell that is no number", 3, ["--indigo", b / "contract.utfall", "--data", tmp / "bad.csv"], "many")
    (tmp / "broken.utfall").write_text('contract "x"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2025\nclause "1" "x" { pay a -> b amount }\n', encoding="utf-8")
    fails("a contract that does not parse", 2, ["--indigo", tmp / "broken.utfall"], "error")
    (tmp / "zero.utfall").write_text('contract "x"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2025\n'
                                     'input n : ratio per period\nclause "1" "x" {\n  pay p: a -> b amount 100 SEK / n\n}\n', encoding="utf-8")
    (tmp / "zero.csv").write_text("period,n\n2025,0\n", encoding="utf-8")
    fails("an evaluation that divides by zero", 4, ["--indigo", tmp / "zero.utfall", "--data", tmp / "zero.csv"], "zero")
    for label, args in [("missing data", [b / "contract.utfall", "--data", tmp / "missing.csv"]), ("bad cell", [b / "contract.utfall", "--data", tmp / "bad.csv"]),
                        ("broken contract", [tmp / "broken.utfall"]), ("division by zero", [tmp / "zero.utfall", "--data", tmp / "zero.csv"])]:
        T.check(f"{label}: the exit code of utfall run", run("export", "--indigo", *args).returncode == run("run", *args).returncode)
    out.write_text("old\n", encoding="utf-8")
    fails("-o into a folder that does not exist", 74, ["--indigo", b / "contract.utfall", *plan, "-o", tmp / "no" / "such.json"], "E802")
    fails("-o after a failed evaluation", 3, ["--indigo", b / "contract.utfall", "--data", tmp / "bad.csv", "-o", out], "many")
    T.check("-o: a failed export leaves the old file", out.read_text(encoding="utf-8") == "old\n")

T.finish()
