"""Rosetta Bench: a pytest-style benchmark for translating embedding spaces.

``import benchmark`` is light: no torch, transformers, gensim or spaCy.
Models are loaded by adapters when an item needs them.
"""

from benchmark.errors import BenchmarkError

__version__ = "0.1.0"
__all__ = ["BenchmarkError", "__version__"]
