"""Reading a model's JSON answer out of the text around it (code fences, a sentence before it)."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel

Model = TypeVar("Model", bound=BaseModel)


def first_json_model(text: str, model: type[Model]) -> Model | None:
    """The first JSON object in `text` that is a valid `model`, or None."""
    decoder = json.JSONDecoder()
    for start in [i for i, ch in enumerate(text) if ch == "{"][:20]:
        try:
            data, _ = decoder.raw_decode(text, start)
            return model.model_validate(data)
        except ValueError:
            continue
    return None
