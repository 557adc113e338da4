"""The digest's chart as PNG bytes (no display needed): issues opened and resolved per week, and each approved
service level met or missed per month, a grid a reader takes in at a glance (green met, red missed, grey not
measured; each cell says the measured value, `*` when disputed). Its labels are in the reader's language."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # before anything draws: servers have no display

from matplotlib.axes import Axes  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.digest.sla import LevelRow  # noqa: E402
from bot.i18n import N_, _  # noqa: E402

COLOURS = {"met": "#5cb85c", "missed": "#d9534f", "unmeasured": "#dddddd", "uncompared": "#f0ad4e"}
STATES = {
    "met": N_("Met"),
    "missed": N_("Missed"),
    "unmeasured": N_("Not measured"),
    "uncompared": N_("No target to compare"),
}
MAX_ROWS = 12  # levels drawn; the rest are named in the digest's text


def _issues(axes: Axes, labels: Sequence[str], opened: Sequence[int], resolved: Sequence[int]) -> None:
    x = list(range(len(labels)))
    width = 0.38
    axes.bar([i - width / 2 for i in x], opened, width, label=_("Opened"), color="#d9534f")
    axes.bar([i + width / 2 for i in x], resolved, width, label=_("Resolved"), color="#5cb85c")
    axes.set_xticks(x, list(labels), fontsize=8)
    axes.set_xlabel(_("Week starting"), fontsize=8)
    axes.set_ylabel(_("Issues"))
    if isinstance(locator := axes.yaxis.get_major_locator(), MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    axes.set_ylim(0, max([*opened, *resolved, 1]) * 1.15)
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncol=2)


def _levels(axes: Axes, periods: Sequence[str], rows: Sequence[LevelRow]) -> None:
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.cells):
            axes.add_patch(Rectangle((j + 0.03, i + 0.06), 0.94, 0.88, color=COLOURS[cell.state], linewidth=0))
            text = cell.text + ("*" if cell.disputed else "")
            if text:
                axes.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=7)
    axes.set_xlim(0, len(periods))
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([j + 0.5 for j in range(len(periods))], list(periods), fontsize=8)
    axes.set_yticks([i + 0.5 for i in range(len(rows))], [r.name for r in rows], fontsize=7)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    used = [s for s in STATES if any(c.state == s for r in rows for c in r.cells)]
    handles = [Patch(color=COLOURS[s], label=_(STATES[s])) for s in used]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.12), ncol=4, fontsize=7, frameon=False)
    axes.set_title(_("Service levels per month (* disputed)"), fontsize=9, loc="left")


def chart_png(
    *,
    title: str,
    labels: Sequence[str],
    opened: Sequence[int],
    resolved: Sequence[int],
    periods: Sequence[str] = (),
    levels: Sequence[LevelRow] = (),
    note: str = "",
) -> bytes:
    """Issues per week above, the service-level grid below (when there are levels); `note` as a footnote."""
    rows = list(levels)[:MAX_ROWS]
    height = 4.2 + (0.9 + 0.32 * len(rows) if rows else 0)
    figure = Figure(figsize=(9, height), dpi=100)  # a Figure, not pyplot: no global state, safe in threads
    if rows:
        grid = figure.add_gridspec(2, 1, height_ratios=[3.4, 0.6 + 0.32 * len(rows)])
        _issues(figure.add_subplot(grid[0]), labels, opened, resolved)
        _levels(figure.add_subplot(grid[1]), periods, rows)
    else:
        _issues(figure.add_subplot(), labels, opened, resolved)
    figure.suptitle(title, fontsize=11)
    if note:
        figure.text(0.01, 0.01, note, fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.04 if note else 0, 1, 1))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
