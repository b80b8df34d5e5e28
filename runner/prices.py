"""What a ticket costs: config/prices.yaml (US dollars per million input and output tokens, by model
name pattern) applied to the tokens each model used. The offline model costs nothing.

The table is optional for running tickets: without the file costs are unknown (`cost_usd` null).
A file that is there must be valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crews.yaml_lines import LocatedYaml, Problem, load_located

PRICES_FILE = "prices.yaml"
OFFLINE = "offline"


class ModelPrice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(min_length=1)
    input: float = Field(ge=0, description="US dollars per million prompt tokens")
    output: float = Field(ge=0, description="US dollars per million completion tokens")

    def matches(self, model: str) -> bool:
        bare = model.partition("/")[2]
        return fnmatchcase(model.lower(), self.pattern.lower()) or (
            bool(bare) and fnmatchcase(bare.lower(), self.pattern.lower())
        )

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference_model: str = Field(min_length=1)
    models: list[ModelPrice] = Field(default_factory=list)

    def price_of(self, model: str) -> ModelPrice | None:
        found = next((entry for entry in self.models if entry.matches(model)), None)
        if found is None and model == OFFLINE:
            return ModelPrice(pattern=OFFLINE, input=0, output=0)
        return found

    @property
    def reference(self) -> ModelPrice:
        price = self.price_of(self.reference_model)
        if price is None:  # load_prices refuses such a table
            raise PriceError([Problem(PRICES_FILE, None, f"no price for {self.reference_model!r}")])
        return price


@dataclass
class ModelUsage:
    """Tokens one model used in a run."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens


def cost_usd(table: PriceTable, usage: dict[str, ModelUsage]) -> float | None:
    """The cost of these tokens by model, rounded to a millionth of a dollar; None when a model
    that used tokens has no price."""
    total = 0.0
    for model, used in usage.items():
        price = table.price_of(model)
        if price is None:
            if used.prompt_tokens or used.completion_tokens:
                return None
            continue
        total += price.cost(used.prompt_tokens, used.completion_tokens)
    return round(total, 6)


class PriceError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def price_problems(config_dir: Path) -> tuple[PriceTable | None, list[Problem]]:
    """The price table of `config_dir`, or every problem with its line; (None, []) when there is no
    price table (it is optional: costs are then unknown)."""
    path = config_dir / PRICES_FILE
    if not path.is_file():
        return None, []
    doc = load_located(path)
    if doc.problems:
        return None, doc.problems
    if not isinstance(doc.data, dict):
        return None, [Problem(str(path), 1, "expected a mapping with 'reference_model' and 'models'")]
    try:
        table = PriceTable.model_validate(doc.data)
    except ValidationError as err:
        return None, [_problem(doc, issue) for issue in err.errors()]
    problems = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(table.models):
        key = entry.pattern.lower()
        if key in seen:
            message = f"pattern {entry.pattern!r} repeats entry {seen[key] + 1}"
            problems.append(Problem(str(path), doc.line("models", index), message))
        seen.setdefault(key, index)
    offline = table.price_of(OFFLINE)
    if offline is not None and (offline.input or offline.output):
        problems.append(Problem(str(path), doc.line("models"), "the offline model runs here and must cost 0"))
    if table.price_of(table.reference_model) is None:
        problems.append(
            Problem(
                str(path),
                doc.line("reference_model"),
                f"reference_model {table.reference_model!r} matches no entry of 'models'",
            )
        )
    return (table if not problems else None), problems


def _problem(doc: LocatedYaml, issue: Any) -> Problem:
    loc = tuple(issue["loc"])
    where = ".".join(str(part) for part in loc)
    message = f"unknown key '{loc[-1]}'" if issue["type"] == "extra_forbidden" else issue["msg"]
    return Problem(str(doc.path), doc.line(*loc), f"{where}: {message}" if where else message)


def optional_prices(config_dir: Path) -> PriceTable | None:
    """The price table, None when `config_dir` has none; PriceError when it has an invalid one."""
    table, problems = price_problems(config_dir)
    if problems:
        raise PriceError(problems)
    return table


def load_prices(config_dir: Path) -> PriceTable:
    """The price table, which must be there (e.g. for the benchmark's reference prices)."""
    table = optional_prices(config_dir)
    if table is None:
        path = config_dir / PRICES_FILE
        raise PriceError(
            [Problem(str(path), None, "file not found (the price table: see README, 'What a ticket costs')")]
        )
    return table
