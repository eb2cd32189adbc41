"""Floor-plan inputs: hangars with doors, aisle rules, and the items placed in each hangar.

Plan coordinates are metres from the hangar's north-west corner, x along its length (east) and
y along its width (south), so a plan reads like the screen. An item's ``x_m, y_m`` is the
north-west corner of its footprint as placed (after rotation).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.model.base import Model

ItemKind = Literal["asic_rack", "container", "gpu_rack", "cdu", "power_pad"]
Cooling = Literal["air", "rear_door", "direct_liquid", "hydro", "immersion"]
Wall = Literal["north", "south", "east", "west"]

KIND_LABELS: dict[str, str] = {
    "asic_rack": "ASIC rack",
    "container": "Container",
    "gpu_rack": "GPU rack",
    "cdu": "CDU",
    "power_pad": "Power pad",
}
COOLING_LABELS: dict[str, str] = {
    "air": "air",
    "rear_door": "rear-door heat exchanger",
    "direct_liquid": "direct liquid",
    "hydro": "hydro",
    "immersion": "immersion",
}
# Items that hold miners (and feed a mining block) or servers (and feed an AI block).
MINER_KINDS = ("asic_rack", "container")
SERVER_KINDS = ("gpu_rack",)
# Racks have a front (intake, on the cold aisle) and a back (exhaust, on the hot aisle).
RACK_KINDS = ("asic_rack", "gpu_rack")
# Cooling that rejects heat through a coolant loop, so the hangar's CDUs must carry it.
CDU_COOLED = ("rear_door", "direct_liquid")


class Door(Model):
    """A door on a wall; ``offset_m`` runs from the wall's west end (north and south walls) or
    north end (east and west walls) to the door's nearer edge."""

    wall: Wall
    offset_m: float = Field(ge=0, le=5000)
    width_m: float = Field(default=3.0, gt=0, le=100)


class Hangar(Model):
    name: str = Field(min_length=1, max_length=120)
    length_m: float = Field(gt=0, le=2000)
    width_m: float = Field(gt=0, le=2000)
    doors: list[Door] = Field(default_factory=list, max_length=100)


class LayoutRules(Model):
    """Clearances every plan of the project keeps (BRIEF §6 defaults)."""

    cold_aisle_m: float = Field(default=1.2, ge=0, le=20)
    hot_aisle_m: float = Field(default=0.9, ge=0, le=20)
    door_clearance_m: float = Field(default=3.0, ge=0, le=50)


class PlanItem(Model):
    """One thing on the floor. ``length_m`` runs along the row and ``depth_m`` front to back at
    rotation 0, where a rack's front faces south; each 90° turns it clockwise."""

    kind: ItemKind
    x_m: float = Field(ge=-5000, le=5000)
    y_m: float = Field(ge=-5000, le=5000)
    rotation: Literal[0, 90, 180, 270] = 0
    length_m: float = Field(gt=0, le=100)
    depth_m: float = Field(gt=0, le=100)
    # The strategy block (by name) whose ASIC or server count this item feeds; None: not counted.
    block: str | None = Field(default=None, max_length=200)
    # The ASIC or server model when not linked to a block (a linked item uses the block's).
    model: str | None = Field(default=None, max_length=60)
    units: int = Field(default=0, ge=0, le=100_000)  # miners or servers in it
    cooling: Cooling = "air"
    cooling_limit_kw: float = Field(default=0.0, ge=0, le=100_000)  # most heat it can shed
    cooling_kw: float = Field(default=0.0, ge=0, le=1_000_000)  # a CDU's capacity
    mva: float = Field(default=0.0, ge=0, le=10_000)  # a transformer pad's rating
    label: str = Field(default="", max_length=60)


class FloorPlan(Model):
    """One strategy's layout of one site hangar."""

    hangar: str = Field(min_length=1, max_length=120)
    items: list[PlanItem] = Field(default_factory=list, max_length=100_000)


# What the palette places. Footprints and capacities from BRIEF §6; a 40 ft container is
# 12.19 × 2.44 m, hydro ≈ 1.9 MW, immersion 0.4–0.7 MW; a GPU rack's kW limit follows its
# cooling (air ≈ 15, rear door ≈ 40–50, direct liquid ≈ 130). Miners per ASIC shelf and per
# container are the user's; these are starting values.
TEMPLATES: dict[str, dict[str, object]] = {
    "asic_rack": dict(
        kind="asic_rack",
        length_m=2.0,
        depth_m=0.8,
        units=40,
        cooling="air",
        cooling_limit_kw=150.0,
    ),
    "container_hydro": dict(
        kind="container",
        length_m=12.19,
        depth_m=2.44,
        units=320,
        cooling="hydro",
        cooling_limit_kw=1900.0,
    ),
    "container_immersion": dict(
        kind="container",
        length_m=12.19,
        depth_m=2.44,
        units=120,
        cooling="immersion",
        cooling_limit_kw=700.0,
    ),
    "container_air": dict(
        kind="container",
        length_m=12.19,
        depth_m=2.44,
        units=250,
        cooling="air",
        cooling_limit_kw=1000.0,
    ),
    "gpu_rack_liquid": dict(
        kind="gpu_rack",
        length_m=0.6,
        depth_m=1.2,
        units=4,
        cooling="direct_liquid",
        cooling_limit_kw=130.0,
    ),
    "gpu_rack_rear_door": dict(
        kind="gpu_rack",
        length_m=0.6,
        depth_m=1.2,
        units=4,
        cooling="rear_door",
        cooling_limit_kw=45.0,
    ),
    "gpu_rack_air": dict(
        kind="gpu_rack",
        length_m=0.6,
        depth_m=1.2,
        units=1,
        cooling="air",
        cooling_limit_kw=15.0,
    ),
    "cdu": dict(kind="cdu", length_m=0.6, depth_m=1.2, cooling="direct_liquid", cooling_kw=800.0),
    "power_pad": dict(kind="power_pad", length_m=4.0, depth_m=3.0, mva=5.0),
}
TEMPLATE_LABELS: dict[str, str] = {
    "asic_rack": "ASIC air rack (shelving)",
    "container_hydro": "40 ft container, hydro",
    "container_immersion": "40 ft container, immersion",
    "container_air": "40 ft container, air",
    "gpu_rack_liquid": "GPU rack, direct liquid",
    "gpu_rack_rear_door": "GPU rack, rear door",
    "gpu_rack_air": "GPU rack, air",
    "cdu": "CDU / cooling unit",
    "power_pad": "Transformer / switchgear pad",
}


def new_item(template: str, x_m: float = 0.0, y_m: float = 0.0, **changes: object) -> PlanItem:
    """A palette item at (x, y), with any property changed."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown item type {template!r} (known: {', '.join(TEMPLATES)})")
    return PlanItem.model_validate({**TEMPLATES[template], "x_m": x_m, "y_m": y_m, **changes})
