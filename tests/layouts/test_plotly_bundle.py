"""The partial plotly.js the page runs (issue 18 point 1) holds what the app's figures need.

``assets/plotly/plotly-partial.min.js`` is plotly.js's core with only the trace types listed in
``scripts/plotly_traces.txt`` (built by ``scripts/build_plotly_bundle.sh``). A figure of another
type would draw nothing in the browser, and a plotly upgrade that left the bundle behind would
run the app's plotly.js internals (assets/hexalign-plotly-internals.js) against another version
than the one installed and tested: these tests say "rebuild the bundle" in both cases.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go

import app
from callbacks.first_page import first_page
from layouts.curve import curve_figure
from tests.architecture.layers import python_files

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / app.PLOTLY_BUNDLE
TRACES_FILE = ROOT / "scripts" / "plotly_traces.txt"
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
REBUILD = "rebuild it: bash scripts/build_plotly_bundle.sh"
# every trace type plotly knows, with its graph_objects class name ("scattermap": "Scattermap")
TRACE_CLASSES: dict[str, str] = dict(go.Figure()._data_validator.class_strs_map)


def listed_traces() -> set[str]:
    """The trace types the build script bundles (one a line, # comments)."""
    lines = (line.strip() for line in TRACES_FILE.read_text().splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def version_of(script: Path) -> str:
    """``4.1.1`` from the ``* plotly.js v4.1.1`` line that heads plotly.js's files."""
    found = re.search(r"^\* plotly\.js v(\S+)$", script.read_text()[:400], re.MULTILINE)
    assert found, f"no plotly.js version line at the top of {script}"
    return found.group(1)


def test_the_bundle_is_built_from_the_plotly_js_that_dash_would_serve():
    assert version_of(BUNDLE) == version_of(FULL), f"plotly was upgraded: {REBUILD}"


def test_the_bundle_registers_the_listed_trace_types_and_no_other():
    text = BUNDLE.read_text()
    header = re.search(r"^\* traces: (.+)$", text[:1000], re.MULTILINE)
    assert header and set(header.group(1).split()) == listed_traces(), REBUILD
    # plotly.js's trace modules, as the minified code declares them
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))
    assert registered == listed_traces()
    assert listed_traces() <= set(TRACE_CLASSES)  # no typo in the list
    # the full plotly.min.js declares them the same way (else the parse above proves nothing)
    assert set(re.findall(r'moduleType:"trace",name:"(\w+)"', FULL.read_text())) == set(
        TRACE_CLASSES
    )


GRAPH_OBJECTS = ("plotly.graph_objects", "plotly.graph_objs")


def trace_types_in(path: Path) -> set[tuple[str, int, str]]:
    """(file, line, type) of each trace type a module names.

    A dict with ``"type": "<trace type>"`` (the app's figures are plain dicts), a
    ``go.<Trace>(...)`` (plotly.graph_objects under any name) or ``fig.add_<trace>(...)`` call;
    any use of plotly.express counts as ``express`` (its functions pick trace types of their own).
    """
    classes = {name: kind for kind, name in TRACE_CLASSES.items()}
    tree = ast.parse(path.read_text())
    modules: set[str] = set()  # the names plotly.graph_objects goes by here
    bare: dict[str, str] = {}  # its classes imported by name: local name -> trace type
    found: set[tuple[str, int, str]] = set()
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in GRAPH_OBJECTS:
                    modules.add(alias.asname or alias.name)
                if alias.name.startswith("plotly.express"):
                    found.add((name, node.lineno, "express"))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in GRAPH_OBJECTS:
                    modules.add(alias.asname or alias.name)
                elif node.module in GRAPH_OBJECTS and alias.name in classes:
                    bare[alias.asname or alias.name] = classes[alias.name]
                if full.startswith("plotly.express") or (node.module or "").startswith(
                    "plotly.express"
                ):
                    found.add((name, node.lineno, "express"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == "type"
                        and isinstance(value, ast.Constant) and value.value in TRACE_CLASSES):  # fmt: skip
                    found.add((name, node.lineno, str(value.value)))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in bare:
                found.add((name, node.lineno, bare[func.id]))
            elif isinstance(func, ast.Attribute):
                owner = ast.unparse(func.value)
                if owner in modules and func.attr in classes:
                    found.add((name, node.lineno, classes[func.attr]))
                elif func.attr.startswith("add_") and func.attr[4:] in TRACE_CLASSES:
                    found.add((name, node.lineno, func.attr[4:]))
    return found


def test_every_trace_type_the_code_names_is_in_the_bundle():
    named = {hit for f in python_files(ROOT) for hit in trace_types_in(f)}
    # the scan finds what the app draws today (else it would miss what it is meant to catch)
    assert {kind for _, _, kind in named} == listed_traces()
    assert ("layouts/curve.py", "scatter") in {(f, kind) for f, _, kind in named}  # go.Scatter
    missing = sorted(hit for hit in named if hit[2] not in listed_traces())
    assert missing == [], f"add these types to {TRACES_FILE.name}, then {REBUILD}"


def test_the_scan_sees_dicts_graph_objects_and_express(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text(
        "import plotly.express as px\nimport plotly.graph_objects as go\n"
        "from plotly.graph_objects import Sankey as S\nfrom dash import html\n"
        "a = {'type': 'pie', 'values': [1]}\nb = go.Heatmap(z=[[1]])\n"
        "c = go.Figure().add_violin(y=[1])\nd = {'type': 'numeric'}\n"
        "e = S()\nf = html.Table([])\n"
    )
    kinds = {kind for _, _, kind in trace_types_in(source)}
    assert kinds == {"express", "pie", "heatmap", "violin", "sankey"}


def test_the_first_pages_figures_and_the_curve_use_bundled_types(served):
    url, working = served
    first = first_page(url, working)
    assert first is not None
    figures = {"map": first.figure, "workload": first.workload, "tam": first.tam}
    points = [{"label": "p", "worst_deviation": 0.2, "accounts_moved": 3, "travel_hours": 9.0}]
    curve = curve_figure({"points": points, "fronts": {"moved": [0]}}, "moved")
    figures["curve"] = curve.to_plotly_json()
    used = {name: {t.get("type", "scatter") for t in fig["data"]} for name, fig in figures.items()}
    assert used == {"map": {"choroplethmap", "scattermap"}, "workload": {"bar", "scatter"},
                    "tam": {"bar"}, "curve": {"scatter"}}  # fmt: skip
    assert set().union(*used.values()) <= listed_traces()
