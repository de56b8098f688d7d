"""Scopes, roles, isolation and rate limits of application callers (SPEC 9, issue
items 4 and 6)."""

from __future__ import annotations

import jwt
import pytest
from platform_paths import APPLICATIONS, TICKETS

POLICIES = "/api/v1/helpdesk/sla_policies"


def test_a_missing_scope_is_403_insufficient_scope_with_rfc_6750_header(
    platform, integration
) -> None:
    _, key = integration(scopes=["helpdesk.tickets:read"])
    with_key = platform.bearer(key["secret"])

    refused = with_key.post(TICKETS, json={"title": "x"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert refused.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="helpdesk.tickets:write"'
    )
    assert with_key.get(TICKETS).status_code == 200
    other = with_key.get(POLICIES)
    assert other.status_code == 403
    assert 'scope="helpdesk.sla_policies:read"' in other.headers["www-authenticate"]


def test_write_includes_read(platform, integration) -> None:
    _, key = integration(scopes=["helpdesk.tickets:write"])
    with_key = platform.bearer(key["secret"])

    created = with_key.post(TICKETS, json={"title": "x"})

    assert created.status_code == 201
    assert with_key.get(f"{TICKETS}/{created.json()['id']}").status_code == 200


def test_nested_resources_have_their_own_scopes(platform, integration) -> None:
    _, key = integration(scopes=["helpdesk.tickets:write"])
    with_key = platform.bearer(key["secret"])
    ticket = with_key.post(TICKETS, json={"title": "x"}).json()

    comment = with_key.post(f"{TICKETS}/{ticket['id']}/comments", json={"body": "hi"})

    assert comment.status_code == 403
    assert 'scope="helpdesk.comments:write"' in comment.headers["www-authenticate"]


def test_roles_still_apply_within_the_scopes(platform, integration) -> None:
    _, key = integration(roles=["agent"], scopes=["*"])

    response = platform.bearer(key["secret"]).post(POLICIES, json={"name": "p", "targets": {}})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_token_without_a_scope_claim_has_every_scope(caller) -> None:
    assert caller("agent").post(TICKETS, json={"title": "x"}).status_code == 201


@pytest.mark.parametrize(
    ("scope", "status"),
    [("helpdesk.tickets:read", 403), ("helpdesk.tickets:write", 201), ("*", 201), ("", 403)],
)
def test_external_tokens_scope_claims_are_honoured(
    settings, mint, tenant, http, scope, status
) -> None:
    secret = settings.jwt_secret.get_secret_value()  # the external issuer's
    claims = jwt.decode(mint(tenant_id=tenant, subject="svc"), secret, ["HS256"])
    token = jwt.encode(claims | {"scope": scope}, secret, algorithm="HS256")

    response = http.post(TICKETS, json={"title": "x"}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == status


def test_external_app_tokens_scope_as_given_registered_or_not(caller, platform) -> None:
    registered = platform.application()["id"]
    for app_id in (registered, "app_not_registered_here"):
        app = caller("agent", app=app_id)
        created = app.post(TICKETS, json={"title": f"by {app_id}"})
        assert created.status_code == 201
        assert created.json()["app_id"] == app_id
        assert [t["title"] for t in app.get(TICKETS).json()["data"]] == [f"by {app_id}"]
    # Deactivating a registered application does not touch the external issuer's tokens.
    platform.admin.patch(f"{APPLICATIONS}/{registered}", json={"is_active": False})
    assert caller("agent", app=registered).get(TICKETS).status_code == 200


def test_two_applications_and_a_human_see_what_they_should(agent, platform, integration) -> None:
    first_app, first_key = integration()
    second_app, second_key = integration()
    first, second = platform.bearer(first_key["secret"]), platform.bearer(second_key["secret"])
    by_first = first.post(TICKETS, json={"title": "first's"}).json()
    by_second = second.post(TICKETS, json={"title": "second's"}).json()
    by_human = agent.post(TICKETS, json={"title": "human's"}).json()

    assert (by_first["app_id"], by_second["app_id"], by_human["app_id"]) == (
        first_app["id"],
        second_app["id"],
        None,
    )
    assert [t["id"] for t in first.get(TICKETS).json()["data"]] == [by_first["id"]]
    assert first.get(f"{TICKETS}/{by_second['id']}").status_code == 404
    assert first.get(f"{TICKETS}/{by_human['id']}").status_code == 404
    assert {t["id"] for t in agent.get(TICKETS).json()["data"]} == {
        by_first["id"],
        by_second["id"],
        by_human["id"],
    }


def test_an_applications_keys_and_tokens_share_its_rate_limit(platform, integration) -> None:
    application, key = integration(rate_limit_per_minute=3)
    other_key = platform.key(application["id"])
    token = platform.exchange(application["id"], key["secret"]).json()["access_token"]
    callers = [platform.bearer(key["secret"]), platform.bearer(other_key["secret"])]
    callers.append(platform.bearer(token))

    statuses = [c.get(TICKETS) for c in callers]
    assert [r.status_code for r in statuses] == [200, 200, 200]
    assert statuses[0].headers["ratelimit-limit"] == "3"
    limited = callers[0].get(TICKETS)
    assert limited.status_code == 429 and "retry-after" in limited.headers
    _, unlimited_key = integration()
    assert platform.bearer(unlimited_key["secret"]).get(TICKETS).status_code == 200
