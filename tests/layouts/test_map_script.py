"""The browser script's ids and customdata slots come from Python, and the script has none of its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from geo.lod import display_levels
from layouts.ids import (
    BROWSER_CONFIG_ATTR,
    BROWSER_IDS,
    CLIENTSIDE_NAMESPACE,
    CUSTOMDATA,
    Ids,
    Slot,
)
from layouts.main import browser_config, main_layout
from layouts.map_figure import HOVER, customdata
from planning.baseline import baseline_plan
from planning.mapview import unit_facts
from tests.planning.test_tally import world

ASSETS = Path(__file__).resolve().parents[2] / "assets"
SCRIPT = (ASSETS / "hexalign.js").read_text()
SCRIPTS = {p.name: p.read_text() for p in ASSETS.glob("*.js")}
# words that are also ids but appear in the script as values of the key-command payload
PAYLOAD_WORDS = {"undo", "redo"}


def test_slots_number_the_customdata_row_in_order():
    assert [int(s) for s in Slot] == list(range(len(Slot)))
    market = world(8)
    plan, _ = baseline_plan(market)
    level = display_levels(market.area)[1]
    facts = unit_facts(level, plan, plan.owner, np.arange(len(level)))
    rows = customdata(facts, np.asarray(market.reps["rep_id"]), np.asarray(market.reps["name"]))
    assert {len(r) for r in rows} == {len(Slot)}
    assert [r[Slot.UNIT] for r in rows] == facts.units.tolist()
    used = {int(i) for i in re.findall(r"customdata\[(\d+)\]", HOVER)}
    assert used == {int(s) for s in Slot} - {Slot.UNIT}  # every value but the id is shown


def test_layout_writes_the_config_on_its_root():
    root = main_layout(["R1", "R2"], ["Ann", "Bo"], scenario_id=1, resolution=6)
    config = json.loads(getattr(root, BROWSER_CONFIG_ATTR))
    assert config == json.loads(browser_config())
    assert config["ids"] == {i.name: i.value for i in BROWSER_IDS}
    assert config["customdata"] == CUSTOMDATA


def test_the_script_has_no_id_or_slot_of_its_own():
    for name, text in SCRIPTS.items():
        for member in (m for m in Ids if m.value not in PAYLOAD_WORDS):
            assert f'"{member.value}"' not in text and f"'{member.value}'" not in text, (
                name,
                member,
            )
        assert not re.search(r"getElementById\(\s*[\"']|[\"']#[a-z]", text), name
        assert not re.search(r"customdata\[\s*\d|cd\[[^\]]+\]\[\s*\d", text), name
    assert f'"{BROWSER_CONFIG_ATTR}"' in SCRIPT and "[" + BROWSER_CONFIG_ATTR + "]" in SCRIPT
    assert f"{CLIENTSIDE_NAMESPACE}: {{" in SCRIPT  # window.dash_clientside.<namespace>


def test_every_name_the_script_reads_is_in_the_config():
    config = json.loads(browser_config())
    uses = {
        "ids": re.findall(r'(?:ids\.|byId\(")([A-Z_]+)', SCRIPT),
        "customdata": re.findall(r"slot\.([A-Z_]+)", SCRIPT),
        "attrs": re.findall(r'(?:attrs\.|repKeys\(")([A-Z_]+)', SCRIPT),
        "texts": re.findall(r"texts\.([A-Z_]+)", SCRIPT),
    }
    for section, names in uses.items():
        assert names, section
        assert set(names) <= set(config[section]), (section, set(names) - set(config[section]))
