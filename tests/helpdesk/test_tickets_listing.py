"""Keyset pagination, filters, search and hostile list parameters (SPEC 4-5)."""

from __future__ import annotations

import pytest

from edm.manifest import resource

TICKETS = "/api/v1/helpdesk/tickets"
PRIORITIES = resource("tickets").field("priority").enum


def create(caller, **fields):
    response = caller.post(TICKETS, json={"title": "Ticket", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def walk(caller, **params):
    """Every ticket of a list, following next_cursor; also the page sizes."""
    seen, sizes, cursor = [], [], None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = caller.get(TICKETS, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["data"]
        sizes.append(len(page["data"]))
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return seen, sizes
        cursor = page["next_cursor"]


@pytest.fixture
def seeded(agent):
    """13 tickets with repeated priorities and some updated later."""
    tickets = [create(agent, priority=PRIORITIES[i % 4], title=f"T{i}") for i in range(13)]
    for ticket in tickets[::3]:
        agent.patch(f"{TICKETS}/{ticket['id']}", json={"category": "touched"})
    return tickets


def sort_key(order):
    field = order.lstrip("-")
    if field == "priority":
        return lambda t: (PRIORITIES.index(t["priority"]), t["id"])
    if field == "number":
        return lambda t: (int(t["number"].split("-")[1]), t["id"])
    return lambda t: (t[field], t["id"])


@pytest.mark.parametrize(
    "order",
    [
        "-created_at",
        "created_at",
        "updated_at",
        "-updated_at",
        "priority",
        "-priority",
        "number",
        "-number",
        "due_at",
        "-due_at",
    ],
)
def test_pagination_visits_every_ticket_once_in_order(agent, seeded, order):
    seen, sizes = walk(agent, order=order, limit=4)
    assert sizes == [4, 4, 4, 1]
    ids = [t["id"] for t in seen]
    assert sorted(ids) == sorted(t["id"] for t in seeded)
    if order.lstrip("-") != "due_at":
        current = {t["id"]: t for t in agent.get(TICKETS, params={"limit": 200}).json()["data"]}
        expected = sorted(current.values(), key=sort_key(order), reverse=order.startswith("-"))
        assert ids == [t["id"] for t in expected]


def test_default_order_is_newest_first(agent, seeded):
    data = agent.get(TICKETS).json()["data"]
    assert [t["id"] for t in data] == [t["id"] for t in reversed(seeded)]


def test_default_limit_is_50_and_max_200(agent):
    for _ in range(51):
        create(agent)
    assert len(agent.get(TICKETS).json()["data"]) == 50
    assert len(agent.get(TICKETS, params={"limit": 200}).json()["data"]) == 51


def test_filters_with_any_of_and_null(agent):
    low = create(agent, priority="low", category="Network")
    high = create(agent, priority="high")
    create(agent, priority="urgent", category="Access")

    def ids(**params):
        return {t["id"] for t in agent.get(TICKETS, params=params).json()["data"]}

    assert ids(priority="low,high") == {low["id"], high["id"]}
    assert ids(category="null") == {high["id"]}
    assert ids(category="Network,null") == {low["id"], high["id"]}
    assert ids(priority="low", category="Access") == set()


def test_tag_filters_require_every_repeated_tag(agent):
    both = create(agent, tags=["vpn", "remote"])
    vpn = create(agent, tags=["vpn"])
    create(agent, tags=["printer"])
    query = [("tag", "vpn"), ("tag", "remote")]
    assert [t["id"] for t in agent.get(TICKETS, params=query).json()["data"]] == [both["id"]]
    any_of = {t["id"] for t in agent.get(TICKETS, params={"tag": "vpn"}).json()["data"]}
    assert any_of == {both["id"], vpn["id"]}


def test_number_filter(agent):
    first = create(agent)
    create(agent)
    data = agent.get(TICKETS, params={"number": first["number"]}).json()["data"]
    assert [t["id"] for t in data] == [first["id"]]


def test_submitted_and_assigned_filters(agent):
    someone = "0b9f7c62-4d39-4c1f-8f0e-2a7b1d3e9f10"
    mine = create(agent, assigned_to_id=someone)
    create(agent)
    data = agent.get(TICKETS, params={"assigned_to_id": someone}).json()["data"]
    assert [t["id"] for t in data] == [mine["id"]]
    by_me = agent.get(TICKETS, params={"submitted_by_id": "null"}).json()["data"]
    assert by_me == []


def test_search_is_case_insensitive_over_number_title_description(agent):
    printer = create(agent, title="Printer jammed")
    vpn = create(agent, title="Remote access", description="The VPN drops hourly")
    create(agent, title="Unrelated")

    def ids(q):
        return {t["id"] for t in agent.get(TICKETS, params={"q": q}).json()["data"]}

    assert ids("PRINTER") == {printer["id"]}
    assert ids("vpn") == {vpn["id"]}
    assert ids(vpn["number"]) == {vpn["id"]}


@pytest.mark.parametrize("metachar", ["%", "_", "\\"])
def test_search_takes_like_metacharacters_literally(agent, metachar):
    literal = create(agent, title=f"100{metachar} done")
    create(agent, title="1000 done")
    create(agent, title="100 done")
    data = agent.get(TICKETS, params={"q": f"100{metachar}"}).json()["data"]
    assert [t["id"] for t in data] == [literal["id"]]


def test_created_and_updated_ranges(agent):
    first = create(agent)
    second = create(agent)
    after = agent.get(TICKETS, params={"created_after": first["created_at"]}).json()["data"]
    assert [t["id"] for t in after] == [second["id"]]
    before = agent.get(TICKETS, params={"created_before": second["created_at"]}).json()["data"]
    assert [t["id"] for t in before] == [first["id"]]
    updated = agent.get(TICKETS, params={"updated_after": first["updated_at"]}).json()["data"]
    assert [t["id"] for t in updated] == [second["id"]]


def test_cursor_keeps_filters_working_across_pages(agent):
    wanted = [create(agent, priority="high")["id"] for _ in range(5)]
    for _ in range(5):
        create(agent, priority="low")
    seen, _ = walk(agent, priority="high", limit=2)
    assert sorted(t["id"] for t in seen) == sorted(wanted)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"order": "title"}, "order"),
        ({"order": "--created_at"}, "order"),
        ({"status": "done"}, "status"),
        ({"priority": "low,extreme"}, "priority"),
        ({"number": "INC-1"}, "number"),
        ({"number": "TKT-99999999999999999999"}, "number"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"include_deleted": "maybe"}, "include_deleted"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "a.b"}, "cursor"),
        ({"status": "open\x00"}, "status"),
        ({"overdue_since": "1"}, "overdue_since"),
        ({"q": "x" * 1001}, "q"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(agent, params, parameter):
    response = agent.get(TICKETS, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == parameter


def test_repeated_single_valued_parameter_is_400(agent):
    response = agent.get(TICKETS, params=[("status", "open"), ("status", "closed")])
    assert response.status_code == 400


def next_cursor(caller, **params):
    for _ in range(3):
        create(caller)
    page = caller.get(TICKETS, params={"limit": 1, **params}).json()
    assert page["has_more"]
    return page["next_cursor"]


def test_tampered_cursor_is_400(agent):
    cursor = next_cursor(agent)
    body, _, signature = cursor.partition(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    response = agent.get(TICKETS, params={"limit": 1, "cursor": f"{flipped}.{signature}"})
    assert response.status_code == 400


def test_cursor_of_another_tenant_is_400(agent, caller):
    cursor = next_cursor(agent)
    stranger = caller("agent", tenant_id="elsewhere-" + cursor[-6:])
    assert stranger.get(TICKETS, params={"cursor": cursor}).status_code == 400


def test_cursor_of_another_app_is_400(caller):
    integration = caller("agent", app="app-1")
    cursor = next_cursor(integration)
    other = caller("agent", app="app-2")
    assert other.get(TICKETS, params={"cursor": cursor}).status_code == 400


def test_cursor_for_another_order_is_400(agent):
    cursor = next_cursor(agent, order="priority")
    response = agent.get(TICKETS, params={"cursor": cursor, "order": "-created_at"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_reference_filters_accept_token_subjects(caller):
    """submitted_by_id defaults to the token's sub, which need not be a UUID."""
    person = caller("agent", sub="user-42")
    mine = create(person)
    data = person.get(TICKETS, params={"submitted_by_id": "user-42"}).json()["data"]
    assert [t["id"] for t in data] == [mine["id"]]


def test_page_of_wide_tickets_ends_at_the_byte_bound_and_paging_visits_each_once(agent):
    """A page stops adding records past 1 MiB of JSON (EDM_MAX_PAGE_BYTES), and its
    cursor continues right after its last record."""
    description = "é" * 32768  # 64 KiB of UTF-8 in 32,768 characters
    tickets = [create(agent, title=f"Wide {i}", description=description) for i in range(20)]

    for params in ({"order": "-created_at"}, {"order": "priority"}, {"q": "Wide"}):
        seen, sizes = walk(agent, limit=200, **params)
        assert sorted(t["id"] for t in seen) == sorted(t["id"] for t in tickets)
        assert sizes[0] < 20
        assert all(size * 64 * 1024 <= 1024 * 1024 + 64 * 1024 for size in sizes)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "²"),
        ("limit", "\u0661\u0660"),  # Arabic-Indic "10"
        ("created_after", "0001-01-01T00:00:00+01:00"),
        ("due_before", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_hostile_list_parameters_are_400(agent, name, value):
    response = agent.get(TICKETS, params={name: value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == name
