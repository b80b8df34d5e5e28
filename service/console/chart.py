"""The dashboard's chart, drawn on the server as inline SVG (no script, no build step): finished
tickets per period stacked by outcome, and the period's median run time as a line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from backlog.report import OUTCOMES, percentile
from service.ticket_queue import FinishedRun

COLOURS = {
    "resolved": "#2e7d32",
    "pending_approval": "#f9a825",
    "needs_info": "#0277bd",
    "escalated": "#ef6c00",
    "refused": "#6a1b9a",
    "failed": "#c62828",
}
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 40, 48, 12, 36


@dataclass
class Period:
    label: str  # 2026-05-09 or 2026-05-09 14h
    outcomes: Counter[str]
    p50_s: float | None


def periods(runs: list[FinishedRun]) -> list[Period]:
    """By day, or by hour when every run finished on the same day (a new service's first day)."""
    by_hour = len({run.finished_at[:10] for run in runs}) <= 1
    groups: dict[str, list[FinishedRun]] = {}
    for run in runs:
        key = f"{run.finished_at[:10]} {run.finished_at[11:13]}h" if by_hour else run.finished_at[:10]
        groups.setdefault(key, []).append(run)
    return [
        Period(
            label,
            Counter(r.result.outcome for r in members),
            percentile([r.result.duration_ms / 1000 for r in members], 50),
        )
        for label, members in sorted(groups.items())
    ]


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000):
        if value <= step:
            return float(step)
    return value


def svg(runs: list[FinishedRun]) -> str:
    """The chart as an <svg> element; every text in it is a date, a number or an outcome name."""
    data = periods(runs)
    if not data:
        return '<p class="dim">No finished tickets yet.</p>'
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_count = _nice_max(max(sum(p.outcomes.values()) for p in data))
    top_s = _nice_max(max((p.p50_s or 0.0) for p in data) or 1.0)
    slot = plot_w / len(data)
    bar = min(48.0, slot * 0.6)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-label="tickets by outcome and median run time per period">',
        f'<text x="4" y="{TOP + 8}" class="axis">{top_count:g}</text>',
        f'<text x="4" y="{TOP + plot_h}" class="axis">0</text>',
        f'<text x="{WIDTH - RIGHT + 4}" y="{TOP + 8}" class="axis">{top_s:g} s</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="base"/>',
    ]
    line = []
    for i, period in enumerate(data):
        x, y = LEFT + i * slot + (slot - bar) / 2, float(TOP + plot_h)
        for outcome in OUTCOMES:
            count = period.outcomes.get(outcome, 0)
            if count:
                h = plot_h * count / top_count
                y -= h
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{COLOURS[outcome]}">'
                    f"<title>{period.label}: {count} {outcome}</title></rect>"
                )
        if period.p50_s is not None:
            line.append(f"{x + bar / 2:.1f},{TOP + plot_h - plot_h * period.p50_s / top_s:.1f}")
        if len(data) <= 12 or i % max(1, len(data) // 12) == 0:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 18}" class="axis mid">{period.label[5:]}</text>')
    if line:
        out.append(f'<polyline points="{" ".join(line)}" class="latency"/>')
        out.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" class="dot"/>' for p in line)
    legend_x = LEFT
    for outcome in OUTCOMES:
        out.append(f'<rect x="{legend_x}" y="{HEIGHT - 10}" width="10" height="10" fill="{COLOURS[outcome]}"/>')
        label = outcome.replace("_", " ")
        out.append(f'<text x="{legend_x + 14}" y="{HEIGHT - 1}" class="axis">{label}</text>')
        legend_x += 14 + 7 * len(label) + 16
    out.append(f'<text x="{legend_x}" y="{HEIGHT - 1}" class="axis">— median run time</text>')
    out.append("</svg>")
    return "".join(out)
