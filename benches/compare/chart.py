#!/usr/bin/python3
"""Turns criterion's output of `benches/captured.rs` into the README's table and chart.

    cd benches/compare
    cargo bench --bench captured                        # one run
    python3 chart.py snapshot results/run1.json         # keep its times
    ...                                                 # run2, run3 the same way
    python3 chart.py render results/captured.svg results/run*.json

`snapshot` reads `target/criterion/<group>/<function>/new/estimates.json` (the mean time of
each parser in the last run) and writes them to a JSON file. `render` computes, for each run,
how many times faster ours is than each anchor on the same units (anchor time / our time),
prints a Markdown table of the range over the runs, and writes an SVG bar chart: one bar
per comparison from the lowest to the highest ratio, the median marked, the goal drawn as a
tick. Standard library only; the SVG is written by hand.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRITERION = HERE / "target" / "criterion"

# (label, group, our function, anchor function, anchor label, goal)
COMPARISONS = [
    ("SMTP command lines", "captured_smtp_commands", "mail-proto", "stalwart-smtp-proto",
     "Stalwart smtp-proto 0.2 Request::parse", 1.3),
    ("SMTP replies, whole stream", "captured_smtp_replies", "mail-proto", "stalwart-smtp-proto",
     "Stalwart ResponseReceiver", 1.3),
    ("EHLO reply", "captured_smtp_ehlo", "mail-proto", "stalwart-smtp-proto",
     "Stalwart EhloResponse::parse", 1.0),
    ("IMAP responses <= 4 KiB", "captured_imap_responses_4k", "imap-proto (ours)", "imap-codec",
     "imap-codec 2.0.0-alpha.10", 3.0),
    ("IMAP responses <= 4 KiB", "captured_imap_responses_4k", "imap-proto (ours)",
     "djc-imap-proto", "djc imap-proto 0.17", 2.0),
    ("IMAP commands without APPEND", "captured_imap_commands", "imap-proto (ours)",
     "imap-codec", "imap-codec 2.0.0-alpha.10", 3.0),
]


def criterion_dir(name: str) -> str:
    """Criterion's directory name for a benchmark id: the id, with what a path cannot hold
    replaced (none of ours has such characters)."""
    return "".join("_" if c in '?"/\\*<>:|^' else c for c in name)


def snapshot(out: Path) -> None:
    times = {}
    for _, group, ours, anchor, _, _ in COMPARISONS:
        for function in (ours, anchor):
            path = CRITERION / group / criterion_dir(function) / "new" / "estimates.json"
            if not path.exists():
                raise SystemExit(f"{path} is missing: run `cargo bench --bench captured` first")
            estimate = json.loads(path.read_text())["mean"]["point_estimate"]
            times.setdefault(group, {})[function] = estimate
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")


def ratios(runs: list[dict]) -> list[tuple[tuple, list[float]]]:
    out = []
    for comparison in COMPARISONS:
        _, group, ours, anchor, _, _ = comparison
        out.append((comparison, [run[group][anchor] / run[group][ours] for run in runs]))
    return out


def table(rows: list[tuple[tuple, list[float]]], runs: int) -> str:
    lines = [
        f"| work | anchor | ours is this many times faster ({runs} runs) | median | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for (label, _, _, _, anchor, goal), values in rows:
        lo, hi, med = min(values), max(values), statistics.median(values)
        met = "yes" if lo >= goal else ("no" if hi < goal else "in some runs")
        lines.append(
            f"| {label} | {anchor} | {lo:.2f}–{hi:.2f}× | {med:.2f}× | ≥ {goal:g}× | {met} |"
        )
    return "\n".join(lines)


def svg(rows: list[tuple[tuple, list[float]]], runs: int) -> str:
    width, left, right, top, row_h = 860, 330, 40, 56, 46
    height = top + row_h * len(rows) + 46
    scale_max = max(4.0, max(max(v) for _, v in rows) * 1.1)
    plot_w = width - left - right
    x = lambda r: left + plot_w * r / scale_max  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">Captured client traffic: '
        f'how many times faster mail-proto is</text>',
        f'<text x="{left}" y="40" fill="#555">anchor time / our time, same units, one run per '
        f'bar end ({runs} runs); tick = goal</text>',
    ]
    # Grid: one line per whole ratio, 1x emphasised.
    step = 0.5 if scale_max <= 6 else 1.0
    r = 0.0
    while r <= scale_max + 1e-9:
        xx = x(r)
        colour = "#999" if abs(r - 1.0) < 1e-9 else "#e4e4e4"
        out.append(f'<line x1="{xx:.1f}" y1="{top - 6}" x2="{xx:.1f}" '
                   f'y2="{top + row_h * len(rows)}" stroke="{colour}"/>')
        out.append(f'<text x="{xx:.1f}" y="{top + row_h * len(rows) + 18}" '
                   f'text-anchor="middle" fill="#555">{r:g}×</text>')
        r += step
    for i, ((label, _, _, _, anchor, goal), values) in enumerate(rows):
        y = top + i * row_h
        lo, hi, med = min(values), max(values), statistics.median(values)
        colour = "#2e7d32" if lo >= goal else ("#c62828" if hi < goal else "#ef6c00")
        out.append(f'<text x="{left - 10}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<text x="{left - 10}" y="{y + 32}" text-anchor="end" fill="#555" '
                   f'font-size="11">vs {escape(anchor)}</text>')
        out.append(f'<rect x="{left}" y="{y + 8}" width="{x(lo) - left:.1f}" height="22" '
                   f'fill="{colour}" fill-opacity="0.35"/>')
        out.append(f'<rect x="{x(lo):.1f}" y="{y + 8}" width="{max(x(hi) - x(lo), 1.5):.1f}" '
                   f'height="22" fill="{colour}" fill-opacity="0.8"/>')
        out.append(f'<line x1="{x(med):.1f}" y1="{y + 5}" x2="{x(med):.1f}" y2="{y + 33}" '
                   f'stroke="black" stroke-width="2"/>')
        out.append(f'<line x1="{x(goal):.1f}" y1="{y + 3}" x2="{x(goal):.1f}" y2="{y + 35}" '
                   f'stroke="black" stroke-dasharray="3,2"/>')
        out.append(f'<text x="{x(hi) + 6:.1f}" y="{y + 24}">{lo:.2f}–{hi:.2f}×</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "render":
        runs = [json.loads(Path(p).read_text()) for p in sys.argv[3:]]
        rows = ratios(runs)
        Path(sys.argv[2]).write_text(svg(rows, len(runs)))
        print(table(rows, len(runs)))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
