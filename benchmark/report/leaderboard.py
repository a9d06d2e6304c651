"""The leaderboard, from Result files alone (pandas → tabulate, github-format markdown).

What it writes into the output folder, every file a pure function of the Result files (the same
results give the same bytes; timings and dates stay in the JSON):

* ``README.md`` -- the summary page people read: a short "what this measures", then one table
  per task in a fixed reading order (static↔static first), the main metric with its CI, the
  baseline, coverage and n (a family's :class:`Summary`), and links to the task pages;
* ``tasks/<task>.md`` -- everything a specialist wants: the family's full section (per-layer
  and per-category tables, plots, the protocol);
* ``summary.csv`` and ``summary.json`` -- one row per item: the main metric, its CI and baseline;
* ``plots/*.png`` -- written by the families while rendering their task pages;
* ``site/`` -- the same as a self-contained static site (:mod:`benchmark.report.site`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from benchmark.errors import DataFormatError
from benchmark.run.results import Result, atomic_write_text, read_results

PLOTS_DIR = "plots"
TASKS_DIR = "tasks"
#: Reading order of the summary page: families first, then tasks within them (others follow by name).
FAMILY_ORDER = ("static_static", "static_static_unsupervised", "static_contextual", "context_drift",
                "spectrum_by_category", "spectrum_layers")
TASK_ORDER = ("static_static", "static_static_unsupervised", "static_contextual", "context_drift",
              "spectrum_by_category", "spectrum_contextual_input", "spectrum_contextual_mid",
              "spectrum_contextual_last", "spectrum_contextual_layers")
INTRO = (
    "Are two models' embedding spaces the same space seen through a rotation? Each table below answers "
    "one form of that question for the default models: how well an orthogonal map (Procrustes) fitted on a "
    "dictionary translates one static space into another (precision@1 under CSLS retrieval, against a map "
    "fitted on a shuffled dictionary), at which layer a contextual model is still a rotated static space, how "
    "far a word's contextual vector drifts across sentences, and whether word categories have sharper "
    "singular spectra than random words. Every headline number carries a bootstrap 95 % CI that resamples "
    "the independent unit, and a baseline beside it. Each task's page has the per-layer and per-category "
    "tables, the plots and the full protocol."
)


@dataclass(frozen=True)
class Column:
    """A leaderboard column: ``header`` shows ``metric``, with its CI when ``ci``.

    ``value`` (optional) formats the cell from the whole Result instead (e.g. a chosen layer
    kept in the details, or a count "12/28").
    """

    header: str
    metric: str
    ci: bool = False
    digits: int = 3
    value: Callable[[Result], str] | None = None


@dataclass(frozen=True)
class Summary:
    """What a family shows on the summary page: at most ~8 columns, main metric first.

    Attributes
    ----------
    question : str
        One sentence: the question the table answers.
    columns : tuple of Column
        Main metric (with CI) first, then the baseline and coverage beside it.
    baseline : str or None
        Metric key of the baseline (written to summary.csv / .json).
    coverage : str or None
        Metric key of the coverage (written to summary.csv / .json).
    n : callable, optional
        ``n(result) -> str``: the sample the CI resamples (e.g. "1500 test words").
    covered : callable, optional
        ``covered(result) -> str``: coverage as text where it is no single metric (e.g. "28/28").
    """

    question: str
    columns: tuple[Column, ...]
    baseline: str | None = None
    coverage: str | None = None
    n: Callable[[Result], str] | None = None
    covered: Callable[[Result], str] | None = None

    def coverage_text(self, result: Result) -> str | None:
        """The item's coverage for the Models table: the coverage metric, else ``covered``, else None."""
        if self.coverage and result.metrics.get(self.coverage) is not None:
            return f"{result.metrics[self.coverage]:.2f}"
        return self.covered(result) if self.covered else None


def format_number(value, digits: int = 3, signed: bool = False) -> str:
    """A metric as a table cell: ``digits`` decimals (``signed``: always a sign), "–" when missing or NaN, ±∞."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–" if value is None or math.isnan(value) else ("∞" if value > 0 else "−∞")
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def cell(result: Result, column: Column) -> str:
    if column.value is not None:
        return column.value(result)
    m = result.metrics
    text = format_number(m.get(column.metric), column.digits)
    low, high = m.get(f"{column.metric}:ci_low"), m.get(f"{column.metric}:ci_high")
    if column.ci and low is not None and high is not None:
        text += f" [{low:.{column.digits}f}, {high:.{column.digits}f}]"
    return text


def cells(result: Result, columns) -> dict[str, str]:
    """header → :func:`cell` for each of ``columns``, in their order (a row of a task's table)."""
    return {c.header: cell(result, c) for c in columns}


def split_sizes(result: Result) -> str:
    """The train/dev/test sizes of a Result as one cell: ``5000/500/1500`` (``–`` for one not recorded)."""
    return "/".join(str(result.sizes.get(k, "–")) for k in ("train", "dev", "test"))


def section_heading(result: Result) -> str:
    """The heading of a task's section on its page: ``## task (vX)``."""
    return f"## {result.task} (v{result.task_version})"


def ranked_by(result: Result) -> str:
    """``Ranked by `main metric` ↑`` (``↓`` where lower is better): how a task's table is ordered."""
    return f"Ranked by `{result.main_metric}` {'↑' if result.higher_is_better else '↓'}"


def plot_file(result: Result, plots_dir, plot: Callable[[Result, Path], object], *parts: str) -> str:
    """The file name of ``result``'s plot, ``task__part….png``, which the page links; ``plot(result, path)``
    writes it into ``plots_dir`` first when one is given."""
    from benchmark.report.plots_layers import plot_name

    name = plot_name(result.task, *parts)
    if plots_dir is not None:
        plot(result, Path(plots_dir) / name)
    return name


def markdown_table(rows) -> str:
    """A github-format markdown table of ``rows`` (dicts sharing keys), cells kept as given (no number parsing)."""
    from tabulate import tabulate

    rows = list(rows)
    header = list(rows[0]) if rows else []
    columns = [[row.get(k) for row in rows] for k in header]
    types = [set(map(type, column)) for column in columns]
    if (rows and all(list(row) == header for row in rows)
            and all(t <= _CELL_TYPES and (len(t) == 1 or str in t) for t in types) and any(str in t for t in types)):
        # what the DataFrame gives (a table holding text, no None, no column mixing numbers alone, keeps
        # every cell as it is), without importing pandas (~0.3 s of a warm re-run)
        return tabulate([[row[k] for k in header] for row in rows], headers=header, tablefmt="github",
                        disable_numparse=True)
    import pandas as pd

    return tabulate(pd.DataFrame(rows), headers="keys", tablefmt="github", showindex=False, disable_numparse=True)


_CELL_TYPES = {str, int, float, bool}


def details_block(summary: str, body: str) -> list[str]:
    """Markdown lines of a collapsed ``<details>`` block, followed by a blank line."""
    return [f"<details><summary>{summary}</summary>", "", body, "", "</details>", ""]


def family_of(name: str):
    """The registered :class:`~benchmark.families.Family` that rendered (and computed) a Result's items."""
    from benchmark.families import get_family

    return get_family(name)


def plot_link(name: str) -> str:
    """The link from a task page (``tasks/<task>.md``) to a plot written into ``plots/``."""
    return f"../{PLOTS_DIR}/{name}"


def task_page(task: str) -> str:
    """Path of a task's page, relative to the leaderboard folder."""
    return f"{TASKS_DIR}/{task}.md"


def reading_order(results: list[Result]) -> list[tuple[str, list[Result]]]:
    """``(task, its results)`` in the summary page's fixed order."""
    by_task: dict[str, list[Result]] = {}
    for r in results:
        by_task.setdefault(r.task, []).append(r)

    def key(task: str):
        family = by_task[task][0].family
        fam = FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER)
        known = TASK_ORDER.index(task) if task in TASK_ORDER else len(TASK_ORDER)
        return (known, fam, family, task)

    return [(t, by_task[t]) for t in sorted(by_task, key=key)]


def ranked(results: list[Result]) -> list[Result]:
    """Results of one task, best main metric first (missing values last-ish as 0), ties by item id."""
    first = results[0]
    sign = -1 if first.higher_is_better else 1
    return sorted(results, key=lambda r: (sign * (r.metrics.get(first.main_metric) or 0.0), r.item_id))


@dataclass(frozen=True)
class Placement:
    """Where one item ranks among a leaderboard's items of the same task (1 = best)."""

    rank: int
    of: int
    above: str | None  # the item just better, e.g. "spacy-md-300→word2vec-gnews"
    below: str | None  # the item just worse

    def describe(self) -> str:
        near = [f"below {self.above}" if self.above else "", f"above {self.below}" if self.below else ""]
        near_text = ", ".join(n for n in near if n)
        return f"{self.rank}/{self.of}" + (f": {near_text}" if near_text else "")


def place_among(result: Result, board: list[Result]) -> Placement | None:
    """Rank ``result`` by its task's main metric among ``board``'s items of the same task.

    An item of ``board`` with the same id as ``result`` is replaced by ``result`` (a re-scored
    item is not counted twice).  ``None`` when the result has no main-metric value.
    """
    if result.metrics.get(result.main_metric) is None:
        return None
    peers = [r for r in board if r.task == result.task and r.item_id != result.item_id
             and r.metrics.get(result.main_metric) is not None]
    order = ranked([*peers, result])
    i = next(j for j, r in enumerate(order) if r is result)
    name = lambda r: "→".join(r.models)  # noqa: E731
    return Placement(i + 1, len(order), name(order[i - 1]) if i > 0 else None,
                     name(order[i + 1]) if i + 1 < len(order) else None)


def task_table(results: list[Result], columns: tuple[Column, ...]) -> str:
    """One markdown table for the results of one task: rank, models, ``columns``, sizes and status."""
    rows = []
    for rank, r in enumerate(ranked(results), start=1):
        rows.append({"#": rank, "models": " → ".join(r.models), **cells(r, columns),
                     "n train/dev/test": split_sizes(r), "status": r.status})
    return markdown_table(rows)


def _provenance_lines(results: list[Result]) -> list[str]:
    revisions: dict[str, str] = {}
    commits, seeds, packages, days = set(), set(), {}, set()
    for r in results:
        revisions.update(r.revisions)
        commits.add(r.provenance.get("git_commit") or "unknown")
        seeds.add(r.seed)
        packages.update(r.provenance.get("packages", {}))
        if r.timing.get("started"):
            days.add(r.timing["started"][:10])
    dates = " to ".join(sorted({min(days), max(days)})) if days else "unknown"
    lines = [
        f"- Computed (UTC date): {dates}.",
        f"- Seed: {', '.join(map(str, sorted(seeds)))}; git commit: {', '.join(sorted(commits))}; "
        f"benchmark {results[0].provenance.get('benchmark_version', '?')}.",
        "- Revisions: " + "; ".join(f"`{k}` {v}" for k, v in sorted(revisions.items())) + ".",
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in sorted(packages.items())) + ".",
    ]
    cpus = _cpu_counts(results)
    if set(cpus) != {"not recorded"}:
        lines.append("- CPUs: " + "; ".join(f"{cpu}: {n} item{'s' if n != 1 else ''}" for cpu, n in cpus.items())
                     + ". Float32 kernels take other code paths on CPUs with other SIMD extensions: an item "
                     "recomputed on another CPU can differ in its last digits (and its plot in bytes).")
    return lines


def _cpu_counts(results: list[Result]) -> dict[str, int]:
    """Items per CPU (model and SIMD extensions, from provenance), most items first."""
    counts: dict[str, int] = {}
    for r in results:
        cpu = r.provenance.get("machine", {}).get("cpu")
        if isinstance(cpu, dict):
            simd = ", ".join(cpu.get("simd", ())) or "no SIMD extensions listed"
            key = f"{cpu.get('model') or 'unknown model'} ({simd})"
        else:
            key = "not recorded"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def table_section(task_results: list[Result], columns: tuple[Column, ...],
                  protocol_text: Callable[[Result], str]) -> str:
    """A task page made of the full table (``columns``) and the protocol of the first Result."""
    first = task_results[0]
    return "\n".join([
        section_heading(first),
        "",
        f"{ranked_by(first)}. Brackets: bootstrap 95 % CI over test items.",
        "",
        task_table(task_results, columns),
        "",
        "### Protocol",
        "",
        protocol_text(first),
    ])


def summary_spec(family_name: str) -> Summary:
    """The family's :class:`Summary` (its table on the summary page)."""
    return family_of(family_name).summary


def ci_note(spec: Summary) -> str:
    """"; brackets: bootstrap 95 % CI" where a column of the summary table shows a CI, else nothing."""
    return "; brackets: bootstrap 95 % CI" if any(c.ci for c in spec.columns) else ""


def _summary_table(task_results: list[Result], spec: Summary) -> str:
    rows = []
    for rank, r in enumerate(ranked(task_results), start=1):
        row = {"#": rank, "models": " → ".join(r.models)}
        for c in spec.columns:
            row[c.header] = cell(r, c)
        if spec.n is not None:
            row["n"] = spec.n(r)
        row["status"] = r.status
        rows.append(row)
    return markdown_table(rows)


def render_summary(results: list[Result]) -> str:
    """``README.md``: what this measures, one table per task in reading order, links, provenance."""
    out = [
        "# Rosetta Bench leaderboard",
        "",
        "Generated by `python -m benchmark run` from the Result files in `results/` "
        "(regenerate with `python -m benchmark leaderboard`). Do not edit by hand.",
        "",
    ]
    if not results:
        out += ["No results yet.", ""]
        return "\n".join(out)
    skipped = [r for r in results if r.status == "skipped"]
    results = [r for r in results if r.status != "skipped"]  # the tables show measured items only
    ordered = reading_order(results)
    out += [INTRO, "", "Tasks: " + " · ".join(f"[{t}](#{t})" for t, _ in ordered) + ".", "",
            "Machine-readable: [summary.csv](summary.csv), [summary.json](summary.json) (one row per item); "
            "every Result in [results/](results/).", ""]
    for task, task_results in ordered:
        first = task_results[0]
        spec = summary_spec(first.family)
        out += [
            f"## {task}",
            "",
            f"{spec.question} {ranked_by(first)} (v{first.task_version}){ci_note(spec)}. "
            f"Details and protocol: [{task_page(task)}]({task_page(task)}).",
            "",
            _summary_table(task_results, spec),
            "",
        ]
    out += _models_section(results)
    if skipped:
        out += ["## Skipped items", "", "Items that could not be measured, with the reason.", ""]
        out += [f"- `{r.item_id}` (v{r.task_version}): {r.skip_reason}" for r in skipped] + [""]
    if results:
        out += ["## Provenance", "", *_provenance_lines(results), ""]
    return "\n".join(out)


def _models_section(results: list[Result]) -> list[str]:
    """Each model's card (what it is, its size) and how much of each task it covers, beside the tables."""
    cards: dict[str, dict] = {}
    for r in results:
        for name, card in r.model_cards.items():
            cards.setdefault(name, card)
    if not cards:
        return []
    rows = []
    for name in sorted(cards):
        coverage = []
        for task, task_results in reading_order(results):
            spec = summary_spec(task_results[0].family)
            texts = sorted({spec.coverage_text(r) for r in task_results if name in r.models} - {None})
            if texts:
                coverage.append(f"{task} {texts[0]}" + (f"–{texts[-1]}" if len(texts) > 1 else ""))
        rows.append({"model": name, "what": cards[name].get("description", ""), "size": cards[name].get("size", "–"),
                     "coverage by task": "; ".join(coverage) or "–"})
    return ["## Models", "",
            "Coverage: for static↔static and static↔contextual, the share of wordfreq's 10,000 most frequent "
            "plain words found in both spaces of a pair (lowest–highest over the model's pairs); for the spectrum "
            "tasks, the categories covered at ≥ 80 % of their words.", "", markdown_table(rows), ""]


def _finite_or_none(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def summary_rows(results: list[Result]) -> list[dict]:
    """One row per item, in reading order: main metric, its CI, baseline, coverage, status."""
    rows = []
    for task, task_results in reading_order(results):
        spec = summary_spec(task_results[0].family)
        measured = [r for r in task_results if r.status != "skipped"]
        for r in [*(ranked(measured) if measured else []), *(r for r in task_results if r.status == "skipped")]:
            m = r.metrics
            main = r.main_metric
            rows.append({
                "task": task, "task_version": r.task_version, "family": r.family,
                "models": "->".join(r.models), "main_metric": main,
                "value": _finite_or_none(m.get(main)),
                "ci_low": _finite_or_none(m.get(f"{main}:ci_low")),
                "ci_high": _finite_or_none(m.get(f"{main}:ci_high")),
                "higher_is_better": bool(r.higher_is_better),
                "baseline_metric": spec.baseline or "",
                "baseline": _finite_or_none(m.get(spec.baseline)) if spec.baseline else None,
                "coverage": _finite_or_none(m.get(spec.coverage)) if spec.coverage else None,
                "n": spec.n(r) if spec.n else "",
                "status": r.status, "seed": r.seed,
            })
    return rows


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["task", "models", "main_metric", "value", "ci_low", "ci_high"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else (repr(v) if isinstance(v, float) else v)) for k, v in row.items()})
    return buf.getvalue()


def render_task_page(task_results: list[Result], plots_dir: Path | None = None) -> str:
    """``tasks/<task>.md``: the family's :meth:`~benchmark.families.Family.render` of the task's Results."""
    body = family_of(task_results[0].family).render(task_results, plots_dir)
    return "\n".join(["[← leaderboard](../README.md)", "", body.rstrip("\n"), ""])


def render_pages(results: list[Result], plots_dir: Path | None = None) -> dict[str, str]:
    """Every text file of the leaderboard, ``{relative path: text}``.

    A family may provide ``render_across_tasks(results)``: one page over the results of all its
    tasks (``tasks/<family>__across_tasks.md``), linked from the summary page.
    """
    pages: dict[str, str] = {}
    measured = [r for r in results if r.status != "skipped"]  # the families render measured items only
    for task, task_results in reading_order(measured):
        pages[task_page(task)] = render_task_page(task_results, plots_dir)
    by_family: dict[str, list[Result]] = {}
    for r in measured:
        by_family.setdefault(r.family, []).append(r)
    across = []
    for family_name in sorted(by_family):
        across_tasks = getattr(family_of(family_name), "render_across_tasks", None)
        family_results = by_family[family_name]
        if across_tasks is not None and len(family_results) > 1:
            path = f"{TASKS_DIR}/{family_name}__across_tasks.md"
            pages[path] = "\n".join(["[← leaderboard](../README.md)", "",
                                     across_tasks(family_results).rstrip("\n"), ""])
            across.append(path)
    summary = render_summary(results)
    if across:
        links = " · ".join(f"[{Path(p).stem}]({p})" for p in across)
        summary = summary.replace("\n## Provenance\n", f"\n## Across tasks\n\n{links}\n\n## Provenance\n", 1)
    pages["README.md"] = summary
    rows = summary_rows(results)
    pages["summary.csv"] = _csv_text(rows)
    pages["summary.json"] = json.dumps({"schema_version": 1, "items": rows}, indent=2, sort_keys=True,
                                       allow_nan=False) + "\n"
    return pages


def render(results: list[Result], plots_dir: Path | None = None) -> str:
    """The summary page (``README.md``) alone; :func:`render_pages` gives every file."""
    return render_pages(results, plots_dir)["README.md"]


def results_of(out_dir: str | os.PathLike, *, skip_invalid: bool = False, warn: bool = True) -> list[Result]:
    """The Results under ``out_dir/results``; a missing folder is an error, not an empty page."""
    results_dir = Path(out_dir) / "results"
    if not results_dir.is_dir():
        raise DataFormatError(results_dir, "no such results directory (run `python -m benchmark run` first, "
                                           "or pass --results DIR holding results/)")
    return read_results(results_dir, skip_invalid=skip_invalid, warn=warn)


def write_leaderboard(out_dir: str | os.PathLike, page: str | os.PathLike | None = None, *,
                      skip_invalid: bool = False, warn: bool = True) -> Path:
    """Render ``out_dir/results/*.json`` into the leaderboard files under ``out_dir``, each atomically.

    ``page`` moves the whole leaderboard (summary page, task pages, summary files, plots, site) to
    ``page``'s folder, with the summary page under ``page``'s name. Task pages of tasks that have
    no result any more are removed. ``skip_invalid`` leaves out files that are not Results (warning
    about each unless ``warn`` is false). Returns the summary page's path.
    """
    from benchmark.report.site import SITE_DIR, write_site_of

    out_dir = Path(out_dir)
    page = Path(page) if page is not None else out_dir / "README.md"
    root = page.parent
    results = results_of(out_dir, skip_invalid=skip_invalid, warn=warn)
    pages = render_pages(results, plots_dir=root / PLOTS_DIR)
    for rel, text in pages.items():
        atomic_write_text(page if rel == "README.md" else root / rel, text)
    tasks_dir = root / TASKS_DIR
    if tasks_dir.is_dir():
        for old in tasks_dir.glob("*.md"):
            if f"{TASKS_DIR}/{old.name}" not in pages:
                old.unlink()
    write_site_of(results, root / SITE_DIR, plots_from=root / PLOTS_DIR, board_pages=pages)
    return page


def stale_files(out_dir: str | os.PathLike, page: str | os.PathLike | None = None, *,
                skip_invalid: bool = False) -> list[Path]:
    """Leaderboard files (site included) that differ from what the Result files give now (missing ones
    included), and pages that no result backs any more.  Writes nothing (plots are not redrawn)."""
    from benchmark.report.site import SITE_DIR, stale_site_files_of

    out_dir = Path(out_dir)
    page = Path(page) if page is not None else out_dir / "README.md"
    root = page.parent
    results = results_of(out_dir, skip_invalid=skip_invalid, warn=False)
    pages = render_pages(results, plots_dir=None)
    stale = []
    for rel, text in pages.items():
        path = page if rel == "README.md" else root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    tasks_dir = root / TASKS_DIR
    if tasks_dir.is_dir():
        stale += sorted(p for p in tasks_dir.glob("*.md") if f"{TASKS_DIR}/{p.name}" not in pages)
    return stale + stale_site_files_of(results, root / SITE_DIR, board_pages=pages)
