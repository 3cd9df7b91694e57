"""Issue 16 point 6 (h16b): which language a request is built in, and the page's choice.

Every request (the page, its layout, each callback) gets its language from ``?lang=``, then the
cookie that remembers the user's choice, then the browser's Accept-Language; the layouts read it
through ``layouts.i18n.tr``. A ``?lang=`` link is remembered too, so the layout request and the
callbacks that follow (which do not carry the page's query) answer in the same language.
"""

from __future__ import annotations

from dash import Dash, Input, Output, clientside_callback
from flask import Response, request

from layouts.i18n import COOKIE, QUERY, choose, current, language, use_language
from layouts.ids import Ids

YEAR = 365 * 24 * 3600


def register_language(app: Dash) -> None:
    """Choose each request's language, remember ``?lang=``, and put it on ``<html>``."""
    server = app.server

    @server.before_request
    def pick_language() -> None:
        use_language(
            choose(request.args.get(QUERY), request.cookies.get(COOKIE),
                   request.headers.get("Accept-Language"))
        )  # fmt: skip

    @server.after_request
    def remember_link(response: Response) -> Response:
        if request.args.get(QUERY) and request.cookies.get(COOKIE) != current():
            response.set_cookie(COOKIE, current(), max_age=YEAR, samesite="Lax")
        return response

    plain = app.interpolate_index

    def interpolate_index(**kwargs: str) -> str:
        """The page's ``<html>`` says its language and direction (screen readers, RTL)."""
        page = plain(**kwargs)
        loc = language()
        return page.replace("<html>", f'<html lang="{loc.code}" dir="{loc.direction}">', 1)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]


# The language switch: remember the choice for a year and reload the page without ``?lang=``.
clientside_callback(
    f"""function (value) {{
        if (!value) {{ return window.dash_clientside.no_update; }}
        document.cookie = "{COOKIE}=" + value + "; path=/; max-age={YEAR}; samesite=lax";
        var url = new URL(window.location.href);
        url.searchParams.delete("{QUERY}");
        if (document.documentElement.lang !== value || url.href !== window.location.href) {{
            window.location.assign(url.href);
        }}
        return window.dash_clientside.no_update;
    }}""",
    Output(Ids.LANGUAGE, "title"),
    Input(Ids.LANGUAGE, "value"),
    prevent_initial_call=True,
)
