"""``--no-progress`` is quiet: gensim's RuntimeWarnings, transformers' loading bar and torch's
UserWarnings do not reach the terminal; ``--log FILE`` keeps them.

A subprocess registers toy static models whose loader does what real loaders do on bad
inputs: loads a tiny Hugging Face model (transformers prints its "Loading weights" bar),
normalises zero vectors with gensim (numpy RuntimeWarning from gensim's code) and hands torch
a read-only numpy array (torch UserWarning); then runs ``python -m benchmark run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from benchmark.resources import source_root  # noqa: E402

SCRIPT = r'''
import sys
from dataclasses import replace

import numpy as np

from benchmark.adapters.toy import toy_pair
from benchmark.cli import main
from benchmark.models import ModelSpec, register_model
from benchmark.tasks import Task, register_task

bert_dir, out, *flags = sys.argv[1:]
a, b = toy_pair(n_words=300, dim_source=8, dim_target=8, noise=0.05, seed=2)


def noisy(emb):
    def load():
        import torch
        from gensim.models import KeyedVectors

        from benchmark.adapters.hf import TransformersModel

        TransformersModel.from_pretrained(bert_dir, name="tiny", device="cpu")  # transformers' loading bar
        kv = KeyedVectors(vector_size=2)
        kv.add_vectors(["zero", "one"], np.array([[0.0, 0.0], [1.0, 0.0]], dtype=np.float32))
        kv.get_normed_vectors()  # gensim: RuntimeWarning, invalid value encountered in divide
        frozen = np.zeros(3)
        frozen.setflags(write=False)
        torch.from_numpy(frozen)  # torch: UserWarning, the given NumPy array is not writable
        return emb
    return load


for name, emb in (("qa", a), ("qb", b)):
    register_model(ModelSpec(name, "static", noisy(replace(emb, name=name)), "quiet toy", default=False))
register_task(Task(name="q_toy", version="1.0", family="static_static", description="quiet toy",
                   main_metric="p@1/csls",
                   params={"search_vocab": 50_000, "n_train": 150, "n_dev": 50, "n_test": 80, "min_train": 50,
                           "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5),
                           "isf_betas": (10.0,), "n_bootstrap": 20}))
raise SystemExit(main(["run", "--models", "qa,qb", "--tasks", "q_toy", "--out", out, *flags]))
'''


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters, *(f"##{c}" for c in letters)]
    folder = tmp_path_factory.mktemp("quiet-bert")
    torch.manual_seed(0)
    BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}).save_pretrained(folder)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)).save_pretrained(folder)
    return folder


def _run(tmp_path: Path, bert: Path, *flags: str) -> subprocess.CompletedProcess:
    script = tmp_path / "quiet_run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY", "PYTHONWARNINGS")}
    env.update(HF_HUB_OFFLINE="1", PYTHONPATH=os.pathsep.join(filter(None, [str(source_root()), env.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, str(script), str(bert), str(tmp_path / "out"), *flags],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_a_noisy_run_without_no_progress_shows_the_noise(tmp_path, tiny_bert):
    """The control: the loaders really emit all three (else the quiet test proves nothing)."""
    proc = _run(tmp_path, tiny_bert)
    assert proc.returncode == 0, proc.stderr
    assert "Loading weights" in proc.stderr
    assert "RuntimeWarning" in proc.stderr and "UserWarning" in proc.stderr


def test_no_progress_is_quiet(tmp_path, tiny_bert):
    proc = _run(tmp_path, tiny_bert, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("2 computed, 0 reused")
    assert (tmp_path / "out" / "README.md").is_file()


def test_no_progress_with_a_log_keeps_the_warnings_there(tmp_path, tiny_bert):
    log = tmp_path / "run.log"
    proc = _run(tmp_path, tiny_bert, "--no-progress", "--log", str(log))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    text = log.read_text(encoding="utf-8")
    assert "RuntimeWarning" in text and "invalid value encountered" in text
    assert "UserWarning" in text and "not writable" in text


def test_an_unwritable_log_is_one_named_line(tmp_path, tiny_bert):
    log = tmp_path / "no-such-folder" / "run.log"
    proc = _run(tmp_path, tiny_bert, "--no-progress", "--log", str(log))
    assert proc.returncode == 2
    assert proc.stderr == f"error: {log}: No such file or directory\n"
    assert not (tmp_path / "out").exists()
