"""The playground in a real Chromium against a real `edm serve` (development mode).

Chromium is Debian's package (`apt-get install chromium`), driven by
Playwright for Python through `executable_path`; `playwright install` is
never needed. Screenshots land in `test-artifacts/` at the repository root.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from edm.manifest import resource
from live_server import LiveServer

playwright_sync = pytest.importorskip("playwright.sync_api")
Browser = playwright_sync.Browser
Page = playwright_sync.Page
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("EDM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TICKETS = resource("tickets").to_json()
JWT = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh `edm serve` in development mode (own ./edm.db and dev secret)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDM_")}
    live = LiveServer(tmp_path_factory.mktemp("serve"), env)
    try:
        yield live.url
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=server)
    page = context.new_page()
    yield page
    context.close()


def _dev_token(server: str, tenant: str = "browser-tests") -> str:
    response = httpx.post(
        f"{server}/api/v1/dev/token", json={"tenant_id": tenant, "sub": "tester"}, timeout=5
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def _open_tickets(page: Page, operation: str = "list") -> Any:
    """The ticket page with `operation` selected; returns its visible tab panel."""
    page.goto("/playground#/helpdesk/tickets")
    page.get_by_role("tab", name=operation, exact=True).click()
    return page.get_by_role("tabpanel")


def _sign_in(page: Page, server: str) -> None:
    page.get_by_label("Token", exact=True).fill(_dev_token(server))


def _save_screenshot(page: Page, name: str) -> None:
    """The whole page from the top (sticky bars sit where a reader first sees them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def _send(panel: Any, expected_status: int) -> Any:
    """Press Send, wait for the status, and return the parsed response body."""
    panel.get_by_role("button", name="Send").click()
    expect(panel.get_by_test_id("response-status")).to_have_text(
        re.compile(rf"^{expected_status}\b")
    )
    return json.loads(panel.get_by_label("Response body").inner_text())


def test_ticket_page_renders_the_manifest(page: Page) -> None:
    page.goto("/playground")
    expect(page.get_by_role("heading", level=1)).to_have_text(TICKETS["title"])
    expect(page.get_by_text(TICKETS["path"], exact=True).first).to_be_visible()
    expect(page.get_by_text(TICKETS["description"])).to_be_visible()
    schema = page.locator("table.schema")
    for field in TICKETS["fields"]:
        row = schema.locator(f"tr[data-field='{field['name']}']")
        expect(row.get_by_role("rowheader")).to_have_text(
            field["name"] + ("*" if field["required"] else "")
        )
        expect(row.locator("td.notes p")).to_have_text(field["notes"])
    tabs = page.get_by_role("tablist", name=re.compile("operations"))
    expect(tabs.get_by_role("tab")).to_have_text([op["name"] for op in TICKETS["operations"]])
    expect(page.get_by_text(f"{TICKETS['sdk']}.*", exact=True)).to_be_visible()


def test_phone_layout_collapses_the_sidebar(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport=PHONE, base_url=server, device_scale_factor=2)
    page = context.new_page()
    page.goto("/playground")
    expect(page.get_by_role("heading", level=1)).to_have_text(TICKETS["title"])
    sidebar = page.get_by_role("navigation", name="Resources")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="Resources").click()
    expect(sidebar.get_by_role("link", name=re.compile(TICKETS["title"]))).to_be_visible()
    page.get_by_role("button", name="Resources").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _save_screenshot(page, "playground-tickets-phone.png")
    context.close()


def test_shows_loading_until_the_manifest_arrives(page: Page) -> None:
    held: list[Any] = []
    page.route("**/api/v1/manifest", lambda route: held.append(route))
    page.goto("/playground")
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("Loading manifest…")
    held[0].continue_()
    expect(page.get_by_role("heading", level=1)).to_have_text(TICKETS["title"])


def test_a_failed_manifest_is_explained(page: Page) -> None:
    page.route("**/api/v1/manifest", lambda route: route.fulfill(status=503, body="down"))
    page.goto("/playground")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("manifest could not be loaded")
    expect(alert).to_contain_text("503")
    expect(alert.get_by_role("button", name="Try again")).to_be_visible()


def test_mint_dev_token_fills_the_token_field_with_the_chosen_claims(page: Page) -> None:
    page.goto("/playground")
    page.get_by_label("Dev token claims").click()
    page.get_by_label("Tenant", exact=True).fill("globex")
    page.get_by_label("Role", exact=True).select_option("admin")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Tenant", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Mint dev token").click()
    token = page.get_by_label("Token", exact=True)
    expect(token).to_have_value(JWT)
    claims = jwt.decode(token.input_value(), options={"verify_signature": False})
    assert (claims["tenant_id"], claims["roles"]) == ("globex", ["admin"])


def test_mint_button_is_hidden_outside_development_mode(page: Page) -> None:
    page.route(
        "**/playground/config.json",
        lambda route: route.fulfill(json={"dev_mode": False, "dev_token_path": None}),
    )
    page.goto("/playground")
    expect(page.get_by_role("heading", level=1)).to_have_text(TICKETS["title"])
    expect(page.get_by_role("button", name="Mint dev token")).to_be_hidden()


def test_token_is_kept_across_reloads(page: Page) -> None:
    page.goto("/playground")
    page.get_by_label("Token", exact=True).fill("kept-token")
    page.reload()
    expect(page.get_by_label("Token", exact=True)).to_have_value("kept-token")


def test_create_through_the_form_then_list_shows_it(page: Page, server: str) -> None:
    panel = _open_tickets(page, "create")
    _sign_in(page, server)
    panel.get_by_label("Title", exact=True).fill("Printer on fire")
    panel.get_by_label("Priority", exact=True).select_option("urgent")
    created = _send(panel, 201)
    assert re.fullmatch(r"TKT-\d{4,}", created["number"])
    expect(panel.get_by_label("Response headers")).to_contain_text(created["id"])
    _save_screenshot(page, "playground-tickets.png")

    page.get_by_role("tab", name="list", exact=True).click()
    listed = _send(page.get_by_role("tabpanel"), 200)
    assert created["number"] in [t["number"] for t in listed["data"]]
    expect(page.get_by_role("tabpanel")).to_contain_text(created["number"])


def test_an_empty_title_shows_the_validation_error(page: Page, server: str) -> None:
    panel = _open_tickets(page, "create")
    _sign_in(page, server)
    _send(panel, 422)
    problem = panel.get_by_role("alert")
    expect(problem).to_contain_text("Invalid fields: title")
    expect(problem.get_by_role("list", name="Field errors")).to_contain_text("title")
    expect(problem.get_by_role("list", name="Field errors")).to_contain_text("Field required")
    expect(panel.get_by_label("Title", exact=True)).to_have_accessible_description(
        re.compile("Field required")
    )


def test_raw_json_editor_sends_what_it_holds(page: Page, server: str) -> None:
    panel = _open_tickets(page, "create")
    _sign_in(page, server)
    panel.get_by_role("button", name="Edit as JSON").click()
    body = panel.get_by_label("Request body (JSON)")
    body.fill(json.dumps({"title": "Raw body", "tags": ["vpn", "mfa"]}))
    created = _send(panel, 201)
    assert created["tags"] == ["vpn", "mfa"]
    panel.get_by_role("button", name="Edit as JSON").click()
    expect(panel.get_by_label("Tags", exact=True)).to_have_value('["vpn","mfa"]')


def test_next_page_follows_the_cursor(page: Page, server: str) -> None:
    token = _dev_token(server, tenant="paging")
    headers = {"Authorization": f"Bearer {token}"}
    for title in ("one", "two", "three"):
        httpx.post(
            f"{server}/api/v1/helpdesk/tickets", json={"title": title}, headers=headers
        ).raise_for_status()
    panel = _open_tickets(page, "list")
    page.get_by_label("Token", exact=True).fill(token)
    panel.get_by_label("Limit", exact=True).fill("2")
    first = _send(panel, 200)
    assert [t["title"] for t in first["data"]] == ["three", "two"]
    panel.get_by_role("button", name="Next page").click()
    expect(panel.get_by_label("Response body")).to_contain_text('"one"')
    expect(panel.get_by_label("Cursor", exact=True)).to_have_value(first["next_cursor"])
    expect(panel.get_by_role("button", name="Next page")).to_have_count(0)


@pytest.mark.parametrize(
    ("operation", "inputs", "expected"),
    [
        (
            "create",
            {"Title": "Printer on fire", "Priority": "high", "Tags": '["it", "print"]'},
            {
                # Long calls wrap one argument per line (whitespace is normalised here).
                "Python": 'ticket = client.helpdesk.tickets.create( title="Printer on fire", '
                'priority="high", tags=["it", "print"], )',
                "CLI": "edm tickets create --title 'Printer on fire' --priority high "
                "--tag it --tag print",
                "curl": '-d \'{"title":"Printer on fire","priority":"high",'
                '"tags":["it","print"]}\'',
            },
        ),
        (
            "list",
            {"Status": "open", "Limit": "10"},
            {
                "Python": 'page = client.helpdesk.tickets.list(status="open", limit=10)',
                "CLI": "edm tickets list --status open --limit 10",
                "curl": "/api/v1/helpdesk/tickets?status=open&limit=10'",
            },
        ),
        (
            "list",
            # "Any of" repeats the option; tags keep the comma (a repeated --tag means "all").
            {"Number": "TKT-0001,TKT-0002", "Tag": "vpn,mfa"},
            {
                "CLI": "edm tickets list --number TKT-0001 --number TKT-0002 --tag vpn,mfa",
                "curl": "number=TKT-0001%2CTKT-0002",
            },
        ),
        (
            "get",
            {"ID": "TKT-0001"},
            {
                "Python": 'ticket = client.helpdesk.tickets.get("TKT-0001")',
                "CLI": "edm tickets get TKT-0001",
                "curl": "/api/v1/helpdesk/tickets/TKT-0001'",
            },
        ),
        (
            "update",
            {"ID": "TKT-0001", "Title": "It's fixed"},
            {
                "Python": 'client.helpdesk.tickets.update("TKT-0001", title="It\'s fixed")',
                "CLI": "edm tickets update TKT-0001 --title 'It'\\''s fixed'",
                "curl": "curl -X PATCH",
            },
        ),
        (
            "close",
            {},
            {
                "Python": 'client.helpdesk.tickets.close("<id>")',
                "CLI": "edm tickets close '<id>'",
                "curl": "curl -X POST",
            },
        ),
    ],
)
def test_snippets_follow_the_form(
    page: Page, operation: str, inputs: dict[str, str], expected: dict[str, str]
) -> None:
    panel = _open_tickets(page, operation)
    for label, value in inputs.items():
        field = panel.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    code = panel.get_by_role("region", name="Code for this request")
    for language, text in [*expected.items(), ("curl", 'Authorization: Bearer $EDM_TOKEN"')]:
        heading = page.get_by_role("heading", name=language, exact=True)
        expect(code.locator(".snippet", has=heading).locator("pre")).to_contain_text(text)


def test_snippet_values_are_valid_python_and_shell(page: Page) -> None:
    page.goto("/playground")
    literals = page.evaluate(
        """async () => {
            const m = await import("/playground/assets/snippets.js");
            return [
                m.pyLiteral({ k: [true, false, null, 1.5, 'say "hi"'] }),
                m.shellQuote("it's here"),
                m.shellQuote("TKT-0001"),
                m.shellQuote(""),
            ];
        }"""
    )
    assert literals == [
        '{"k": [True, False, None, 1.5, "say \\"hi\\""]}',
        "'it'\\''s here'",
        "TKT-0001",
        "''",
    ]


def test_a_created_record_fills_the_id_of_the_other_operations(page: Page, server: str) -> None:
    panel = _open_tickets(page, "create")
    _sign_in(page, server)
    panel.get_by_label("Title", exact=True).fill("Remember me")
    created = _send(panel, 201)
    page.get_by_role("tab", name="get", exact=True).click()
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_label("ID", exact=True)).to_have_value(created["id"])
    assert _send(panel, 200)["number"] == created["number"]


def test_operation_tabs_follow_arrow_keys(page: Page) -> None:
    page.goto("/playground")
    names = [op["name"] for op in TICKETS["operations"]]
    first = page.get_by_role("tab", name=names[0], exact=True)
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name=names[1], exact=True)).to_be_focused()
    expect(page.get_by_role("tab", name=names[1], exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    expect(first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name=names[-1], exact=True)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(first).to_be_focused()


def test_every_control_has_an_accessible_name(page: Page) -> None:
    page.goto("/playground")
    expect(page.get_by_role("heading", level=1)).to_have_text(TICKETS["title"])
    for name in [op["name"] for op in TICKETS["operations"]]:
        page.get_by_role("tab", name=name, exact=True).click()
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea, button')]
                .filter((el) => el.checkVisibility())
                .filter((el) => !(el.labels?.length || el.getAttribute('aria-label')
                                  || el.getAttribute('aria-labelledby')
                                  || (el.tagName === 'BUTTON' && el.textContent.trim())))
                .map((el) => el.outerHTML)"""
        )
        assert unnamed == [], name


def test_page_runs_without_errors_under_its_csp(page: Page, server: str) -> None:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    panel = _open_tickets(page, "create")
    _sign_in(page, server)
    panel.get_by_label("Title", exact=True).fill("CSP check")
    _send(panel, 201)
    assert problems == []


def test_operations_without_a_cli_command_say_so(page: Page) -> None:
    page.goto("/playground")
    snippet = page.evaluate(
        """async () => {
            const m = await import("/playground/assets/snippets.js");
            const req = {
                res: { name: "sla_policies", fields: [] },
                op: { name: "list", cli: null, path: "/api/v1/helpdesk/sla_policies" },
                query: [], body: null, pathValues: {},
            };
            return m.cliSnippet(req, "http://127.0.0.1:8000");
        }"""
    )
    assert "no command for sla_policies list" in snippet
    assert "edm sla" not in snippet


def _admin_token(server: str) -> str:
    response = httpx.post(
        f"{server}/api/v1/dev/token",
        json={"tenant_id": "browser-apps", "sub": "root", "roles": ["admin"]},
        timeout=5,
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def test_an_admin_registers_an_application_and_sees_its_key_once(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=server)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/playground#/platform/applications/create")
    page.get_by_label("Token", exact=True).fill(_admin_token(server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Application")
    panel = page.get_by_role("tabpanel")
    panel.get_by_label("Name", exact=True).fill("Monitoring bridge")
    panel.get_by_label("Scopes", exact=True).fill('["helpdesk.tickets:read"]')
    application = _send(panel, 201)
    assert application["scopes"] == ["helpdesk.tickets:read"]

    page.goto("/playground#/platform/keys/create")
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_label("Application ID", exact=True)).to_have_value(application["id"])
    panel.get_by_label("Name", exact=True).fill("production")
    key = _send(panel, 201)
    revealed = panel.locator(".revealed")
    expect(revealed).to_contain_text("Secret — shown only once")
    expect(revealed.locator("pre")).to_have_text(key["secret"])
    assert re.fullmatch(r"edm_sk_[0-9A-Za-z]{46}", key["secret"])
    revealed.get_by_role("button", name="Copy the secret").click()
    expect(revealed.get_by_role("button", name="Copy the secret")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == key["secret"]
    python = page.get_by_role("region", name="Code for this request").locator("pre").first
    expect(python).to_contain_text("client.platform.applications.keys.create(")
    _save_screenshot(page, "playground-key-created.png")

    page.get_by_role("tab", name="list", exact=True).click()
    panel = page.get_by_role("tabpanel")
    listed = _send(panel, 200)
    assert [k["id"] for k in listed["data"]] == [key["id"]]
    expect(panel.locator(".revealed")).to_have_count(0)
    assert key["secret"] not in panel.inner_text()
    context.close()


def test_batch_operations_render_with_an_example_body_and_send_it(page: Page, server: str) -> None:
    panel = _open_tickets(page, "batch_create")
    _sign_in(page, server)
    expect(panel.get_by_text("/api/v1/helpdesk/tickets/batch").first).to_be_visible()
    body = panel.get_by_label("Request body (JSON)")
    expect(body).to_be_visible()
    example = json.loads(body.input_value())
    assert example == {
        "items": [{"title": "Example title 1"}, {"title": "Example title 2"}],
        "atomic": False,
    }
    expect(panel.get_by_role("button", name="Edit as JSON")).to_be_hidden()
    expect(panel).to_contain_text("results = client.helpdesk.tickets.batch_create(")
    expect(panel).to_contain_text("edm import tickets tickets.jsonl")
    results = _send(panel, 200)
    assert [r["status"] for r in results["data"]] == [201, 201]
    _save_screenshot(page, "playground-batch-create.png")

    page.get_by_role("tab", name="batch_update", exact=True).click()
    update = page.get_by_role("tabpanel")
    numbers = [r["data"]["number"] for r in results["data"]]
    changes = [{"id": n, "changes": {"priority": "high"}} for n in numbers]
    update.get_by_label("Request body (JSON)").fill(json.dumps({"items": changes}))
    updated = _send(update, 200)
    assert [r["data"]["priority"] for r in updated["data"]] == ["high", "high"]
