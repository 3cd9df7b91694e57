"""Hexalign's web app: ``python app.py`` serves it, ``gunicorn app:server`` too.

The data set is read once per worker (immutable); the working plan lives in
the database, so any worker can answer any request.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dash import Dash

from data.demo import demo_paths
from data.settings import Settings
from data.validation import load_accounts, load_call_plan, load_reps
from layouts.main import main_layout
from planning.metrics import rep_metrics
from planning.workspace import open_plan


def create_app(settings: Settings | None = None) -> Dash:
    """Build the Dash app on the configured data set (the demo by default)."""
    settings = settings or Settings.from_env()
    accounts_path, reps_path = settings.accounts, settings.reps
    if accounts_path is None or reps_path is None:
        accounts_path, reps_path = demo_paths()
    reps = load_reps(reps_path)
    accounts = load_accounts(accounts_path, rep_ids=list(reps["rep_id"]))
    call_plan = load_call_plan(settings.call_plan) if settings.call_plan else None
    plan, _ = open_plan(accounts, reps, call_plan)
    app = Dash(__name__, title="Hexalign")
    options = [{"label": f"{r.rep_id} {r.name}", "value": r.rep_id} for r in reps.itertuples()]
    app.layout = main_layout(rep_metrics(plan), options)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the app: ``python app.py [--accounts F --reps F] [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(description="Serve Hexalign")
    parser.add_argument("--accounts", type=Path)
    parser.add_argument("--reps", type=Path)
    parser.add_argument("--call-plan", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_env(accounts=args.accounts, reps=args.reps, call_plan=args.call_plan)
    create_app(settings).run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
