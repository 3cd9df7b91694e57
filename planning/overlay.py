"""Overlay reps (inside sales): a second layer of ownership over the accounts an overlay serves.

Issue 15, section 3. A rep is a field rep (the default) or an overlay rep: the reps file's
optional ``layer`` column says ``field`` or ``overlay``, and an overlay rep's ``overlay`` column
says which accounts the overlay serves, as a rule on segment and channel::

    segment=C; channel=remote        every remote C account
    segment=B,C                      every B and C account, whatever its channel
    channel=remote                   every remote account

An account's channel is the one its call plan gives its segment, or the effort plan's for its
market-share class (``planning.share_classes.apply_effort``), as the workload counts it.

**Two layers, two plans.** The accounts any overlay rep's rule selects form the overlay layer;
the field reps keep the rest. Each layer is a market of its own on the *same* planning area
(``split_layers``): the field market holds the field reps and the unselected accounts, the
overlay market the overlay reps and the selected accounts. Each layer's plan is an ordinary
``Plan`` (owner per cell, locks, integer ``Tally``), so:

- an account is in exactly one layer and has exactly one owner there (its cell's owner in that
  layer, or its pinned rep), never two: one owner array per layer;
- moving cells of one layer is a ``reassign`` on that layer's plan and never touches the other
  plan; the incremental tally of each layer stays exact (the property test moves both);
- balance, charts and exports of a layer read its plan as they read the field plan.

The overlay layer serves the union of its reps' rules: a cell's overlay owner serves every
selected account in the cell (one owner per account per layer); a rep's own rule says what the
layer covers, not which of the layer's accounts that rep may hold.

Pure: no file, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from common.errors import HexalignError
from geo.area import PlanningArea
from planning.callplan import CHANNELS, SEGMENTS, default_call_plan
from planning.mapview import UnitFacts
from planning.market import UNASSIGNED, Market, build_market
from planning.plan import Plan, reassign
from planning.share_classes import apply_effort, classify, share_settings_of

LAYER_COLUMN = "layer"
RULE_COLUMN = "overlay"


class OverlayError(HexalignError, ValueError):
    """A layer or overlay rule that cannot be used (one sentence)."""


class Layer(StrEnum):
    """The two layers of ownership."""

    FIELD = "field"
    OVERLAY = "overlay"


def layer_of(text: object) -> Layer:
    """The layer a reps-file cell names; blank is ``field``."""
    key = "" if text is None or text is pd.NA else str(text).strip().lower()
    if key in ("", "nan", "field", "territory"):
        return Layer.FIELD
    if key in ("overlay", "inside", "inside sales", "insidesales"):
        return Layer.OVERLAY
    raise OverlayError(f"layer {text!r} is not field or overlay")


@dataclass(frozen=True)
class OverlayRule:
    """Which accounts an overlay serves: segments and channels (empty = any)."""

    segments: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.segments and not self.channels:
            raise OverlayError("an overlay rule needs a segment or a channel")
        if bad := sorted(set(self.segments) - set(SEGMENTS)):
            raise OverlayError(f"overlay segment {bad[0]!r} is not one of {', '.join(SEGMENTS)}")
        if bad := sorted(set(self.channels) - set(CHANNELS)):
            raise OverlayError(f"overlay channel {bad[0]!r} is not field or remote")

    @classmethod
    def parse(cls, text: object) -> OverlayRule:
        """``segment=C; channel=remote`` -> the rule; ``OverlayError`` naming the bad part."""
        segments: set[str] = set()
        channels: set[str] = set()
        for part in str(text or "").replace("&", ";").split(";"):
            if not part.strip():
                continue
            key, sep, values = part.partition("=")
            if not sep:
                raise OverlayError(f"overlay rule part {part.strip()!r} is not key=value")
            items = [v.strip() for v in values.split(",") if v.strip()]
            key = key.strip().lower()
            if key in ("segment", "segments"):
                segments.update(v.upper() for v in items)
            elif key in ("channel", "channels"):
                channels.update(v.lower() for v in items)
            else:
                raise OverlayError(f"overlay rule key {key!r} is not segment or channel")
        return cls(frozenset(segments), frozenset(channels))

    def text(self) -> str:
        """The rule as the reps file writes it."""
        parts = []
        if self.segments:
            parts.append("segment=" + ",".join(sorted(self.segments)))
        if self.channels:
            parts.append("channel=" + ",".join(sorted(self.channels)))
        return "; ".join(parts)

    def selects(self, segment: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """Which accounts (by segment and channel arrays) the rule serves."""
        hit = np.ones(len(segment), bool)
        if self.segments:
            hit &= np.isin(segment, sorted(self.segments))
        if self.channels:
            hit &= np.isin(channel, sorted(self.channels))
        return hit


def rep_layers(reps: pd.DataFrame) -> list[Layer]:
    """Each rep's layer (``field`` without the column)."""
    if LAYER_COLUMN not in reps.columns:
        return [Layer.FIELD] * len(reps)
    return [layer_of(v) for v in reps[LAYER_COLUMN].tolist()]


def overlay_rules(reps: pd.DataFrame) -> dict[str, OverlayRule]:
    """rep_id -> rule of every overlay rep; an overlay rep without a rule is an error."""
    rules = {}
    for (_, row), layer in zip(reps.iterrows(), rep_layers(reps), strict=True):
        if layer is not Layer.OVERLAY:
            continue
        text = row.get(RULE_COLUMN)
        if text is None or text is pd.NA or not str(text).strip() or str(text) == "nan":
            raise OverlayError(
                f"overlay rep {row['rep_id']!r} needs an overlay rule, e.g. segment=C; "
                "channel=remote"
            )
        try:
            rules[str(row["rep_id"])] = OverlayRule.parse(text)
        except OverlayError as err:
            raise OverlayError(f"rep {row['rep_id']!r}: {err}") from None
    return rules


def account_channels(accounts: pd.DataFrame, call_plan: pd.DataFrame) -> np.ndarray:
    """Each account's channel as the workload counts it: call plan, then the effort plan.

    The effort plan's classes are judged per cell in a market; here per account (its own TAM
    and revenue), which is what a rule on channels can see before any market is built.
    """
    plan = call_plan.reindex(list(SEGMENTS))
    segment = accounts["segment"].astype(str).to_numpy()
    seg_pos = np.array([SEGMENTS.index(s) for s in segment], np.int64)
    field = (plan["channel"].to_numpy() == "field")[seg_pos]
    share = share_settings_of(call_plan)
    if share.effort:
        tam = np.round(accounts["tam"].to_numpy(np.float64) * 100).astype(np.int64)
        rev = np.round(accounts["revenue"].to_numpy(np.float64) * 100).astype(np.int64)
        cls = classify(tam, rev, share.thresholds)
        zeros = np.zeros(len(accounts))
        _, _, field = apply_effort(share.effort, cls, seg_pos, zeros, zeros, field)
    return np.where(field, "field", "remote")


def overlay_selection(
    accounts: pd.DataFrame, call_plan: pd.DataFrame, rules: Iterable[OverlayRule]
) -> np.ndarray:
    """Which accounts the overlay layer serves: the union of the rules."""
    segment = accounts["segment"].astype(str).to_numpy()
    channel = account_channels(accounts, call_plan)
    out = np.zeros(len(accounts), bool)
    for rule in rules:
        out |= rule.selects(segment, channel)
    return out


def layer_inputs(
    accounts: pd.DataFrame, reps: pd.DataFrame, call_plan: pd.DataFrame, which: Layer
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accounts and reps of one layer (a team without overlay reps: all of them, as given).

    Accounts whose last owner is in the other layer lose that owner (and their pin) here.
    """
    is_overlay = np.array([la is Layer.OVERLAY for la in rep_layers(reps)], bool)
    if not is_overlay.any():
        if which is Layer.OVERLAY:
            raise OverlayError("this team has no overlay reps")
        return accounts, reps
    if is_overlay.all():
        raise OverlayError("every rep is an overlay rep; the field layer needs at least one")
    selected = overlay_selection(accounts, call_plan, overlay_rules(reps).values())
    mine = selected if which is Layer.OVERLAY else ~selected
    layer_reps = reps.loc[is_overlay if which is Layer.OVERLAY else ~is_overlay]
    layer_reps = layer_reps.reset_index(drop=True)
    return own_layer(accounts.loc[mine], layer_reps), layer_reps


def has_overlay(reps: pd.DataFrame) -> bool:
    """Whether the team has an overlay rep."""
    return any(la is Layer.OVERLAY for la in rep_layers(reps))


@dataclass(frozen=True, eq=False)
class Layers:
    """The two markets of a two-layer team, on one planning area."""

    field: Market
    overlay: Market | None
    """None when the team has no overlay rep."""
    selected: np.ndarray
    """Per input account: served by the overlay layer."""


def split_layers(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    call_plan: pd.DataFrame | None = None,
    area: PlanningArea | None = None,
    **market_args: object,
) -> Layers:
    """The field market (field reps, the other accounts) and the overlay market, same area.

    Accounts whose last owner is in the other layer lose that owner (and their pin) in their
    layer: an owner is always a rep of the account's own layer.
    """
    call_plan = default_call_plan() if call_plan is None else call_plan
    args: dict = dict(market_args)
    f_accounts, f_reps = layer_inputs(accounts, reps, call_plan, Layer.FIELD)
    field = build_market(f_accounts, f_reps, call_plan, area=area, **args)
    if not has_overlay(reps):
        return Layers(field, None, np.zeros(len(accounts), bool))
    selected = overlay_selection(accounts, call_plan, overlay_rules(reps).values())
    o_accounts, o_reps = layer_inputs(accounts, reps, call_plan, Layer.OVERLAY)
    overlay = build_market(o_accounts, o_reps, call_plan, area=field.area, **args)
    return Layers(field, overlay, selected)


def own_layer(accounts: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Accounts of one layer, owners outside the layer's reps cleared (pins too)."""
    out = accounts.reset_index(drop=True).copy()
    if "rep_id" not in out.columns:
        return out
    known = set(reps["rep_id"].astype(str))
    owner = out["rep_id"].astype("string")
    gone = (owner.notna() & ~owner.isin(known)).to_numpy(bool)
    out["rep_id"] = owner.mask(gone)
    if "pinned" in out.columns:
        out["pinned"] = out["pinned"].fillna(False).astype(bool) & ~gone
    return out


@dataclass(frozen=True, eq=False)
class TwoLayerPlan:
    """The field plan and the overlay plan of one scenario (same cells, separate owners)."""

    field: Plan
    overlay: Plan | None

    def layer(self, which: Layer) -> Plan:
        """The plan of one layer; ``OverlayError`` when asked for a missing overlay."""
        if which is Layer.FIELD:
            return self.field
        if self.overlay is None:
            raise OverlayError("this team has no overlay reps")
        return self.overlay

    def moved(self, which: Layer, cells: np.ndarray, rep: int) -> TwoLayerPlan:
        """``cells`` of layer ``which`` to ``rep`` (a position in that layer's reps).

        The other layer's plan is the very same object afterwards: a move never touches it.
        """
        plan = reassign(self.layer(which), cells, rep)
        if which is Layer.FIELD:
            return TwoLayerPlan(plan, self.overlay)
        return TwoLayerPlan(self.field, plan)


def account_owners(layers: Layers, plans: TwoLayerPlan, n_accounts: int) -> pd.DataFrame:
    """Per input account (input order): its layer and its one owner there (rep_id or "")."""
    out_layer = np.where(layers.selected, Layer.OVERLAY.value, Layer.FIELD.value)
    owner = np.full(n_accounts, "", dtype=object)
    for which, mask in ((Layer.FIELD, ~layers.selected), (Layer.OVERLAY, layers.selected)):
        if not mask.any():
            continue
        plan = plans.layer(which)
        pos = plan.account_owner()
        ids = np.append(np.asarray(plan.market.rep_ids, dtype=object), "")
        owner[np.flatnonzero(mask)] = ids[np.where(pos >= 0, pos, len(ids) - 1)]
    return pd.DataFrame({"layer": out_layer, "rep_id": owner})


def empty_owner(market: Market) -> np.ndarray:
    """Every cell unassigned: where an overlay layer starts before anyone draws it."""
    return np.full(market.n_cells, UNASSIGNED, np.int64)


def field_rep_ids(reps: pd.DataFrame) -> list[str]:
    """The field layer's rep ids in rep order: the positions a scenario's owners refer to."""
    return [str(r) for r, la in zip(reps["rep_id"], rep_layers(reps), strict=True)
            if la is Layer.FIELD]  # fmt: skip


def blank_without_accounts(facts: UnitFacts) -> UnitFacts:
    """Map units of the overlay layer without an overlay account drawn as unowned (grey).

    The overlay plan fills empty cells with a neighbour's owner (as every baseline does) so a
    lasso's cells are areas; on the map only the cells the overlay serves carry its colour.
    """
    served = facts.accounts > 0
    groups = {k: np.where(served, v, -1) for k, v in facts.groups.items()}
    return replace(facts, owner=np.where(served, facts.owner, -1), groups=groups)
