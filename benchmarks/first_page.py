"""Where the first page's time goes (issue 18 point 1): a profile, not a figure.

``python -m benchmarks.first_page [--root CHECKOUT] [--starts N] [--data DIR]`` serves the
checkout (this one by default) under gunicorn with 2 workers on the demo, opens its first page
after each start in headless Chromium (the flags of ``tests.browser.harness``) and prints:

- time to the map drawn (``harness.MAP_READY``, what ``benchmarks.map`` times);
- every ``_dash-update-component`` request until then plus 1 s: when it was sent and how long
  it took, relative to the navigation, with its output ids;
- the big scripts (when they arrived), long tasks (> 50 ms) and the renderer's totals
  (CDP ``Performance.getMetrics``: script, layout, style, task durations);
- with ``--cpu``, self time per script file from a CDP CPU profile (this slows the page).

``--root`` serves another checkout (e.g. ``/work/main``) so that before and after can be run
alternately under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, MAP_READY, serve

VIEWPORT = {"width": 1600, "height": 1000}

LONG_TASKS = """() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        window.__longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
      }
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
  const marks = window.__marks = {};
  const mark = (k, ok) => {
    if (marks[k] === undefined && ok) { marks[k] = Math.round(performance.now()); }
  };
  const poll = () => {
    const gd = document.querySelector('#map .js-plotly-plot');
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    mark('plotly', !!window.Plotly);
    mark('graph div', !!gd);
    mark('figure', !!(gd && gd.data && gd.data.length));
    mark('maplibre', !!(sub && sub.map));
    mark('calcdata', !!(gd && gd.calcdata && gd.calcdata[0] && gd.calcdata[0].length > 1));
    mark('table', document.querySelectorAll('#rep-table tbody tr td').length > 0);
    mark('loaded', !!(sub && sub.map && sub.map.loaded()));
    mark('fitted', !!(window.hexalign && window.hexalign.fitted));
    if (marks.loaded === undefined || marks.table === undefined) { setTimeout(poll, 5); }
  };
  poll();
}"""


def outputs_of(post: str | None) -> str:
    """The output ids of a Dash callback request body."""
    try:
        body = json.loads(post or "{}")
    except ValueError:
        return "?"
    out = body.get("output", "?")
    trig = ",".join(str(t) for t in body.get("changedPropIds", []) or [])
    return f"{out[:90]}  <- {trig[:60]}" if isinstance(out, str) else str(out)[:90]


def profile_page(browser, base: str, cpu: bool = False) -> dict:
    """Open the page once; everything measured about it."""
    page = browser.new_page(viewport=VIEWPORT)
    page.add_init_script(f"({LONG_TASKS})()")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    if cpu:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    done: list = []
    page.on("requestfinished", lambda r: done.append(r))
    start = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_function(MAP_READY, timeout=180_000, polling=20)
    drawn_ms = (time.perf_counter() - start) * 1000
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    nav0 = page.evaluate("() => performance.timeOrigin")
    drawn_page = page.evaluate("() => performance.now()")
    prof = cdp.send("Profiler.stop")["profile"] if cpu else None
    page.wait_for_timeout(1000)
    calls, scripts = [], []
    for r in list(done):
        t = r.timing
        sent = t["startTime"] - nav0
        took = t["responseEnd"]
        path = urlsplit(r.url).path
        if path == "/_dash-update-component":
            size = r.sizes()["responseBodySize"]
            calls.append((sent, took, f"{size / 1e3:6.1f} kB {outputs_of(r.post_data)}"))
        elif path.endswith(".js") or path.startswith(("/geo/", "/basemap", "/_dash-l", "/_dash-d")):
            size = r.sizes()["responseBodySize"]
            scripts.append((sent, took, size, path[-60:]))
    long_tasks = page.evaluate("() => window.__longTasks")
    marks = page.evaluate("() => window.__marks")
    page.close()
    return {"drawn_ms": drawn_ms, "drawn_page_ms": drawn_page, "calls": sorted(calls),
            "scripts": sorted(scripts), "long": long_tasks, "marks": marks, "metrics": metrics,
            "cpu": self_time(prof) if prof else None}  # fmt: skip


def self_time(profile: dict) -> list[tuple[float, str]]:
    """Self time (ms) per script file of a CDP CPU profile, largest first."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    dt: defaultdict[str, float] = defaultdict(float)
    deltas = profile.get("timeDeltas", [])
    for sample, delta in zip(profile.get("samples", []), deltas, strict=False):
        frame = nodes[sample]["callFrame"]
        url = frame.get("url") or f"({frame.get('functionName') or 'native'})"
        dt[url.split("?")[0][-60:]] += delta / 1000
    return sorted(((ms, url) for url, ms in dt.items()), reverse=True)[:12]


def report(label: str, got: dict) -> None:
    m = got["metrics"]
    print(f"\n== {label}: drawn {got['drawn_ms']:.0f} ms (page clock {got['drawn_page_ms']:.0f}); "
          f"script {m.get('ScriptDuration', 0) * 1000:.0f} ms, layout "
          f"{m.get('LayoutDuration', 0) * 1000:.0f} ms, style "
          f"{m.get('RecalcStyleDuration', 0) * 1000:.0f} ms, task "
          f"{m.get('TaskDuration', 0) * 1000:.0f} ms")  # fmt: skip
    for sent, took, size, path in got["scripts"]:
        print(f"   file  +{sent:6.0f} {took:6.0f} ms {size / 1e3:8.1f} kB  {path}")
    for sent, took, out in got["calls"]:
        print(f"   call  +{sent:6.0f} {took:6.0f} ms  {out}")
    print(
        "   marks: "
        + ", ".join(f"{k} {v}" for k, v in sorted(got["marks"].items(), key=lambda kv: kv[1]))
    )
    print(f"   {len(got['calls'])} callback requests; long tasks (start, ms): {got['long']}")
    if got["cpu"]:
        for ms, url in got["cpu"]:
            print(f"   cpu {ms:7.0f} ms  {url}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--warm", type=int, default=0, help="more pages after the last start")
    parser.add_argument("--data", type=Path, help="directory for the SQLite file (kept)")
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="only the drawn times")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    tmp = args.data or Path(tempfile.mkdtemp(prefix="hexalign-first-"))
    tmp.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp / 'plans.sqlite'}"
    firsts, warms = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(args.starts):
            with serve(url, gunicorn_workers=2, root=args.root) as base:
                load = os.getloadavg()[0]
                got = profile_page(browser, base, cpu=args.cpu)
                firsts.append(got["drawn_ms"])
                if not args.quiet:
                    report(f"start {i + 1} (load {load:.1f})", got)
                for j in range(args.warm if i == args.starts - 1 else 0):
                    got = profile_page(browser, base, cpu=args.cpu)
                    warms.append(got["drawn_ms"])
                    if not args.quiet:
                        report(f"warm {j + 1}", got)
        browser.close()
    line = ", ".join(f"{ms:.0f}" for ms in firsts)
    print(f"\nfirst pages ({args.root}): {line}; median {statistics.median(firsts):.0f} ms, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if warms:
        print(f"warm pages: {', '.join(f'{ms:.0f}' for ms in warms)}")


if __name__ == "__main__":
    main()
