"""Every input row names a field the model has (a wrong path would show only as an empty field
in the app and a blank row in the workbook), and no text a user reads cites a document users do
not have."""

import json
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from core.model import block_labels, labels
from core.model.paths import split_path
from core.model.project import (
    AiBlock,
    DemandResponse,
    Energy,
    Finance,
    Financing,
    HostingBlock,
    Market,
    MiningBlock,
    Risk,
    Site,
)

ROOT = Path(__file__).resolve().parents[3]

TABLES = [
    (labels.SITE, Site),
    (labels.ENERGY, Energy),
    (labels.DEMAND_RESPONSE, DemandResponse),
    (labels.MARKET, Market),
    (labels.FINANCE, Finance),
    (labels.RISK, Risk),
    (block_labels.MINING_BLOCK, MiningBlock),
    (block_labels.AI_COMMON, AiBlock),
    (block_labels.AI_COLOCATION, AiBlock),
    (block_labels.AI_GPU, AiBlock),
    (block_labels.HOSTING_BLOCK, HostingBlock),
    (block_labels.FINANCING, Financing),
]


def _models_in(annotation) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, unions and lists)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, tuple, typing.Annotated):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def field_exists(model: type[BaseModel], path: str) -> bool:
    models = [model]
    parts = split_path(path)
    for k, part in enumerate(parts):
        if isinstance(part, int):
            continue  # a list index: the element models are already in hand
        found = [m.model_fields[part] for m in models if part in m.model_fields]
        if not found:
            return False
        if k + 1 < len(parts):
            models = [m for f in found for m in _models_in(f.annotation)]
    return True


@pytest.mark.parametrize(("rows", "model"), TABLES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_row_names_a_field_of_its_model(rows, model):
    missing = [row[0] for row in rows if not field_exists(model, row[0])]
    assert not missing, f"{model.__name__} has no field {missing}"


def test_the_check_itself_refuses_a_wrong_path():
    assert field_exists(Finance, "depreciation_life_years.asic")
    assert not field_exists(Finance, "depreciation_life_years.asics")
    assert not field_exists(Site, "interconnect_kw")


def test_rows_are_well_formed():
    for rows, _model in TABLES:
        for row in rows:
            path, label, unit, tip = row[:4]
            assert label and isinstance(unit, str) and tip.strip(), path
            assert len({r[0] for r in rows}) == len(rows)


def _user_texts() -> list[str]:
    texts = [row[3] for rows, _ in TABLES for row in rows]
    for name in ("asics.json", "gpu_servers.json"):
        texts.append((ROOT / "resources" / "catalog" / name).read_text(encoding="utf-8"))
    texts.append((ROOT / "resources" / "examples" / "west_texas_100mw.minepivot").read_text())
    for folder in ("gui", "core/io/xlsx"):  # panels, dialogs and the workbook's own texts
        texts += [p.read_text(encoding="utf-8") for p in (ROOT / folder).rglob("*.py")]
    return texts


def test_no_user_text_cites_the_internal_brief():
    cited = [t for t in _user_texts() if "brief §" in t.lower() or "brief's" in t.lower()]
    assert not cited
    json.loads((ROOT / "resources" / "catalog" / "asics.json").read_text(encoding="utf-8"))
