"""spectrum_by_category on toy spaces with a planted answer, and its leaderboard section."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.vocabulary import reference_words
from benchmark.errors import TaskError
from benchmark.families import get_family
from benchmark.families.spectrum_by_category import evaluate as fam
from benchmark.families.spectrum_by_category import render as fam_page
from benchmark.families.spectrum_by_category.measure import match_words
from benchmark.families.spectrum_by_category.params import as_params
from benchmark.families.spectrum_by_category.pool import build_pool, frequency_rank, pool_share_of
from benchmark.families.spectrum_by_category.views import static_view
from benchmark.report.leaderboard import render_pages, render_task_page
from benchmark.run.results import Result
from benchmark.scoring.stats import holm, spearman_rho
from benchmark.tasks import Task

DIM = 32
N_NULL = 300


def _toy(seed: int, *, planted_strength: float = 4.0, name: str = "toy-spectrum"):
    """3,000 frequent words, isotropic Gaussian vectors; 'planted' words share one strong axis."""
    words = list(reference_words()[:3000])
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((len(words), DIM))
    planted = words[100:2000:95][:20]  # 20 words spread over the frequency range
    isotropic = words[150:2050:95][:20]
    u = rng.standard_normal(DIM)
    u /= np.linalg.norm(u)
    for w in planted:
        vectors[words.index(w)] += planted_strength * rng.standard_normal() * u
    return StaticEmbeddings(name, tuple(words), vectors.astype(np.float32), revision="toy"), planted, isotropic


def _categories_file(tmp_path, planted, isotropic):
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    doc = {
        "schema_version": 1,
        "categories": {
            "planted": {"kind": "semantic", "words": planted},
            "isotropic": {"kind": "semantic", "words": isotropic},
            "half_missing": {"kind": "semantic",
                             "words": list(reference_words()[2200:2205]) + ["qzxv", "vvqz", "zzqx", "xqzv", "qqzx"]},
        },
        "controls": {
            "letters": {"kind": "control", "words": letters},
            "digits": {"kind": "control", "words": [str(i) for i in range(10)]},
        },
    }
    path = tmp_path / "categories.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _task(path, **extra):
    params = {
        "min_coverage": 0.8, "min_words": 3, "n_null": N_NULL, "top_k": 3, "center": True,
        "alpha": 0.05, "correction": "holm", "frequency_bins": 10, "min_pool_ratio": 2.0,
        "shipped": False, "categories_file": str(path), "view": {}, **extra,
    }
    return Task(name="spectrum_by_category", version="1.0", family="spectrum_by_category",
                description="toy", main_metric="categories/median_z", model_kinds=("static",), params=params)


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spectrum")
    emb, planted, isotropic = _toy(0)
    task = _task(_categories_file(tmp, planted, isotropic))
    m = get_family("spectrum_by_category").evaluate(task, [emb], seed=0)
    return task, emb, m


def _result(task, models, m, seed=0) -> Result:
    return Result(
        task=task.name, task_version=task.version, family=task.family, models=list(models),
        metrics=m.metrics, seed=seed, status="passed", main_metric=task.main_metric,
        sizes=m.sizes, details=json.loads(json.dumps(m.details)), params=task.params_dict(),
    )


def test_planted_category_sharper_than_null(toy_run):
    _, _, m = toy_run
    planted = m.details["sets"]["planted"]
    assert planted["status"] == "ok" and planted["n"] == 20 and planted["coverage"] == 1.0
    assert planted["p"] < 0.01 and planted["z"] > 3
    assert planted["n_null"] == N_NULL and planted["p"] == pytest.approx(1 / (N_NULL + 1))
    assert m.details["set_metrics"]["cat/planted/z"] == planted["z"]
    assert m.details["set_metrics"]["cat/planted/sigma1_share"] > m.metrics["controls/gaussian/sigma1_share"]


def test_isotropic_category_not_sharper(toy_run):
    _, _, m = toy_run
    iso = m.details["sets"]["isotropic"]
    assert iso["status"] == "ok"
    assert iso["p"] > 0.01 and not iso["sharper_than_null"]
    assert abs(iso["z"]) < 3


def test_spectrum_conventions(toy_run):
    _, _, m = toy_run
    e = m.details["sets"]["planted"]
    assert e["sigma"][0] == 1.0 and len(e["sigma"]) == min(e["n"], DIM)
    assert e["sigma"] == sorted(e["sigma"], reverse=True)
    assert e["metrics"]["zero_tail"] < 1e-6  # centred, N ≤ D → σ_N = 0
    band = m.details["null_bands"]["20"]
    assert len(band["p05"]) == 20 and all(lo <= mid <= hi for lo, mid, hi in zip(band["p05"], band["p50"], band["p95"]))
    assert band["n_draws"] == N_NULL * band["n_sets"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in m.metrics.values())


def test_low_coverage_is_a_stated_skip(toy_run):
    _, _, m = toy_run
    e = m.details["sets"]["half_missing"]
    assert e["status"] == "skipped" and e["coverage"] == 0.5
    assert "coverage 0.50 < 0.80" in e["reason"] and "qzxv" in e["reason"]
    assert "half_missing" in m.details["skipped"]
    assert m.details["set_metrics"]["cat/half_missing/coverage"] == 0.5
    assert "cat/half_missing/z" not in m.details["set_metrics"]
    assert not any(k.startswith(("cat/", "shipped/weat")) for k in m.metrics)  # headline numbers only
    # digits are not keys of the toy model: the control is skipped, not folded or crashed
    assert m.details["sets"]["digits"]["status"] == "skipped"
    assert m.metrics["categories/n_covered"] == 2 and m.metrics["categories/n_total"] == 3


def test_deterministic(toy_run):
    task, emb, m = toy_run
    again = fam.evaluate(task, [emb], seed=0)
    assert again.metrics == m.metrics
    assert json.dumps(again.details, sort_keys=True) == json.dumps(m.details, sort_keys=True)
    other = fam.evaluate(task, [emb], seed=1)
    assert other.details["set_metrics"]["cat/planted/sigma1_share"] == m.details["set_metrics"]["cat/planted/sigma1_share"]
    assert other.details["set_metrics"]["cat/isotropic/z"] != m.details["set_metrics"]["cat/isotropic/z"]  # a different null


def test_static_view_plugs_in_other_models(toy_run):
    task, emb, m = toy_run

    class Contextual:
        name = "ctx"

        def static_embeddings(self, layer=0):
            assert layer == 0
            return emb

    assert fam.evaluate(task, [Contextual()], seed=0).metrics == m.metrics
    with pytest.raises(TaskError, match="static_embeddings"):
        static_view(object(), {})


def test_pool_dedupes_rows_and_excludes_category():
    words = list(reference_words()[:50])
    vec = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    vec[7] = vec[3]  # the less frequent duplicate is dropped
    emb = StaticEmbeddings("dup", tuple(words), vec, revision="t")
    pool = build_pool(emb)
    assert pool.n_duplicates == 1 and 7 not in pool.rows.tolist() and 3 in pool.rows.tolist()
    pool = build_pool(emb, exclude_rows=[7, 10])  # row 7's vector is row 3's
    rows = pool.rows.tolist()
    assert 3 not in rows and 10 not in rows and len(rows) == 47 and pool.n_excluded == 2
    assert pool.n_duplicates == 1
    assert np.all(np.diff(pool.ranks) > 0)
    assert pool_share_of(emb, pool.rows, [3, 10]) == 0.0
    assert pool_share_of(emb, np.array([0, 3, 5, 10]), [7, 10]) == 0.5  # 3 shares 7's vector


def test_pool_treats_vectors_equal_up_to_rounding_as_one():
    """Two words with the same tokens get the same vector up to float rounding (another CPU, another batch):
    the pool and the exclusion of evaluated sets must not depend on the bits."""
    words = list(reference_words()[:50])
    rng = np.random.default_rng(0)
    vec = rng.standard_normal((50, 4)).astype(np.float32)
    vec[7] = vec[3] * np.float32(1 + 1e-7)
    vec[20] = vec[12] * np.float32(1 - 2e-7)
    assert not (vec[7] == vec[3]).all()
    emb = StaticEmbeddings("near", tuple(words), vec, revision="t")
    pool = build_pool(emb, exclude_rows=[20])  # an evaluated word; its twin 12 is the same vector
    rows = pool.rows.tolist()
    assert 7 not in rows and 3 in rows and 12 not in rows and 20 not in rows
    assert pool.n_duplicates == 2 and pool.n_excluded == 1  # 7 (twin of 3) and 20 (twin of the excluded 12)
    assert pool_share_of(emb, np.array([0, 12]), [20], pool.groups) == 0.5
    assert pool_share_of(emb, np.array([0, 12]), [20]) == 0.5


def test_null_is_never_drawn_from_other_evaluated_sets(tmp_path):
    """A small view whose frequent words are mostly other sets' members (as on a contextual view):
    the null pool leaves every evaluated set's words out, and the record says so per set."""
    ref = list(reference_words()[:400])
    rng = np.random.default_rng(1)
    cats = {"alpha": ref[100:160:4], "beta": ref[102:162:4], "gamma": ref[200:260:3],
            "crowded": ref[300:330], "crowding": ref[330:335] + ref[295:300]}
    cats_file = tmp_path / "cats.json"
    cats_file.write_text(json.dumps({"schema_version": 1, "controls": {}, "categories": {
        k: {"kind": "semantic", "words": v} for k, v in cats.items()}}), encoding="utf-8")
    emb = StaticEmbeddings("v", tuple(ref), rng.standard_normal((400, 8)).astype(np.float32), revision="t")
    meas = fam.evaluate_embeddings(emb, {"categories_file": str(cats_file), "shipped": False, "n_null": 50,
                                         "min_pool_ratio": 1.0}, seed=0)
    members = {w for v in cats.values() for w in v}
    sets = meas.details["sets"]
    # a view that cannot serve a set's ranks without other sets' words says so, and skips it
    for name in ("crowded", "crowding"):  # together they fill ranks 295-334: nothing else is there
        assert sets[name]["status"] == "skipped" and "no frequency-matched null" in sets[name]["reason"]
    for name, e in sets.items():
        if name in ("crowded", "crowding"):
            continue
        assert e["status"] == "ok", (name, e.get("reason"))
        assert e["frequency_match"]["pool_other_sets_share"] == 0.0
        assert e["frequency_match"]["pool_size"] == 400 - len(members)
    assert meas.metrics["null/max_pool_other_sets_share"] == 0.0
    assert meas.details["pool"]["evaluated_set_rows_excluded"] == len(members)


def test_frequency_rank_rules():
    ref = reference_words()
    assert frequency_rank(ref[10]) == 10
    assert frequency_rank("Paris") == frequency_rank("paris")
    assert 0 <= frequency_rank("7") < 1000  # digits: position in wordfreq's unfiltered list
    assert frequency_rank("qzxvqzxv") == len(ref)


def test_match_words_casing_rule():
    emb = StaticEmbeddings("m", ("paris", "Rome", "rome", "January"), np.eye(4, dtype=np.float32), revision="t")
    exact = match_words(emb, ["Paris", "Rome", "january"], fold_case=False)
    assert exact["missing"] == ["Paris", "january"] and exact["keys"] == ["Rome"]
    folded = match_words(emb, ["Paris", "Rome", "january", "oslo"], fold_case=True)
    assert folded["keys"] == ["paris", "Rome", "January"] and folded["folded"] == ["Paris", "january"]
    assert folded["missing"] == ["oslo"]


def test_holm():
    adj = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert adj == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})


def _hand_made(model: str, zs: dict[str, float], *, letters_z=0.5) -> Result:
    sets = {}
    for name, z in zs.items():
        sets[name] = {
            "kind": "semantic", "status": "ok", "n": 4, "coverage": 1.0, "z": z, "p": 0.01, "p_adjusted": 0.02,
            "metrics": {"sigma1_share": 0.3, "topk_share": 0.8, "effective_rank": 2.5, "participation_ratio": 2.0,
                        "sigma1_over_sigma2": 1.5, "zero_tail": 0.0},
            "sigma": [1.0, 0.6, 0.3, 0.0],
            "null": {"sigma1_share": {"null_p05": 0.2, "null_p95": 0.4}},
        }
    sets["letters"] = {**sets[next(iter(zs))], "kind": "control", "z": letters_z}
    sets["digits"] = {"kind": "control", "status": "skipped", "coverage": 0.0, "reason": "coverage 0.00 < 0.80"}
    sets["weat:flowers"] = {**sets[next(iter(zs))], "kind": "shipped"}
    metrics = {
        "categories/n_total": float(len(zs)), "categories/n_covered": float(len(zs)),
        "categories/median_z": float(np.median(list(zs.values()))), "categories/median_sigma1_share": 0.3,
        "categories/median_null_sigma1_share": 0.25, "categories/frac_sharper_than_null": 1.0,
        "categories/frac_sharper_than_null_uncorrected": 1.0, "categories/frac_sharper_than_letters": 1.0,
        "controls/letters/sigma1_share": 0.2, "controls/letters/z": letters_z, "controls/digits/coverage": 0.0,
        "controls/gaussian/sigma1_share": 0.1, "shipped/n_covered": 1.0, "shipped/frac_sharper_than_null": 1.0,
    }
    return Result(
        task="spectrum_by_category", task_version="1.0", family="spectrum_by_category", models=[model],
        metrics=metrics, seed=0, status="passed", main_metric="categories/median_z",
        details={"sets": sets, "skipped": {"digits": "coverage 0.00 < 0.80"},
                 "gaussian": {"n": 4, "d": 8, "sigma": [1.0, 0.8, 0.5, 0.0],
                              "metrics": {k: 0.1 for k in ("sigma1_share", "topk_share", "effective_rank",
                                                          "participation_ratio", "sigma1_over_sigma2", "zero_tail")}},
                 "null_bands": {"4": {"p05": [1, 0.5, 0.2, 0], "p50": [1, 0.6, 0.3, 0], "p95": [1, 0.8, 0.5, 0]}}},
        params={"n_null": 1000},
    )


def test_render_section_hand_made(tmp_path):
    zs_a = {"vehicles": 5.0, "fruits": 3.0, "months": 1.0, "tools": -1.0}
    zs_b = {"vehicles": 4.0, "fruits": 3.5, "months": 0.5, "tools": -2.0}
    zs_c = {"vehicles": -3.0, "fruits": 1.0, "months": 2.0}  # tools not covered
    results = [_hand_made("a-model", zs_a), _hand_made("b-model", zs_b), _hand_made("c-model", zs_c)]
    page = fam_page.render_section(results, None)
    assert page.startswith("## spectrum_by_category (v1.0)")
    assert "Spearman" in page and "| a-model   | b-model   |" in page
    pairs = {(q["a"], q["b"]): q for q in fam_page.spearman_pairs(results)}
    assert pairs["a-model", "b-model"]["rho"] == pytest.approx(1.0) and pairs["a-model", "b-model"]["n"] == 4
    # only the categories covered in both: tools is missing from c-model
    assert pairs["a-model", "c-model"]["rho"] == pytest.approx(-1.0) and pairs["a-model", "c-model"]["n"] == 3
    assert pairs["a-model", "c-model"]["n_all"] == 4  # + the shipped set
    assert "+1.000" in page and "-1.000" in page
    assert "![scree plot a-model](../plots/spectrum_by_category__a-model.png)" in page
    assert "*letters* (control)" in page and "isotropic Gaussian 4×8" in page
    assert "`digits`: coverage 0.00 < 0.80" in page and "skipped (0%)" in page
    assert "weat:flowers" in page
    assert "Claim holds." in page
    assert not (tmp_path / "plots").exists()
    fam_page.render_section(results, tmp_path / "plots")
    png = tmp_path / "plots" / "spectrum_by_category__a-model.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first = png.read_bytes()
    fam_page.render_section(results, tmp_path / "plots")
    assert png.read_bytes() == first  # deterministic PNG


def test_across_tasks_matrix_covers_static_and_contextual_views():
    from dataclasses import replace as dc_replace

    static = _hand_made("a-model", {"vehicles": 5.0, "fruits": 3.0, "months": 1.0, "tools": -1.0})
    ctx_input = dc_replace(_hand_made("ctx", {"vehicles": 4.0, "fruits": 3.5, "months": 0.5, "tools": -2.0}),
                           task="spectrum_contextual_input", params={"view": {"source": "input"}})
    ctx_last = dc_replace(_hand_made("ctx", {"vehicles": -3.0, "fruits": 1.0, "months": 2.0}),
                          task="spectrum_contextual_last", params={"view": {"source": "decontextualized",
                                                                            "layer": "last"}})
    assert [fam_page.view_label(r) for r in (static, ctx_input, ctx_last)] == ["a-model", "ctx input", "ctx layer last"]
    section = fam_page.render_across_tasks([ctx_last, static, ctx_input])
    lines = section.splitlines()
    assert lines[0] == "## Spectrum sharpness across models and views"
    header = next(ln for ln in lines if ln.startswith("| view"))
    assert [c.strip() for c in header.strip("|").split("|")] == ["view", "a-model", "ctx input", "ctx layer last"]
    row = next(ln for ln in lines if ln.startswith("| a-model"))
    assert [c.strip() for c in row.strip("|").split("|")] == ["a-model", "·", "+1.00 (4)", "-1.00 (3)"]
    assert "contextual ↔ static: median ρ +0.00 over 2 pairs" in section
    assert "contextual ↔ contextual: median ρ -1.00 over 1 pair;" in section
    # one page of its own, linked from the summary page once, before the provenance
    pages = render_pages([static, ctx_input, ctx_last])
    across = "tasks/spectrum_by_category__across_tasks.md"
    assert pages[across].count("## Spectrum sharpness across models and views") == 1
    summary = pages["README.md"]
    assert summary.count(f"]({across})") == 1
    assert summary.index("## spectrum_contextual_last") < summary.index(f"]({across})") < summary.index(
        "## Provenance")
    assert across not in render_pages([static])


def test_leaderboard_page_from_toy_results(toy_run, tmp_path):
    task, emb, m = toy_run
    emb2, planted, isotropic = _toy(5, name="toy-two")
    m2 = fam.evaluate(task, [emb2], seed=0)
    results = [_result(task, ("toy-spectrum",), m), _result(task, ("toy-two",), m2)]
    page = render_task_page(results, plots_dir=tmp_path / "plots")
    assert "## spectrum_by_category" in page and "| planted" in page
    assert "../plots/spectrum_by_category__toy-two.png" in page
    assert (tmp_path / "plots" / "spectrum_by_category__toy-spectrum.png").is_file()
    assert (tmp_path / "plots" / "spectrum_by_category__toy-two.png").is_file()
    assert render_task_page(results, plots_dir=None) == page  # the page does not depend on writing plots


def test_bad_params_are_named():
    with pytest.raises(TaskError, match="correction"):
        as_params({"correction": "bonferroni"})
    with pytest.raises(TaskError, match="min_coverage"):
        as_params({"min_coverage": 0})


def test_registered_task():
    from benchmark.tasks import get_task

    task = get_task("spectrum_by_category")
    assert task.model_kinds == ("static",) and task.params.n_null >= 1000
    assert task.main_metric == "categories/median_z" and task.params.min_coverage == 0.8
    quick = task.quick()
    assert quick.params.profile == "quick" and quick.name == task.name
    assert quick.params.n_null == 200 < task.params.n_null and not quick.params.shipped and task.params.shipped


def test_empty_rho_cells_say_why():
    assert fam_page.rho_cell(0.4, 17) == "+0.40 (17)"
    assert fam_page.rho_cell(None, 2) == "– (< 3 shared: 2)"
    assert fam_page.rho_cell(None, 5) == "– (constant z: 5)"
    a = {"x": 1.0, "y": 2.0, "z": 3.0}
    assert spearman_rho(a, {"x": 1.0, "y": 1.0, "z": 1.0}) == (None, 3)
    assert spearman_rho(a, {"x": 1.0, "q": 2.0}) == (None, 1)
