"""An upload request over the limit is answered from its Content-Length, its body unread."""

from __future__ import annotations

import json

from dash import Dash, html

from callbacks.upload_limit import REQUEST_SLACK_BYTES, register_upload_limit, request_limit
from layouts.ids import Ids

MB = 1024 * 1024


def test_the_request_limit_holds_the_base64_of_the_largest_file():
    assert request_limit(3 * MB) == 4 * MB + REQUEST_SLACK_BYTES
    assert request_limit(1) == 4 + REQUEST_SLACK_BYTES


def test_an_oversized_upload_request_gets_the_data_tab_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("HEXALIGN_UPLOADS_DIR", str(tmp_path))
    monkeypatch.setenv("HEXALIGN_MAX_UPLOAD_MB", "1")
    app = Dash(__name__)
    app.layout = html.Div()
    register_upload_limit(app.server)
    assert app.server.config["MAX_CONTENT_LENGTH"] == request_limit(MB)
    client = app.server.test_client()
    body = b'{"output": "x", "inputs": [], "state": [], "pad": "' + b"A" * (8 * MB) + b'"}'
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 200
    answer = json.loads(response.data)
    payload = answer["response"][Ids.DATA_RECEIVED]["data"]
    assert (
        payload["error"]
        == "The file is about 6.0 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB)."
    )
    assert answer["multi"] is True and payload["kind"] == "upload"
    small = client.post("/_dash-update-component", data=b"{}", content_type="application/json")
    assert small.status_code != 200 or Ids.DATA_RECEIVED not in small.get_data(as_text=True)
