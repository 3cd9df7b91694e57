"""The first page's map and panel, answered while the layout is built (issue 18 point 1).

``app.py`` builds every page's layout per request; for a new page it asks here for what
``draw_map`` and ``refresh_panel`` would answer on the landing scenario, and
``layouts.main.main_layout`` puts it in the components, so that the map is drawn as soon as
plotly.js has loaded instead of after two rounds of callbacks (``layouts.first_page``).
"""

from __future__ import annotations

import logging

from callbacks.map import first_map, refresh_panel
from common.errors import HexalignError
from layouts.bounds import TOLERANCE
from layouts.first_page import FirstPage
from planning.targets import rule_settings
from services import targets

logger = logging.getLogger(__name__)


def first_page(url: str, scenario_id: int) -> FirstPage | None:
    """The landing scenario's first map and panel; None when it cannot be drawn now.

    None leaves the page as it was before issue 18: its callbacks draw the map at load.
    """
    try:
        figure, view, name, resolution, camera = first_map(scenario_id)
        kept = rule_settings(targets.scenario_rule(url, scenario_id))  # what show_targets keeps
        version, table, workload, tam, summary, note = refresh_panel(
            {"id": scenario_id}, TOLERANCE.default, None, None, kept, None
        )
    except HexalignError:
        logger.exception("first page of scenario %s not built; its callbacks draw it", scenario_id)
        return None
    except Exception:  # noqa: BLE001 - a page without its first map still works; none does not
        logger.exception("first page of scenario %s failed; its callbacks draw it", scenario_id)
        return None
    if not isinstance(figure, dict):  # nothing to draw (no_update): the callbacks will say so
        return None
    return FirstPage(figure=figure, view=view, scenario_name=name, resolution=int(resolution),
                     camera=camera, version=version, table=table, workload=workload, tam=tam,
                     summary=summary, note=note, targets_kept=kept)  # fmt: skip
