"""Serve a bench app on the server stack of `edm serve`, for the ceilings and the floor.

    python -m bench.serve bench.ceiling:app --port 8001 --workers 2

The same uvicorn, started the same way (`edm.server.workers.serve_app`):
with several workers, each accepts its own share of the connections, as
`edm serve`'s do, so a ratio of the two compares the apps and not how
connections happened to fall on the workers.
"""

from __future__ import annotations

import argparse

from edm.server.workers import serve_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", help="an ASGI app's import string, module:attribute")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    serve_app(
        args.app,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
