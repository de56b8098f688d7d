"""The bench's figures as Markdown tables."""

from __future__ import annotations

from typing import Any

SCALING_HEADER = (
    "| operation | req/s small | req/s large | large / small | p99 ms small | p99 ms large |\n"
    "|---|---:|---:|---:|---:|---:|"
)


def _header(server: str = "edm") -> str:
    return (
        "| operation | req/s | runs (req/s) | p50 ms | p99 ms | errors | x ceiling | x bare "
        "| wrk cpu "
        f"| {server} cpu | db cpu | other cpu | max RSS MB | {server} cpu ms/req "
        "| db cpu ms/req |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )


def rate(rps: float) -> str:
    """Requests per second, with a decimal below 10 (a peer's reads)."""
    return f"{rps:,.1f}" if rps < 10 else f"{rps:,.0f}"


def spread(runs: list[float]) -> str:
    """Every run's req/s as min-max (the one value of a single run)."""
    low, high = rate(min(runs)), rate(max(runs))
    return low if len(runs) == 1 else f"{low}-{high}"


def times(ratio: float) -> str:
    """A ratio to the ceiling: two decimals, or two significant digits below 0.01."""
    return f"{ratio:.2f}" if ratio >= 0.01 else f"{ratio:.2g}"


def _cells(*values: str) -> str:
    return "| " + " | ".join(values) + " |"


def _row(r: dict[str, Any]) -> str:
    return _cells(
        r["op"],
        rate(r["rps"]),
        spread(r["runs_rps"]),
        f"{r['p50_ms']:.2f}",
        f"{r['p99_ms']:.2f}",
        str(r["errors"]),
        *(times(r[k]) if r.get(k) is not None else "" for k in ("ratio", "bare_ratio")),
        *(f"{r[k]:.0%}" for k in ("generator_cpu", "server_cpu", "database_cpu", "other_cpu")),
        f"{r['worker_rss_mb']:.0f}",
        f"{r.get('server_cpu_ms', 0):.2f}",
        f"{r.get('database_cpu_ms', 0):.2f}",
    )


def _block_ceiling(ceiling: dict[str, dict[str, Any]]) -> str:
    """A block's own FastAPI ceiling, which its x ceiling column is a ratio of."""
    figures = ", ".join(f"{name} {rate(r['rps'])}" for name, r in ceiling.items())
    return f"Ceiling measured just before this block (its x ceiling): {figures} req/s\n"


def _writes(results: list[dict[str, Any]]) -> str:
    """What each write scenario stored, against the requests that succeeded."""
    figures = ", ".join(
        f"{r['op']} {r['written']:,} / {r['succeeded']:,}"
        for r in results
        if r.get("written") is not None
    )
    return (
        "\nWrites checked (history events written / successful requests, "
        f"warm-up and runs): {figures}\n"
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
        f"median of {load['repeat']} run(s) of {load['duration_s']} s per operation "
        f"after {load['warmup_s']} s warm-up; "
        f"{load['workers']} server workers",
        "\n### Ceilings\n",
        "Measured once at the start of the run: every x bare, and the peer's x ceiling, "
        "are ratios of these. Each EDM block's x ceiling is a ratio of the FastAPI "
        "ceiling measured again just before that block, given under its heading.\n",
        _header(),
        *(_row(r) for r in (*report["ceiling"].values(), *report["bare_ceiling"].values())),
    ]
    for block in report["blocks"]:
        lines += [
            f"\n### {block['database']}, {block['size']:,} tickets "
            f"(seeded in {block['seed_seconds']:.1f} s)\n",
            _block_ceiling(block["ceiling"]),
            _header(),
            *(_row(r) for r in block["results"]),
            _writes(block["results"]),
        ]
    for peer in report.get("peers", []):
        lines += [
            f"\n### {peer['title']} (seeded in {peer['seed_seconds']:.1f} s)\n",
            _header("server"),
            *(_row(r) for r in peer["results"]),
        ]
    lines += _scaling(report["blocks"])
    return "\n".join(lines) + "\n"
