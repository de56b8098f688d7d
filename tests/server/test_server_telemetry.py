"""OpenTelemetry: FastAPI's native spans when `EDM_OPENTELEMETRY` asks for them, none otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from edm.server.app import create_app
from edm.settings import Settings

TICKETS = "/api/v1/helpdesk/tickets"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """Spans of the process's tracer provider (set once per process, so for the module)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield exporter
    provider.shutdown()


@pytest.mark.parametrize("enabled", [False, True], ids=["off", "on"])
def test_requests_are_traced_only_when_opentelemetry_is_enabled(
    settings: Settings, exporter: InMemorySpanExporter, mint: Any, enabled: bool
) -> None:
    exporter.clear()
    app = create_app(settings.model_copy(update={"opentelemetry": enabled}))
    headers = {"Authorization": "Bearer " + mint(tenant_id="otel", subject="otel-agent")}

    with TestClient(app) as client:
        assert client.get(TICKETS, headers=headers).status_code == 200

    spans = [s for s in exporter.get_finished_spans() if s.kind is trace.SpanKind.SERVER]
    assert len(spans) == (1 if enabled else 0)
    if enabled:
        assert spans[0].attributes is not None
        assert spans[0].attributes["http.response.status_code"] == 200
