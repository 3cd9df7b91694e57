"""The layers hold: every import of the tree is checked against docs/architecture.md's rules."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.layers import breaches, python_files

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_of_the_tree_keeps_the_layer_rules():
    assert len(python_files(ROOT)) > 80  # the walk really sees the tree
    found = breaches(ROOT)
    assert not found, "forbidden edges:\n" + "\n".join(map(str, found))


def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_planted_planning_module_importing_the_store_is_named(tmp_path):
    root = _plant(
        tmp_path,
        {
            "data/__init__.py": "",
            "data/store.py": "class Store: ...\n",
            "planning/__init__.py": "",
            "planning/plan.py": "import numpy\n",
            "planning/leaky.py": "from planning.plan import numpy\n"
            "def f():\n    from data.store import Store\n    return Store\n",
        },
    )
    assert [str(b) for b in breaches(root)] == [
        "planning/leaky.py -> data/store.py "
        "(planning/ may import only ['common', 'geo', 'planning'])"
    ]


def test_planted_breaches_of_each_kind_are_named(tmp_path):
    root = _plant(
        tmp_path,
        {
            "geo/__init__.py": "",
            "geo/cells.py": "from planning import market\n",
            "planning/__init__.py": "",
            "planning/market.py": "import pandas as pd\ndef f(p):\n    return pd.read_csv(p)\n",
            "services/__init__.py": "",
            "services/x.py": "import dash\n",
            "callbacks/__init__.py": "",
            "callbacks/y.py": "from data import store\n",
            "data/__init__.py": "",
            "data/store.py": "",
        },
    )
    assert sorted(map(str, breaches(root))) == [
        "callbacks/y.py -> data/store.py (callbacks/ may import only "
        "['callbacks', 'common', 'geo', 'layouts', 'planning', 'services'])",
        "geo/cells.py -> planning/market.py (geo/ may import only ['geo'])",
        "planning/market.py -> read_csv() on line 3 (planning/ reads and writes no file)",
        "services/x.py -> dash (services/ must not use dash)",
    ]
