"""Resolving and loading a transformers model (folder, hub id or GGUF file), its device and architecture, and the hash its cached vectors depend on."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from benchmark.errors import ModelLoadError, UnknownNameError
from benchmark.hashing import file_sha256
from benchmark.packages import installed_version

_ARCHITECTURES = ("encoder", "causal", "auto")


_DEVICES = ("auto", "cpu", "cuda")


# model_type values of decoder-only models (used when config.architectures is silent).
_CAUSAL_MODEL_TYPES = frozenset({
    "gpt2", "gpt_neo", "gpt_neox", "gptj", "gpt_bigcode", "llama", "mistral", "mixtral",
    "gemma", "gemma2", "gemma3", "gemma3_text", "qwen2", "qwen3", "phi", "phi3", "opt",
    "bloom", "falcon", "olmo", "olmo2", "stablelm", "starcoder2", "smollm3", "ctrl", "xglm",
})


_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".json", ".txt", ".model")


def _lazy_torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelLoadError(
            "contextual models need torch and transformers: pip install 'rosetta-bench[contextual]' "
            f"({exc})"
        ) from exc
    return torch


def _lazy_transformers():
    _lazy_torch()
    try:
        import transformers
    except ImportError as exc:  # pragma: no cover
        raise ModelLoadError(
            f"contextual models need transformers: pip install 'rosetta-bench[contextual]' ({exc})"
        ) from exc
    return transformers


def _hf_offline() -> bool:
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on"):
            return True
    return False


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def _sha256_file(path: Path) -> str:
    st = path.stat()
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _FILE_HASHES:  # weights are large and never change in place: hash each once per process
        _FILE_HASHES[memo] = file_sha256(path)
    return _FILE_HASHES[memo]


def _hash_model_files(folder: Path, gguf_file: str | None) -> str:
    """sha256 over the weights, config and tokenizer files of a local model folder."""
    if gguf_file is not None:
        return "sha256:" + _sha256_file(folder / gguf_file)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _WEIGHT_SUFFIXES)
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode("utf-8") + b"\0" + _sha256_file(p).encode("ascii") + b"\n")
    return "sha256:" + digest.hexdigest()


def _resolve_device(device: str) -> str:
    if device not in _DEVICES:
        raise UnknownNameError(f"device {device!r} is not one of {', '.join(_DEVICES)}")
    torch = _lazy_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("device 'cuda' was asked for but torch sees no CUDA device")
    return device


def _guess_architecture(config) -> str:
    if getattr(config, "is_encoder_decoder", False):
        raise ModelLoadError(
            f"encoder-decoder models ({config.model_type}) are not supported; use an encoder or a causal LM"
        )
    archs = list(getattr(config, "architectures", None) or [])
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs):
        return "causal"
    if getattr(config, "model_type", None) in _CAUSAL_MODEL_TYPES or getattr(config, "is_decoder", False):
        return "causal"
    return "encoder"


def _load_hf_parts(source: str, *, gguf_file, architecture, local_files_only, hub_revision, device,
                   allow_pickle=False):
    """Load (config, tokenizer, model, architecture) with transformers; raises on failure."""
    torch = _lazy_torch()
    transformers = _lazy_transformers()
    common: dict[str, Any] = {"local_files_only": local_files_only, "trust_remote_code": False}
    if hub_revision is not None:
        common["revision"] = hub_revision
    if gguf_file is not None:
        common["gguf_file"] = gguf_file
    config = transformers.AutoConfig.from_pretrained(source, **common)
    arch = _guess_architecture(config) if architecture == "auto" else architecture
    # hidden states are asked for in every forward call (output_hidden_states=True); setting
    # it on the config too makes causal LMs warn about an invalid generation flag.
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, use_fast=True, **common)
    model_kwargs = dict(common, config=config, dtype=torch.float32)
    if gguf_file is not None:
        model_kwargs["quantization_config"] = transformers.GgufConfig(dequantize=True)
    elif not allow_pickle:
        model_kwargs["use_safetensors"] = True  # never torch.load (pickle) weights unless asked
    auto_cls = transformers.AutoModelForCausalLM if arch == "causal" else transformers.AutoModel
    model = auto_cls.from_pretrained(source, **model_kwargs)
    model.eval()
    model.to(device)
    return config, tokenizer, model, arch


def _hub_revision(repo_id: str, revision: str | None) -> str:
    """The commit of the cached snapshot of a hub model, else ``id@revision``."""
    try:
        from huggingface_hub import snapshot_download

        folder = snapshot_download(repo_id, revision=revision, local_files_only=True)
        return f"hf:{repo_id}@{Path(folder).name}"
    except Exception:
        return f"hf:{repo_id}@{revision or 'main'}"


def _package_version(dist: str) -> str:
    version = installed_version(dist)
    if version is None:
        raise ModelLoadError(f"package {dist!r} is not installed: pip install {dist}")
    return version
