"""The base of every tool's argument model, and the JSON-schema trim it shares with the crew's
result model (crews/resolution.py).

CrewAI sends each tool's argument schema on every LLM call of an agent that holds the tool, and
appends the result model's schema to the manager's task. Pydantic titles every field after its
name ('order_id' → "title": "Order Id"): the model already reads the name and the description, so
a title is only prompt tokens (about 7 per argument per call)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# keys whose value maps names to schemas (a field may itself be called "title")
_NAMED_SCHEMAS = ("properties", "$defs", "definitions")


def drop_titles(schema: Any) -> Any:
    """Remove the generated "title" keywords from a JSON schema, in place; returns it."""
    if isinstance(schema, dict):
        schema.pop("title", None)
        for key, value in schema.items():
            if key in _NAMED_SCHEMAS and isinstance(value, dict):
                for sub in value.values():
                    drop_titles(sub)
            else:
                drop_titles(value)
    elif isinstance(schema, list):
        for item in schema:
            drop_titles(item)
    return schema


class ToolArgs(BaseModel):
    """A tool's arguments: field descriptions are what the model reads; no titles are sent."""

    model_config = ConfigDict(json_schema_extra=drop_titles)
