"""Labels, units and tooltips of a strategy block's inputs (mining, hosting, AI common,
colocation, GPU cloud), in the row format of ``core.model.labels``."""

from __future__ import annotations

from typing import Any, cast

from core.model.catalog import Catalog, bundled_catalog
from core.model.labels import BOOL, INT, TEXT
from core.model.project import AiBlock, HostingBlock, MiningBlock


def asic_choices(catalog: Catalog | None = None) -> list[tuple[str, str]]:
    return [
        (f"{m.name} ({m.hashrate_ths:g} TH/s, {m.efficiency_j_per_th:.1f} J/TH)", k)
        for k, m in (catalog or bundled_catalog()).asics.items()
    ]


def gpu_choices(catalog: Catalog | None = None) -> list[tuple[str, str]]:
    return [(m.name, k) for k, m in (catalog or bundled_catalog()).gpu_servers.items()]


MINING_BLOCK = [
    ("name", "Block name", "", "Name shown in charts and exports.", TEXT),
    (
        "asic_model",
        "ASIC model",
        "",
        "Catalog model; specs and sources in the Equipment tab.",
        {"kind": "choice", "choices": asic_choices()},
    ),
    ("asic_count", "Miners", "units", "Number of miners in this block.", INT),
    (
        "existing_fleet",
        "Owned fleet",
        "",
        "Already owned: no purchase capex and no tax basis "
        "left; its value below is what it would sell for today.",
        BOOL,
    ),
    (
        "asic_unit_price_usd",
        "Unit price",
        "USD",
        "Purchase price (new) or today's resale "
        "value (owned). Empty: the catalog price (Hashrate Index price index, $14–26/TH).",
        {"optional": True},
    ),
    (
        "infrastructure_usd_per_mw",
        "Infrastructure",
        "USD/MW",
        "Build-out capex for new mining capacity (~$0.3–0.8 M/MW); 0 on a built site.",
    ),
    ("pue", "PUE", "", "Facility power ÷ miner power: air ≈ 1.05, immersion/hydro 1.03–1.05."),
    ("pool_fee_pct", "Pool fee", "%", "FPPS pools charge about 2–4 %."),
    ("derate_pct_per_year", "Derate", "%/year", "Yearly loss of hashrate (wear, availability)."),
    ("om_usd_per_mw_month", "O&M", "USD/MW-month", "Repairs and staff per MW while active."),
    ("start_month", "Start month", "month #", "Month index (0 = first) the block starts.", INT),
    (
        "end_month",
        "End month",
        "month #",
        "Month the miners are removed and sold (empty: kept to the horizon end).",
        {"kind": "int", "optional": True},
    ),
    (
        "retire",
        "Retire",
        "month # / auto",
        "auto: MinePivot retires and sells the fleet in the month that gives the strategy the "
        "highest NPV (operators sell fleets that no longer cover their cash costs); never: it "
        "runs to its end month or the horizon; a month index: retired then. At retirement "
        "the miners are sold at salvage and their O&M and demand-response income stop. "
        "Never later than the end month.",
        {"kind": "month_or_word"},
    ),
]

HOSTING_BLOCK = [
    ("name", "Block name", "", "Name shown in charts and exports.", TEXT),
    (
        "asic_model",
        "Client's ASIC model",
        "",
        "The hosted machines' model: their power and, under cost-plus, their mining revenue.",
        {"kind": "choice", "choices": asic_choices()},
    ),
    (
        "asic_count",
        "Hosted miners",
        "units",
        "The client's machines on the site (hosted MW = count × power × PUE); a floor-plan "
        "rack linked to this block sets it.",
        INT,
    ),
    ("pue", "PUE", "", "Facility power ÷ machine power; the site buys power at the meter."),
    (
        "pricing",
        "Pricing",
        "",
        "Per kWh: the client pays a rate per kWh its machines draw and the site buys the "
        "power. Cost-plus: the client repays the power its load draws (price + T&D adder, "
        "passed through), pays a margin per kWh and a share of its mining margin.",
        {"kind": "choice", "choices": [("Per kWh", "per_kwh"), ("Cost-plus", "cost_plus")]},
    ),
    (
        "hosting_usd_per_kwh",
        "Hosting rate",
        "USD/kWh",
        "Per-kWh pricing: about $0.05–0.06/kWh before 2022 and $0.08–0.09/kWh after (Core "
        "Scientific's hosting business).",
    ),
    (
        "margin_usd_per_kwh",
        "Cost-plus margin",
        "USD/kWh",
        "Cost-plus pricing: charged on every kWh the machines draw, on top of the power.",
    ),
    (
        "profit_share_pct",
        "Profit share",
        "%",
        "Cost-plus pricing: the site's share of each hour's client mining margin (revenue after "
        "pool fee, less power and margin) where positive.",
    ),
    ("pool_fee_pct", "Client's pool fee", "%", "Enters the client's mining margin (cost-plus)."),
    ("derate_pct_per_year", "Derate", "%/year", "Yearly loss of the machines' hashrate."),
    (
        "curtailable",
        "Curtailable",
        "",
        "The site may idle the machines when running loses money for whoever pays the power "
        "(per kWh: when the price + T&D adder exceeds the rate; cost-plus: when the client's "
        "revenue no longer covers power and margin) and enrol them in demand response. "
        "Otherwise they run every hour of the contract.",
        BOOL,
    ),
    (
        "dr_income",
        "DR income",
        "",
        "Capacity income earned on the client's curtailable machines: kept by the site, or "
        "passed to the client (the site keeps what its own fleets supply first).",
        {
            "kind": "choice",
            "choices": [("Kept by the site", "kept"), ("Passed to the client", "passed")],
        },
    ),
    (
        "infrastructure_usd_per_mw",
        "Infrastructure",
        "USD/MW",
        "The site's build-out capex for the hosted racks; 0 on a built site.",
    ),
    ("om_usd_per_mw_month", "O&M", "USD/MW-month", "Site staff and upkeep per MW while hosted."),
    ("start_month", "Start month", "month #", "Month index (0 = first) the contract starts.", INT),
    (
        "end_month",
        "Contract end",
        "month #",
        "Month the contract ends and the machines leave (empty: to the horizon end).",
        {"kind": "int", "optional": True},
    ),
]

AI_COMMON = [
    ("name", "Block name", "", "Name shown in charts and exports.", TEXT),
    (
        "business_model",
        "Business model",
        "",
        "Colocation: the tenant brings GPUs and pays $/kW-month for IT capacity. GPU cloud: you "
        "own the GPUs and rent them by the hour.",
        {"kind": "choice", "choices": [("Colocation", "colocation"), ("GPU cloud", "gpu_cloud")]},
    ),
    ("pue", "PUE", "", "AI liquid-cooled ≈ 1.2–1.4 (data-centre industry average ≈ 1.55)."),
    (
        "retrofit_usd_per_mw",
        "Retrofit",
        "USD/MW IT",
        "Conversion capex per MW of IT load: ~$3.6 M (Riot–AMD, reusing infrastructure) to "
        "$8–10 M (TeraWulf; Needham estimate).",
    ),
    ("om_usd_per_mw_month", "O&M", "USD/MW-month", "Operations per MW of IT once live."),
    (
        "start_month",
        "Conversion start",
        "month #",
        "Month index the retrofit starts; its capex is paid from then (Capex draw).",
        INT,
    ),
    (
        "conversion_months",
        "Conversion time",
        "months",
        "Months with no revenue before the block goes live (~6–18 in announced conversions).",
        INT,
    ),
    (
        "capex_draw",
        "Capex draw",
        "",
        "How the retrofit is paid over the conversion months: an S-curve (slow start, fast "
        "middle, slow finish: cumulative share x²(3 − 2x)), evenly, or all in the first month.",
        {
            "kind": "choice",
            "choices": [("S-curve", "s_curve"), ("Evenly", "even"), ("Up front", "upfront")],
        },
    ),
]

AI_COLOCATION = [
    ("it_mw", "IT capacity", "MW", "Critical IT capacity leased to the tenant."),
    (
        "colo_usd_per_kw_month",
        "Colocation rate",
        "USD/kW-month",
        "Observed deals ~$120–160 (CoreWeave–Core Scientific, TeraWulf–Fluidstack ~$154, Hut 8 "
        "~$159, Riot–AMD ~$104); wholesale colocation market ~$174–184 (2024).",
    ),
    ("colo_escalator_pct_per_year", "Rate escalator", "%/year", "Yearly increase of the rate."),
    (
        "power_passthrough",
        "Power passed through",
        "",
        "Tenant reimburses the block's energy at the hourly price plus adder.",
        BOOL,
    ),
    (
        "it_load_factor_pct",
        "Tenant load",
        "% of IT",
        "Average draw of the contracted IT capacity.",
    ),
    (
        "lease_term_months",
        "Lease term",
        "months",
        "From go-live (Core Scientific–CoreWeave 12 years, Hut 8 River Bend 15, TeraWulf–"
        "Fluidstack 10). Empty: the lease runs to the horizon. After it the tenant renews with "
        "the renewal probability: revenue, load and O&M continue as that expectation.",
        {"kind": "int", "optional": True},
    ),
    (
        "renewal_probability_pct",
        "Renewal probability",
        "%",
        "Chance the tenant renews when the lease ends (0: it leaves).",
    ),
    (
        "renewal_usd_per_kw_month",
        "Renewal rate",
        "USD/kW-month",
        "Rate of the renewed lease, escalated as before from the renewal. Empty: the "
        "escalated rate runs on.",
        {"optional": True},
    ),
]

AI_GPU = [
    (
        "gpu_server_model",
        "GPU server",
        "",
        "Catalog server; specs in the Equipment tab.",
        {"kind": "choice", "choices": gpu_choices()},
    ),
    ("server_count", "Servers", "units", "8-GPU servers owned (4 per rack ≈ 41 kW).", INT),
    (
        "server_unit_price_usd",
        "Server price",
        "USD",
        "Empty: the catalog price (market quotes ~$270–320k with networking for H100).",
        {"optional": True},
    ),
    (
        "gpu_hour_usd",
        "GPU-hour price",
        "USD/GPU-hour",
        "H100 rental: $8+ (2023 peak), ~$2.85 (early 2024), ~$1.70 (Oct 2025 low), ~$2.35 for "
        "1-year contracts (Mar 2026).",
    ),
    (
        "gpu_price_decline_pct_per_year",
        "Price decline",
        "%/year",
        "Yearly fall of the GPU-hour price. H100 rental fell from $7–12 (2023) to ~$1.70 "
        "(Oct 2025) and ~$2.35 for 1-year contracts (Mar 2026): roughly 25–35 % a year from "
        "its 2024 level; 30 % by default.",
    ),
    ("utilisation_pct", "Utilisation", "%", "Share of GPU-hours sold."),
    (
        "gpu_end_of_life",
        "At end of life",
        "",
        "When the servers reach their depreciation life (Finance: GPU life; CoreWeave uses 6 "
        "years, Nebius 4): replaced by new ones, run off (revenue, load and O&M stop; the "
        "servers are sold at their residual value), or kept renting past their life.",
        {
            "kind": "choice",
            "choices": [
                ("Replace the servers", "replace"),
                ("Run off", "run_off"),
                ("Keep renting them", "run_on"),
            ],
        },
    ),
    (
        "server_price_decline_pct_per_year",
        "Server price decline",
        "%/year",
        "Yearly fall of the server price paid for replacements, from go-live. Empty: the "
        "GPU-hour price decline entered (a replacement costs the same share of what it rents "
        "for); the Monte Carlo's rental-decline draws move the rental price only.",
        {"optional": True},
    ),
]


def block_rows(block: MiningBlock | AiBlock, catalog: Catalog | None = None) -> list:
    """The input rows of one block: a mining block's, or an AI block's common rows and those
    of its business model; its model list from ``catalog`` (a project's own models too)."""
    rows: list[tuple[Any, ...]]
    if isinstance(block, HostingBlock):
        rows = HOSTING_BLOCK
    elif isinstance(block, MiningBlock):
        rows = MINING_BLOCK
    else:
        rows = [*AI_COMMON, *(AI_COLOCATION if block.business_model == "colocation" else AI_GPU)]
    if catalog is None:
        return rows
    choices = {"asic_model": asic_choices(catalog), "gpu_server_model": gpu_choices(catalog)}
    out = []
    for row in rows:
        if row[0] in choices:
            spec = cast(dict[str, Any], row[4])
            row = (*row[:4], {**spec, "choices": choices[row[0]]})
        out.append(row)
    return out


FINANCING = [
    (
        "sizing",
        "Debt sized by",
        "",
        "Loan-to-cost: the LTC share of each month's capex while the conversion is built. "
        "DSCR: the largest debt whose scheduled service keeps CFADS ÷ debt service at or above "
        "the target in every repayment month (contracted data-centre debt is typically sized "
        "to about 1.2–1.4×; an estimate, no public covenant figure).",
        {"kind": "choice", "choices": [("Loan-to-cost", "ltc"), ("DSCR", "dscr")]},
    ),
    (
        "ltc_pct",
        "Loan-to-cost",
        "%",
        "Share of construction capex the debt funds (Hut 8 River Bend: up to 85 %; Galaxy "
        "Helios: 80 %).",
    ),
    ("target_dscr", "Target DSCR", "×", "Minimum CFADS ÷ debt service the debt is sized to."),
    (
        "rate_pct_per_year",
        "Interest rate",
        "%/year",
        "Nominal: a month's interest is its opening balance × rate / 12 (Excel's PMT). Hut 8: "
        "SOFR + 225 bp; a TeraWulf joint venture: 8 % secured notes.",
    ),
    ("upfront_fee_pct", "Upfront fee", "% of debt", "Paid at the first draw."),
    (
        "tenor_months",
        "Tenor",
        "months",
        "From the start of repayment. The loan is sized and repaid within the months its "
        "blocks are expected to earn inside the horizon (a lease to its term plus its expected "
        "renewal): a longer tenor is cut to them, and a warning says so.",
        {"kind": "int"},
    ),
    (
        "repayment",
        "Repayment",
        "",
        "Annuity: level payments. Straight-line: equal principal. Sculpted: debt service "
        "follows CFADS ÷ the target DSCR.",
        {
            "kind": "choice",
            "choices": [
                ("Annuity", "annuity"),
                ("Straight-line", "straight_line"),
                ("Sculpted", "sculpted"),
            ],
        },
    ),
    (
        "dsra_months",
        "Debt-service reserve",
        "months",
        "Months of debt service set aside at the start of repayment, released at maturity.",
        {"kind": "int"},
    ),
    (
        "cash_sweep_pct",
        "Cash sweep",
        "%",
        "Share of the cash left after debt service that repays principal early (TeraWulf: "
        "half of excess cash).",
    ),
    (
        "balloon_pct",
        "Balloon",
        "% of debt",
        "Share of the balance at the start of repayment left to refinance at the last payment; "
        "the schedule repays the rest. 0 repays it all. A balloon still owed at the horizon "
        "end is shown against the terminal value.",
    ),
]
