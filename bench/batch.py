"""Batch writes against the database's own limit: `edm seed`, the batch API, `edm import`.

    python -m bench.batch --database sqlite --rows 20000 --import-rows 100000
    python -m bench.batch --database postgresql --rows 20000 --import-rows 100000

On a fresh database: `edm seed` loads `--rows` tickets through the bulk
loader (COPY on PostgreSQL, executemany on SQLite, bypassing the API): what
the database can insert with EDM's schema. Then an `edm serve` takes
`--rows` new tickets as batch creates of `--batch` items from `--clients`
concurrent clients (every request creates new tickets), and `edm import
tickets` sends a JSON Lines file of `--import-rows` tickets through it.
Each figure is printed beside the command that measured it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.dataset import BenchDatabase
from bench.processes import Server, free_port
from edm.cli.importer import MAX_CHUNK
from edm.cli.seed import CATEGORIES, PROBLEMS, SUBJECTS, TAGS, WORDS
from edm.server.auth import mint_token

EDM = str(Path(sys.executable).with_name("edm"))
SECRET = "bench-batch-secret-" + "z" * 40
TENANT = "bench-batch"
PATH = "/api/v1/helpdesk/tickets/batch"


def ticket_body(rng: random.Random, index: int) -> dict[str, Any]:
    """A create body with the fields the seed fills (the server stamps the rest)."""
    return {
        "title": f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)} #{index}",
        "description": f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)} {rng.choice(WORDS)}.",
        "priority": rng.choice(("low", "medium", "high", "urgent")),
        "category": rng.choice(CATEGORIES),
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
    }


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return time.monotonic() - started, done.stdout


def _seed(rows: int, env: dict[str, str]) -> tuple[str, float]:
    """`edm seed`'s rate: the load of its one tenant, as the command reports it."""
    command = [EDM, "seed", "--tenant", "bench-seed", "--tickets", str(rows)]
    command += ["--small-tenants", "0"]
    _, out = _timed(command, env)
    loaded = re.search(r" in ([\d.]+) s", out)
    assert loaded is not None, out
    return " ".join(command[1:]), rows / float(loaded.group(1))


def _batches(url: str, token: str, rows: int, size: int, clients: int) -> float:
    rng = random.Random(7)
    bodies = [
        {"items": [ticket_body(rng, start + i) for i in range(min(size, rows - start))]}
        for start in range(0, rows, size)
    ]
    payloads = [json.dumps(body).encode() for body in bodies]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(chunk: list[bytes]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
            for payload in chunk:
                response = client.post(PATH, content=payload)
                response.raise_for_status()
                statuses = {item["status"] for item in response.json()["data"]}
                if statuses != {201}:
                    raise SystemExit(f"batch create: items answered {sorted(statuses)}, not 201")

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [payloads[i::clients] for i in range(clients)]))
    return rows / (time.monotonic() - started)


def _import(url: str, token: str, rows: int, workdir: Path, env: dict[str, str]) -> float:
    rng = random.Random(11)
    source = workdir / "import.jsonl"
    with source.open("w") as file:
        for index in range(rows):
            file.write(json.dumps(ticket_body(rng, index)) + "\n")
    command = [EDM, "import", "tickets", str(source)]
    elapsed, out = _timed(command, {**env, "EDM_BASE_URL": url, "EDM_TOKEN": token})
    if f": {rows} created, 0 rejected" not in out:
        raise SystemExit(f"import: not every row was created:\n{out}")
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql://127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="edm-bench-batch-") as tmp:
        workdir = Path(tmp)
        db = BenchDatabase.create(args.database, workdir, args.postgres_url)
        env = {**os.environ, "EDM_DATABASE_URL": db.url, "EDM_JWT_SECRET": SECRET}
        env["EDM_RATE_LIMIT_REQUESTS"] = str(10**9)
        try:
            db.migrate()
            seeded_by, seed_rate = _seed(args.rows, env)
            port = free_port()
            server = Server.start(
                "edm", [EDM, "serve", "--port", str(port)], env, port, workdir / "serve.log"
            )
            try:
                token = mint_token(SECRET, tenant_id=TENANT, subject="bench", roles=["admin"])
                batch_rate = _batches(server.url, token, args.rows, args.batch, args.clients)
                import_rate = _import(server.url, token, args.import_rows, workdir, env)
            finally:
                server.stop()
        finally:
            db.drop()
    print(f"$ python -m bench.batch {' '.join(sys.argv[1:])}")
    print(f"database: {args.database}; load average (1 min) before the run: {load:.2f}")
    print("| what | rows | rows/s | command |\n|---|---:|---:|---|")
    print(f"| edm seed (bulk loader) | {args.rows:,} | {seed_rate:,.0f} | `edm {seeded_by}` |")
    print(
        f"| batch create, {args.batch} items x {args.clients} clients | {args.rows:,} | "
        f"{batch_rate:,.0f} ({batch_rate / seed_rate:.2f}x seed) | "
        f"`POST {PATH}` from `python -m bench.batch` |"
    )
    print(
        f"| edm import tickets | {args.import_rows:,} | {import_rate:,.0f} "
        f"({import_rate / batch_rate:.2f}x batch) | `edm import tickets import.jsonl` "
        f"(`--chunk-size {MAX_CHUNK}`) |"
    )


if __name__ == "__main__":
    main()
