"""spectrum_layers: every layer of a (fake) contextual model, measured like a static space."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.vocabulary import reference_words
from benchmark.errors import TaskError
from benchmark.families import get_family
from benchmark.families.spectrum_layers import evaluate as fam
from benchmark.report.leaderboard import render_task_page
from benchmark.run.results import Result
from benchmark.tasks import Task

DIM = 24
N_NULL = 200
#: planted strength of the 'rising' category at layers 0, 1, 2; 'steady' is planted at every layer
RISING = (0.0, 2.5, 6.0)


def _space(layer: int) -> tuple[StaticEmbeddings, dict[str, list[str]]]:
    words = list(reference_words()[:2500])
    rng = np.random.default_rng(100 + layer)
    vectors = rng.standard_normal((len(words), DIM))
    sets = {
        "rising": words[100:2000:95][:20],
        "steady": words[120:2020:95][:20],
        "flat_a": words[140:2040:95][:20],
        "flat_b": words[160:2060:95][:20],
    }
    for name, strength in (("rising", RISING[layer]), ("steady", 5.0)):
        u = rng.standard_normal(DIM)
        u /= np.linalg.norm(u)
        for w in sets[name]:
            vectors[words.index(w)] += strength * rng.standard_normal() * u
    return StaticEmbeddings(f"fake@{layer}", tuple(words), vectors.astype(np.float32), revision="fake"), sets


class FakeContextual:
    """A ContextualModel whose layers are planted static spaces; spectrum_layers reads only static_embeddings."""

    name = "fake-contextual"
    revision = "fake"
    source = "planted spaces"
    architecture = "encoder"
    num_layers = len(RISING)
    dim = DIM

    def _unused(self, *args, **kwargs):
        raise AssertionError("spectrum_layers reads static_embeddings() only")

    embed_occurrences = decontextualized = context_pooled = input_embeddings = _unused

    def __init__(self):
        self.calls: list[dict] = []

    def static_embeddings(self, *, source="input", layer="last", max_words=5000, tail_stride=4, extra_words=()):
        self.calls.append({"source": source, "layer": layer, "max_words": max_words, "extra": list(extra_words)})
        return _space({"mid": self.num_layers // 2, "last": self.num_layers - 1}.get(layer, layer))[0]


def _categories_file(tmp_path) -> str:
    _, sets = _space(0)
    doc = {
        "schema_version": 1,
        "categories": {k: {"kind": "semantic", "words": v} for k, v in sets.items()},
        "controls": {"letters": {"kind": "control", "words": [chr(c) for c in range(97, 123)]}},
    }
    path = tmp_path / "categories.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _task(path: str, **extra) -> Task:
    params = {**fam.DEFAULT_PARAMS, "n_null": N_NULL, "shipped": False, "categories_file": path, **extra}
    return Task(name="spectrum_contextual_layers", version="1.0", family="spectrum_layers", description="fake",
                main_metric=fam.MAIN_METRIC, model_kinds=("contextual",), params=params)


@pytest.fixture(scope="module")
def layer_run(tmp_path_factory):
    task = _task(_categories_file(tmp_path_factory.mktemp("layers")))
    model = FakeContextual()
    return task, model, get_family("spectrum_layers").evaluate(task, [model], seed=0)


def _z(m, layer: int, name: str) -> float:
    return m.details["layers"][str(layer)]["sets"][name]["z"]


def test_every_layer_is_measured(layer_run):
    _, model, m = layer_run
    assert [c["layer"] for c in model.calls] == [0, 1, 2]
    assert all(c["source"] == "decontextualized" and c["max_words"] == 5000 for c in model.calls)
    # the category words are always part of the extraction (whatever the tokenisation)
    assert set(_space(0)[1]["rising"]) <= set(model.calls[0]["extra"])
    assert sorted(m.details["layers"]) == ["0", "1", "2"]
    for layer in range(3):
        assert m.details["layer_metrics"][str(layer)]["categories/n_covered"] == 4
        assert "categories/median_z" in m.details["layer_metrics"][str(layer)]
        assert not any(k.startswith("layer/") for k in m.metrics)  # per-layer values live in the details
    assert m.sizes["layers"] == 3 and m.sizes["n_null"] == N_NULL
    assert all(isinstance(v, float) and math.isfinite(v) for v in m.metrics.values())


def test_planted_structure_is_tracked_across_layers(layer_run):
    _, _, m = layer_run
    rising = [_z(m, layer, "rising") for layer in range(3)]
    assert abs(rising[0]) < 3 < rising[2]  # isotropic at layer 0, planted by layer 2
    assert rising[0] < rising[1] < rising[2]
    assert all(_z(m, layer, "steady") > 3 for layer in range(3))
    assert all(abs(_z(m, layer, name)) < 3 for layer in range(3) for name in ("flat_a", "flat_b"))


def test_headline_is_the_mean_over_all_layers(layer_run):
    _, _, m = layer_run
    medians = [m.details["layer_metrics"][str(i)]["categories/median_z"] for i in range(3)]
    assert m.metrics[fam.MAIN_METRIC] == pytest.approx(np.mean(medians))
    assert m.metrics["layers/min_median_z"] == min(medians) and m.metrics["layers/max_median_z"] == max(medians)
    assert m.metrics["layers/sharpest"] == float(np.argmax(medians))
    assert "layer/0/rho_vs_layer0" not in m.metrics  # nothing to compare layer 0 with
    for i in (1, 2):
        assert -1 <= m.details["layer_metrics"][str(i)]["rho_vs_layer0"] <= 1
        assert -1 <= m.details["layer_metrics"][str(i)]["rho_vs_previous"] <= 1


def test_null_seeds_are_paired_across_layers(layer_run):
    task, _, m = layer_run
    again = get_family("spectrum_layers").evaluate(task, [FakeContextual()], seed=0)
    assert again.metrics == m.metrics
    other = get_family("spectrum_layers").evaluate(task, [FakeContextual()], seed=1)
    assert other.metrics[fam.MAIN_METRIC] != m.metrics[fam.MAIN_METRIC]


def test_bad_models_and_views_are_named_errors(layer_run, tmp_path):
    task, _, _ = layer_run
    static = _space(0)[0]
    with pytest.raises(TaskError, match="needs a contextual model"):
        fam.evaluate(task, [static], seed=0)
    with pytest.raises(TaskError, match="measures every layer; drop 'layer'"):
        fam.evaluate(_task(task.params.categories_file, view={"source": "decontextualized", "layer": 2}),
                     [FakeContextual()], seed=0)
    nothing = tmp_path / "none.json"
    nothing.write_text(json.dumps({"schema_version": 1, "categories": {
        "absent": {"kind": "semantic", "words": ["qzxv", "vvqz", "zzqx"]}}, "controls": {}}), encoding="utf-8")
    with pytest.raises(TaskError, match="no category reached the coverage threshold at any layer"):
        fam.evaluate(_task(str(nothing)), [FakeContextual()], seed=0)


def _result(task, m) -> Result:
    return Result(
        task=task.name, task_version=task.version, family=task.family, models=["fake-contextual"],
        metrics=m.metrics, seed=0, status="passed", main_metric=task.main_metric, sizes=m.sizes,
        details=json.loads(json.dumps(m.details)), params=task.params_dict(),
    )


def test_section_links_a_written_plot_and_tables_every_layer(layer_run, tmp_path):
    task, _, m = layer_run
    page = render_task_page([_result(task, m)], plots_dir=tmp_path)
    plot = "spectrum_contextual_layers__fake-contextual.png"
    assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"](../plots/{plot})" in page
    section = page.split("### fake-contextual")[1]
    layer_rows = [ln for ln in section.splitlines() if ln.startswith("| ") and ln.split("|")[1].strip().isdigit()]
    assert [ln.split("|")[1].strip() for ln in layer_rows] == ["0", "1", "2"]
    assert "| rising " in section and "*letters*" in section
    assert f"{m.metrics[fam.MAIN_METRIC]:+.2f}" in page
    assert "mean over all layers of the median category z" in page
    # a pure function of the results
    assert render_task_page([_result(task, m)], plots_dir=None) == page


def test_registered_task():
    from benchmark.tasks import get_task

    task = get_task("spectrum_contextual_layers")
    assert task.family == "spectrum_layers" and task.model_kinds == ("contextual",)
    assert task.main_metric == fam.MAIN_METRIC and task.params.n_null >= 1000
    assert "layer" not in task.params.view
    assert task.quick().params.n_null < task.params.n_null


def _one_layer_task(path: str, layer, **extra) -> Task:
    from benchmark.families.spectrum_by_category.params import SpectrumParams

    one_layer = {k: v for k, v in fam.DEFAULT_PARAMS.items() if k in SpectrumParams.names()}
    params = {**one_layer, "n_null": N_NULL, "shipped": False, "categories_file": path,
              "view": {**fam.DEFAULT_PARAMS["view"], "layer": layer}, **extra}
    return Task(name=f"spectrum_contextual_{layer}", version="1.0", family="spectrum_by_category", description="fake",
                main_metric="categories/median_z", model_kinds=("contextual",), params=params)


def test_one_layer_items_and_the_sweep_measure_each_layer_once(tmp_path, monkeypatch):
    """A run measures spectrum_contextual_last, then the layer sweep, then spectrum_contextual_mid (task names in
    order): each layer is computed once, and every item gets what it would get computed alone."""
    from dataclasses import asdict

    from benchmark.families.spectrum_by_category import evaluate as per_space
    from benchmark.families.spectrum_by_category import shared

    path = _categories_file(tmp_path)
    last, sweep, mid = _one_layer_task(path, "last"), _task(path), _one_layer_task(path, "mid")
    single = get_family("spectrum_by_category")
    alone = {}
    for name, family, task in (("last", single, last), ("sweep", get_family("spectrum_layers"), sweep),
                               ("mid", single, mid)):
        shared.clear()
        alone[name] = asdict(family.evaluate(task, [FakeContextual()], seed=0))

    shared.clear()
    computed = []
    original = per_space.evaluate_embeddings
    monkeypatch.setattr(per_space, "evaluate_embeddings",
                        lambda emb, p, *, seed, **kw: computed.append(emb.name) or original(emb, p, seed=seed, **kw))
    got = {"last": asdict(single.evaluate(last, [FakeContextual()], seed=0)),
           "sweep": asdict(get_family("spectrum_layers").evaluate(sweep, [FakeContextual()], seed=0)),
           "mid": asdict(single.evaluate(mid, [FakeContextual()], seed=0))}
    assert computed == ["fake@2", "fake@0", "fake@1"]
    assert got == alone
    assert got["mid"]["metrics"]["categories/median_z"] == got["sweep"]["details"]["layer_metrics"]["1"][
        "categories/median_z"]
    got["mid"]["details"]["sets"].clear()  # a caller's copy: changing it changes nothing shared
    assert asdict(single.evaluate(mid, [FakeContextual()], seed=0)) == alone["mid"]

    # another seed, another parameter or another categories file is measured anew
    single.evaluate(mid, [FakeContextual()], seed=1)
    single.evaluate(_one_layer_task(path, "mid", n_null=N_NULL + 1), [FakeContextual()], seed=0)
    moved = tmp_path / "copy"
    moved.mkdir()
    (moved / "categories.json").write_text((tmp_path / "categories.json").read_text(encoding="utf-8") + " ",
                                           encoding="utf-8")
    single.evaluate(_one_layer_task(str(moved / "categories.json"), "mid"), [FakeContextual()], seed=0)
    assert computed == ["fake@2", "fake@0", "fake@1", "fake@1", "fake@1", "fake@1"]


def test_shipped_sets_are_measured_at_every_layer_only_when_asked_and_leave_the_categories_alone(tmp_path,
                                                                                                 monkeypatch):
    """shipped_every_layer off (the default) skips the shipped sets at each layer but keeps their words out of the
    null pool, so every category entry is the same as with them measured."""
    from benchmark.data.categories import CategorySet
    from benchmark.families.spectrum_by_category import evaluate as per_space
    from benchmark.families.spectrum_by_category import shared

    words = list(reference_words()[:2500])
    fake = CategorySet(name="weat:fake", kind="shipped", words=tuple(words[180:2080:95][:20]), source="test")
    monkeypatch.setattr(per_space, "load_shipped_categories", lambda: {fake.name: fake})
    path = _categories_file(tmp_path)
    sweeps = {}
    for every in (False, True):
        shared.clear()
        task = _task(path, shipped=True, shipped_every_layer=every)
        assert task.params.shipped_every_layer is every
        sweeps[every] = get_family("spectrum_layers").evaluate(task, [FakeContextual()], seed=0)
    assert fam.DEFAULT_PARAMS["shipped_every_layer"] is False
    for layer in map(str, range(len(RISING))):
        off, on = sweeps[False].details["layers"][layer], sweeps[True].details["layers"][layer]
        assert "weat:fake" in on["sets"] and "weat:fake" not in off["sets"]
        assert {k: v for k, v in on["sets"].items() if k != "weat:fake"} == off["sets"]
        assert on["pool"] == off["pool"]  # the shipped words are out of the pool either way
        assert "shipped/n_covered" in sweeps[True].details["layer_metrics"][layer]
        assert not any(k.startswith("shipped/") for k in sweeps[False].details["layer_metrics"][layer])
    assert sweeps[False].metrics == sweeps[True].metrics  # headline metrics are the categories'
