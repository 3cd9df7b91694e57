"""The keys' help (issue 16 point 4): ``?`` opens a list of every shortcut.

The list is data (``KEYS``) so the overlay, the README and the tests name the same keys;
``assets/hexalign.js`` does what each key says. "p" and "b" belong to presentation mode
and the before/after flip (issue 16 points 1 and 2); they are listed here with the rest.
"""

from __future__ import annotations

from dash import html

from layouts.attributes import html_attributes
from layouts.i18n import tr
from layouts.ids import Ids

HELP_KEY = "?"
# (keys as shown, what they do): English here, translated where shown
KEYS: tuple[tuple[str, str], ...] = (
    ("1 … 9, 0", "Pick rep 1 to 9; 0 picks Unassigned"),
    ("← →", "Previous / next rep"),
    ("r", "Open the rep picker and type a name"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Y, Ctrl+Shift+Z", "Redo"),
    ("c", "Next colour mode"),
    ("m", "Selection moves cells to the rep"),
    ("l", "Selection locks cells"),
    ("u", "Selection unlocks cells"),
    ("[ ]", "Previous / next scenario"),
    ("p", "Presentation mode"),
    ("b", "Flip before / after"),
    ("/", "Find an account, a town or a rep"),
    ("?", "Show or hide this list"),
    ("Esc", "Close this list or the find box"),
)


def key_help() -> html.Div:
    """The overlay listing the keys; hidden until ``?`` (the script shows and hides it)."""
    rows = [
        html.Tr([html.Th(html.Kbd(keys), scope="row"), html.Td(tr(does))]) for keys, does in KEYS
    ]
    title_id = f"{Ids.HELP}-title"
    return html.Div(
        html.Div(
            [
                html.H2(tr("Keyboard shortcuts"), id=title_id),
                html.Table(html.Tbody(rows), className="key-help-table"),
                html.Button(tr("Close"), id=Ids.HELP_CLOSE, n_clicks=0),
            ],
            className="key-help-box",
        ),
        id=Ids.HELP,
        className="key-help",
        hidden=True,
        role="dialog",
        **html_attributes({"aria-modal": "true", "aria-labelledby": title_id}),
    )
