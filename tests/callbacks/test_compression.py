"""Issue 18 point 1: scripts are compressed once per worker; changing answers every time."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

from flask import Flask, Response

from callbacks.compression import StaticCache, register_compression
from tests.toy import ROOT

SCRIPT = "var x = 1;\n" * 5000


def test_scripts_are_compressed_once_and_callbacks_every_time():
    server = Flask(__name__)
    calls = {"n": 0}

    @server.route("/_dash-component-suites/lib/big.js")
    def script() -> Response:
        return Response(SCRIPT, mimetype="text/javascript")

    @server.route("/_dash-update-component", methods=["POST"])
    def update() -> Response:
        calls["n"] += 1
        body = json.dumps({"n": calls["n"], "pad": "x" * 2000})
        return Response(body, mimetype="application/json")

    cache = register_compression(server).cache
    assert isinstance(cache, StaticCache)
    client = server.test_client()
    gz = {"Accept-Encoding": "gzip"}
    first = client.get("/_dash-component-suites/lib/big.js", headers=gz)
    second = client.get("/_dash-component-suites/lib/big.js", headers=gz)
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.data).decode() == SCRIPT
    assert list(cache.kept) == ["gzip;/_dash-component-suites/lib/big.js?"]
    answers = [client.post("/_dash-update-component", headers=gz) for _ in range(2)]
    assert [gzip.decompress(a.data)[:7] for a in answers] == [b'{"n": 1', b'{"n": 2']
    assert len(cache.kept) == 1  # the callbacks' answers were not kept


def test_a_worker_compresses_the_first_pages_files_before_it_serves(tmp_path):
    """Issue 18 point 1: ``app.warm_answers`` asks for the page's files as a browser does."""
    code = textwrap.dedent(f"""
        import json
        from common.settings import Settings
        from app import create_app
        from callbacks.compression import EXTENSION
        app = create_app(Settings.from_env({{}}, database_url="sqlite:///{tmp_path}/p.sqlite"))
        print(json.dumps(sorted(app.server.extensions[EXTENSION].cache.kept)))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=True)  # fmt: skip
    kept = json.loads(out.stdout.strip().splitlines()[-1])
    # Dash's scripts, the lazy chunks the page preloads, in the encoding Chromium gets
    assert any(k.startswith("zstd;/_dash-component-suites/dash/dash-renderer/") for k in kept)
    assert "zstd;/_dash-component-suites/dash/dcc/async-graph.js?" in kept
    assert "zstd;/_dash-component-suites/dash/dash_table/async-table.js?" in kept
    assert len(kept) >= 12, kept
