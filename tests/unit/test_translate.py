"""``python -m benchmark translate`` end to end on files the test writes.

The pair is a noisy rotated copy over distinct word names (source ``s0000 …``, target
``t0000 …``, so identical strings never help): 32d → 48d, 600 words. Dictionaries are
MUSE-format files; the supervised P@k must equal the static_static engine's computation
(normalise both spaces, orthogonal Procrustes on the train pairs, CSLS over both full
spaces) on the same inputs.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmark.adapters.static import load_vectors_file
from benchmark.cli import main
from benchmark.scoring import csls_penalty, normalize, orthogonal_procrustes, precision_at_k, retrieve

N, D_SRC, D_TGT = 600, 32, 48


def write_vec(path, words, vectors):
    lines = [f"{len(words)} {vectors.shape[1]}"]
    lines += [w + " " + " ".join(f"{x:.7f}" for x in row) for w, row in zip(words, vectors)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture()
def pair(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((N, D_SRC)) * np.linspace(1.0, 0.4, D_SRC)
    Q = np.linalg.qr(rng.standard_normal((D_TGT, D_TGT)))[0][:D_SRC]
    perm = rng.permutation(N)  # target row perm[i] holds source word i's translation
    Y = np.empty((N, D_TGT))
    Y[perm] = X @ Q + 0.02 * rng.standard_normal((N, D_TGT))
    src_words = [f"s{i:04d}" for i in range(N)]
    tgt_words = [f"t{j:04d}" for j in range(N)]
    write_vec(tmp_path / "src.vec", src_words, X)
    write_vec(tmp_path / "tgt.vec", tgt_words, Y)
    train = [f"{src_words[i]} {tgt_words[perm[i]]}" for i in range(0, 300)]
    test = [f"{src_words[i]} {tgt_words[perm[i]]}" for i in range(300, 500)]
    test.append(f"{src_words[300]} {tgt_words[perm[301]]}")  # a second (wrong-ish) gold target for one word
    test.append("unknownword t0001")  # counted in coverage, never a query
    (tmp_path / "train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (tmp_path / "test.txt").write_text("\n".join(test) + "\n", encoding="utf-8")
    return tmp_path, X, Y, perm


def args(tmp, *extra):
    return ["translate", str(tmp / "src.vec"), str(tmp / "tgt.vec"), "--src-format", "word2vec",
            "--tgt-format", "fasttext", "--test-dict", str(tmp / "test.txt"), *extra]


def test_supervised_matches_the_static_static_engine(pair, capsys):
    tmp, X, Y, perm = pair
    out, export = tmp / "out", tmp / "export"
    code = main(args(tmp, "--train-dict", str(tmp / "train.txt"), "--out", str(out), "--export", str(export)))
    assert code == 0
    [result_file] = (out / "results").glob("*.json")
    result = json.loads(result_file.read_text())
    m = result["metrics"]

    # The engine's computation, by hand, on the same inputs (the vectors as the files hold them).
    Xn = normalize(load_vectors_file(tmp / "src.vec", "word2vec").vectors, "unit+center+unit")
    Yn = normalize(load_vectors_file(tmp / "tgt.vec", "fasttext").vectors, "unit+center+unit")
    train = np.arange(300)
    W = orthogonal_procrustes(Xn[train], Yn[perm[train]]).W
    mapped = (Xn @ W).astype(np.float32)
    targets = Yn.astype(np.float32)
    queries = np.arange(300, 500)
    gold = [tuple(sorted({int(perm[i])} | ({int(perm[301])} if i == 300 else set()))) for i in queries]
    ranked = retrieve(mapped[queries], targets, criterion="csls", k=10, topk=10, sources=mapped,
                      target_penalty=csls_penalty(targets, mapped, 10))
    want = precision_at_k(ranked, gold, ks=(1, 5, 10))
    assert [m["p@1/csls"], m["p@5/csls"], m["p@10/csls"]] == [want[1], want[5], want[10]]
    nn = precision_at_k(retrieve(mapped[queries], targets, topk=10), gold, ks=(1,))
    assert m["p@1/nn"] == nn[1]
    assert m["p@1/csls"] > 0.95  # a noisy rotation: the test is not vacuous
    assert m["coverage"] == pytest.approx(201 / 202)
    assert result["sizes"]["test"] == 200 and result["sizes"]["test_pairs_missing"] == 1
    assert m["p@1/csls:ci_low"] <= m["p@1/csls"] <= m["p@1/csls:ci_high"]

    np.testing.assert_allclose(np.load(export / "W.npy"), W, atol=1e-6)
    header, first = (export / "mapped_source.vec").read_text(encoding="utf-8").splitlines()[:2]
    assert header == f"{N} {D_TGT}"
    np.testing.assert_allclose(np.array(first.split()[1:], dtype=float), Xn[0] @ W, atol=1e-5)
    assert 0.0 < m["residual"] < 0.2  # 2 % noise
    printed = capsys.readouterr().out
    assert "CSLS" in printed and "coverage 0.9950" in printed
    assert main(["leaderboard", "--results", str(out)]) == 0  # the Result renders like any other
    summary = (out / "README.md").read_text(encoding="utf-8")
    page = (out / "tasks" / "translate.md").read_text(encoding="utf-8")
    assert "## translate" in summary and "src.vec → tgt.vec" in summary
    assert "## translate (v1.0)" in page and "src.vec → tgt.vec" in page


def test_lstsq_exports_a_bias(pair):
    tmp, *_ = pair
    assert main(args(tmp, "--train-dict", str(tmp / "train.txt"), "--method", "lstsq",
                     "--export", str(tmp / "e"))) == 0
    assert np.load(tmp / "e" / "b.npy").shape == (D_TGT,)
    assert np.load(tmp / "e" / "W.npy").shape == (D_SRC, D_TGT)


def test_unsupervised_needs_no_train_dictionary(pair, capsys):
    tmp, *_ = pair
    assert main(args(tmp, "--method", "unsupervised", "--out", str(tmp / "u"))) == 0
    [result_file] = (tmp / "u" / "results").glob("*.json")
    metrics = json.loads(result_file.read_text())["metrics"]
    assert metrics["p@1/csls"] > 0.95
    assert -1 <= metrics["criterion"] <= 1 and "unsupervised criterion" in capsys.readouterr().out
    # a map fitted on a dictionary is not selected by the criterion: it is not computed
    assert main(args(tmp, "--train-dict", str(tmp / "train.txt"), "--out", str(tmp / "p"))) == 0
    [result_file] = (tmp / "p" / "results").glob("*.json")
    assert "criterion" not in json.loads(result_file.read_text())["metrics"]
    assert "unsupervised criterion" not in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    (b"s0000 t0001\ns0001\n", r"test\.txt:2: expected two fields"),
    (b"", r"test\.txt: empty dictionary"),
    (b"\n  \n", r"test\.txt: empty dictionary"),
    (b"foo bar\nbaz qux\n", r"test\.txt:1: none of the 2 pairs has both words in the spaces \(first: 'foo'"),
    (b"s0000 t0001\ns0001 t\xe9\n", r"test\.txt:2: invalid UTF-8 byte at column 8"),
])
def test_bad_dictionaries_are_one_named_error_and_write_nothing(pair, capsys, content, message):
    tmp, *_ = pair
    (tmp / "test.txt").write_bytes(content)
    out, export = tmp / "out", tmp / "export"
    code = main(args(tmp, "--train-dict", str(tmp / "train.txt"), "--out", str(out), "--export", str(export)))
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    import re

    assert re.search(message, err[0]), err[0]
    assert not out.exists() and not export.exists()


def test_supervised_methods_need_a_train_dictionary(pair, capsys):
    tmp, *_ = pair
    assert main(args(tmp)) == 2
    assert "--train-dict" in capsys.readouterr().err
