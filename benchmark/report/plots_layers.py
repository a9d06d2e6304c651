"""Per-layer line plots for the contextual families (static_contextual, context_drift).

Built on :mod:`benchmark.report.plots` (object-oriented matplotlib on the Agg canvas, no
pyplot, deterministic PNG bytes written atomically); matplotlib is imported only
when a plot is drawn.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from benchmark.report.plots import DPI, draw_once, new_figure

__all__ = ["Curve", "Panel", "layer_plot", "plot_name"]


@dataclass(frozen=True)
class Curve:
    """One line: ``y[i]`` at layer ``x[i]``; ``None`` values leave a gap.

    ``style``: ``solid`` (markers), ``dashed``, ``dotted`` or ``baseline`` (grey dashed).
    ``mark``: an x value to circle (the dev-chosen layer).
    """

    label: str
    x: Sequence[int]
    y: Sequence[float | None]
    style: str = "solid"
    mark: int | None = None


@dataclass(frozen=True)
class Panel:
    title: str
    ylabel: str
    curves: Sequence[Curve]
    hlines: Sequence[tuple[str, float]] = field(default_factory=tuple)
    ylim: tuple[float, float] | None = None


_STYLES = {
    "solid": dict(linestyle="-", marker="o", markersize=3, linewidth=1.4),
    "dashed": dict(linestyle="--", marker="s", markersize=2.5, linewidth=1.2),
    "dotted": dict(linestyle=":", marker="^", markersize=2.5, linewidth=1.2),
    "baseline": dict(linestyle="--", color="0.5", linewidth=1.0),
}


def plot_name(*parts: str) -> str:
    """A file name safe on every file system: ``static_contextual__glove-6b-50d__minilm-l6.png``."""
    return "__".join(re.sub(r"[^A-Za-z0-9._-]+", "_", p) for p in parts) + ".png"


def layer_plot(path: str | os.PathLike, panels: Sequence[Panel], *, title: str = "",
               xlabel: str = "layer (hidden-state index; 0 = embedding output)") -> Path:
    """Side-by-side panels of per-layer curves, written as a PNG at ``path`` (only when these inputs
    changed: :func:`~benchmark.report.plots.draw_once`)."""
    inputs = dict(panels=panels, title=title, xlabel=xlabel)
    return draw_once(path, "layer_plot", inputs, lambda: _layer_figure(**inputs))


def _layer_figure(panels: Sequence[Panel], title: str, xlabel: str):
    n = max(1, len(panels))
    fig = new_figure(figsize=(5.2 * n, 4.9), dpi=DPI)
    for i, panel in enumerate(panels):
        ax = fig.add_subplot(1, n, i + 1)
        xs_all: list[int] = []
        for c in panel.curves:
            pts = [(int(x), float(y)) for x, y in zip(c.x, c.y) if y is not None]
            if not pts:
                continue
            xs, ys = zip(*pts)
            xs_all.extend(xs)
            (line,) = ax.plot(xs, ys, label=c.label, **_STYLES.get(c.style, _STYLES["solid"]))
            if c.mark is not None and c.mark in xs:
                ax.plot([c.mark], [ys[xs.index(c.mark)]], marker="o", markersize=9, fillstyle="none",
                        color=line.get_color(), linestyle="none")
        for label, value in panel.hlines:
            ax.axhline(float(value), color="0.35", linestyle="-.", linewidth=1.0, label=label)
        if xs_all:
            ax.set_xticks(sorted(set(xs_all)) if len(set(xs_all)) <= 20 else sorted(set(xs_all))[::2])
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel(panel.ylabel, fontsize=8)
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
        ax.set_title(panel.title, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, color="0.9", linewidth=0.6)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
