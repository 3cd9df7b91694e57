"""Market-share classes of the ground, and the effort plan that serves each class its own way.

Market share = revenue / TAM. A cell (and, summed, a territory or a region) falls in one of four
classes by two thresholds that a data set keeps (issue 14, section 1):

- **stronghold**: share >= the stronghold threshold (60% unless edited);
- **base**: share >= the base threshold (40%) and below the stronghold one;
- **contested**: revenue > 0 and share below the base threshold;
- **frontier**: TAM > 0 and no revenue.

Ground with TAM 0 has no share. Revenue there (revenue without a recorded potential) is counted as
**stronghold**: we sell there and know of no potential left. With no revenue either, the ground is
**none** (no TAM): it has no class, and the effort plan leaves it on the default call plan.

The comparison is exact: thresholds are whole basis points and money whole cents, so
``revenue * 10000 >= threshold_bp * tam`` is decided on integers (60.00% of 1,000.00 is a
stronghold at 600.00, a base at 599.99).

**The effort plan** lists, per (class, segment), the visits per year, minutes per visit and
channel that replace the call plan's for the accounts of that class. A data set keeps thresholds
and effort plan in its call plan's ``share_classes`` column (JSON, the same text on every row),
as it keeps its travel settings and planning area there: they change workload, so they enter the
data set's fingerprint, a changed one is a new data set, and a cached market can never go stale.
A call plan with default thresholds and no effort plan has no such column, so existing data sets
keep their fingerprints. Classes depend on revenue and TAM only, never on owners: moving cells
changes who carries a class's workload, not the class.

Pure: no file, no database; it does not import ``planning.market``, which uses it while building
a market.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd

from common.errors import HexalignError
from planning.callplan import CHANNELS as CHANNEL_NAMES
from planning.callplan import SEGMENTS as SEGMENT_NAMES

SHARE_COLUMN = "share_classes"


class ShareClass(IntEnum):
    """A class of ground by market share; the value is its code in arrays and on the map."""

    STRONGHOLD = 0
    BASE = 1
    CONTESTED = 2
    FRONTIER = 3
    NONE = 4

    @property
    def key(self) -> str:
        """The lower-case name used in files, column names and the effort plan."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """How the class reads on screen."""
        return CLASS_LABELS[self]


CLASSES: tuple[ShareClass, ...] = tuple(ShareClass)
PLANNED_CLASSES: tuple[ShareClass, ...] = CLASSES[:4]
"""The four classes an effort plan can address (``none`` stays on the default call plan)."""
CLASS_LABELS = {
    ShareClass.STRONGHOLD: "Stronghold",
    ShareClass.BASE: "Base",
    ShareClass.CONTESTED: "Contested",
    ShareClass.FRONTIER: "Frontier",
    ShareClass.NONE: "No TAM",
}
CLASS_COLOURS = {
    ShareClass.STRONGHOLD: "#0072B2",
    ShareClass.BASE: "#56B4E9",
    ShareClass.CONTESTED: "#E69F00",
    ShareClass.FRONTIER: "#CC79A7",
    ShareClass.NONE: "#D9D9D9",
}
"""Okabe-Ito colours, told apart by colour-blind eyes; the legend and hover name them too."""


class ShareError(HexalignError, ValueError):
    """Thresholds or an effort plan that cannot be used as given (one sentence)."""


def class_of_key(key: str) -> ShareClass:
    """The class a name stands for (``stronghold``, ``Base`` ...); ``ShareError`` otherwise."""
    text = str(key).strip().lower()
    for c in CLASSES:
        if text in (c.key, c.label.lower()):
            return c
    raise ShareError(f"unknown class {key!r}; choose one of {', '.join(c.key for c in CLASSES)}")


@dataclass(frozen=True)
class Thresholds:
    """Share thresholds in percent: stronghold from ``stronghold`` up, base from ``base`` up.

    Kept to two decimals (whole basis points) so that a share exactly at a threshold is decided
    exactly.
    """

    stronghold: float = 60.0
    base: float = 40.0

    def __post_init__(self) -> None:
        for name in ("stronghold", "base"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v):
                raise ShareError(f"the {name} threshold must be a number, got {v!r}")
        if not 0 < self.base <= self.stronghold:
            raise ShareError(
                f"thresholds must satisfy 0 < base <= stronghold, got base {self.base:g}% and "
                f"stronghold {self.stronghold:g}%"
            )

    @property
    def basis_points(self) -> tuple[int, int]:
        """(stronghold, base) in whole basis points (60% = 6000)."""
        return round(self.stronghold * 100), round(self.base * 100)


def classify(tam: np.ndarray, revenue: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """The class code (int8) of each (TAM, revenue) pair, both in whole cents.

    >>> classify(np.array([1000, 1000, 1000, 1000, 0, 0]), np.array([600, 599, 1, 0, 5, 0]),
    ...          Thresholds()).tolist()
    [0, 1, 2, 3, 0, 4]
    """
    tam = np.asarray(tam, dtype=np.int64)
    revenue = np.maximum(np.asarray(revenue, dtype=np.int64), 0)
    strong_bp, base_bp = thresholds.basis_points
    scaled = revenue * 10_000
    out = np.full(tam.shape, int(ShareClass.NONE), np.int8)
    has_tam = tam > 0
    out[has_tam & (revenue == 0)] = ShareClass.FRONTIER
    out[(revenue > 0)] = ShareClass.CONTESTED
    out[(revenue > 0) & (scaled >= base_bp * tam)] = ShareClass.BASE
    out[(revenue > 0) & (scaled >= strong_bp * tam)] = ShareClass.STRONGHOLD
    return out


def share_of(tam: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Revenue / TAM, NaN where TAM is 0 (any unit, as long as both are the same)."""
    tam = np.asarray(tam, dtype=np.float64)
    revenue = np.asarray(revenue, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tam > 0, revenue / np.where(tam > 0, tam, 1.0), np.nan)


@dataclass(frozen=True)
class EffortRule:
    """How the accounts of one segment in one class are served: it replaces the call plan's row."""

    share_class: ShareClass
    segment: str
    visits_per_year: float
    minutes_per_visit: float
    channel: str

    def __post_init__(self) -> None:
        where = f"effort plan {self.share_class.key} {self.segment}"
        if self.share_class not in PLANNED_CLASSES:
            raise ShareError(f"{where}: ground with no TAM has no effort plan")
        if self.segment not in SEGMENT_NAMES:
            raise ShareError(f"{where}: segment must be one of {', '.join(SEGMENT_NAMES)}")
        for name in ("visits_per_year", "minutes_per_visit"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v) or v < 0:
                raise ShareError(f"{where}: {name.replace('_', ' ')} must be a number >= 0")
        if self.channel not in CHANNEL_NAMES:
            raise ShareError(f"{where}: channel must be field or remote, got {self.channel!r}")

    def as_json(self) -> dict[str, object]:
        """The rule as the stored JSON holds it."""
        return {"class": self.share_class.key, "segment": self.segment,
                "visits_per_year": float(self.visits_per_year),
                "minutes_per_visit": float(self.minutes_per_visit),
                "channel": self.channel}  # fmt: skip


@dataclass(frozen=True)
class ShareSettings:
    """What a data set keeps about market-share classes: thresholds and the effort plan."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    effort: tuple[EffortRule, ...] = ()

    def __post_init__(self) -> None:
        keys = [(r.share_class, r.segment) for r in self.effort]
        if len(set(keys)) != len(keys):
            raise ShareError("the effort plan names a class and segment twice")
        ordered = tuple(sorted(self.effort, key=lambda r: (int(r.share_class), r.segment)))
        object.__setattr__(self, "effort", ordered)

    @property
    def is_default(self) -> bool:
        """Default thresholds and no effort plan (nothing to store)."""
        return self.thresholds == Thresholds() and not self.effort

    def rule(self, share_class: ShareClass, segment: str) -> EffortRule | None:
        """The rule for one class and segment, if the effort plan has one."""
        for r in self.effort:
            if r.share_class == share_class and r.segment == segment:
                return r
        return None

    def to_json(self) -> str:
        """The stored text (sorted keys: equal settings, equal text, equal fingerprint)."""
        return json.dumps(
            {"stronghold_pct": float(self.thresholds.stronghold),
             "base_pct": float(self.thresholds.base),
             "effort": [r.as_json() for r in self.effort]},
            sort_keys=True,
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> ShareSettings:
        """Settings from the stored text (or a file holding it); ``ShareError`` when unusable."""
        try:
            raw = json.loads(text)
        except (TypeError, ValueError) as err:
            raise ShareError(f"the class settings are not JSON: {err}") from None
        if not isinstance(raw, dict):
            raise ShareError("the class settings must be a JSON object")
        thresholds = Thresholds(
            _as_float(raw.get("stronghold_pct", 60.0), "stronghold threshold"),
            _as_float(raw.get("base_pct", 40.0), "base threshold"),
        )
        rules = []
        for item in raw.get("effort") or []:
            if not isinstance(item, dict):
                raise ShareError("each effort plan rule must be a JSON object")
            rules.append(
                EffortRule(
                    class_of_key(str(item.get("class", ""))),
                    str(item.get("segment", "")),
                    _as_float(item.get("visits_per_year"), "visits per year"),
                    _as_float(item.get("minutes_per_visit"), "minutes per visit"),
                    str(item.get("channel", "")),
                )
            )
        return cls(thresholds, tuple(rules))


def _as_float(value: object, label: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ShareError(f"{label} must be a number, got {value!r}") from None


def share_settings_of(call_plan: pd.DataFrame | None) -> ShareSettings:
    """The class settings stored with a call plan; the defaults when it has none."""
    if call_plan is None or call_plan.empty or SHARE_COLUMN not in call_plan.columns:
        return ShareSettings()
    text = call_plan[SHARE_COLUMN].iloc[0]
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return ShareSettings()
    return ShareSettings.from_json(str(text))


def call_plan_with_share(call_plan: pd.DataFrame, settings: ShareSettings) -> pd.DataFrame:
    """The call plan holding ``settings`` (no column at all for the defaults)."""
    plan = call_plan.drop(columns=[SHARE_COLUMN], errors="ignore")
    if not settings.is_default:
        plan[SHARE_COLUMN] = settings.to_json()
    return plan


def carry_share(call_plan: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """``call_plan`` with the class settings of ``source`` (an edited call plan keeps them)."""
    return call_plan_with_share(call_plan, share_settings_of(source))


def apply_effort(
    rules: Iterable[EffortRule],
    account_class: np.ndarray,
    segment_pos: np.ndarray,
    visits: np.ndarray,
    minutes: np.ndarray,
    field_channel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-account visits, minutes and field flag with the effort plan's rules applied.

    ``segment_pos`` is each account's position in ``SEGMENT_NAMES``; accounts that no rule
    names keep the values given (the call plan's for their segment).
    """
    visits, minutes, field_channel = visits.copy(), minutes.copy(), field_channel.copy()
    for rule in rules:
        hit = (account_class == int(rule.share_class)) & (
            segment_pos == SEGMENT_NAMES.index(rule.segment)
        )
        visits[hit] = rule.visits_per_year
        minutes[hit] = rule.minutes_per_visit
        field_channel[hit] = rule.channel == "field"
    return visits, minutes, field_channel


def group_cents(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer sums of ``values`` per group ``index`` (0..size-1)."""
    out = np.zeros(size, np.int64)
    np.add.at(out, np.asarray(index, dtype=np.int64), np.asarray(values, dtype=np.int64))
    return out


# --- values typed in the editor ----------------------------------------------------------


def thresholds_from_values(stronghold: object, base: object) -> Thresholds:
    """Thresholds from two typed percentages; ``ShareError`` (one sentence) when unusable."""
    return Thresholds(_as_float(stronghold, "stronghold threshold"),
                      _as_float(base, "base threshold"))  # fmt: skip


def effort_from_values(
    values: Mapping[tuple[str, str], Mapping[str, object]], call_plan: pd.DataFrame
) -> tuple[EffortRule, ...]:
    """Rules from the editor's grid, (class key, segment) -> field -> value.

    A row left blank (no visits typed) or equal to the call plan's row for its segment is no
    rule: the call plan serves it.
    """
    plan = call_plan.reindex(list(SEGMENT_NAMES))
    rules = []
    for (class_key, segment), given in sorted(values.items()):
        visits, minutes = given.get("visits_per_year"), given.get("minutes_per_visit")
        channel = given.get("channel")
        if visits in (None, "") and minutes in (None, ""):
            continue
        default = plan.loc[segment]
        label = f"{class_of_key(class_key).label} {segment}"
        v = _as_float(visits if visits not in (None, "") else default["visits_per_year"],
                      f"{label} visits/year")  # fmt: skip
        m = _as_float(minutes if minutes not in (None, "") else default["minutes_per_visit"],
                      f"{label} minutes/visit")  # fmt: skip
        ch = str(channel or default["channel"])
        rule = EffortRule(class_of_key(class_key), segment, v, m, ch)
        same = (
            np.isclose(v, float(default["visits_per_year"]))
            and np.isclose(m, float(default["minutes_per_visit"]))
            and ch == str(default["channel"])
        )
        if not same:
            rules.append(rule)
    return tuple(rules)


def settings_changes(old: ShareSettings, new: ShareSettings) -> list[str]:
    """What an edit of the class settings changes, in words."""
    out = []
    for name in ("stronghold", "base"):
        a, b = getattr(old.thresholds, name), getattr(new.thresholds, name)
        if not np.isclose(a, b):
            out.append(f"{name} threshold {a:g}% → {b:g}%")
    for c in PLANNED_CLASSES:
        for s in SEGMENT_NAMES:
            a_rule, b_rule = old.rule(c, s), new.rule(c, s)
            if a_rule != b_rule:
                out.append(f"{c.label} {s}: {_rule_text(a_rule)} → {_rule_text(b_rule)}")
    return out


def _rule_text(rule: EffortRule | None) -> str:
    if rule is None:
        return "call plan"
    return f"{rule.visits_per_year:g}×{rule.minutes_per_visit:g} min {rule.channel}"


def rule_rows(settings: ShareSettings, call_plan: pd.DataFrame) -> Sequence[dict[str, object]]:
    """One row per (class, segment): the values in force (the rule's, else the call plan's)."""
    plan = call_plan.reindex(list(SEGMENT_NAMES))
    rows: list[dict[str, object]] = []
    for c in PLANNED_CLASSES:
        for s in SEGMENT_NAMES:
            rule = settings.rule(c, s)
            rows.append({
                "class": c.key, "segment": s, "overridden": rule is not None,
                "visits_per_year": float(rule.visits_per_year if rule
                                         else plan.loc[s, "visits_per_year"]),
                "minutes_per_visit": float(rule.minutes_per_visit if rule
                                           else plan.loc[s, "minutes_per_visit"]),
                "channel": rule.channel if rule else str(plan.loc[s, "channel"]),
            })  # fmt: skip
    return rows
