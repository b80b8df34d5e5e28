"""How many model calls the offline model needs per ticket in the simulation: the distribution,
and the tickets above a budget (policy.yaml caps LLM calls per ticket).

    .venv/bin/python -m offline_model.devtools.calls CASES.jsonl [--budget 16]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--budget", type=int, default=20)
    args = parser.parse_args(argv)

    import core.environment  # noqa: F401

    from offline_model.devtools import simulate
    from offline_model.llm import OfflineLLM

    llm = OfflineLLM(model="offline")
    agents, tasks = simulate.load_crew()
    data = simulate.load_data()
    for path in args.files:
        counts: Counter[int] = Counter()
        tools: Counter[int] = Counter()
        over = []
        for line in Path(path).read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            result = simulate.run_case(llm, case, data, agents, tasks)
            counts[result["llm_calls"]] += 1
            tools[result["tool_calls"]] += 1
            if result["llm_calls"] > args.budget - 3:
                over.append((case["id"], result["llm_calls"], len(case["expected"]["actions"])))
        total = sum(counts.values())
        print(
            f"{path}: mean {sum(k * v for k, v in counts.items()) / total:.2f} llm calls, "
            f"max {max(counts)}; tool calls mean {sum(k * v for k, v in tools.items()) / total:.2f}, max {max(tools)}"
        )
        print("  distribution:", dict(sorted(counts.items())))
        print("  near or over budget:", over)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
