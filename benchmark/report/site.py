"""A self-contained static site of the leaderboard, from Result files alone.

``python -m benchmark site [--results DIR] [--out DIR]`` (and every ``run``, into
``leaderboard/site/``) writes plain HTML with a small script of its own -- no CDN, no network,
works from ``file://`` and from any static host (GitHub Pages):

* ``index.html`` -- what this measures, one sortable, filterable table per task (the family's
  :class:`~benchmark.report.leaderboard.Summary` columns), links to task and model pages, provenance;
* ``tasks/<task>.html`` -- the task page (the markdown of ``leaderboard/tasks/<task>.md``
  rendered with python-markdown), plots inline;
* ``models/<model>.html`` -- one model across every task: its items, main metric with CI and
  rank among the items of the same task;
* ``plots/*.png`` (drawn by the families), ``assets/site.css``, ``assets/site.js``.

Every file is a pure function of the Result files (same results, same bytes).  A task page whose
markdown did not change is not converted again (python-markdown is most of a warm re-run's site
time): ``.page-keys.json`` keeps, per task page, a hash of its markdown and of this module and
python-markdown's version, and the hash of the HTML written.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
from pathlib import Path

from benchmark.report.kept import kept_bytes, manifest_entry, read_manifest
from benchmark.report.leaderboard import (
    INTRO,
    PLOTS_DIR,
    _provenance_lines,
    cell,
    ci_note,
    ranked,
    reading_order,
    render_pages,
    summary_spec,
)
from benchmark.run.atomic import atomic_write_text
from benchmark.run.results import Result

SITE_DIR = "site"
ASSETS = {
    "assets/site.css": """\
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{border-bottom:1px solid #d0d7de;padding-top:12px;padding-bottom:8px}
header a{margin-right:14px}
h1{font-size:1.6em;margin:.4em 0}h2{margin-top:1.6em;border-bottom:1px solid #eaeef2}
a{color:#0969da}
.table-wrap{overflow-x:auto;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f6f8fa;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
tr:nth-child(even) td{background:#fbfcfd}
input.filter{font:inherit;padding:4px 8px;margin:4px 0;width:min(320px,100%);box-sizing:border-box}
img{max-width:100%;height:auto}
.muted{color:#57606a}
code{background:#f6f8fa;padding:0 3px;border-radius:3px}
main p,main li,main h1,main h2,main h3{overflow-wrap:anywhere}
@media (max-width:600px){body{font-size:14px}th,td{padding:3px 5px}}
""",
    "assets/site.js": """\
// Rosetta Bench leaderboard: sortable tables and row filters; no dependencies, no network.
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var num = parseFloat(text.replace(/^[+]/, "").replace(/^−/, "-"));
    return isNaN(num) ? {num: null, text: text.toLowerCase()} : {num: num, text: text.toLowerCase()};
  }
  function compare(a, b) {
    if (a.num !== null && b.num !== null) { return a.num - b.num; }
    if (a.num !== null) { return -1; }
    if (b.num !== null) { return 1; }
    return a.text < b.text ? -1 : (a.text > b.text ? 1 : 0);
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var descending = th.getAttribute("aria-sort") !== "descending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[index]), key(r2.cells[index]));
      return descending ? -c : c;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function makeSortable(table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.setAttribute("title", "sort by this column");
      th.addEventListener("click", function () { sortBy(table, index, th); });
    });
  }
  function attachFilter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table || !table.tBodies[0]) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("input.filter"), attachFilter);
  });
})();
""",
}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def slug(name: str) -> str:
    """A file-name-safe form of a task or model name (``gemma3-270m`` stays as it is)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def _page(title: str, body: str, depth: int) -> str:
    up = "../" * depth
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} · Rosetta Bench</title>",
        f'<link rel="stylesheet" href="{up}assets/site.css">',
        f'<script src="{up}assets/site.js"></script>',
        "</head>",
        "<body>",
        f'<header><a href="{up}index.html"><b>Rosetta Bench</b></a>'
        f'<a href="{up}index.html#models">models</a><a href="{up}index.html#provenance">provenance</a></header>',
        "<main>",
        body,
        "</main>",
        '<footer class="muted"><p>Generated from the Result files by <code>python -m benchmark site</code>.</p></footer>',
        "</body>",
        "</html>",
        "",
    ])


def _table(table_id: str, header: list[str], rows: list[list[str]]) -> str:
    """An HTML table; cells are given as HTML already."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<div class="table-wrap"><table id="{_e(table_id)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>\n{body}\n</tbody></table></div>")


def _models_html(models, depth: int) -> str:
    up = "../" * depth
    return " → ".join(f'<a href="{up}models/{slug(m)}.html">{_e(m)}</a>' for m in models)


def _index(results: list[Result]) -> str:
    parts = ["<h1>Rosetta Bench leaderboard</h1>", f"<p>{_e(INTRO)}</p>"]
    if not results:
        return _page("leaderboard", "\n".join(parts + ["<p>No results yet.</p>"]), 0)
    ordered = reading_order(results)
    parts.append("<p>Tasks: " + " · ".join(f'<a href="#{_e(t)}">{_e(t)}</a>' for t, _ in ordered) + "</p>")
    for task, task_results in ordered:
        first = task_results[0]
        spec = summary_spec(first.family)
        arrow = "↑" if first.higher_is_better else "↓"
        header = ["#", "models", *(c.header for c in spec.columns), *(["n"] if spec.n else []), "status"]
        rows = []
        for rank, r in enumerate(ranked(task_results), start=1):
            rows.append([str(rank), _models_html(r.models, 0), *(_e(cell(r, c)) for c in spec.columns),
                         *([_e(spec.n(r))] if spec.n else []), _e(r.status)])
        table_id = f"table-{slug(task)}"
        parts += [
            f'<h2 id="{_e(task)}">{_e(task)}</h2>',
            f"<p>{_e(spec.question)} Ranked by <code>{_e(first.main_metric)}</code> {arrow} "
            f"(v{_e(first.task_version)}){_e(ci_note(spec))}. "
            f'<a href="tasks/{slug(task)}.html">Task page: per-layer and per-category tables, plots, protocol</a>.</p>',
            f'<input class="filter" type="search" data-table="{table_id}" placeholder="filter rows (e.g. a model)" '
            f'aria-label="filter {_e(task)}">',
            _table(table_id, header, rows),
        ]
    models = sorted({m for r in results for m in r.models})
    parts += ['<h2 id="models">Models</h2>', "<p>One page per model: every item it takes part in, and its rank "
              "among the items of the same task.</p>",
              "<ul>" + "".join(f'<li><a href="models/{slug(m)}.html">{_e(m)}</a></li>' for m in models) + "</ul>"]
    parts += ['<h2 id="provenance">Provenance</h2>', _markdown("\n".join(_provenance_lines(results)))]
    return _page("leaderboard", "\n".join(parts), 0)


def model_rows(results: list[Result], model: str) -> list[dict]:
    """The items ``model`` takes part in, with their rank among the items of the same task."""
    rows = []
    for task, task_results in reading_order(results):
        order = ranked(task_results)
        for r in order:
            if model in r.models:
                rows.append({"task": task, "result": r, "rank": order.index(r) + 1, "of": len(order)})
    return rows


def _model_page(results: list[Result], model: str) -> str:
    rows = []
    for row in model_rows(results, model):
        r = row["result"]
        main = r.metrics.get(r.main_metric)
        low, high = r.metrics.get(f"{r.main_metric}:ci_low"), r.metrics.get(f"{r.main_metric}:ci_high")
        value = "–" if main is None else f"{main:.3f}" + ("" if low is None or high is None
                                                          else f" [{low:.3f}, {high:.3f}]")
        rows.append([f'<a href="../tasks/{slug(row["task"])}.html">{_e(row["task"])}</a>',
                     _models_html(r.models, 1), f"<code>{_e(r.main_metric)}</code>", _e(value),
                     f'<span data-sort="{row["rank"]}">{row["rank"]}/{row["of"]}</span>', _e(r.status)])
    body = "\n".join([
        f"<h1>{_e(model)}</h1>",
        f"<p>Every item of the leaderboard that <b>{_e(model)}</b> takes part in: the task's main metric with its "
        "bootstrap 95 % CI, and the item's rank among all items of the same task (1 = best).</p>",
        _table("model-items", ["task", "item", "main metric", "value", "rank in task", "status"], rows),
    ])
    return _page(model, body, 1)


def _markdown(text: str) -> str:
    import markdown

    # <details> blocks hold markdown tables and plots: md_in_html renders them when the block says
    # markdown="1"; on the site they start open, so that a task page shows its plots inline
    text = text.replace("<details><summary>", '<details open markdown="1"><summary>')
    out = markdown.markdown(text, extensions=["tables", "md_in_html", "sane_lists"], output_format="html")
    return out.replace("<table>", '<div class="table-wrap"><table>').replace("</table>", "</table></div>")


_MD_LINK = re.compile(r'href="(?!https?:|#)([^"]*?)\.md(#[^"]*)?"')


def _task_html(markdown_text: str, task: str) -> str:
    body = _markdown(markdown_text)
    body = body.replace('href="../README.html"', 'href="../index.html"')
    body = _MD_LINK.sub(lambda m: f'href="{"../index" if m.group(1) == "../README" else m.group(1)}.html'
                        f'{m.group(2) or ""}"', body)
    return _page(task, body, 1)


PAGE_KEYS = ".page-keys.json"


@functools.lru_cache(maxsize=1)
def _html_code_version() -> str:
    from benchmark.packages import installed_version

    return hashlib.sha256(Path(__file__).read_bytes() + f"\nmarkdown {installed_version('markdown')}".encode()
                          ).hexdigest()


def page_key(markdown_text: str, task: str) -> str:
    """Hash of what a task's HTML page is made from: its markdown, its name and the converting code."""
    return hashlib.sha256(json.dumps([_html_code_version(), task, markdown_text]).encode("utf-8")).hexdigest()


def render_site(results: list[Result], plots_dir: Path | None = None, *,
                board_pages: dict[str, str] | None = None, reuse_from: Path | None = None) -> dict[str, str]:
    """Every text file of the site, ``{relative path: text}``; plots are drawn into ``plots_dir``.

    ``board_pages``: :func:`~benchmark.report.leaderboard.render_pages` of the same ``results``,
    when the caller has them already (their task pages are rendered from measured items only,
    so they are those of the site); else they are rendered here.  ``reuse_from``: a site folder
    whose task pages are taken as they are when ``.page-keys.json`` there says that the same
    markdown made them.
    """
    results = [r for r in results if r.status != "skipped"]  # skipped items are listed on the summary page
    pages = dict(ASSETS)
    pages["index.html"] = _index(results)
    if board_pages is None:
        board_pages = render_pages(results, plots_dir)
    keys = read_manifest(reuse_from / PAGE_KEYS) if reuse_from is not None else {}
    for rel, text in board_pages.items():
        if rel.startswith("tasks/") and rel.endswith(".md"):
            name = Path(rel).stem
            target = f"tasks/{slug(name)}.html"
            kept = kept_bytes(reuse_from, keys, target, page_key(text, name)) if reuse_from is not None else None
            pages[target] = kept.decode("utf-8") if kept is not None else _task_html(text, name)
    for model in sorted({m for r in results for m in r.models}):
        pages[f"models/{slug(model)}.html"] = _model_page(results, model)
    return pages


_PLOT_REF = re.compile(r'(?:src|href)="\.\./plots/([^"/]+\.png)"')


def write_site(results_dir: str | os.PathLike, out_dir: str | os.PathLike, *,
               skip_invalid: bool = False) -> Path:
    """Write the site of ``results_dir/results/*.json`` into ``out_dir`` (plots drawn there);
    returns ``out_dir/index.html``."""
    from benchmark.report.leaderboard import results_of

    return write_site_of(results_of(results_dir, skip_invalid=skip_invalid), out_dir)


def write_site_of(results: list[Result], out_dir: str | os.PathLike,
                  plots_from: str | os.PathLike | None = None, *,
                  board_pages: dict[str, str] | None = None) -> Path:
    """Write the site of ``results`` into ``out_dir``; returns ``out_dir/index.html``.

    Plots are drawn into ``out_dir/plots``, or, with ``plots_from`` (a leaderboard's ``plots/``
    folder written from the same results), copied from there.  Pages and plots that no result
    backs any more are removed.  ``board_pages``: as for :func:`render_site`.
    """
    from benchmark.run.atomic import atomic_write_bytes

    out_dir = Path(out_dir)
    measured = [r for r in results if r.status != "skipped"]
    if board_pages is None:
        board_pages = render_pages(measured, None if plots_from else out_dir / PLOTS_DIR)
    pages = render_site(results, board_pages=board_pages, reuse_from=out_dir)
    for rel, text in pages.items():
        atomic_write_text(out_dir / rel, text)
    keys = {}
    for rel, text in board_pages.items():
        if rel.startswith("tasks/") and rel.endswith(".md"):
            name = Path(rel).stem
            target = f"tasks/{slug(name)}.html"
            keys[target] = manifest_entry(page_key(text, name), pages[target].encode("utf-8"))
    manifest = json.dumps(dict(sorted(keys.items())), indent=1) + "\n"
    if read_manifest(out_dir / PAGE_KEYS) != json.loads(manifest):
        atomic_write_text(out_dir / PAGE_KEYS, manifest)
    referenced = sorted({name for text in pages.values() for name in _PLOT_REF.findall(text)})
    if plots_from is not None:
        for name in referenced:
            data = (Path(plots_from) / name).read_bytes()
            target = out_dir / PLOTS_DIR / name
            if not target.is_file() or target.read_bytes() != data:
                atomic_write_bytes(target, data)
    for folder, pattern in (("tasks", "*.html"), ("models", "*.html"), (PLOTS_DIR, "*.png")):
        keep = {f"{folder}/{n}" for n in referenced} if folder == PLOTS_DIR else pages
        for old in (out_dir / folder).glob(pattern) if (out_dir / folder).is_dir() else ():
            if f"{folder}/{old.name}" not in keep:
                old.unlink()
    return out_dir / "index.html"


def stale_site_files_of(results: list[Result], out_dir: str | os.PathLike, *,
                        board_pages: dict[str, str] | None = None) -> list[Path]:
    """Site files that differ from what ``results`` give now, and pages no result backs
    (``board_pages``: as for :func:`render_site`)."""
    out_dir = Path(out_dir)
    pages = render_site(results, plots_dir=None, board_pages=board_pages)
    stale = [out_dir / rel for rel, text in pages.items()
             if not (out_dir / rel).is_file() or (out_dir / rel).read_text(encoding="utf-8") != text]
    for folder in ("tasks", "models"):
        if (out_dir / folder).is_dir():
            stale += sorted(p for p in (out_dir / folder).glob("*.html") if f"{folder}/{p.name}" not in pages)
    return stale
