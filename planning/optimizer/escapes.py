"""Ways out of a local optimum that is still off target: swaps and a random shake.

Mixed into the search (``planning.optimizer.search``), whose state they use:
the instance and settings, the generator, which units may move, capacity.
"""

from __future__ import annotations

import numpy as np

from planning.optimizer import score
from planning.optimizer.constraints import removal_keeps_connected
from planning.optimizer.instance import Instance
from planning.optimizer.moves import Candidates, boundary_candidates, excess_squared, shift
from planning.optimizer.settings import Settings
from planning.optimizer.shape import corridor_pairs_near, move_creates_corridor

SWAP_SAMPLE = 96
"""Units per side of a border that a swap round scores against each other."""


class EscapeMoves:
    """Swaps and shakes for ``_Search``; see there for the attributes they read."""

    # state set by ``_Search.__init__``, declared here for the type checker
    instance: Instance
    settings: Settings
    rng: np.random.Generator
    contiguity: bool
    movable: np.ndarray
    bal_cols: np.ndarray
    bal_weights: np.ndarray
    cap_col: int
    ceiling: np.ndarray
    rebalance: bool
    weight_total: float
    moves: int
    shapes: bool
    shape_sets: list[set[int]]
    shape_active: bool

    def _check(self) -> None: ...

    def _swaps(self, owner: np.ndarray, load: np.ndarray, target: np.ndarray) -> int:
        """Exchange one unit each way between an off-target rep and a neighbour.

        When no single move helps (typically two measures pulling opposite
        ways: a rep short of workload but long on TAM), giving a TAM-heavy unit
        and taking a workload-heavy one can. Per rep pair, up to
        ``SWAP_SAMPLE`` units a side are scored in every combination,
        vectorised, and the best swap that keeps every hard rule is made.
        """
        inst, settings = self.instance, self.settings
        cols, tol = self.bal_cols, settings.tolerance
        dev = score.deviations(load, target)[:, cols]
        off = np.flatnonzero((np.abs(dev) > tol).any(axis=1))
        if len(off) == 0:
            return 0
        if self.contiguity:
            moves = boundary_candidates(inst, owner, self.movable)
        else:
            unit = np.flatnonzero(self.movable)
            n = inst.n_reps
            moves = Candidates(
                np.repeat(unit, n), np.repeat(owner[unit], n), np.tile(np.arange(n), len(unit))
            )
            moves = moves.take(moves.src != moves.dst)
        pair_key = moves.src * inst.n_reps + moves.dst
        weights = self.bal_weights * score.IMBALANCE_SCALE
        owner_list = owner.tolist()
        made = 0
        done: set[tuple[int, int]] = set()
        for a in off.tolist():
            for b in np.unique(moves.dst[moves.src == a]).tolist():
                if (min(a, b), max(a, b)) in done:
                    continue
                done.add((min(a, b), max(a, b)))
                self._check()
                ua = self._sample(moves.unit[pair_key == a * inst.n_reps + b])
                ub = self._sample(moves.unit[pair_key == b * inst.n_reps + a])
                if len(ua) == 0 or len(ub) == 0:
                    continue
                la, lb = load[a], load[b]
                give_u, take_u = self._amounts(ua, a, b)
                give_v, take_v = self._amounts(ub, b, a)
                new_a = la - give_u[:, None, :] + take_v[None, :, :]
                new_b = lb + take_u[:, None, :] - give_v[None, :, :]
                imb = (
                    (
                        excess_squared(new_a[..., cols], target[a, cols], tol)
                        + excess_squared(new_b[..., cols], target[b, cols], tol)
                        - excess_squared(la[cols], target[a, cols], tol)
                        - excess_squared(lb[cols], target[b, cols], tol)
                    )
                    * weights
                ).sum(axis=-1)
                ok = imb < -1e-12
                if self.cap_col >= 0:
                    k = self.cap_col
                    ceiling = self.ceiling
                    ok &= new_a[..., k] <= max(ceiling[a], la[k]) + 1e-9
                    ok &= new_b[..., k] <= max(ceiling[b], lb[k]) + 1e-9
                order = np.argsort(np.where(ok, imb, np.inf), axis=None)[: int(ok.sum())][:16]
                for flat in order.tolist():
                    i, j = divmod(flat, len(ub))
                    if self._swap(owner, owner_list, int(ua[i]), int(ub[j]), a, b):
                        load[a], load[b] = new_a[i, j], new_b[i, j]
                        made += 1
                        break
        return made

    def _sample(self, units: np.ndarray) -> np.ndarray:
        if len(units) <= SWAP_SAMPLE:
            return units
        return self.rng.choice(units, SWAP_SAMPLE, replace=False)

    def _amounts(self, units: np.ndarray, src: int, dst: int):
        moves = Candidates(units, np.full(len(units), src), np.full(len(units), dst))
        return shift(self.instance, moves)

    def _swap(self, owner, owner_list, u: int, v: int, a: int, b: int) -> bool:
        """Move ``u`` a -> b then ``v`` b -> a if both steps keep the rules; else change nothing."""
        inst, settings = self.instance, self.settings
        neighbours = inst.neighbours
        if settings.disruption_cap is not None and self.rebalance:
            change = 0.0
            for unit, frm, to in ((u, a, b), (v, b, a)):
                cur = inst.current[unit]
                if cur >= 0:
                    change += inst.disruption_weight[unit] * (int(cur != to) - int(cur != frm))
            moved = float(score.moved_weight(inst, owner))
            if change > 0 and moved + change > settings.disruption_cap * self.weight_total:
                return False
        if self.contiguity:
            if b not in (owner_list[w] for w in neighbours[u]):
                return False
            if not removal_keeps_connected(neighbours, owner_list, u):
                return False
        before = 0
        shaped = self.shapes and self.shape_active
        if shaped:
            owner_list[u] = a
            before = corridor_pairs_near(neighbours, self.shape_sets, owner_list, u)
            before += corridor_pairs_near(neighbours, self.shape_sets, owner_list, v)
        owner_list[u] = b
        if self.contiguity and (
            a not in (owner_list[w] for w in neighbours[v])
            or not removal_keeps_connected(neighbours, owner_list, v)
        ):
            owner_list[u] = a
            return False
        owner_list[v] = a
        if shaped:
            after = corridor_pairs_near(neighbours, self.shape_sets, owner_list, u)
            after += corridor_pairs_near(neighbours, self.shape_sets, owner_list, v)
            if after > before:
                owner_list[u], owner_list[v] = a, b
                return False
        owner[u], owner[v] = b, a
        self.moves += 2
        return True

    def _kick(self, owner: np.ndarray, load: np.ndarray) -> int:
        """Make a few random moves that keep every hard rule, better or not.

        Iterated local search: from a local optimum that is still off target,
        a small random step lets the next rounds find a different, perhaps
        better, local optimum; the best plan seen is kept apart.
        """
        inst = self.instance
        if self.contiguity:
            moves = boundary_candidates(inst, owner, self.movable)
        else:
            unit = np.flatnonzero(self.movable)
            moves = Candidates(unit, owner[unit], self.rng.integers(0, inst.n_reps, len(unit)))
            moves = moves.take(moves.src != moves.dst)
        if len(moves) == 0:
            return 0
        wanted = 1 + int(self.rng.integers(0, 3))
        order = self.rng.permutation(len(moves)).tolist()
        owner_list = owner.tolist()
        count = np.bincount(owner, minlength=inst.n_reps)
        moved_weight = float(score.moved_weight(inst, owner))
        _, take = shift(inst, moves)
        ceiling = self.ceiling
        made = 0
        for i in order:
            u, a, b = int(moves.unit[i]), int(moves.src[i]), int(moves.dst[i])
            if owner_list[u] != a or count[a] <= 1:
                continue
            if self.cap_col >= 0:
                if load[b, self.cap_col] + take[i, self.cap_col] > ceiling[b] + 1e-9:
                    continue
            if self.rebalance and self.settings.disruption_cap is not None:
                cu = inst.current[u]
                change = inst.disruption_weight[u] * (int(cu != b) - int(cu != a)) if cu >= 0 else 0
                if moved_weight + change > self.settings.disruption_cap * self.weight_total:
                    continue
                moved_weight += change
            if self.contiguity:
                if b not in (owner_list[v] for v in inst.neighbours[u]):
                    continue
                if not removal_keeps_connected(inst.neighbours, owner_list, u):
                    continue
                if (
                    self.shapes
                    and self.shape_active
                    and move_creates_corridor(inst.neighbours, self.shape_sets, owner_list, u, b)
                ):
                    continue
            owner_list[u] = b
            owner[u] = b
            count[a] -= 1
            count[b] += 1
            made += 1
            self.moves += 1
            if made >= wanted:
                break
        return made
