"""The project's inputs: site, market, finance and strategies, as validated immutable models.

Every field carries its unit in its name. Models are pydantic v2 (strict, no unknown keys, no
NaN/inf) so that a project file is checked field by field with the path of each problem; the
cross-field rules that need the whole project live in ``core.model.rules.project_problems``.
Every number has bounds on both sides that keep the engine finite over a 30-year horizon.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from core.model.base import Model
from core.model.plan import FloorPlan, Hangar, LayoutRules

# 2: mining blocks retire ("never", "auto" or a month), a strategy's site may stay open after
# its blocks stop, a project names its baseline strategy.
# 3: GPU servers are replaced or run off at the end of their life, and the GPU-hour price
# declines by default (core.io.migrations reads schemas 1 and 2).
SCHEMA_VERSION = 5
MAX_STRATEGIES = 50

# Dates are real calendar dates in a sane range, written with ASCII digits and nothing else
# (Python's \d also matches full-width digits, and $ matches before a trailing newline).
YEAR_MIN, YEAR_MAX = 2000, 2150
_MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _check_year(year: int, value: str) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year must be {YEAR_MIN} to {YEAR_MAX}, got {value!r}")


def _check_month(value: str) -> str:
    if not _MONTH_RE.fullmatch(value):
        raise ValueError(f"must be a month as YYYY-MM, got {value!r}")
    if not 1 <= int(value[5:7]) <= 12:
        raise ValueError(f"must be a real month (01 to 12), got {value!r}")
    _check_year(int(value[:4]), value)
    return value


def _check_date(value: str | None) -> str | None:
    if value is None:
        return value
    if not _DATE_RE.fullmatch(value):
        raise ValueError(f"must be a date as YYYY-MM-DD, got {value!r}")
    _check_year(int(value[:4]), value)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a real calendar date, got {value!r}") from None
    return value


RETIRE_CHOICES = ("never", "auto")
MAX_MONTH_INDEX = 360  # 30 years


def _check_retire(value: object) -> object:
    """``"never"``, ``"auto"`` or a month index: what ``MiningBlock.retire`` takes."""
    if value in RETIRE_CHOICES and isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MONTH_INDEX:
        return value
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    raise ValueError(
        f'must be "never", "auto" or a month index 0 to {MAX_MONTH_INDEX}, got {shown}'
    )


def _at_least_a_month(years: float) -> float:
    if years * 12 < 1 - 1e-9:
        raise ValueError(f"must be at least one month (1/12 year), got {years:g} years")
    return years


Pct = Annotated[float, Field(ge=0, le=100)]
# Upper bounds far above any real site, low enough that sums over 30 years stay finite.
Mw = Annotated[float, Field(ge=0, le=10_000)]
UnitPrice = Annotated[float, Field(ge=0, le=10_000_000)]  # USD per miner or server
UsdPerMw = Annotated[float, Field(ge=0, le=1e10)]  # capex per MW
UsdPerMwMonth = Annotated[float, Field(ge=0, le=1e8)]  # O&M per MW and month
LifeYears = Annotated[float, Field(le=50), AfterValidator(_at_least_a_month)]
MonthIndex = Annotated[int, Field(ge=0, le=359)]


# ----------------------------------------------------------------------------- equipment
class AsicModel(Model):
    id: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    hashrate_ths: float = Field(gt=0, le=10_000)
    power_w: float = Field(gt=0, le=100_000)
    cooling: Literal["air", "hydro", "immersion"] = "air"
    price_usd: UnitPrice = 0.0
    spec_source: str = ""
    price_source: str = ""
    as_of: str | None = None

    _date = field_validator("as_of")(_check_date)

    @property
    def efficiency_j_per_th(self) -> float:
        return self.power_w / self.hashrate_ths


class GpuServerModel(Model):
    id: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    gpus: int = Field(ge=1, le=64)
    max_power_kw: float = Field(gt=0, le=200)
    typical_power_kw: float = Field(gt=0, le=200)
    price_usd: UnitPrice = 0.0
    spec_source: str = ""
    price_source: str = ""
    as_of: str | None = None

    _date = field_validator("as_of")(_check_date)


# ----------------------------------------------------------------------------- energy
class ScarcitySpikes(Model):
    """Seeded price spikes laid over a flat or time-of-use profile (summer late afternoons)."""

    hours_per_year: int = Field(default=0, ge=0, le=2000)
    price_usd_per_mwh: float = Field(default=1000.0, ge=-1000, le=20_000)
    seed: int = Field(default=1, ge=0)


class FlatPrice(Model):
    kind: Literal["flat"] = "flat"
    price_usd_per_mwh: float = Field(ge=-1000, le=20_000)
    spikes: ScarcitySpikes = ScarcitySpikes()


class TimeOfUsePrice(Model):
    """12 months × 24 hours of $/MWh (row 0 = January, column 0 = 00:00–01:00 local)."""

    kind: Literal["tou"] = "tou"
    matrix_usd_per_mwh: list[
        Annotated[
            list[Annotated[float, Field(ge=-1000, le=20_000)]], Field(min_length=24, max_length=24)
        ]
    ] = Field(min_length=12, max_length=12)
    spikes: ScarcitySpikes = ScarcitySpikes()


HOURLY_YEAR_MIN, HOURLY_YEAR_MAX = 1990, 2100
HOURLY_PRICE_MIN, HOURLY_PRICE_MAX = -10_000.0, 100_000.0  # USD/MWh; ERCOT's cap is 5,000
MAX_SERIES_YEARS = 30


class HourlySeriesPrice(Model):
    """Imported hourly prices: whole calendar years in local standard time, first_year first."""

    kind: Literal["hourly"] = "hourly"
    source_name: str = ""
    first_year: int = Field(ge=HOURLY_YEAR_MIN, le=HOURLY_YEAR_MAX)
    years_usd_per_mwh: list[
        Annotated[
            list[Annotated[float, Field(ge=HOURLY_PRICE_MIN, le=HOURLY_PRICE_MAX)]],
            Field(min_length=8760, max_length=8784),
        ]
    ] = Field(min_length=1, max_length=MAX_SERIES_YEARS)


PriceSource = Annotated[FlatPrice | TimeOfUsePrice | HourlySeriesPrice, Field(discriminator="kind")]


class Energy(Model):
    price_source: PriceSource
    escalator_pct_per_year: float = Field(default=0.0, ge=-50, le=100)
    contract: Literal["index", "fixed_block"] = "index"
    fixed_block_mw: Mw = 0.0
    fixed_price_usd_per_mwh: float = Field(default=0.0, ge=-1000, le=20_000)
    tnd_adder_usd_per_mwh: float = Field(default=0.0, ge=-100, le=1000)
    demand_charge_usd_per_kw_month: float = Field(default=0.0, ge=0, le=1000)
    fourcp_usd_per_kw_year: float = Field(default=0.0, ge=0, le=2000)
    fourcp_avoidance: bool = False
    fourcp_avoid_hours_per_month: int = Field(default=20, ge=1, le=200)


class DemandResponse(Model):
    enrolled_mw: Mw = 0.0
    capacity_usd_per_mw_month: float = Field(default=0.0, ge=0, le=1_000_000)
    event_hours_per_year: int = Field(default=0, ge=0, le=8760)
    # Where the calls fall: the year's highest-price hours (when a fleet may be curtailed
    # anyway), or, month by month as many, the hours its fleets would otherwise run with the
    # highest load (core.engine.blocks.demand.load_called_hours): the prudent case.
    events_on: Literal["highest_price", "highest_load"] = "highest_price"


class Site(Model):
    name: str = Field(default="Site", max_length=200)
    location: str = Field(default="", max_length=200)
    interconnect_mw: float = Field(gt=0, le=10_000)
    energy: Energy
    demand_response: DemandResponse = DemandResponse()
    fixed_opex_usd_per_year: float = Field(default=0.0, ge=0, le=1e11)
    opex_escalator_pct_per_year: float = Field(default=0.0, ge=-50, le=100)
    hangars: list[Hangar] = Field(default_factory=list, max_length=50)
    aisles: LayoutRules = LayoutRules()


# ----------------------------------------------------------------------------- market
class Market(Model):
    as_of: str
    btc_price_usd: float = Field(ge=1, le=1e8)
    btc_price_growth_pct_per_year: float = Field(default=0.0, ge=-99, le=1000)
    btc_price_by_year_usd: list[Annotated[float, Field(ge=1, le=1e8)]] | None = Field(
        default=None, min_length=1, max_length=30
    )
    difficulty: float = Field(ge=1, le=1e20)  # 1 is Bitcoin's minimum difficulty
    # A retarget moves difficulty by at most ×4 or ×¼: a monthly input outside that is an error.
    difficulty_growth_pct_per_month: float = Field(default=0.0, ge=-75, le=300)
    fees_btc_per_block: float = Field(default=0.0, ge=0, le=100)
    block_height: int = Field(ge=0, le=10_000_000)
    # Mean seconds per block that projects the halvings from the block height (the observed
    # mean is about 592.9 s, BRIEF §12; the 600 s target puts the 2028 halving 1–3 weeks late).
    block_time_s: float = Field(default=592.9, ge=60, le=3600)
    next_halving_date: str | None = None

    _as_of = field_validator("as_of")(_check_date)
    _halving = field_validator("next_halving_date")(_check_date)


# ----------------------------------------------------------------------------- finance
class AssetClasses(Model):
    asic: LifeYears
    gpu: LifeYears
    facility: LifeYears


class ResidualPct(Model):
    asic: Pct = 0.0
    gpu: Pct = 0.0
    facility: Pct = 0.0


class BonusDepreciation(Model):
    asic: Pct = 100.0
    gpu: Pct = 100.0
    facility: Pct = 0.0


class Finance(Model):
    start_month: str
    horizon_years: int = Field(ge=1, le=30)
    discount_rate_pct_per_year: float = Field(ge=-50, le=200)
    tax_rate_pct: Pct = 21.0
    depreciation_life_years: AssetClasses = AssetClasses(asic=3, gpu=5, facility=15)
    residual_value_pct: ResidualPct = ResidualPct()
    target_irr_pct_per_year: float = Field(default=15.0, ge=-50, le=200)
    # The equity return the equity goal seek aims for (financed strategies).
    target_equity_irr_pct_per_year: float = Field(default=20.0, ge=-50, le=200)
    # What used miners fetch when sold: "hashprice" scales their value with hashprice since
    # the start (resale prices move with it), "straight_line" only ages it.
    asic_resale: Literal["hashprice_forward", "hashprice", "straight_line"] = "hashprice_forward"
    # What the assets still held at the horizon end are worth: sold at their aged value
    # ("book_value"), nothing ("none", the remaining book value written off), or the business
    # goes on ("continuing": each block's own years after the horizon, for 50 years,
    # core.engine.terminal).
    terminal_value: Literal["none", "book_value", "continuing"] = "book_value"
    # (1 + g)^k on year k after the horizon; below the discount rate (checked with the project).
    terminal_growth_pct_per_year: float = Field(default=0.0, ge=-50, le=50)
    # Losses carried forward offset at most 80 % of a year's taxable income (the US rule for
    # post-2017 losses); off: without limit, monthly (schema 3 and earlier).
    nol_80_pct_limit: bool = True
    # First-year (bonus) depreciation of each class's tax basis, the rest straight-line:
    # 100 % is available again for equipment acquired after 19 January 2025 (the 2025 budget
    # act); buildings do not qualify, so retrofits stay at 0 by default.
    bonus_depreciation_pct: BonusDepreciation = BonusDepreciation()
    # Interest deducted in a tax year at most 30 % of its EBITDA (US §163(j), EBITDA-based
    # again from 2025), the excess carried forward; off: all interest paid is deductible.
    interest_limit_30_pct: bool = True
    # Discounts the equity cash flow of a financed strategy (the project rate discounts the
    # unlevered one, and an unfinanced strategy's equity is the project).
    cost_of_equity_pct_per_year: float = Field(default=15.0, ge=-50, le=200)

    _start = field_validator("start_month")(_check_month)


# ----------------------------------------------------------------------------- strategies
class MiningBlock(Model):
    kind: Literal["mining"] = "mining"
    name: str = Field(default="Mining", max_length=200)
    asic_model: str = Field(min_length=1)
    asic_count: int = Field(ge=0, le=10_000_000)
    existing_fleet: bool = True
    asic_unit_price_usd: UnitPrice | None = None
    infrastructure_usd_per_mw: UsdPerMw = 0.0
    pue: float = Field(default=1.05, ge=1.0, le=3.0)
    pool_fee_pct: float = Field(default=2.0, ge=0, le=100)
    derate_pct_per_year: float = Field(default=0.0, ge=0, le=100)
    om_usd_per_mw_month: UsdPerMwMonth = 0.0
    start_month: MonthIndex = 0
    end_month: Annotated[int, Field(ge=1, le=360)] | None = None
    # When the fleet is retired and sold: never, the month that maximises the strategy's NPV
    # (core.engine.retirement), or that month index; never after end_month.
    retire: Literal["never", "auto"] | int = "auto"

    _retire = field_validator("retire", mode="before")(_check_retire)


class AiBlock(Model):
    kind: Literal["ai"] = "ai"
    name: str = Field(default="AI hosting", max_length=200)
    business_model: Literal["colocation", "gpu_cloud"] = "colocation"
    # colocation
    it_mw: Mw = 0.0
    colo_usd_per_kw_month: float = Field(default=0.0, ge=0, le=100_000)
    colo_escalator_pct_per_year: float = Field(default=0.0, ge=-50, le=100)
    power_passthrough: bool = True
    it_load_factor_pct: Pct = 80.0
    # The lease from go-live; None: to the horizon. After it the tenant renews with this
    # probability, at the renewal rate (None: the escalated rate runs on): revenue, load and
    # O&M continue as that expectation.
    lease_term_months: Annotated[int, Field(ge=1, le=600)] | None = None
    renewal_probability_pct: Pct = 0.0
    renewal_usd_per_kw_month: Annotated[float, Field(ge=0, le=100_000)] | None = None
    # GPU cloud
    gpu_server_model: str = "hgx_h100"
    server_count: int = Field(default=0, ge=0, le=10_000_000)
    server_unit_price_usd: UnitPrice | None = None
    gpu_hour_usd: float = Field(default=0.0, ge=0, le=10_000)
    # H100 rental fell ~25–35 % a year from its 2024 level (BRIEF §10): 30 % by default.
    gpu_price_decline_pct_per_year: float = Field(default=30.0, ge=-100, le=100)
    # At the end of the GPU depreciation life: buy new servers ("replace", at the server price
    # declined yearly), stop renting ("run_off", servers sold at their residual value), or
    # keep renting the old ones ("run_on", schema 2 and earlier).
    gpu_end_of_life: Literal["replace", "run_off", "run_on"] = "replace"
    # Yearly fall of the server price for replacements; None: as the GPU-hour price falls.
    server_price_decline_pct_per_year: Annotated[float, Field(ge=-100, le=100)] | None = None
    utilisation_pct: Pct = 70.0
    # both
    pue: float = Field(default=1.3, ge=1.0, le=3.0)
    retrofit_usd_per_mw: UsdPerMw = 0.0
    om_usd_per_mw_month: UsdPerMwMonth = 0.0
    start_month: MonthIndex = 0
    conversion_months: int = Field(default=0, ge=0, le=120)
    # How the retrofit is paid over the conversion months: an S-curve (slow, fast, slow),
    # evenly, or all in the first month (schema 3 and earlier).
    capex_draw: Literal["s_curve", "even", "upfront"] = "s_curve"


class HostingBlock(MiningBlock):
    """Third-party miners hosted on the site: a mining rack like any other (floor plan, power,
    PUE, derate and pool fee set what the client's machines draw and earn), but the machines
    are the client's (no ASIC asset, no retirement: the contract ends at ``end_month``) and the
    site earns what the hosting contract pays (core.engine.blocks.hosting)."""

    kind: Literal["hosting"] = "hosting"  # type: ignore[assignment]
    name: str = Field(default="Hosting", max_length=200)
    retire: Literal["never"] = "never"
    # "per_kwh": the client pays a rate per kWh its machines draw (the site buys the power);
    # "cost_plus": the client pays the site's power cost for its load plus a margin per kWh,
    # and a share of its mining margin.
    pricing: Literal["per_kwh", "cost_plus"] = "per_kwh"
    hosting_usd_per_kwh: float = Field(default=0.08, ge=0, le=10)
    margin_usd_per_kwh: float = Field(default=0.0, ge=0, le=10)
    profit_share_pct: Pct = 0.0
    # The site may curtail the client's machines (when running loses money for whoever pays
    # the power) and enrol them in demand response; otherwise they run every hour, firm.
    curtailable: bool = True
    # Demand-response capacity income earned on the client's machines: kept by the site or
    # passed to the client.
    dr_income: Literal["kept", "passed"] = "kept"


Block = Annotated[MiningBlock | AiBlock | HostingBlock, Field(discriminator="kind")]


class Financing(Model):
    """Debt on one strategy (core.engine.debt). Defaults follow BRIEF §11: contracted
    data-centre debt sized to a minimum DSCR of about 1.2–1.4×, construction loans of 80–85 %
    of cost, 8 % secured notes, repayment from the lease start."""

    # "ltc": a share of the capex drawn while the conversion is built; "dscr": the largest
    # debt whose scheduled debt service keeps CFADS / debt service ≥ target_dscr in every
    # repayment month (capped at the whole capex).
    sizing: Literal["ltc", "dscr"] = "ltc"
    ltc_pct: Pct = 60.0
    target_dscr: float = Field(default=1.3, ge=1.0, le=10.0)
    # Nominal: monthly interest is the month's opening balance × rate / 12 (Excel's PMT).
    rate_pct_per_year: float = Field(default=8.0, ge=0, le=50)
    upfront_fee_pct: Pct = 1.0  # of the debt, paid at the first draw
    tenor_months: int = Field(default=120, ge=1, le=360)  # from the start of repayment
    repayment: Literal["annuity", "straight_line", "sculpted"] = "annuity"
    dsra_months: int = Field(default=6, ge=0, le=36)  # of debt service, held until maturity
    cash_sweep_pct: Pct = 0.0  # of cash after debt service, repaying principal early
    # The share of the balance at the start of repayment left to refinance at the last
    # payment (a balloon): the schedule repays the rest. The tenor counts only the months the
    # blocks are expected to earn within the horizon (core.engine.loanterms.repayment_months).
    balloon_pct: float = Field(default=0.0, ge=0, le=90)


class Strategy(Model):
    name: str = Field(min_length=1, max_length=120)
    blocks: list[Block] = Field(default_factory=list, max_length=200)
    contract_probability_pct: Pct = 100.0
    fallback_strategy: str | None = None
    # The month the AI contract is signed or lost (None: the first month of the earliest AI
    # block's conversion). With a probability below 100 % nothing of the conversion is spent
    # and no fleet sold before it, and until then the strategy follows its fallback.
    contract_signing_month: int | None = Field(default=None, ge=0, le=600)
    plans: list[FloorPlan] = Field(default_factory=list, max_length=50)
    # Keep paying the site's fixed opex after every block has stopped (e.g. to hold the
    # interconnect for a later tenant); otherwise the site closes when its last block stops.
    keep_site_open: bool = False
    financing: Financing | None = None  # unlevered when None
    notes: str = Field(default="", max_length=20_000)  # free text, several lines

    def contract_at_risk(self) -> bool:
        """An AI strategy whose contract is uncertain and that names a fallback: its NPV is
        weighted by the contract probability (core.engine.evaluation), and the Monte Carlo
        draws the contract per path."""
        return (
            self.contract_probability_pct < 100
            and bool(self.fallback_strategy)
            and any(b.kind == "ai" for b in self.blocks)
        )

    def signing_month(self) -> int | None:
        """The month the contract is signed or lost, where it is at risk (None otherwise): the
        one given, else the first month of the earliest AI block's conversion."""
        if not self.contract_at_risk():
            return None
        if self.contract_signing_month is not None:
            return self.contract_signing_month
        return min(b.start_month for b in self.blocks if b.kind == "ai")


# ----------------------------------------------------------------------------- risk
# Inputs a tornado can swing (core.risk.sensitivity.scaled says what each one scales).
TORNADO_KEYS = (
    "btc_price",
    "difficulty_growth",
    "fees",
    "power_price",
    "dr_payment",
    "colo_price",
    "gpu_hour_price",
    "retrofit_cost",
    "conversion_time",
    "opex",
    "discount_rate",
    "tax_rate",
)
TornadoKey = Literal[TORNADO_KEYS]  # type: ignore[valid-type]


class TornadoInput(Model):
    """One tornado bar: the input scaled by (1 + low_pct/100) and by (1 + high_pct/100)."""

    input: TornadoKey
    low_pct: float = Field(default=-20.0, ge=-99, le=0)
    high_pct: float = Field(default=20.0, ge=0, le=1000)


DEFAULT_TORNADO = tuple(k for k in TORNADO_KEYS if k not in ("dr_payment", "tax_rate"))


class Risk(Model):
    """Sensitivity and Monte Carlo settings. Random draws apply on top of the project's own
    inputs, so a run with every spread at zero reproduces the deterministic result."""

    paths: int = Field(default=10_000, ge=100, le=200_000)
    seed: int = Field(default=2026, ge=0, le=2**32 - 1)
    btc_drift_pct_per_year: float = Field(default=0.0, ge=-90, le=500)
    btc_volatility_pct_per_year: float = Field(default=60.0, ge=0, le=300)
    difficulty_growth_sd_pct_per_month: float = Field(default=1.0, ge=0, le=20)
    power_price_sd_pct: float = Field(default=20.0, ge=0, le=200)
    gpu_decline_sd_pct_per_year: float = Field(default=5.0, ge=0, le=50)
    conversion_delay_mean_months: float = Field(default=3.0, ge=0, le=36)
    conversion_delay_max_months: int = Field(default=12, ge=0, le=60)
    payback_within_years: int = Field(default=5, ge=1, le=30)
    split_steps: int = Field(default=11, ge=3, le=41)
    split_paths: int = Field(default=2_000, ge=100, le=50_000)
    tornado: list[TornadoInput] = Field(
        default_factory=lambda: [TornadoInput(input=k) for k in DEFAULT_TORNADO], max_length=12
    )

    @field_validator("tornado")
    @classmethod
    def _one_bar_per_input(cls, value: list[TornadoInput]) -> list[TornadoInput]:
        seen: set[str] = set()
        for item in value:
            if item.input in seen:
                raise ValueError(f"each input at most once; {item.input!r} appears twice")
            seen.add(item.input)
        return value


class Project(Model):
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    name: str = Field(default="Untitled project", max_length=200)
    notes: str = Field(default="", max_length=20_000)
    site: Site
    market: Market
    finance: Finance
    strategies: list[Strategy] = Field(min_length=1, max_length=MAX_STRATEGIES)
    custom_asics: list[AsicModel] = Field(default_factory=list, max_length=200)
    custom_gpu_servers: list[GpuServerModel] = Field(default_factory=list, max_length=200)
    risk: Risk = Risk()
    # The strategy every other one is compared with (incremental KPIs); None: the first.
    baseline_strategy: str | None = None
