"""The digest's chart: issues opened and resolved per week, and SLA attainment, as PNG bytes (no display needed)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # before anything draws: servers have no display

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

ATTAINMENT_LABEL = "SLA attainment, % of days with no open sla-breach issue"
FOOTNOTE = "No SLA register yet: attainment is derived from issues logged in the sla-breach category."


def chart_png(
    *,
    title: str,
    labels: Sequence[str],
    opened: Sequence[int],
    resolved: Sequence[int],
    attainment: Sequence[int],
) -> bytes:
    """A bar chart of issues opened and resolved per week, with SLA attainment as a line on its own axis."""
    figure = Figure(figsize=(9, 4.2), dpi=100)  # a Figure, not pyplot: no global state, safe in threads
    axes = figure.add_subplot()
    x = list(range(len(labels)))
    width = 0.38
    axes.bar([i - width / 2 for i in x], opened, width, label="Opened", color="#d9534f")
    axes.bar([i + width / 2 for i in x], resolved, width, label="Resolved", color="#5cb85c")
    axes.set_xticks(x, list(labels), fontsize=8)
    axes.set_xlabel("Week starting")
    axes.set_ylabel("Issues")
    if isinstance(locator := axes.yaxis.get_major_locator(), MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    sla = axes.twinx()
    sla.plot(x, attainment, color="#337ab7", marker="o", label="SLA attainment (%)")
    sla.set_ylim(0, 105)
    sla.set_ylabel(ATTAINMENT_LABEL, fontsize=7)
    handles = axes.get_legend_handles_labels()[0] + sla.get_legend_handles_labels()[0]
    axes.set_ylim(0, max([*opened, *resolved, 1]) * 1.15)
    axes.set_title(title, fontsize=11)
    figure.legend(handles, [str(h.get_label()) for h in handles], loc="lower right", ncol=3, fontsize=8, frameon=False)
    figure.text(0.01, 0.015, FOOTNOTE, fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
