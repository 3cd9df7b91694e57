"""Load (issue 12): simulated planners making moves against gunicorn workers over PostgreSQL.

``python -m benchmarks load [--seconds S] [--planners N] [--workers W]`` (defaults: 120 s, 20
planners, 4 workers). On 127.0.0.1 it:

1. uses the PostgreSQL server of ``HEXALIGN_TEST_POSTGRES_URL`` or starts a throwaway one with
   ``scripts/postgres.sh start`` (stopped at the end), in a fresh schema of its own;
2. serves the app (the demo data) with ``gunicorn -w W --no-control-socket app:server``;
3. branches the working plan once per planner and once more as the shared scenario;
4. runs the planners as threads. Each loads its page (the ``draw_map`` callback, as a browser
   does), then, until the time is up, sends the request the browser sends for a lasso: a POST
   to ``/_dash-update-component`` for the ``edit`` callback (built from the app's own
   ``/_dash-dependencies``), on its own scenario or, one move in four, on the shared one. A
   "someone else changed this scenario" answer on the shared scenario is expected: the
   planner takes the version it was given and repeats the move at once, as often as it takes
   (a retry, not an error; a move still being retried when the time is up is counted as
   unfinished: nobody was told it was accepted, so it cannot be lost);
5. compares, per scenario, the moves the planners saw accepted (the answer's version went up
   by one) with the store's move log.

Figures: ``load_p95_move_ms`` (round trip of every move request, retries included),
``load_errors`` (HTTP errors, exceptions, answers that are neither a move nor a stale
version, and versions that do not follow), ``load_lost_moves`` (accepted moves missing from
the store's log, plus logged moves nobody was told about), and counts for context.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import requests
import sqlalchemy as sa

from benchmarks.__main__ import COUNT_UNIT

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "HEXALIGN_TEST_POSTGRES_URL"
SHARED_SHARE = 0.25  # one move in four goes to the shared scenario
UNITS_PER_MOVE = (1, 4)  # drawn units a lasso takes (coarse overview units: many cells each)
THINK_S = (0.2, 0.8)  # a planner's pause between moves
ENDPOINT = "/_dash-update-component"
Figure = tuple[str, float, str]


@dataclass
class Planner:
    """One simulated planner's tally: moves accepted per scenario, times, errors."""

    name: str
    own: int
    accepted: dict[int, int] = field(default_factory=dict)
    versions: dict[int, list[int]] = field(default_factory=dict)
    times_ms: list[float] = field(default_factory=list)
    stale: int = 0
    no_ops: int = 0
    unfinished: int = 0
    errors: list[str] = field(default_factory=list)


# -- the server and the database ------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL URL: the configured test server, or a throwaway cluster for this run."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    out = subprocess.run(["bash", "scripts/postgres.sh", "start"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    env = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line
    )
    env = {k: v.strip("'") for k, v in env.items()}
    try:
        yield env[PG_ENV]
    finally:
        subprocess.run(["bash", "scripts/postgres.sh", "stop", env["HEXALIGN_PG_DIR"]], cwd=ROOT,
                       check=False)  # fmt: skip


@contextlib.contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A URL whose search_path is a new schema, dropped afterwards."""
    u = sa.engine.make_url(base).set(drivername="postgresql+psycopg")
    schema = f"load_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(u)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield u.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def gunicorn(url: str, workers: int, log: Path) -> Iterator[str]:
    """The app under ``gunicorn -w workers`` on 127.0.0.1; its base URL."""
    port = free_port()
    env = {**os.environ, "HEXALIGN_DATABASE_URL": url, "HEXALIGN_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--no-control-socket", "--timeout", "120", "app:server"]  # fmt: skip
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(base + "/", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{base} did not answer within 300 s; see {log}")
                time.sleep(0.5)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


# -- the Dash requests --------------------------------------------------------------------------


def dependency(deps: list[dict[str, Any]], output: str) -> dict[str, Any]:
    """The callback whose outputs include ``output`` (``id.property``)."""
    for dep in deps:
        if any(o.split("@")[0] == output for o in dep["output"].strip(".").split("...")):
            return dep
    raise LookupError(f"no callback outputs {output}")


def dash_body(dep: dict[str, Any], values: dict[str, Any], changed: str) -> dict[str, Any]:
    """The POST body the Dash renderer sends for ``dep``, with ``values`` by ``id.property``."""

    def prop(item: dict[str, Any]) -> dict[str, Any]:
        key = f"{item['id']}.{item['property']}"
        return {"id": item["id"], "property": item["property"], "value": values.get(key)}

    outputs = []
    for o in dep["output"].strip(".").split("..."):
        cid, _, prop_name = o.rpartition(".")
        outputs.append({"id": cid, "property": prop_name.split("@")[0]})
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [prop(i) for i in dep["inputs"]],
        "changedPropIds": [changed],
        "state": [prop(s) for s in dep["state"]],
    }


class Page:
    """One planner's page: the callbacks it calls and the view it was drawn with."""

    def __init__(self, base: str, deps: list[dict[str, Any]]):
        self.base = base
        self.http = requests.Session()
        self.draw = dependency(deps, "map.figure")
        self.edit = dependency(deps, "paint-store.data")

    def call(self, dep: dict[str, Any], values: dict[str, Any], changed: str) -> requests.Response:
        return self.http.post(self.base + ENDPOINT, json=dash_body(dep, values, changed),
                              timeout=120)  # fmt: skip

    def open(self, sid: int) -> tuple[dict[str, Any], list[int]]:
        """Draw the scenario as a fresh page does; its view and the drawn units."""
        answer = self.call(
            self.draw,
            {"scenario-store.data": {"id": sid}, "colour-mode.value": "owner"},
            "scenario-store.data",
        )
        answer.raise_for_status()
        out = answer.json()["response"]
        units = out["map"]["figure"]["data"][0]["locations"]
        return out["view-store"]["data"], [int(u) for u in units]

    def move(self, sid: int, version: int, view: dict[str, Any], units: list[int], rep: str,
             stamp: int) -> tuple[str, int, float]:  # fmt: skip
        """Send one lasso; ("moved" | "no-op" | "stale", the version now, round trip in ms)."""
        values = {
            "selection-store.data": {"units": units, "level": view["level"], "t": stamp},
            "rep-picker.value": rep, "tool.value": "move", "scenario-store.data": {"id": sid},
            "version-store.data": {"version": version}, "view-store.data": view,
            "colour-mode.value": "owner", "tolerance.value": 10,
        }  # fmt: skip
        start = time.perf_counter()
        answer = self.call(self.edit, values, "selection-store.data")
        ms = (time.perf_counter() - start) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"HTTP {answer.status_code}: {answer.text[:200]}")
        out = answer.json()["response"]
        now = int(out["version-store"]["data"]["version"])
        if "paint-store" in out:
            return (
                ("moved" if now == version + 1 else "no-op" if now == version else "odd"),
                now,
                ms,
            )
        if "Someone else changed" in str(out.get("message", {}).get("children", "")):
            return "stale", now, ms
        raise RuntimeError(f"unexpected answer: {str(out)[:200]}")


# -- the planners -------------------------------------------------------------------------------


def plan_moves(page: Page, me: Planner, shared: int, reps: list[str], until: float,
               seed: int) -> None:  # fmt: skip
    """Move until ``until``: own scenario mostly, the shared one sometimes; count everything."""
    rng = random.Random(seed)
    try:
        views = {sid: page.open(sid) for sid in (me.own, shared)}
        versions = {me.own: 1, shared: 1}
    except Exception as err:  # noqa: BLE001 - every failure is counted, none stops the others
        me.errors.append(f"open: {err}")
        return
    while time.monotonic() < until:
        sid = shared if rng.random() < SHARED_SHARE else me.own
        view, drawn = views[sid]
        units = rng.sample(drawn, rng.randint(*UNITS_PER_MOVE))
        rep = rng.choice(reps)
        while True:  # a stale answer gives the current version: repeat the move at once
            if time.monotonic() >= until:  # still being retried when the time ran out
                me.unfinished += 1
                break
            try:
                kind, now, ms = page.move(sid, versions[sid], view, units, rep,
                                          int(time.time() * 1000))  # fmt: skip
            except Exception as err:  # noqa: BLE001
                me.errors.append(str(err))
                break
            me.times_ms.append(ms)
            if kind == "stale":
                if sid != shared:  # only its own planner writes a planner's scenario
                    me.errors.append(f"stale answer on planner scenario {sid}")
                me.stale += 1
                versions[sid] = now
                continue
            if kind == "odd":
                me.errors.append(f"version {versions[sid]} -> {now} after one move")
            elif kind == "moved":
                me.accepted[sid] = me.accepted.get(sid, 0) + 1
                me.versions.setdefault(sid, []).append(now)
            else:
                me.no_ops += 1
            versions[sid] = now
            break
        time.sleep(rng.uniform(*THINK_S))


def check_log(url: str, planners: list[Planner], shared: int) -> tuple[int, int, list[str]]:
    """Lost moves (accepted but not logged, or logged but never answered) and logged moves."""
    from data.store import Store

    lost, logged, problems = 0, 0, []
    with Store(url) as store:
        for sid in [p.own for p in planners] + [shared]:
            told = sum(p.accepted.get(sid, 0) for p in planners)
            rec = store.scenario(sid)
            n_log = len(store.moves(sid))
            logged += n_log
            lost += abs(n_log - told)
            if rec.version - 1 != n_log:
                problems.append(f"scenario {sid}: version {rec.version} after {n_log} logged moves")
            seen = sorted(v for p in planners for v in p.versions.get(sid, []))
            if seen != list(range(2, 2 + told)):
                problems.append(
                    f"scenario {sid}: versions answered {seen[:10]}... not 2..{told + 1}"
                )
    return lost, logged, problems


def run(
    *,
    n_accounts: int | None = None,
    n_reps: int | None = None,
    seed: int = 0,
    seconds: float = 120.0,
    planners: int = 20,
    workers: int = 4,
) -> list[Figure]:
    """Serve, branch, drive the planners for ``seconds``, check the log; the figures."""
    del n_accounts, n_reps  # the app serves the demo data set, as in production
    from data.store import Store

    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    with postgres() as base_url, fresh_schema(base_url) as url:
        with gunicorn(url, workers, log_dir / "load-gunicorn.log") as base:
            with Store(url) as store:
                [dataset] = store.datasets()
                working = next(s.id for s in store.scenarios(dataset.id) if not s.baseline)
                reps = store.load_dataset(dataset.id)[1]["rep_id"].astype(str).tolist()
                shared = store.duplicate_scenario(working, "Load: shared")
                crowd = [Planner(f"planner {i}", store.duplicate_scenario(working, f"Load: {i}"))
                         for i in range(planners)]  # fmt: skip
            deps = requests.get(base + "/_dash-dependencies", timeout=60).json()
            print(f"load: {planners} planners, {workers} workers, {seconds:.0f} s", file=sys.stderr)
            until = time.monotonic() + seconds
            threads = [threading.Thread(target=plan_moves, args=(Page(base, deps), p, shared,
                                                                 reps, until, seed + i))
                       for i, p in enumerate(crowd)]  # fmt: skip
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        lost, logged, problems = check_log(url, crowd, shared)
    errors = [e for p in crowd for e in p.errors] + problems
    for e in errors[:20]:
        print(f"load error: {e}", file=sys.stderr)
    times = [t for p in crowd for t in p.times_ms]
    accepted = sum(sum(p.accepted.values()) for p in crowd)
    return [
        ("load_p95_move_ms", float(np.percentile(times, 95)) if times else float("nan"), "ms"),
        ("load_median_move_ms", float(np.median(times)) if times else float("nan"), "ms"),
        ("load_errors", float(len(errors)), COUNT_UNIT),
        ("load_lost_moves", float(lost), COUNT_UNIT),
        ("load_moves_accepted", float(accepted), COUNT_UNIT),
        ("load_moves_logged", float(logged), COUNT_UNIT),
        ("load_shared_moves", float(sum(p.accepted.get(shared, 0) for p in crowd)), COUNT_UNIT),
        ("load_stale_retries", float(sum(p.stale for p in crowd)), COUNT_UNIT),
        ("load_no_op_moves", float(sum(p.no_ops for p in crowd)), COUNT_UNIT),
        ("load_unfinished_moves", float(sum(p.unfinished for p in crowd)), COUNT_UNIT),
        ("load_planners", float(planners), COUNT_UNIT),
        ("load_workers", float(workers), COUNT_UNIT),
        ("load_seconds", float(seconds), "s"),
        ("load_loadavg_before", float(load_before), "load"),
        ("load_loadavg_after", float(os.getloadavg()[0]), "load"),
    ]
