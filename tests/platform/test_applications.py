"""Applications (SPEC 9, issue item 1): fields, validation, and who may manage them."""

from __future__ import annotations

import pytest
from platform_paths import APPLICATIONS, TICKETS, keys_path

from edm.manifest import SCOPES


def test_create_applies_the_defaults_of_spec_9(platform) -> None:
    created = platform.application(name="Monitoring bridge")

    assert created["id"].startswith("app_")
    assert (created["roles"], created["scopes"]) == (["agent"], ["*"])
    assert created["is_active"] is True
    assert created["rate_limit_per_minute"] is None
    assert created["app_id"] is None  # written by a human admin


def test_list_get_update_delete(admin) -> None:
    created = admin.post(APPLICATIONS, json={"name": "one", "description": "d"}).json()
    path = f"{APPLICATIONS}/{created['id']}"

    assert [a["id"] for a in admin.get(APPLICATIONS).json()["data"]] == [created["id"]]
    assert admin.get(path).json() == created
    changed = admin.patch(
        path, json={"name": "two", "rate_limit_per_minute": 30, "roles": ["requester"]}
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["rate_limit_per_minute"]) == ("two", 30)

    deleted = admin.delete(path)
    assert deleted.status_code == 200 and deleted.json()["is_deleted"] is True
    assert admin.get(path).status_code == 404
    assert admin.get(path, params={"include_deleted": "true"}).json()["name"] == "two"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "roles": ["root"]}, "roles[0]"),
        ({"name": "x", "roles": []}, "roles"),
        ({"name": "x", "scopes": ["helpdesk.tickets:delete"]}, "scopes[0]"),
        ({"name": "x", "scopes": ["platform.applications:write"]}, "scopes[0]"),
        ({"name": "x", "rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"name": "x", "is_active": "yes"}, "is_active"),
        ({"name": "x", "app_id": "app_x"}, "app_id"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(admin, body, field) -> None:
    response = admin.post(APPLICATIONS, json=body)

    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


def test_every_scope_of_the_manifest_is_accepted(admin) -> None:
    response = admin.post(APPLICATIONS, json={"name": "all", "scopes": list(SCOPES)})

    assert response.status_code == 201
    assert response.json()["scopes"] == list(SCOPES)


@pytest.mark.parametrize("role", ["agent", "requester"])
def test_non_admins_may_not_manage_applications(caller, platform, role) -> None:
    app_id = platform.application()["id"]
    someone = caller(role)

    assert someone.get(APPLICATIONS).status_code == 403
    assert someone.get(f"{APPLICATIONS}/{app_id}").status_code == 403
    assert someone.post(APPLICATIONS, json={"name": "x"}).status_code == 403
    assert someone.patch(f"{APPLICATIONS}/{app_id}", json={"name": "y"}).status_code == 403
    assert someone.delete(f"{APPLICATIONS}/{app_id}").status_code == 403
    assert someone.get(keys_path(app_id)).status_code == 403
    assert someone.post(keys_path(app_id), json={}).status_code == 403


def test_application_tokens_may_not_manage_applications(caller, platform, integration) -> None:
    application, key = integration(roles=["admin"])
    external_admin_app = caller("admin", app=application["id"])
    with_key = platform.bearer(key["secret"])
    token = platform.exchange(application["id"], key["secret"]).json()["access_token"]
    with_token = platform.bearer(token)

    for integration_caller in (external_admin_app, with_key, with_token):
        assert integration_caller.get(APPLICATIONS).status_code == 403
        assert integration_caller.post(APPLICATIONS, json={"name": "x"}).status_code == 403
        created = integration_caller.post(keys_path(application["id"]), json={})
        assert created.status_code == 403
    # ... while the same admin role works the tenant's tickets within its app scope.
    assert with_key.post(TICKETS, json={"title": "from the bridge"}).status_code == 201


def test_another_tenants_application_does_not_exist(caller, platform) -> None:
    app_id = platform.application()["id"]
    stranger = caller("admin", tenant_id="another-tenant")

    assert stranger.get(f"{APPLICATIONS}/{app_id}").status_code == 404
    assert stranger.get(keys_path(app_id)).status_code == 404
    assert stranger.post(keys_path(app_id), json={}).status_code == 404
