"""Compressed answers, the static ones compressed once per worker (issue 18 point 1).

flask-compress compresses every answer it is given. The page's scripts do not change while a
worker lives, yet each page had them compressed again: plotly.js alone is 4.8 MB, and a first page
asks a worker for about twenty scripts while it also answers the page's callbacks. The compressed
bytes of the scripts and style sheets (``/_dash-component-suites/``, ``/assets/``) are now kept per
worker, keyed by path, query and encoding; callbacks, geometry and the layout are compressed per
answer as before (they change).
"""

from __future__ import annotations

from flask import Flask, Request
from flask_compress import Compress

MIMETYPES = ["application/json", "application/geo+json", "text/html", "text/css",
             "text/javascript", "application/javascript"]  # fmt: skip
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
NOT_KEPT = "-"
EXTENSION = "hexalign_compress"


def cache_key(request: Request) -> str:
    """The key of an answer worth keeping compressed; ``NOT_KEPT`` for every other answer."""
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return request.full_path
    return NOT_KEPT


class StaticCache:
    """flask-compress's cache backend, keeping only what ``cache_key`` names."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        """The kept compressed bytes (flask-compress keys are ``<encoding>;<cache_key>``)."""
        return self.kept.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Keep the bytes of a static answer; forget any other."""
        if not key.endswith(";" + NOT_KEPT):
            self.kept[key] = value


def register_compression(server: Flask) -> Compress:
    """Compress JSON, GeoJSON, HTML, CSS and JavaScript answers; scripts once per worker."""
    server.config["COMPRESS_MIMETYPES"] = MIMETYPES
    server.config["COMPRESS_CACHE_KEY"] = cache_key
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCache
    compress = Compress(server)
    server.extensions[EXTENSION] = compress  # what app.warm_answers filled can be looked at
    return compress
