"""What the Strategies panel says about a block: its line in the block list and the catalog's
facts on its equipment, figures in the system locale's separators."""

from __future__ import annotations

from core.engine.blocks.kinds import (
    ai_block_it_mw,
    is_ai,
    is_colocation,
    is_hosted,
    mines,
    owns_gpus,
)
from core.engine.blocks.mining import mining_block_power
from core.model.catalog import catalog_for
from core.model.project import AiBlock, MiningBlock, Project
from gui.widgets.numbers import fixed, general


def describe_block(block: MiningBlock | AiBlock, project: Project) -> str:
    """A block's line in the list: its kind's sign, name, equipment, MW and terms."""
    cat = catalog_for(project)
    if mines(block):
        mw, ths = mining_block_power(block, cat) if block.asic_model in cat.asics else (0, 0)
        model = cat.asics[block.asic_model].name if block.asic_model in cat.asics else "?"
        if is_hosted(block):
            terms = (
                f"${general(block.hosting_usd_per_kwh)}/kWh"
                if block.pricing == "per_kwh"
                else f"cost + ${general(block.margin_usd_per_kwh)}/kWh, "
                f"{general(block.profit_share_pct)} % share"
            )
            firm = "" if block.curtailable else ", firm"
            return (
                f"⌂ {block.name}: hosts {fixed(block.asic_count)} × {model}, {fixed(mw, 1)} MW, "
                f"{terms}{firm}"
            )
        return (
            f"⛏ {block.name}: {fixed(block.asic_count)} × {model}, {fixed(mw, 1)} MW, "
            f"{fixed(ths / 1e6, 2)} EH/s"
        )
    assert is_ai(block)
    it = (
        ai_block_it_mw(block, cat)
        if (is_colocation(block) or block.gpu_server_model in cat.gpu_servers)
        else 0
    )
    kind = "colocation" if is_colocation(block) else "GPU cloud"
    return f"▣ {block.name}: {kind}, {fixed(it, 1)} MW IT"


def spec_text(block: MiningBlock | AiBlock, project: Project) -> str:
    """The catalog's facts on a block's equipment, with their sources: the hint below the form."""
    cat = catalog_for(project)
    if mines(block) and block.asic_model in cat.asics:
        m = cat.asics[block.asic_model]
        return (
            f"{m.name}: {general(m.hashrate_ths)} TH/s, {fixed(m.power_w)} W, "
            f"{fixed(m.efficiency_j_per_th, 1)} J/TH, {m.cooling}; catalog price "
            f"${fixed(m.price_usd)}. Specs: {m.spec_source}. Price: {m.price_source} "
            f"(as of {m.as_of})."
        )
    if owns_gpus(block) and block.gpu_server_model in cat.gpu_servers:
        g = cat.gpu_servers[block.gpu_server_model]
        return (
            f"{g.name}: {g.gpus} GPUs, {general(g.max_power_kw)} kW max, "
            f"{general(g.typical_power_kw)} kW typical, ${fixed(g.price_usd)}. "
            f"{g.spec_source}. {g.price_source} "
            f"(as of {g.as_of})."
        )
    return ""
