"""The JSON response of the routes outside the resources (records are encoded
by the database: `edm.store.record_json`)."""

from __future__ import annotations

from typing import Any

import orjson
import starlette.responses


class JSONResponse(starlette.responses.JSONResponse):
    """Starlette's JSON response (so FastAPI documents bodies as JSON), encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
