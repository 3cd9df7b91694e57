"""Run benchmark groups: ``python -m benchmarks [GROUP ...] [--accounts N] [--reps N]``.

Prints one ``name: value unit`` line per figure on stdout (progress goes to
stderr). One group named on the command line runs in this process; several
(or none, meaning all) each run in a fresh ``python -m benchmarks GROUP``
so that a group's peak memory is its own.

To add a group, add one entry to ``GROUPS``: its name and the module whose
``run(*, n_accounts=..., n_reps=..., seed=0) -> list[(name, value, unit)]``
measures it. Modules are imported only when their group runs, so one
group's imports never count in another's memory.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

GROUPS: dict[str, str] = {
    "core": "benchmarks.core",  # issue 3: binning, full and incremental metrics on 1M accounts
    "map": "benchmarks.map",  # issue 4: the app in headless Chromium, demo and 1M accounts
    "import": "benchmarks.importing",  # issue 6: 1M-row CSV import, plain and European
    "balance": "benchmarks.balance",  # issue 7: rebalance demo and ~52k cells, with peers
    "locate": "benchmarks.locating",  # issue 11 part 5: 1M accounts placed from postcodes
    "load": "benchmarks.load",  # issue 12: 20 planners, 4 gunicorn workers, PostgreSQL
    "assist": "benchmarks.assist",  # issue 17: suggestions (demo, 1M accounts), trade-off curve
    "scale": "benchmarks.scale",  # issue 18 points 3-4: 10M accounts, 10M rows on Dask
}
# Options only some groups take (flag -> run() keyword); passed only to the groups named here.
GROUP_OPTIONS: dict[str, tuple[str, ...]] = {"load": ("seconds", "planners", "workers")}

COUNT_UNIT = "count"


def format_figure(name: str, value: float, unit: str) -> str:
    """One output line; counts print as integers, everything else with 3 decimals."""
    text = f"{int(value)}" if unit == COUNT_UNIT else f"{value:.3f}"
    return f"{name}: {text} {unit}"


def run_group(name: str, sizes: dict[str, float]) -> None:
    """Run one group in this process and print its figures."""
    figures = importlib.import_module(GROUPS[name]).run(**sizes)
    for figure in figures:
        print(format_figure(*figure), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the named groups (all by default); 1 if any of them failed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run benchmarks.")
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"any of {', '.join(GROUPS)}")
    parser.add_argument("--accounts", type=int, help="accounts in the synthetic team")
    parser.add_argument("--reps", type=int, help="reps in the synthetic team")
    parser.add_argument("--seconds", type=float, help="load: how long the planners move (120)")
    parser.add_argument("--planners", type=int, help="load: simulated planners (20)")
    parser.add_argument("--workers", type=int, help="load: gunicorn workers (4)")
    args = parser.parse_args(argv)
    groups = args.groups or list(GROUPS)
    unknown = [name for name in groups if name not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    given = {k: v for k, v in (("accounts", args.accounts), ("reps", args.reps)) if v is not None}
    options = {k: getattr(args, k) for k in ("seconds", "planners", "workers")}
    options = {k: v for k, v in options.items() if v is not None}
    if len(groups) == 1:
        sizes: dict[str, float] = {f"n_{k}": v for k, v in given.items()}
        sizes |= {k: v for k, v in options.items() if k in GROUP_OPTIONS.get(groups[0], ())}
        run_group(groups[0], sizes)
        return 0
    flags = [f"--{k}={v}" for k, v in given.items()]
    failed = []
    for name in groups:
        extra = [f"--{k}={v}" for k, v in options.items() if k in GROUP_OPTIONS.get(name, ())]
        cmd = [sys.executable, "-m", "benchmarks", name, *flags, *extra]
        done = subprocess.run(cmd, check=False)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
