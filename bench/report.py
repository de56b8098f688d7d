"""The bench's figures as Markdown tables."""

from __future__ import annotations

from typing import Any

HEADER = (
    "| operation | req/s | p50 ms | p99 ms | errors | x ceiling | wrk cpu | edm cpu | db cpu "
    "| other cpu | max RSS MB | edm cpu ms/req | db cpu ms/req |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)
SCALING_HEADER = (
    "| operation | req/s small | req/s large | large / small | p99 ms small | p99 ms large |\n"
    "|---|---:|---:|---:|---:|---:|"
)


def _cells(*values: str) -> str:
    return "| " + " | ".join(values) + " |"


def _row(r: dict[str, Any]) -> str:
    return _cells(
        r["op"],
        f"{r['rps']:,.0f}",
        f"{r['p50_ms']:.2f}",
        f"{r['p99_ms']:.2f}",
        str(r["errors"]),
        f"{r['ratio']:.2f}" if r.get("ratio") is not None else "",
        *(f"{r[k]:.0%}" for k in ("generator_cpu", "server_cpu", "database_cpu", "other_cpu")),
        f"{r['worker_rss_mb']:.0f}",
        f"{r.get('server_cpu_ms', 0):.2f}",
        f"{r.get('database_cpu_ms', 0):.2f}",
    )


def _scaling(blocks: list[dict[str, Any]]) -> list[str]:
    """Each operation at the largest size against the smallest, per database."""
    lines = []
    for kind in dict.fromkeys(b["database"] for b in blocks):
        mine = sorted((b for b in blocks if b["database"] == kind), key=lambda b: b["size"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        lines += [
            f"\n#### {kind}: {large['size']:,} vs {small['size']:,} tickets\n",
            SCALING_HEADER,
        ]
        before = {r["op"]: r for r in small["results"]}
        for r in large["results"]:
            base = before[r["op"]]
            lines.append(
                _cells(
                    r["op"],
                    f"{base['rps']:,.0f}",
                    f"{r['rps']:,.0f}",
                    f"{r['rps'] / base['rps']:.2f}",
                    f"{base['p99_ms']:.2f}",
                    f"{r['p99_ms']:.2f}",
                )
            )
    return lines


def markdown(report: dict[str, Any]) -> str:
    machine, load = report["machine"], report["load"]
    lines = [
        f"Machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}; "
        f"load average at start {', '.join(f'{v:.2f}' for v in machine['load_average'])}",
        f"Load: wrk, {load['threads']} thread(s), {load['connections']} connections, "
        f"{load['duration_s']} s per operation after {load['warmup_s']} s warm-up; "
        f"{load['workers']} server workers",
        "\n### Ceiling\n",
        HEADER,
        *(_row(r) for r in report["ceiling"].values()),
    ]
    for block in report["blocks"]:
        lines += [
            f"\n### {block['database']}, {block['size']:,} tickets "
            f"(seeded in {block['seed_seconds']:.1f} s)\n",
            HEADER,
            *(_row(r) for r in block["results"]),
        ]
    lines += _scaling(report["blocks"])
    return "\n".join(lines) + "\n"
