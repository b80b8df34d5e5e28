"""Run evaluation cases through the whole program (runtime.evaluation) and print failures with
their reasons: the end-to-end counterpart of `simulate`. Same as `support-crew eval`, callable
while the CLI is being changed.

    .venv/bin/python -m offline_model.devtools.e2e CASES.jsonl [--workers N] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--report", default=None)
    args = parser.parse_args(argv)

    import runtime.environment  # noqa: F401
    from runtime.evaluation import run_evaluation
    from runtime.settings import Settings

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="offline-e2e-"))
    settings = Settings(data_dir=data_dir)
    report = run_evaluation(Path(args.cases), settings=settings, workers=args.workers, progress=False,
                            report_path=Path(args.report) if args.report else None)
    data = json.loads(report.model_dump_json()) if hasattr(report, "model_dump_json") else report.__dict__
    tags = {json.loads(line)["id"]: json.loads(line).get("tags", []) for line in Path(args.cases).read_text().splitlines() if line.strip()}
    by_tag: dict[str, Counter] = defaultdict(Counter)
    for case in data["cases"]:
        for tag in tags.get(case["id"], []):
            by_tag[tag]["total"] += 1
            by_tag[tag]["passed"] += bool(case["passed"])
        if not case["passed"]:
            print(f"FAIL {case['id']} outcome={case.get('outcome')} {case.get('reasons')}")
    print(f"{args.cases}: {data['passed']}/{data['total']} = {data['pass_rate']:.1%}")
    for tag, counter in sorted(by_tag.items()):
        print(f"  {tag:20s} {counter['passed']:4d}/{counter['total']:<4d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
