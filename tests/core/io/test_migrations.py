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
    assert project.schema_version == SCHEMA_VERSION == 4
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
    assert project.schema_version == SCHEMA_VERSION == 4
    assert project.finance.terminal_value == "book_value"
    assert [s.name for s in project.strategies] == list(GOLDEN_3)
    for s in evaluate(project).strategies:
        gold = GOLDEN_3[s.name]
        assert s.kpis.npv_usd == pytest.approx(gold["npv_usd"], rel=1e-12)
        np.testing.assert_allclose(s.monthly["fcf_usd"], gold["fcf_usd"], rtol=1e-12, atol=1e-6)
