"""Every finance number in one place, with its unit in its name.

:class:`Assumptions` is built in Python or loaded from TOML with
:func:`load_assumptions`. Unknown keys are errors, never ignored, and values that
look like the wrong unit (a discount rate of 8 meant as 8 %) are rejected with a
message that says what was probably meant.

TOML rules: the file is UTF-8 (a byte-order mark is accepted); every top-level key
comes before the first ``[table]`` header, because TOML puts each key written after
``[cost_per_contact]`` inside that table, so a ``horizon_months`` found inside a table
is an error that says so; keys of ``[cost_per_contact]`` and ``[excellent_nps]`` must
be channels of the data (:meth:`Assumptions.check_channels`, case-sensitive).
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.parameters import check_n_bootstrap
from cx_economics.core.results import Result
from cx_economics.data.plausibility import fraction_hint

__all__ = ["Assumptions", "load_assumptions"]


def _frozen(name: str, mapping: Mapping[str, float] | None) -> Mapping[str, float]:
    if mapping is not None and not isinstance(mapping, Mapping):
        raise CxDataError(f"`{name}` must be a table of name = number, got {mapping!r}")
    out = {}
    for key, value in (mapping or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CxDataError(f"`{name}.{key}` must be a number, got {value!r}")
        out[str(key)] = float(value)
    return MappingProxyType(out)


@dataclass(frozen=True)
class Assumptions(Result):
    """Finance inputs, with units.

    Parameters
    ----------
    currency : str, default "EUR"
        ISO code of every money amount.
    annual_discount_rate : float, default 0.08
        Yearly rate as a fraction (0.08 is 8 %); converted to a monthly rate
        ``(1 + r) ** (1 / 12) - 1``.
    horizon_months : int, default 60
        How far lifetime values look ahead, in months.
    margin_rate : float, default 0.30
        Share of revenue kept as contribution margin (fraction 0–1), used with the
        customers' ``monthly_revenue`` or with ``monthly_revenue`` below.
    monthly_revenue : float, optional
        Average revenue per customer per month (currency), when the data carry none.
    monthly_margin_by_band : mapping, optional
        Margin per customer per month (currency) by band name, overriding the
        revenue-based margin (e.g. ``{"detractor": 10.0, "passive": 12.0,
        "promoter": 14.0}``).
    cost_per_contact : mapping, optional
        Cost of one contact (currency) by channel.
    excellent_nps : mapping, optional
        The NPS (−100..100) counted as excellent, by channel; channels absent here
        use the derived level (best quartile of teams).
    referral_value_per_promoter : float, default 0.0
        Extra value (currency, once) a promoter brings through referrals.
    cx_budget_per_year : float, optional
        Yearly CX budget on top of today's channel costs (currency per year) that the
        report splits across channels by value (:func:`~cx_economics.allocate_budget`);
        by default the report splits what the naive "+25 %" targets would cost.
    confidence_level : float, default 0.95
        Nominal coverage of every interval.
    n_bootstrap : int, default 1000
        Bootstrap replicates for intervals on money: a whole number from 50 to
        100,000 (:func:`~cx_economics.core.parameters.check_n_bootstrap`).

    Examples
    --------
    >>> a = Assumptions(currency="USD", annual_discount_rate=0.10, horizon_months=36,
    ...                 cost_per_contact={"phone": 6.5, "chat": 2.0})
    >>> round(a.monthly_discount_rate, 6)  # 1.10 ** (1 / 12) - 1, per month
    0.007974
    >>> table = a.to_frame().set_index("assumption")  # the report's appendix
    >>> table.loc["cost_per_contact.phone"].tolist(), table.loc["horizon_months"].tolist()
    ([6.5, 'USD per contact'], [36, 'months'])

    A value in the wrong unit is rejected with what was probably meant:

    >>> Assumptions(margin_rate=30)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `margin_rate` must be a fraction in (0, 1],
    got 30 (did you mean 0.3?)
    """

    currency: str = "EUR"
    annual_discount_rate: float = 0.08
    horizon_months: int = 60
    margin_rate: float = 0.30
    monthly_revenue: float | None = None
    monthly_margin_by_band: Mapping[str, float] = field(default_factory=dict)
    cost_per_contact: Mapping[str, float] = field(default_factory=dict)
    excellent_nps: Mapping[str, float] = field(default_factory=dict)
    referral_value_per_promoter: float = 0.0
    cx_budget_per_year: float | None = None
    confidence_level: float = 0.95
    n_bootstrap: int = 1000

    _title = "Assumptions"

    def __post_init__(self) -> None:
        for name in ("monthly_margin_by_band", "cost_per_contact", "excellent_nps"):
            object.__setattr__(self, name, _frozen(name, getattr(self, name)))
        self._check_types()
        self._check_rates()
        self._check_amounts()

    def _check_types(self) -> None:
        numbers = (
            "annual_discount_rate",
            "margin_rate",
            "referral_value_per_promoter",
            "confidence_level",
        )
        for name in (*numbers, "monthly_revenue", "cx_budget_per_year"):
            value = getattr(self, name)
            if name in ("monthly_revenue", "cx_budget_per_year") and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CxDataError(f"`{name}` must be a number, got {value!r}")
        value = self.horizon_months
        if isinstance(value, bool) or not isinstance(value, int):
            raise CxDataError(f"`horizon_months` must be a whole number, got {value!r}")
        object.__setattr__(self, "n_bootstrap", check_n_bootstrap(self.n_bootstrap))

    def _check_rates(self) -> None:
        r = self.annual_discount_rate
        if not math.isfinite(r) or r < 0 or r >= 1:
            hint = f" (did you mean {r / 100:g}?)" if 1 <= r <= 100 else ""
            raise CxDataError(f"`annual_discount_rate` must be a fraction in [0, 1), got {r}{hint}")
        if not 0 < self.margin_rate <= 1:
            hint = fraction_hint(self.margin_rate, "the revenue itself")
            raise CxDataError(
                f"`margin_rate` must be a fraction in (0, 1], got {self.margin_rate}{hint}"
            )
        if not 0.5 <= self.confidence_level < 1:
            raise CxDataError(
                f"`confidence_level` must be in [0.5, 1), got {self.confidence_level}"
            )
        if isinstance(self.horizon_months, bool) or not isinstance(self.horizon_months, int):
            raise CxDataError(f"`horizon_months` must be an integer, got {self.horizon_months!r}")
        if not 1 <= self.horizon_months <= 1200:
            raise CxDataError(f"`horizon_months` must be 1–1200 months, got {self.horizon_months}")

    def _check_amounts(self) -> None:
        amounts: dict[str, float] = {
            "referral_value_per_promoter": self.referral_value_per_promoter
        }
        if self.monthly_revenue is not None:
            amounts["monthly_revenue"] = self.monthly_revenue
        if self.cx_budget_per_year is not None:
            amounts["cx_budget_per_year"] = self.cx_budget_per_year
        amounts.update(
            {f"monthly_margin_by_band.{k}": v for k, v in self.monthly_margin_by_band.items()}
        )
        amounts.update({f"cost_per_contact.{k}": v for k, v in self.cost_per_contact.items()})
        for key, value in amounts.items():
            if not math.isfinite(value) or value < 0:
                raise CxDataError(
                    f"`{key}` must be a finite amount ≥ 0 ({self.currency}), got {value}"
                )
        unknown = set(self.monthly_margin_by_band) - {"detractor", "passive", "promoter", "unrated"}
        if unknown:
            raise CxDataError(
                f"`monthly_margin_by_band` has unknown band(s) {sorted(unknown)}; "
                "use detractor, passive, promoter (and optionally unrated)"
            )
        for ch, level in self.excellent_nps.items():
            if not -100 <= level <= 100:
                raise CxDataError(f"`excellent_nps.{ch}` must be an NPS in −100..100, got {level}")

    def check_channels(self, channels: Iterable[str], *, where: str = "the data") -> None:
        """Refuse ``cost_per_contact`` / ``excellent_nps`` keys that are not channels.

        A key that names no channel would be silently ignored (that channel then has
        no cost, or the derived excellence level), so it is an error; a key that
        differs from a channel only in case or spaces (``Branch`` for ``branch``) says
        which channel was probably meant. Called by the report once the data's
        channels are known.

        Parameters
        ----------
        channels : iterable of str
            The channels present in the data (customers, responses, contacts, costs).
        where : str, default "the data"
            What the channels came from, for the message.

        Raises
        ------
        CxDataError
            Naming the table, each unknown key and the likely mistake.

        Examples
        --------
        >>> a = Assumptions(cost_per_contact={"phone": 6.5, "Branch": 9.0, "fax": 1.0})
        >>> a.check_channels(["branch", "phone", "web"])  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        cx_economics.core.exceptions.CxDataError: `cost_per_contact` has key(s) that are not
        channels of the data ('branch', 'phone', 'web'): 'Branch' (did you mean 'branch'?
        channel names are case-sensitive), 'fax' (no such channel); a key that is not a
        channel would be ignored: fix its spelling or remove it
        """
        known = tuple(sorted({str(c) for c in channels}))
        folded: dict[str, list[str]] = {}
        for name in known:
            folded.setdefault(name.strip().casefold(), []).append(name)
        for table in ("cost_per_contact", "excellent_nps"):
            mapping: Mapping[str, float] = getattr(self, table)
            unknown = [k for k in mapping if k not in known]
            if not unknown:
                continue
            described = []
            for key in unknown:
                near = folded.get(key.strip().casefold())
                if near:
                    described.append(
                        f"{key!r} (did you mean {near[0]!r}? channel names are case-sensitive)"
                    )
                else:
                    described.append(f"{key!r} (no such channel)")
            raise CxDataError(
                f"`{table}` has key(s) that are not channels of {where} "
                f"({', '.join(repr(c) for c in known)}): {', '.join(described)}; a key that "
                "is not a channel would be ignored: fix its spelling or remove it"
            )

    @property
    def monthly_discount_rate(self) -> float:
        """Monthly rate equivalent to ``annual_discount_rate`` (fraction per month)."""
        return float((1.0 + self.annual_discount_rate) ** (1.0 / 12.0) - 1.0)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per assumption: name, value, unit — the report's appendix."""
        units = {
            "currency": "",
            "annual_discount_rate": "fraction per year",
            "horizon_months": "months",
            "margin_rate": "fraction of revenue",
            "monthly_revenue": f"{self.currency} per customer per month",
            "referral_value_per_promoter": f"{self.currency} per promoter",
            "cx_budget_per_year": f"{self.currency} per year",
            "confidence_level": "fraction",
            "n_bootstrap": "replicates",
        }
        rows: list[dict[str, Any]] = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                unit = {
                    "monthly_margin_by_band": f"{self.currency} per customer per month",
                    "cost_per_contact": f"{self.currency} per contact",
                    "excellent_nps": "NPS points",
                }[f.name]
                rows.extend(
                    {"assumption": f"{f.name}.{k}", "value": v, "unit": unit}
                    for k, v in value.items()
                )
            else:
                rows.append({"assumption": f.name, "value": value, "unit": units[f.name]})
        return pd.DataFrame(rows)


def load_assumptions(source: str | Path | Mapping[str, Any]) -> Assumptions:
    """Load :class:`Assumptions` from a TOML file (or an already-parsed mapping).

    Parameters
    ----------
    source : path or mapping
        A TOML file whose top-level keys are the field names of
        :class:`Assumptions`; tables (``[cost_per_contact]``) give the mappings.

    Returns
    -------
    Assumptions

    Raises
    ------
    CxDataError
        The file is missing or not TOML, a key is unknown, or a value is out of range.

    Examples
    --------
    >>> a = load_assumptions({"annual_discount_rate": 0.1, "cost_per_contact": {"phone": 6.5}})
    >>> a.cost_per_contact["phone"]
    6.5
    """
    if isinstance(source, Mapping):
        data: Mapping[str, Any] = source
        where = "assumptions"
    elif isinstance(source, str | Path):
        where = str(source)
        data = _read_toml(Path(source))
    else:
        raise CxDataError(
            "`source` must be the path of a TOML file or a mapping of assumptions, "
            f"got {type(source).__name__} {source!r}"
        )
    known = {f.name for f in dataclasses.fields(Assumptions)}
    _check_table_scoping(data, where, known, from_file=not isinstance(source, Mapping))
    unknown = sorted(set(data) - known)
    if unknown:
        raise CxDataError(
            f"{where}: unknown key(s) {unknown}; known keys are {sorted(known)} "
            "(units are part of the names, e.g. `annual_discount_rate`, `horizon_months`)"
        )
    try:
        return Assumptions(**data)
    except TypeError as exc:
        raise CxDataError(f"{where}: {exc}") from None


#: The fields written as TOML tables (``[cost_per_contact]``): name = number inside.
TABLE_KEYS = ("monthly_margin_by_band", "cost_per_contact", "excellent_nps")


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file: UTF-8, with or without a byte-order mark."""
    where = str(path)
    if path.is_dir():
        raise CxDataError(f"assumptions file {where} is a folder; give the path of a .toml file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CxDataError(f"assumptions file {where} does not exist") from None
    except OSError as exc:
        raise CxDataError(f"assumptions file {where} cannot be read: {exc.strerror}") from None
    try:
        # Notepad and Excel may start UTF-8 files with a byte-order mark: harmless, skipped.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise CxDataError(
            f"assumptions file {where} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at "
            f"byte position {exc.start} (line {line}, column {column}) is not valid UTF-8 "
            "(it was probably saved as Windows-1252 or Latin-1); save the file again with "
            "the encoding UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CxDataError(f"assumptions file {where} is not valid TOML: {exc}") from None


def _check_table_scoping(
    data: Mapping[str, Any], where: str, known: set[str], *, from_file: bool
) -> None:
    """Refuse a top-level key that landed inside a table (written after its header)."""
    for table in TABLE_KEYS:
        inside = data.get(table)
        if not isinstance(inside, Mapping):
            continue
        misplaced = [str(k) for k in inside if k in known]
        if not misplaced:
            continue
        keys = ", ".join(f"`{k}`" for k in misplaced)
        verb = "is" if len(misplaced) == 1 else "are"
        fix = (
            "top-level keys must come before the first [table] header: "
            f"move {'it' if len(misplaced) == 1 else 'them'} above [{table}]"
            if from_file
            else f"give {'it' if len(misplaced) == 1 else 'them'} at the top level"
        )
        raise CxDataError(
            f"{where}: {keys} {verb} inside [{table}], so {'it' if verb == 'is' else 'they'} "
            f"would be read as a channel or band of `{table}` and ignored; {fix}"
        )
