"""The upload size limit at the door: a request too large is answered before its body is read.

A Dash upload arrives as one JSON request holding the file as base64 text, so
the check in ``services.importing.receive`` runs only once Flask has read the
whole body. ``MAX_CONTENT_LENGTH`` makes Flask refuse a larger request (413)
from its ``Content-Length`` alone; the handler turns that refusal into the
answer of the upload callback, so the Data tab shows the same one sentence
as for a file just over the limit.
"""

from __future__ import annotations

import time

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from layouts.ids import Ids
from services import importing

REQUEST_SLACK_BYTES = 4 * 1024 * 1024
"""Room in an upload request for what travels with the file (names, the page's import state)."""


def request_limit(max_upload_bytes: int) -> int:
    """Largest request body for a file of ``max_upload_bytes``: its base64 text and some slack."""
    return 4 * -(-max_upload_bytes // 3) + REQUEST_SLACK_BYTES


def register_upload_limit(server: Flask, max_upload_bytes: int | None = None) -> None:
    """Cap request bodies and answer an oversized upload with the Data tab's sentence."""
    limit = importing.max_upload_bytes() if max_upload_bytes is None else max_upload_bytes
    server.config["MAX_CONTENT_LENGTH"] = request_limit(limit)

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge) -> tuple[Response, int]:
        """Dash's callback answer setting the received-file store to the refusal."""
        if not request.path.endswith("_dash-update-component"):
            return jsonify({"error": "request too large"}), 413
        size = (request.content_length or 0) * 3 // 4  # the base64 text's bytes, nearly
        received = importing.refused_upload(size)
        payload = {"token": received.token, "kind": received.kind, "name": received.name,
                   "error": received.error, "t": time.time()}  # fmt: skip
        return jsonify({"multi": True, "response": {Ids.DATA_RECEIVED: {"data": payload}}}), 200
