"""Small matplotlib helpers for leaderboard figures.

matplotlib is imported inside the functions (``import benchmark`` stays
light), through the object-oriented API and the Agg canvas only: no pyplot,
no global backend switch, no state shared between figures.  PNGs are
deterministic: fixed size and dpi, no ``Software`` metadata, written
atomically (a reader sees the old file or the new one).

A plot is drawn only when its inputs changed (:func:`draw_once`): beside the PNGs,
``.plot-keys.json`` holds, per file, a hash of what drew it (the plotted data, the source of
this module and :mod:`~benchmark.report.plots_layers`, the matplotlib and Pillow versions) and
the hash of the bytes written.  A warm re-run over unchanged Results then draws nothing and
imports no matplotlib; the PNG bytes stay those a fresh drawing gives.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import numbers
import os
from pathlib import Path
from typing import Callable, Sequence

from benchmark.report.kept import kept_bytes, manifest_entry, read_manifest
from benchmark.run.atomic import atomic_write_bytes, atomic_write_text

FIGSIZE = (6.4, 4.2)
DPI = 100
#: The manifest beside the PNGs: ``{file name: {"inputs": hash, "sha256": hash of the PNG}}``.
PLOT_KEYS = ".plot-keys.json"
_DRAWING_CODE = ("plots.py", "plots_layers.py")
_DRAWING_PACKAGES = ("matplotlib", "pillow")


@functools.lru_cache(maxsize=1)
def drawing_code_version() -> str:
    """Hash of what turns plot inputs into PNG bytes: this module, plots_layers.py, matplotlib and Pillow."""
    from benchmark.packages import installed_version

    digest = hashlib.sha256()
    for name in _DRAWING_CODE:
        digest.update(Path(__file__).with_name(name).read_bytes())
    for dist in _DRAWING_PACKAGES:
        digest.update(f"\n{dist} {installed_version(dist)}".encode())
    return digest.hexdigest()


def _plain(value):
    """``value`` as JSON data: dataclasses as dicts, sequences and arrays as lists, numbers exact."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)  # json writes repr(float): every bit, NaN and ±inf included
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _plain(value.tolist())
    if isinstance(value, (list, tuple, range)):
        return [_plain(v) for v in value]
    raise TypeError(f"plot input of type {type(value).__name__} has no stable hash: {value!r}")


def plot_key(kind: str, inputs: dict) -> str:
    """Hash of a plot's inputs (``kind``: the drawing function) and of the drawing code's version."""
    text = json.dumps({"kind": kind, "code": drawing_code_version(), "inputs": _plain(inputs)},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_drawn(path: str | os.PathLike, key: str) -> bool:
    """Whether ``path`` holds the PNG that inputs of hash ``key`` give (the manifest says so and the
    file's bytes are those it recorded)."""
    path = Path(path)
    return kept_bytes(path.parent, read_manifest(path.parent / PLOT_KEYS), path.name, key) is not None


def _record(path: Path, key: str, data: bytes) -> None:
    # read-modify-write: a concurrent run may drop another's entry, which only costs a redraw later
    keys = read_manifest(path.parent / PLOT_KEYS)
    keys[path.name] = manifest_entry(key, data)
    atomic_write_text(path.parent / PLOT_KEYS, json.dumps(dict(sorted(keys.items())), indent=1) + "\n")


def draw_once(path: str | os.PathLike, kind: str, inputs: dict, figure: Callable[[], object]) -> Path:
    """Write ``figure()`` as a PNG at ``path`` unless ``path`` already holds what ``inputs`` give.

    ``inputs`` must be everything the figure depends on besides the drawing code (hashed by
    :func:`plot_key`); the figure is built only when it is drawn.
    """
    path = Path(path)
    key = plot_key(kind, inputs)
    if is_drawn(path, key):
        return path
    data = png_bytes(figure())
    atomic_write_bytes(path, data)
    _record(path, key, data)
    return path


def new_figure(figsize=FIGSIZE, dpi=DPI):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """``fig`` as PNG bytes, without Software metadata."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def save_png(fig, path: str | os.PathLike, dpi: int = DPI) -> Path:
    """Render ``fig`` to PNG bytes (no Software metadata) and write them atomically."""
    return atomic_write_bytes(path, png_bytes(fig, dpi))


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
    ``"control"`` (dashed black) or ``"dashed"``; x runs 1..len(y).  Drawn only when these
    inputs changed (:func:`draw_once`).
    """
    inputs = dict(curves=curves, band=band, band_label=band_label, title=title, xlabel=xlabel, ylabel=ylabel)
    return draw_once(path, "scree_plot", inputs, lambda: _scree_figure(**inputs))


def _scree_figure(curves, band, band_label, title, xlabel, ylabel):
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
    return fig
