"""Labels, units and tooltips (meaning and source of the default) of every input field,
shared by the app's panels and the workbook's Inputs sheet.

Each row: (path relative to its panel, label, unit, tooltip[, Field options]). The site,
market, finance and risk tables are here; a block's are in ``core.model.block_labels``.
"""

from __future__ import annotations

BOOL = {"kind": "bool"}
INT = {"kind": "int"}
ID = {"kind": "int", "grouped": False}  # a seed: a whole number read without separators
TEXT = {"kind": "text"}

SITE = [
    ("name", "Site name", "", "Name of the site, shown in exports.", TEXT),
    ("location", "Location", "", "Grid node or load zone (e.g. ERCOT LZ_WEST).", TEXT),
    (
        "interconnect_mw",
        "Interconnect",
        "MW",
        "Grid interconnect at the meter. Facility load (IT × PUE) of every strategy must fit "
        "within it; MinePivot warns when it does not.",
    ),
    (
        "fixed_opex_usd_per_year",
        "Fixed opex",
        "USD/year",
        "Staff, security, insurance and site overheads, paid by every strategy.",
    ),
    ("opex_escalator_pct_per_year", "Opex escalator", "%/year", "Yearly growth of the fixed opex."),
]

ENERGY = [
    (
        "escalator_pct_per_year",
        "Price escalator",
        "%/year",
        "Yearly growth applied to every hour's price (all sources).",
    ),
    (
        "contract",
        "Contract",
        "",
        "Index: pay the hourly price for what you draw. Fixed-price block: pay a fixed price for a "
        "contracted MW block whether used or not; unused energy is resold at the hourly price "
        "(the 'power credits' miners report: Riot booked $24.2 M of them in August 2023).",
        {
            "kind": "choice",
            "choices": [("Index (hourly price)", "index"), ("Fixed-price block", "fixed_block")],
        },
    ),
    ("fixed_block_mw", "Fixed block", "MW", "Contracted block size (fixed-price contract only)."),
    (
        "fixed_price_usd_per_mwh",
        "Fixed price",
        "USD/MWh",
        "Price of the contracted block (fixed-price contract only).",
    ),
    (
        "tnd_adder_usd_per_mwh",
        "T&D adder",
        "USD/MWh",
        "Transmission and distribution charge on every MWh drawn. Miners run only when the hour's "
        "price plus this adder is below their revenue per MWh.",
    ),
    (
        "demand_charge_usd_per_kw_month",
        "Demand charge",
        "USD/kW-month",
        "Charge on each month's peak hourly load.",
    ),
    (
        "fourcp_usd_per_kw_year",
        "4CP charge",
        "USD/kW-year",
        "ERCOT-style transmission charge on the load during the four summer monthly peaks "
        "(highest-price hour of June–September). Avoiding it is worth ~$50–150/kW-year.",
    ),
    (
        "fourcp_avoidance",
        "Avoid 4CP",
        "",
        "Flexible (mining) load sits out the highest-price hours of each summer month, which "
        "always include the peak hour. AI load is firm and always pays.",
        BOOL,
    ),
    (
        "fourcp_avoid_hours_per_month",
        "4CP hours avoided",
        "h/month",
        "How many of each summer month's highest-price hours mining sits out.",
        INT,
    ),
]

DEMAND_RESPONSE = [
    (
        "enrolled_mw",
        "Enrolled",
        "MW",
        "Flexible load enrolled in capacity/ancillary programmes (capped each month at the mining "
        "MW present). AI load cannot enrol.",
    ),
    (
        "capacity_usd_per_mw_month",
        "Capacity payment",
        "USD/MW-month",
        "Paid for standing ready, called or not. ERCOT ERS pays roughly $60–70k per MW-year "
        "(an estimate), i.e. ~$5,000–5,800/MW-month.",
    ),
    (
        "event_hours_per_year",
        "Called hours",
        "h/year",
        "Hours a year the enrolled MW must be off (see Calls fall on). "
        "One large miner reported 5–10 hours a month.",
        INT,
    ),
    (
        "events_on",
        "Calls fall on",
        "",
        "Highest-price hours: the year's most expensive hours, when a fleet is often curtailed "
        "for price anyway, so a call costs little. Highest-load hours (prudent): each month "
        "keeps as many calls as the price rule puts in it, but they fall on the hours the "
        "fleets would otherwise run with the most load (ties: the higher price, then the "
        "earlier hour), so each call gives up mining revenue. The Monte Carlo keeps each "
        "strategy's calls where its own inputs put them.",
        {
            "kind": "choice",
            "choices": [
                ("Highest-price hours", "highest_price"),
                ("Highest-load hours", "highest_load"),
            ],
        },
    ),
]

MARKET = [
    ("as_of", "As of", "date", "Date of the market inputs (YYYY-MM-DD).", TEXT),
    ("btc_price_usd", "BTC price", "USD", "Bitcoin price at the start of the horizon."),
    (
        "btc_price_growth_pct_per_year",
        "BTC price growth",
        "%/year",
        "Yearly growth of the BTC price, compounded monthly. Ignored when a yearly table is given.",
    ),
    (
        "btc_price_by_year_usd",
        "BTC price by year",
        "USD",
        "Optional: one price per year of the horizon, separated by semicolons (the last is held). "
        "Leave empty to use the start price and growth.",
        {"kind": "list", "optional": True},
    ),
    (
        "difficulty",
        "Difficulty",
        "",
        "Network difficulty at the start of the horizon. Implied hashrate = D · 2^32 / 600 H/s.",
    ),
    (
        "difficulty_growth_pct_per_month",
        "Difficulty growth",
        "%/month",
        "Monthly growth of difficulty. A retarget moves it at most ×4 or ×¼, so −75 to +300 "
        "%/month is allowed.",
    ),
    ("fees_btc_per_block", "Fees", "BTC/block", "Average transaction fees per block."),
    (
        "block_height",
        "Block height",
        "",
        "Block height on the as-of date: sets the subsidy "
        "(3.125 BTC from 840,000) and projects the next halving at the block time.",
        INT,
    ),
    (
        "block_time_s",
        "Block time",
        "s/block",
        "Mean time between blocks that projects the halvings from the block height: about "
        "592.9 s observed (the 2028 halving at height 1,050,000 then falls 1–3 weeks before "
        "600 s puts it, estimates 31 March–15 April 2028). Files saved before it existed use "
        "600.",
    ),
    (
        "next_halving_date",
        "Next halving",
        "date",
        "Override the projected date of the next halving (YYYY-MM-DD); leave empty for the "
        "projection.",
        {"kind": "text", "optional": True},
    ),
]

FINANCE = [
    (
        "start_month",
        "Start month",
        "YYYY-MM",
        "First month of the horizon; NPV is at its start.",
        TEXT,
    ),
    ("horizon_years", "Horizon", "years", "Length of the evaluation, 1–30 years.", INT),
    (
        "discount_rate_pct_per_year",
        "Discount rate",
        "%/year",
        "Annual rate, applied monthly as (1 + r)^(1/12) − 1.",
    ),
    (
        "tax_rate_pct",
        "Tax rate",
        "%",
        "On positive taxable income after losses carried forward (US federal 21 %).",
    ),
    (
        "target_irr_pct_per_year",
        "Target IRR",
        "%/year",
        "The return the required-AI-price goal seek aims for.",
    ),
    (
        "target_equity_irr_pct_per_year",
        "Target equity IRR",
        "%/year",
        "The equity return the required-AI-price goal seek aims for on a financed strategy.",
    ),
    (
        "terminal_value",
        "Terminal value",
        "",
        "What the site is worth at the horizon end. Book value: the assets still held are sold "
        "at their aged value (a 15-year retrofit sold after 10 years at book is an assumption, "
        "not a fact: the cards and run --json show its share of NPV). None: they fetch nothing "
        "and their remaining book value is written off. Continuing: the business goes on; "
        "each block runs on by the model's own rules for 50 more years (a fleet at the "
        "projected hashprice with its halvings and derate, stopping once it earns nothing; a "
        "lease to its term, then at its renewal probability; GPU cloud with its rental "
        "decline and server replacements), on the final year's power prices, taxed and "
        "discounted as the months are; their sum is the value at the horizon end.",
        {
            "kind": "choice",
            "choices": [
                ("Book value", "book_value"),
                ("None", "none"),
                ("Continuing", "continuing"),
            ],
        },
    ),
    (
        "terminal_growth_pct_per_year",
        "Terminal growth",
        "%/year",
        "A real-terms haircut (negative) or uplift on the continuing value: year k after the "
        "horizon's free cash flow × (1 + g)^k. Must be below the discount rate. Used only "
        "with Continuing.",
    ),
    (
        "asic_resale",
        "Miner resale",
        "",
        "What used miners fetch when sold (used ASIC prices move with hashprice: the <25 J/TH "
        "tier fell from $60/TH in July 2022 to $20/TH in July 2023, Hashrate Index). Follows "
        "expected hashprice: their aged value × the mean hashprice of the 12 months from the "
        "sale over the same mean from the first month, as a buyer prices the months ahead, a "
        "known halving included. Follows spot hashprice: × hashprice at the sale over the "
        "first month's. Straight-line only: the aged value, whatever hashprice does.",
        {
            "kind": "choice",
            "choices": [
                ("Follows expected hashprice", "hashprice_forward"),
                ("Follows spot hashprice", "hashprice"),
                ("Straight-line only", "straight_line"),
            ],
        },
    ),
    (
        "nol_80_pct_limit",
        "80 % loss limit",
        "",
        "Losses carried forward offset at most 80 % of a tax year's income (the US rule for "
        "losses after 2017); each year nets its own months. Off: losses offset any later "
        "income, month by month (files of schema 3 and earlier).",
        BOOL,
    ),
    (
        "bonus_depreciation_pct.asic",
        "ASIC bonus depreciation",
        "% of basis",
        "Deducted in the month the miners enter service; the rest straight-line. 100 % for "
        "equipment acquired after 19 January 2025 (the 2025 budget act).",
    ),
    (
        "bonus_depreciation_pct.gpu",
        "GPU bonus depreciation",
        "% of basis",
        "Deducted in the month the servers enter service; the rest straight-line. 100 % for "
        "equipment acquired after 19 January 2025 (the 2025 budget act).",
    ),
    (
        "bonus_depreciation_pct.facility",
        "Facility bonus depreciation",
        "% of basis",
        "Retrofits and infrastructure: buildings do not qualify for bonus depreciation, so 0 "
        "unless a cost-segregation study says otherwise.",
    ),
    (
        "interest_limit_30_pct",
        "30 % interest limit",
        "",
        "Interest deducted in a tax year at most 30 % of its EBITDA (US business-interest "
        "limit, EBITDA-based again from 2025); the excess is carried forward. Off: all "
        "interest paid is deductible.",
        BOOL,
    ),
    (
        "cost_of_equity_pct_per_year",
        "Cost of equity",
        "%/year",
        "Discounts the equity cash flow of a financed strategy (the discount rate stays for "
        "the unlevered NPV; an unfinanced strategy's equity figures are the project's).",
    ),
    ("depreciation_life_years.asic", "ASIC life", "years", "Straight-line (default 3)."),
    (
        "depreciation_life_years.gpu",
        "GPU life",
        "years",
        "Straight-line (default 5; GPUs are depreciated over 4–6 years).",
    ),
    (
        "depreciation_life_years.facility",
        "Facility life",
        "years",
        "Straight-line for retrofits and infrastructure (default 15).",
    ),
    (
        "residual_value_pct.asic",
        "ASIC residual",
        "% of cost",
        "Floor of the resale value; salvage falls straight-line over the life to this share.",
    ),
    ("residual_value_pct.gpu", "GPU residual", "% of cost", "Floor of the resale value."),
    (
        "residual_value_pct.facility",
        "Facility residual",
        "% of cost",
        "Floor of the value of retrofits at the horizon end.",
    ),
]


RISK = [
    (
        "paths",
        "Paths",
        "",
        "Monte Carlo paths, 100–200,000. More paths, less noise: the "
        "standard error of the mean NPV falls as 1/√paths.",
        INT,
    ),
    ("seed", "Seed", "", "Random seed: the same seed and inputs give the same numbers.", ID),
    (
        "btc_volatility_pct_per_year",
        "BTC volatility",
        "%/year",
        "Yearly volatility of the BTC price (lognormal). Bitcoin's realised volatility has "
        "mostly been 40–80 %/year since 2020.",
    ),
    (
        "btc_drift_pct_per_year",
        "BTC drift",
        "%/year",
        "Expected yearly return on top of the project's own BTC price path; 0 keeps the "
        "project's path as the mean.",
    ),
    (
        "difficulty_growth_sd_pct_per_month",
        "Difficulty growth spread",
        "%/month",
        "Standard deviation of each path's monthly difficulty growth around the project's.",
    ),
    (
        "power_price_sd_pct",
        "Power price spread",
        "%",
        "Spread of each path's power price level (lognormal, mean 1) applied to every hour.",
    ),
    (
        "gpu_decline_sd_pct_per_year",
        "GPU price decline spread",
        "%/year",
        "Standard deviation of each path's yearly GPU-hour price decline around each block's.",
    ),
    (
        "conversion_delay_mean_months",
        "Conversion delay, mean",
        "months",
        "Extra months before AI goes live (Poisson); conversions took 6–18 months in 2024–25.",
    ),
    (
        "conversion_delay_max_months",
        "Conversion delay, most",
        "months",
        "The longest extra delay a path can draw.",
        INT,
    ),
    (
        "payback_within_years",
        "Payback horizon",
        "years",
        "Report the probability of paying back within this many years.",
        INT,
    ),
    ("split_steps", "Split steps", "", "AI shares tried from 0 to 100 % (3–41).", INT),
    (
        "split_paths",
        "Split paths",
        "",
        "Monte Carlo paths at each share of the split sweep (its P10 NPV).",
        INT,
    ),
]
