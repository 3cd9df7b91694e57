"""``data-*`` and ``aria-*`` attributes on Dash components, typed.

Dash components accept ``data-*`` keywords at run time, but their generated signatures do not
declare them, so ``html.Div(**{"data-file": kind})`` fails the type check. Tests and
``assets/hexalign.js`` find elements by these attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def data_attributes(**values: object) -> dict[str, Any]:
    """``file="accounts"`` -> ``{"data-file": "accounts"}``; underscores become hyphens.

    >>> data_attributes(file="accounts", run_id=3)
    {'data-file': 'accounts', 'data-run-id': '3'}
    """
    return {f"data-{name.replace('_', '-')}": str(value) for name, value in values.items()}


def html_attributes(values: Mapping[str, str]) -> dict[str, Any]:
    """Attributes named in full (``aria-live``, or a ``data-*`` name held in a constant).

    >>> html_attributes({"aria-live": "polite"})
    {'aria-live': 'polite'}
    """
    return dict(values)
