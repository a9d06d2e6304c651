"""benchmark.perf.vecmap without VecMap: the exported files and dictionaries, the parsing of
eval_translation.py's line, VecMap's command lines, this project's side, and a missing VecMap folder."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.adapters.static import load_vectors_file
from benchmark.data.vocabulary import identity_dictionary, reference_words, search_space
from benchmark.errors import BenchmarkError
from benchmark.perf import vecmap as perf_vecmap

SIZES = {"search_vocab": 400, "n_train": 120, "n_dev": 20, "n_test": 60, "min_train": 30}


def _pair(seed: int = 0):
    """Two toy spaces over wordfreq's plain words, plus keys the search spaces leave out (a phrase, a capital)."""
    rng = np.random.default_rng(seed)
    plain = list(reference_words()[:300])
    source_words = ["New_York"] + plain[:260] + ["Paris"]
    target_words = plain[40:] + ["u.s."]
    base = {w: rng.standard_normal(16) for w in set(source_words) | set(target_words)}
    rotation = np.linalg.qr(rng.standard_normal((16, 16)))[0]
    src = StaticEmbeddings("toy-src", tuple(source_words), np.stack([base[w] for w in source_words]).astype(np.float32),
                           "test", frequency_ordered=True)
    tgt = StaticEmbeddings("toy-tgt", tuple(target_words),
                           (np.stack([base[w] for w in target_words]) @ rotation).astype(np.float32), "test")
    return src, tgt


def _dictionary_words(path):
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        a, b = line.split(" ")
        assert a == b, line
        words.append(a)
    return words


@pytest.mark.parametrize("rows", ["search", "all"])
def test_export_writes_the_spaces_and_the_benchmark_split(tmp_path, rows):
    src, tgt = _pair()
    pair = perf_vecmap.export_pair(src, tgt, tmp_path, rows=rows, seed=3, **SIZES)
    split = identity_dictionary(search_space(src, 400), search_space(tgt, 400), n_train=120, n_dev=20, n_test=60,
                                min_train=30, seed=3)
    assert _dictionary_words(pair.train_dict) == list(split.train)
    assert _dictionary_words(pair.test_dict) == list(split.test)
    assert not set(split.dev) & (set(split.train) | set(split.test))  # dev held out of both files
    assert (pair.n_train, pair.n_test, pair.n_shared) == (120, 60, 220)
    for path, emb in ((pair.source, src), (pair.target, tgt)):
        want = search_space(emb, 400) if rows == "search" else emb
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == f"{len(want.words)} 16"  # VecMap's reader: header 'count dim', then 'word v1 .. vd'
        assert all(len(line.split(" ")) == 17 for line in lines[1:])
        got = load_vectors_file(path, "word2vec")
        assert got.words == tuple(want.words)
        np.testing.assert_allclose(got.vectors, want.vectors, rtol=1e-6, atol=1e-7)
    assert (pair.source_rows, pair.target_rows) == ((262, 261) if rows == "all" else (260, 260))


@pytest.mark.parametrize(("printed", "want"), [
    # eval_translation.py: print('Coverage:{0:7.2%}  Accuracy:{1:7.2%}'.format(coverage, accuracy))
    ("Coverage:100.00%  Accuracy: 98.40%\n", (1.0, 0.984)),
    ("Coverage: 93.27%  Accuracy:  7.05%\n", (0.9327, 0.0705)),
    ("WARNING: something\nCoverage: 50.00%  Accuracy:100.00%\n", (0.5, 1.0)),
])
def test_parse_vecmap_eval(printed, want):
    assert "Coverage:{0:7.2%}  Accuracy:{1:7.2%}\n".format(*want) == printed.splitlines(keepends=True)[-1]
    assert perf_vecmap.parse_vecmap_eval(printed) == pytest.approx(want, abs=1e-12)


def test_parse_vecmap_eval_without_its_line_is_an_error():
    with pytest.raises(BenchmarkError, match="printed no 'Coverage"):
        perf_vecmap.parse_vecmap_eval("Traceback (most recent call last):\n")


def test_vecmap_commands_put_positionals_before_the_normalize_list(tmp_path):
    src, tgt = _pair()
    pair = perf_vecmap.export_pair(src, tgt, tmp_path, seed=0, **SIZES)
    mapping, nn, csls = perf_vecmap.vecmap_commands(tmp_path / "vecmap", pair, tmp_path)
    # --normalize takes nargs='*': anything after it up to the next option is a normalisation step
    at = mapping.index("--normalize")
    assert mapping[at + 1:at + 5] == ["unit", "center", "unit", "-d"] and mapping[at + 5] == str(pair.train_dict)
    assert mapping[2:4] == [str(pair.source), str(pair.target)] and "--orthogonal" in mapping
    assert nn[-2:] == ["--retrieval", "nn"] and csls[-2:] == ["--retrieval", "csls"]
    assert nn[nn.index("-d") + 1] == str(pair.test_dict) and nn[2:4] == mapping[4:6]


def test_project_side_reads_every_row_and_returns_its_result(tmp_path):
    src, tgt = _pair()
    pair = perf_vecmap.export_pair(src, tgt, tmp_path, rows="all", seed=0, **SIZES)
    out = perf_vecmap.run_project(pair, tmp_path / "out", seed=0)
    assert 0 < out["inside"] < out["seconds"]
    assert (out["sizes"]["source_space"], out["sizes"]["target_space"]) == (262, 261)
    assert out["params"]["normalization"] == "unit+center+unit" and out["params"]["method"] == "procrustes"
    assert out["metrics"]["coverage"] == 1.0 and out["metrics"]["p@1/nn"] > 0.9  # an exact rotation


@pytest.mark.parametrize("how", ["option", "env", "default"])
def test_missing_vecmap_folder_exits_2_with_how_to_get_it(tmp_path, monkeypatch, capsys, how):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(perf_vecmap.VECMAP_ENV, raising=False)
    (tmp_path / "empty").mkdir()
    argv = []
    if how == "option":
        argv = ["--vecmap", str(tmp_path / "empty")]
    elif how == "env":
        monkeypatch.setenv(perf_vecmap.VECMAP_ENV, str(tmp_path / "empty"))
    assert perf_vecmap.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no map_embeddings.py" in err
    assert "git clone https://github.com/artetxem/vecmap .peers/vecmap" in err
    assert (str(tmp_path / "empty") if how != "default" else ".peers/vecmap") in err
