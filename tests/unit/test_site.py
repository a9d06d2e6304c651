"""The static site as files: deterministic, self-contained, stale files detected (the browser tests are
in tests/browser)."""

from __future__ import annotations

import re

from test_leaderboard import fixture_results

from benchmark.report.leaderboard import stale_files, write_leaderboard
from benchmark.report.site import model_rows, render_site, write_site
from benchmark.run.results import write_result


def test_pages_are_a_pure_function_of_the_results():
    a, b = render_site(fixture_results()), render_site(fixture_results())
    assert a == b
    assert {"index.html", "assets/site.js", "assets/site.css", "tasks/static_static.html",
            "models/glove-6b-50d.html", "models/spacy-md-300.html", "models/word2vec-gnews.html"} <= set(a)


def test_no_network_and_links_between_pages(tmp_path):
    pages = render_site(fixture_results())
    for rel, text in pages.items():
        assert "http://" not in text and "https://" not in text, rel
    index = pages["index.html"]
    assert 'href="tasks/static_static.html"' in index and 'href="models/glove-6b-50d.html"' in index
    assert 'id="table-static_static"' in index and 'class="filter"' in index
    task = pages["tasks/static_static.html"]
    assert 'href="../index.html"' in task and "<table>" not in task.replace('<div class="table-wrap"><table>', "")
    assert not re.search(r'href="[^"]*\.md"', task)


def test_model_page_ranks_each_item_within_its_task():
    rows = model_rows(fixture_results(), "glove-6b-50d")
    assert [(r["task"], r["rank"], r["of"]) for r in rows] == [("static_static", 2, 2)]
    assert "2/2" in render_site(fixture_results())["models/glove-6b-50d.html"]


def test_leaderboard_writes_the_site_and_check_covers_it(tmp_path):
    for r in fixture_results():
        write_result(r, tmp_path / "results")
    write_leaderboard(tmp_path)
    assert (tmp_path / "site" / "index.html").is_file()
    assert stale_files(tmp_path) == []
    (tmp_path / "site" / "index.html").write_text("edited", encoding="utf-8")
    (tmp_path / "site" / "models" / "gone.html").write_text("old", encoding="utf-8")
    assert sorted(p.name for p in stale_files(tmp_path)) == ["gone.html", "index.html"]
    write_site(tmp_path, tmp_path / "site")
    assert not (tmp_path / "site" / "models" / "gone.html").exists()
    assert stale_files(tmp_path) == []
