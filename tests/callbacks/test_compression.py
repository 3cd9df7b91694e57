"""Issue 18 point 1: scripts are compressed once per worker; changing answers every time."""

from __future__ import annotations

import gzip
import json

from flask import Flask, Response

from callbacks.compression import StaticCache, register_compression

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
