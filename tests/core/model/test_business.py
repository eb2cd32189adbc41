"""Switching an AI block's business model fills the new model's zero inputs."""

import math

from core.engine.evaluation import evaluate
from core.io.example import example_project
from core.model.business import COLO_USD_PER_KW_MONTH, GPU_HOUR_USD, with_business_model
from core.model.catalog import bundled_catalog
from core.model.project import AiBlock


def test_colocation_to_gpu_cloud_sizes_servers_from_the_it_mw():
    cat = bundled_catalog()
    block = AiBlock(name="AI", it_mw=36.0, colo_usd_per_kw_month=140.0)
    gpu = with_business_model(block, "gpu_cloud", cat)
    kw = cat.gpu_servers[block.gpu_server_model].max_power_kw  # 10.2 kW for an HGX H100
    assert gpu.server_count == math.floor(36_000 / kw)
    assert gpu.gpu_hour_usd == GPU_HOUR_USD
    assert gpu.it_mw == 36.0 and gpu.colo_usd_per_kw_month == 140.0  # kept for a switch back
    typed = block.model_copy(update={"server_count": 100, "gpu_hour_usd": 3.1})
    kept = with_business_model(typed, "gpu_cloud", cat)
    assert (kept.server_count, kept.gpu_hour_usd) == (100, 3.1)  # typed values are kept


def test_gpu_cloud_to_colocation_takes_the_servers_it_mw():
    cat = bundled_catalog()
    block = AiBlock(name="AI", business_model="gpu_cloud", server_count=1000, gpu_hour_usd=2.0)
    colo = with_business_model(block, "colocation", cat)
    kw = cat.gpu_servers[block.gpu_server_model].max_power_kw
    assert colo.it_mw == round(1000 * kw / 1e3, 3)
    assert colo.colo_usd_per_kw_month == COLO_USD_PER_KW_MONTH


def test_a_block_with_a_zero_input_is_named_on_its_strategy():
    base = example_project()
    s = base.strategies[1]
    blocks = [
        b.model_copy(update={"colo_usd_per_kw_month": 0.0}) if isinstance(b, AiBlock) else b
        for b in s.blocks
    ]
    project = base.model_copy(update={"strategies": [s.model_copy(update={"blocks": blocks})]})
    (r,) = evaluate(project).strategies
    assert "Convert to AI: AI colocation has colocation price at 0; it earns nothing" in r.warnings
    assert not any("earns nothing" in w for w in evaluate(base).strategies[1].warnings)
