"""Files of older schemas load as the current one and give the numbers they gave, except where
a rule was corrected (demand response must be earned). The golden figures in
data/schema1_golden.json were recorded by MinePivot 0.1.0 on schema 1, before the schema-2
rules; data/schema2_golden.json by the schema-2 app, before GPU servers had an end of life;
data/schema3_golden.json by the schema-3 app, before the continuing terminal value."""

import json
from pathlib import Path

import numpy as np
import pytest

from core.engine.evaluation import evaluate
from core.io.projectfile import ProjectFileError, load_project, project_from_data
from core.model.project import SCHEMA_VERSION, MiningBlock

DATA = Path(__file__).parent / "data"
GOLDEN = json.loads((DATA / "schema1_golden.json").read_text(encoding="utf-8"))
GOLDEN_2 = json.loads((DATA / "schema2_golden.json").read_text(encoding="utf-8"))
GOLDEN_3 = json.loads((DATA / "schema3_golden.json").read_text(encoding="utf-8"))


def test_a_schema_1_file_loads_with_never_and_the_site_kept_open():
    project = load_project(DATA / "schema1_west_texas.minepivot")
    assert project.schema_version == SCHEMA_VERSION == 5
    blocks = [b for s in project.strategies for b in s.blocks if isinstance(b, MiningBlock)]
    assert blocks and all(b.retire == "never" for b in blocks)
    assert all(s.keep_site_open for s in project.strategies)
    assert project.baseline_strategy is None


def test_numbers_no_corrected_rule_touches_are_kept():
    # No DR enrolment and no grid charges: nothing of schema 2 applies, to the cent.
    result = evaluate(load_project(DATA / "schema1_untouched.minepivot"))
    for s in result.strategies:
        gold = GOLDEN["untouched"][s.name]
        assert s.kpis.npv_usd == pytest.approx(gold["npv_usd"], rel=1e-12)
        np.testing.assert_allclose(s.monthly["fcf_usd"], gold["fcf_usd"], rtol=1e-12, atol=1e-6)


def test_only_the_corrected_rules_move_the_old_example():
    # The schema-1 example with its 40 MW of DR, 4CP charges and a pass-through tenant. Keep
    # mining loses the capacity its idle fleet booked; Convert to AI's tenant now pays its
    # 4CP share under the pass-through lease, so it gains about that charge's PV (Hybrid has
    # both, and gains on balance).
    result = evaluate(load_project(DATA / "schema1_west_texas.minepivot"))
    old = GOLDEN["example_kpis"]
    convert = result.by_name("Convert to AI")
    passed = convert.monthly["power_passthrough_usd"] - convert.monthly["energy_cost_usd"]
    gain = float(passed @ convert.monthly["discount_factor"])
    assert gain > 1e6
    assert convert.kpis.npv_usd > old["Convert to AI"]["npv_usd"] + 0.7 * gain
    keep = result.by_name("Keep mining")
    assert keep.kpis.npv_usd < old["Keep mining"]["npv_usd"] - 1e6
    assert keep.monthly["dr_capacity_usd"][keep.monthly["mining_energy_mwh"] == 0].sum() == 0


def test_a_migrated_file_keeps_what_it_says_and_does_not_change_the_input():
    data = json.loads((DATA / "schema1_west_texas.minepivot").read_text(encoding="utf-8"))
    data["strategies"][0]["blocks"][0]["retire"] = 12  # a key the old app did not write
    before = json.dumps(data, sort_keys=True)
    project = project_from_data(data)
    assert project.strategies[0].blocks[0].retire == 12
    assert json.dumps(data, sort_keys=True) == before


def test_retire_values_are_checked_with_their_path():
    data = json.loads((DATA / "schema1_west_texas.minepivot").read_text(encoding="utf-8"))
    data["schema_version"] = 2
    data["strategies"][0]["blocks"][0]["retire"] = "sometimes"
    data["strategies"][1]["blocks"][0]["retire"] = True
    data["baseline_strategy"] = "Nothing"
    with pytest.raises(ProjectFileError) as err:
        project_from_data(data)
    text = "\n".join(err.value.problems)
    assert (
        'strategies[0].blocks[0].retire: must be "never", "auto" or a month index 0 to 360, '
        'got "sometimes"' in text
    )
    assert "strategies[1].blocks[0].retire: must be" in text and "got True" in text
    assert 'baseline_strategy: no strategy named "Nothing"' in text


def test_a_schema_2_file_keeps_renting_its_gpus_and_every_number():
    # Schema 2 rented GPU servers past their life, with no price decline unless given: the
    # file (a GPU-cloud Convert to AI, colocation blocks that omit the decline) loads with
    # "run_on" and gives the schema-2 app's figures to the cent.
    project = load_project(DATA / "schema2_gpu_cloud.minepivot")
    ai = [b for s in project.strategies for b in s.blocks if b.kind == "ai"]
    assert ai and all(b.gpu_end_of_life == "run_on" for b in ai)
    assert {b.gpu_price_decline_pct_per_year for b in ai} == {0.0, 20.0}
    for s in evaluate(project).strategies:
        gold = GOLDEN_2[s.name]
        assert s.kpis.npv_usd == pytest.approx(gold["npv_usd"], rel=1e-12)
        np.testing.assert_allclose(s.monthly["fcf_usd"], gold["fcf_usd"], rtol=1e-12, atol=1e-6)


def test_a_schema_3_file_gives_every_number_it_gave():
    # The schema-3 example (auto retirement, book-value terminal value, a Sell-now strategy)
    # loads as schema 4 with its choices unchanged and the schema-3 app's figures to the cent.
    raw = json.loads((DATA / "schema3_west_texas.minepivot").read_text(encoding="utf-8"))
    assert raw["schema_version"] == 3 and "terminal_growth_pct_per_year" not in raw["finance"]
    project = load_project(DATA / "schema3_west_texas.minepivot")
    assert project.schema_version == SCHEMA_VERSION == 5
    assert project.finance.terminal_value == "book_value"
    assert [s.name for s in project.strategies] == list(GOLDEN_3)
    for s in evaluate(project).strategies:
        gold = GOLDEN_3[s.name]
        assert s.kpis.npv_usd == pytest.approx(gold["npv_usd"], rel=1e-12)
        np.testing.assert_allclose(s.monthly["fcf_usd"], gold["fcf_usd"], rtol=1e-12, atol=1e-6)


GOLDEN_4 = json.loads((DATA / "schema4_golden.json").read_text(encoding="utf-8"))


def test_a_schema_4_financed_file_changes_only_where_its_tenor_ran_past_the_horizon():
    # The schema-4 example financed two ways: Convert to AI at 60 % LTC over 84 months (repaid
    # within the horizon) and Hybrid DSCR-sized at 1.35× over 180 months (past its end). It
    # loads with no balloon; every strategy gives the schema-4 app's equity cash flow to the
    # cent except Hybrid, whose loan is now sized and repaid within the horizon, as its
    # warning says.
    project = load_project(DATA / "schema4_financed.minepivot")
    assert project.schema_version == SCHEMA_VERSION == 5
    assert project.market.block_time_s == 600.0  # halvings projected as schema 4 did
    # Weighted from month 0, as schema 4 did (a fleet sold before the conversion loads).
    assert {s.contract_signing_month for s in project.strategies} == {0}
    fins = [s.financing for s in project.strategies if s.financing is not None]
    assert len(fins) == 2 and all(f.balloon_pct == 0 for f in fins)
    result = evaluate(project)
    for s in result.strategies:
        gold = GOLDEN_4[s.name]
        assert s.kpis.npv_usd == pytest.approx(gold["npv_usd"], rel=1e-12)  # unlevered: same
        if s.name == "Hybrid":
            assert s.kpis.equity_npv_usd < gold["equity_npv_usd"] - 1e6
            assert any("180-month tenor runs past" in w for w in s.warnings)
            assert s.kpis.balloon_usd == 0
        else:
            np.testing.assert_allclose(
                s.monthly["equity_fcf_usd"], gold["equity_fcf_usd"], rtol=1e-12, atol=1e-6
            )
            assert not s.warnings


def test_a_schema_4_file_that_sells_its_fleet_before_the_conversion_still_loads():
    # Convert to AI at a 50 % contract whose fleet stops in month 1, two months before the
    # conversion starts: under schema 5's default signing month (3) that is refused, but a
    # schema-4 file is signed in month 0 and loads with its numbers.
    raw = json.loads((DATA / "schema4_financed.minepivot").read_text(encoding="utf-8"))
    convert = next(s for s in raw["strategies"] if s["name"] == "Convert to AI")
    fleet = next(b for b in convert["blocks"] if b["kind"] == "mining")
    fleet["end_month"], fleet["retire"] = 1, "never"
    project = project_from_data(raw)
    convert_s = next(s for s in project.strategies if s.name == "Convert to AI")
    assert convert_s.contract_signing_month == 0
    raw["schema_version"] = SCHEMA_VERSION
    convert.pop("contract_signing_month", None)
    with pytest.raises(ProjectFileError, match="before the contract is signed"):
        project_from_data(raw)
