"""Small matplotlib helpers for leaderboard figures.

matplotlib is imported inside the functions (``import benchmark`` stays
light), through the object-oriented API and the Agg canvas only: no pyplot,
no global backend switch, no state shared between figures.  PNGs are
deterministic: fixed size and dpi, no ``Software`` metadata, written
atomically (a reader sees the old file or the new one).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Sequence

from benchmark.run.atomic import atomic_write_bytes

FIGSIZE = (6.4, 4.2)
DPI = 100


def new_figure(figsize=FIGSIZE, dpi=DPI):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def save_png(fig, path: str | os.PathLike, dpi: int = DPI) -> Path:
    """Render ``fig`` to PNG bytes (no Software metadata) and write them atomically."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return atomic_write_bytes(path, buf.getvalue())


def scree_plot(
    path: str | os.PathLike,
    curves: Sequence[tuple[str, Sequence[float], str]],
    *,
    band: tuple[Sequence[float], Sequence[float], Sequence[float]] | None = None,
    band_label: str = "null 5–95 %",
    title: str = "",
    xlabel: str = "index i",
    ylabel: str = "σ_i / σ_1",
) -> Path:
    """Line plot of normalised spectra, with an optional (low, median, high) band.

    ``curves`` are ``(label, y, style)`` with ``style`` one of ``"solid"``,
    ``"control"`` (dashed black) or ``"dashed"``; x runs 1..len(y).
    """
    fig = new_figure()
    ax = fig.add_subplot(1, 1, 1)
    if band is not None:
        lo, mid, hi = (list(map(float, b)) for b in band)
        x = list(range(1, len(mid) + 1))
        ax.fill_between(x, lo, hi, color="0.75", alpha=0.6, linewidth=0, label=band_label)
        ax.plot(x, mid, color="0.45", linestyle=":", linewidth=1.2, label="null median")
    for label, y, style in curves:
        y = [float(v) for v in y]
        x = list(range(1, len(y) + 1))
        if style == "control":
            ax.plot(x, y, color="black", linestyle="--", linewidth=1.6, label=label)
        elif style == "dashed":
            ax.plot(x, y, color="0.3", linestyle="-.", linewidth=1.2, label=label)
        else:
            ax.plot(x, y, linewidth=1.4, marker="o", markersize=2.5, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(left=1)
    ax.grid(True, color="0.9", linewidth=0.6)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    fig.tight_layout()
    return save_png(fig, path)
