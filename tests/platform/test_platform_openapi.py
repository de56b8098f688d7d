"""The platform in the OpenAPI document (issue 25 item 5): the token endpoint, the
403 insufficient_scope answer, and the bodies and secrets of keys."""

from __future__ import annotations

from typing import Any

import pytest
from platform_paths import APPLICATIONS, TICKETS, TOKEN, keys_path


@pytest.fixture(scope="module")
def document(http) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_the_token_endpoint_is_documented(document) -> None:
    operation = document["paths"][TOKEN]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    request = document["components"]["schemas"][form["schema"]["$ref"].rsplit("/", 1)[-1]]

    assert request["properties"]["grant_type"]["const"] == "client_credentials"
    assert {"client_id", "client_secret", "scope"} <= set(request["properties"])
    assert {"200", "400", "401"} <= set(operation["responses"])
    token = document["components"]["schemas"]["TokenResponse"]
    assert set(token["required"]) == {"access_token", "token_type", "expires_in", "scope"}
    assert {"clientBasic": []} in operation["security"]


@pytest.mark.parametrize(
    ("path", "method", "scope"),
    [
        (TICKETS, "get", "helpdesk.tickets:read"),
        (TICKETS, "post", "helpdesk.tickets:write"),
        (APPLICATIONS, "post", "platform.applications:write"),
    ],
)
def test_403_names_the_scope_and_its_header(document, path, method, scope) -> None:
    forbidden = document["paths"][path][method]["responses"]["403"]

    assert "insufficient_scope" in forbidden["description"] and scope in forbidden["description"]
    assert scope in forbidden["headers"]["WWW-Authenticate"]["description"]


def test_rotate_takes_its_overlap_and_keys_answer_their_secret(document) -> None:
    path = keys_path("{application_id}")
    rotate = document["paths"][f"{path}/{{id}}/rotate"]["post"]
    body = rotate["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    overlap = document["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]

    assert (overlap["overlap_seconds"]["minimum"], overlap["overlap_seconds"]["maximum"]) == (
        0,
        604800,
    )
    key = document["components"]["schemas"]["APIKey"]
    assert "secret" in key["properties"] and "secret" not in key.get("required", [])
    assert {"bearer": []} in rotate["security"] and {"apiKey": []} in rotate["security"]
