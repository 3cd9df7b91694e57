"""Browser fixtures: without Debian's Chromium they skip with the reason, or fail under CI=true."""

from __future__ import annotations

import pytest

from tests import needs
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser():
    needs.chromium(path=CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
