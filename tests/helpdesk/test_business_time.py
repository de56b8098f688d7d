"""Tests for edm.helpdesk.business_time.

The module is checked against a deliberately naive minute-by-minute reference
implementation of the contract (valid for minute-aligned instants, whole-minute
windows and whole-minute zone offsets), plus exact-microsecond properties and
hand-computed examples around DST transitions.
"""

from __future__ import annotations

import io
import struct
import time as clock
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edm.helpdesk.business_time import (
    HORIZON,
    BusinessHours,
    _business_intervals,
    add_business_time,
    business_time_between,
)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
UTC_ZONE = ZoneInfo("UTC")
ALL_DAYS = frozenset(range(1, 8))
MON_FRI = frozenset(range(1, 6))


def tzif_zone(
    key: str, types: list[tuple[int, str]], transitions: list[tuple[int, int]]
) -> ZoneInfo:
    """Build a zone from a minimal TZif v1 file.

    ``types`` are ``(utc_offset_seconds, abbreviation)``; ``transitions`` are
    ``(utc_epoch_seconds, type_index)``. Type 0 applies before the first one.
    """
    chars = b"".join(abbr.encode() + b"\0" for _, abbr in types)
    starts = [sum(len(abbr) + 1 for _, abbr in types[:i]) for i in range(len(types))]
    counts = struct.pack(">6l", 0, 0, 0, len(transitions), len(types), len(chars))
    data = b"TZif" + bytes(16) + counts
    data += b"".join(struct.pack(">l", at) for at, _ in transitions)
    data += bytes(kind for _, kind in transitions)
    data += b"".join(
        struct.pack(">lbB", offset, i > 0, start)
        for i, ((offset, _), start) in enumerate(zip(types, starts, strict=True))
    )
    return ZoneInfo.from_file(io.BytesIO(data + chars), key=key)


# No real zone currently shifts across local midnight, but the contract allows
# it: here 2026-03-08 23:30 springs forward to 03-09 00:30, and 2026-11-02
# 00:30 falls back to 11-01 23:30, so after 00:00-00:30 of Nov 2 the last half
# hour of Nov 1 comes round again. One local date's business instants then
# interleave in time with the next date's.
MIDNIGHT_SHIFTS = tzif_zone(
    "Test/Midnight_Shifts",
    types=[(-5 * 3600, "XST"), (-4 * 3600, "XDT")],
    transitions=[
        (int(datetime(2026, 3, 9, 4, 30, tzinfo=UTC).timestamp()), 1),
        (int(datetime(2026, 11, 2, 4, 30, tzinfo=UTC).timestamp()), 0),
    ],
)

# Zones for generated cases, each with the local dates of its 2026 DST
# transitions so that generated cases straddle them often instead of a few
# percent of the time.
ZONES: dict[str, tuple[ZoneInfo, list[date]]] = {
    "Europe/London": (LONDON, [date(2026, 3, 29), date(2026, 10, 25)]),
    "America/New_York": (NEW_YORK, [date(2026, 3, 8), date(2026, 11, 1)]),
    # 30-minute shifts.
    "Australia/Lord_Howe": (LORD_HOWE, [date(2026, 4, 5), date(2026, 10, 4)]),
    "Asia/Kolkata": (ZoneInfo("Asia/Kolkata"), []),  # no DST, +05:30
    "UTC": (ZoneInfo("UTC"), []),
    "Test/Midnight_Shifts": (MIDNIGHT_SHIFTS, [date(2026, 3, 8), date(2026, 11, 1)]),
}
ZONE_NAMES = sorted(ZONES)
DST_ZONE_NAMES = sorted(name for name, (_, anchors) in ZONES.items() if anchors)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


# --- reference implementation -------------------------------------------------


def ref_is_business(t: datetime, hours: BusinessHours | None) -> bool:
    """The contract's definition of a business instant, verbatim."""
    if hours is None:
        return True
    local = t.astimezone(hours.timezone)
    return (
        local.isoweekday() in hours.weekdays
        and local.date() not in hours.holidays
        and hours.start <= local.time() < hours.end
    )


def ref_business_minutes(a: datetime, b: datetime, hours: BusinessHours | None) -> list[datetime]:
    """UTC starts of the business minutes in [a, b), stepping one real minute at a time."""
    minutes = []
    t = a.astimezone(UTC)
    end = b.astimezone(UTC)
    while t < end:
        if ref_is_business(t, hours):
            minutes.append(t)
        t += MINUTE
    return minutes


# --- strategies ---------------------------------------------------------------


# Hypothesis favours small integers; drawing whole days separately spreads
# spans evenly, so that most of them cross a night and often a DST change.
def minutes_up_to(days: int) -> st.SearchStrategy[int]:
    """Whole minutes in [0, days * 1440]."""
    return st.builds(lambda d, m: d * 1440 + m, st.integers(0, days - 1), st.integers(0, 1440))


def microseconds_up_to(days: int) -> st.SearchStrategy[int]:
    """Microseconds in [0, days * 24h]."""
    return st.builds(
        lambda d, us: d * DAY_US + us, st.integers(0, days - 1), st.integers(0, DAY_US)
    )


@st.composite
def scenarios(draw: st.DrawFn, dst_night: bool = False) -> tuple[BusinessHours, datetime]:
    """Random business hours plus a minute-aligned start instant near them.

    The start is often near a DST transition, on a holiday, or right at an
    opening or closing time, and is expressed in a random time zone. With
    ``dst_night`` the zone has DST, the start is at most two days before one
    of its transitions, and the transition's date is a business day.
    """
    zone, anchors = ZONES[draw(st.sampled_from(DST_ZONE_NAMES if dst_night else ZONE_NAMES))]
    if dst_night:
        anchor = draw(st.sampled_from(anchors))
        local_day = anchor - timedelta(days=draw(st.integers(0, 2)))
    else:
        if anchors and draw(st.integers(0, 3)) > 0:
            anchor = draw(st.sampled_from(anchors))
        else:
            anchor = draw(st.dates(date(2024, 1, 1), date(2027, 12, 31)))
        local_day = anchor + timedelta(days=draw(st.integers(-3, 1)))

    # Bit masks and offset lists rather than frozensets: no rejection sampling.
    mask = draw(st.integers(1, 0b1111111))
    weekdays = frozenset(day for day in range(1, 8) if mask >> (day - 1) & 1)
    # Over-weighted: windows opening in the small hours, which then usually
    # contain the night's DST change, and evening windows, which in western
    # zones straddle UTC midnight (local date != UTC date of the instants).
    open_min = draw(st.integers(0, 1438) | st.integers(0, 150) | st.integers(17 * 60, 1438))
    # Late closings over-weighted too: with an early opening they make windows
    # that wrap almost the whole day, where a shift across midnight interleaves dates.
    close_min = draw(
        st.integers(open_min + 1, 1439) | st.integers(max(open_min + 1, 23 * 60), 1439)
    )
    opening = time(open_min // 60, open_min % 60)
    closing = time(close_min // 60, close_min % 60)
    holidays = frozenset(
        local_day + timedelta(days=offset)
        for offset in draw(st.lists(st.integers(-1, 10), max_size=5))
    )
    if draw(st.integers(0, 3)) == 0:
        holidays |= {local_day}
    if dst_night:
        weekdays |= {anchor.isoweekday()}
        holidays -= {anchor}
    hours = BusinessHours(zone, weekdays, opening, closing, holidays)

    where = draw(st.sampled_from(["anywhere", "inside", "opening", "closing"]))
    if where == "opening":
        wall = opening
    elif where == "closing":
        wall = closing
    else:
        lowest, highest = (open_min, close_min - 1) if where == "inside" else (0, 1439)
        minute = draw(st.integers(lowest, highest))
        wall = time(minute // 60, minute % 60)
    fold = draw(st.integers(0, 1))
    start = datetime.combine(local_day, wall, tzinfo=zone).replace(fold=fold).astimezone(UTC)
    shown_in = draw(st.sampled_from([UTC, zone, timezone(timedelta(hours=-3, minutes=-30))]))
    return hours, start.astimezone(shown_in)


# --- properties against the reference ----------------------------------------


def check_against_reference(
    hours: BusinessHours, start: datetime, end: datetime, data: st.DataObject
) -> None:
    minutes = ref_business_minutes(start, end, hours)

    assert business_time_between(start, end, hours) == len(minutes) * MINUTE
    if minutes:
        k = data.draw(st.integers(1, len(minutes)), label="business minutes to add")
        # Earliest instant with k business minutes behind it: the end of the k-th one.
        assert add_business_time(start, k * MINUTE, hours) == minutes[k - 1] + MINUTE


@settings(max_examples=150, deadline=None)
@given(case=scenarios(), span_min=minutes_up_to(days=8), data=st.data())
def test_matches_minute_reference(
    case: tuple[BusinessHours, datetime], span_min: int, data: st.DataObject
) -> None:
    hours, start = case
    check_against_reference(hours, start, start + span_min * MINUTE, data)


@settings(max_examples=100, deadline=None)
@given(case=scenarios(dst_night=True), data=st.data())
def test_matches_minute_reference_across_dst_changes(
    case: tuple[BusinessHours, datetime], data: st.DataObject
) -> None:
    hours, start = case
    # Four days from at most two days before the change: past its whole date.
    check_against_reference(hours, start, start.astimezone(UTC) + timedelta(days=4), data)


@settings(max_examples=100, deadline=None)
@given(case=scenarios(), back_min=minutes_up_to(days=3), span_min=minutes_up_to(days=3))
def test_between_matches_reference_for_any_window(
    case: tuple[BusinessHours, datetime], back_min: int, span_min: int
) -> None:
    hours, anchor = case
    start = anchor - back_min * MINUTE
    end = start + span_min * MINUTE
    expected = len(ref_business_minutes(start, end, hours)) * MINUTE
    assert business_time_between(start, end, hours) == expected


# --- exact (microsecond) properties -------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    case=scenarios(), shift_us=microseconds_up_to(days=1), duration_us=microseconds_up_to(days=2)
)
def test_add_round_trips_and_is_earliest(
    case: tuple[BusinessHours, datetime], shift_us: int, duration_us: int
) -> None:
    hours, base = case
    start = base.astimezone(UTC) + timedelta(microseconds=shift_us)
    duration = timedelta(microseconds=duration_us)

    due = add_business_time(start, duration, hours)

    assert due.tzinfo is UTC
    assert due >= start
    assert business_time_between(start, due, hours) == duration
    if duration:
        assert business_time_between(start, due - US, hours) < duration


@settings(max_examples=150, deadline=None)
@given(
    case=scenarios(),
    cuts=st.lists(microseconds_up_to(days=4), min_size=3, max_size=3),
)
def test_between_is_additive(case: tuple[BusinessHours, datetime], cuts: list[int]) -> None:
    hours, base = case
    # Shift in UTC: wall-clock arithmetic in the zone need not preserve order.
    a, b, c = (base.astimezone(UTC) + timedelta(microseconds=cut) for cut in sorted(cuts))
    total = business_time_between(a, c, hours)
    assert total == business_time_between(a, b, hours) + business_time_between(b, c, hours)
    assert business_time_between(c, a, hours) == timedelta(0)


@settings(max_examples=50, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2040, 1, 1),
        timezones=st.sampled_from([UTC, NEW_YORK, LORD_HOWE]),
    ),
    duration_us=st.integers(0, 400 * DAY_US),
)
def test_24x7_is_plain_elapsed_time(start: datetime, duration_us: int) -> None:
    duration = timedelta(microseconds=duration_us)
    due = add_business_time(start, duration, None)
    assert due.tzinfo is UTC
    assert due == start.astimezone(UTC) + duration
    assert business_time_between(start, due, None) == duration


# --- week skipping against a window-by-window walk -----------------------------
#
# Over spans of weeks to years the minute reference is too slow, so the
# arithmetic that skips whole weeks is compared with walking every window in
# turn (the module's own window generator, which the minute-reference
# properties above pin down on short spans).


def window_walk_add(start: datetime, duration: timedelta, hours: BusinessHours) -> datetime:
    remaining = duration // US
    for lo, hi in _business_intervals(hours, (start - EPOCH) // US):
        if remaining <= hi - lo:
            return EPOCH + (lo + remaining) * US
        remaining -= hi - lo
    raise AssertionError("unreachable")


def window_walk_between(start: datetime, end: datetime, hours: BusinessHours) -> timedelta:
    total, end_us = 0, (end - EPOCH) // US
    for lo, hi in _business_intervals(hours, (start - EPOCH) // US):
        if lo >= end_us:
            break
        total += min(hi, end_us) - lo
    return total * US


@st.composite
def long_scenarios(draw: st.DrawFn) -> tuple[BusinessHours, datetime]:
    """`scenarios`, plus holidays scattered over the next three years."""
    hours, start = draw(scenarios())
    first = start.astimezone(hours.timezone).date()
    later = draw(st.lists(st.integers(0, 3 * 366), max_size=40))
    holidays = hours.holidays | {first + timedelta(days=n) for n in later}
    return replace(hours, holidays=frozenset(holidays)), start


@settings(max_examples=150, deadline=None)
@given(
    case=long_scenarios(),
    weeks=st.integers(0, 2) | st.integers(0, 150),
    fraction=st.floats(0, 1),
    data=st.data(),
)
def test_week_skipping_matches_the_window_walk(
    case: tuple[BusinessHours, datetime], weeks: int, fraction: float, data: st.DataObject
) -> None:
    hours, start = case
    # A budget of whole weeks of these hours and a part of one more: up to three years.
    day = datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start)
    week = day * len(hours.weekdays)
    budget = weeks * week + (week * fraction // US) * US + US
    due = add_business_time(start, budget, hours)
    assert due == window_walk_add(start, budget, hours)
    end = start + timedelta(microseconds=data.draw(microseconds_up_to(days=3 * 366)))
    assert business_time_between(start, end, hours) == window_walk_between(start, end, hours)


@settings(max_examples=30, deadline=None)
@given(case=long_scenarios(), span_min=minutes_up_to(days=40), data=st.data())
def test_week_skipping_matches_minute_reference_over_weeks(
    case: tuple[BusinessHours, datetime], span_min: int, data: st.DataObject
) -> None:
    hours, start = case
    check_against_reference(hours, start, start + span_min * MINUTE, data)


@pytest.mark.parametrize("zone", [UTC_ZONE, LONDON, NEW_YORK, LORD_HOWE, MIDNIGHT_SHIFTS])
def test_unreachable_budget_gives_up_at_the_horizon_quickly(zone: ZoneInfo) -> None:
    # One minute a weekday and ten years of minutes: the old walk took seconds.
    hours = BusinessHours(zone, MON_FRI, time(0), time(0, 1), frozenset())
    began = clock.perf_counter()
    with pytest.raises(OverflowError, match="horizon"):
        add_business_time(utc(2026, 12, 7), 5_270_400 * MINUTE, hours)
    took = clock.perf_counter() - began
    assert took < 0.5, f"took {took:.3f}s"


def test_due_instants_within_the_horizon_are_found() -> None:
    # One minute every Monday in UTC, no offset changes. The horizon covers the
    # dates before the one HORIZON after the start: that many Mondays' minutes.
    hours = BusinessHours(UTC_ZONE, frozenset({1}), time(0), time(0, 1), frozenset())
    monday = utc(2026, 12, 7)
    mondays = -(-HORIZON.days // 7)
    last = monday + (mondays - 1) * timedelta(weeks=1)
    assert add_business_time(monday, mondays * MINUTE, hours) == last + MINUTE
    with pytest.raises(OverflowError, match="horizon"):
        add_business_time(monday, (mondays + 1) * MINUTE, hours)


# --- examples -----------------------------------------------------------------


def test_24x7_counts_real_elapsed_time_across_dst() -> None:
    # Same tzinfo on both ends: plain datetime subtraction would say 6 hours.
    start = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
    end = datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK)
    assert business_time_between(start, end, None) == 5 * HOUR
    assert add_business_time(start, 5 * HOUR, None) == utc(2026, 3, 8, 10)


def test_zero_duration_returns_start_in_utc() -> None:
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17), frozenset())
    start = datetime(2026, 1, 17, 12, 0, tzinfo=NEW_YORK)  # a Saturday
    due = add_business_time(start, timedelta(0), hours)
    assert due == start
    assert due.tzinfo is UTC


def test_friday_evening_rolls_to_monday() -> None:
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17), frozenset())
    friday_4pm = datetime(2026, 1, 16, 16, 0, tzinfo=LONDON)
    assert add_business_time(friday_4pm, 2 * HOUR, hours) == utc(2026, 1, 19, 10)
    friday_6pm = datetime(2026, 1, 16, 18, 0, tzinfo=LONDON)
    assert add_business_time(friday_6pm, 2 * HOUR, hours) == utc(2026, 1, 19, 11)
    assert business_time_between(friday_6pm, utc(2026, 1, 19, 11), hours) == 2 * HOUR


def test_holiday_is_skipped() -> None:
    bank_holiday = date(2026, 5, 4)  # a Monday
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17), frozenset({bank_holiday}))
    friday_4pm = datetime(2026, 5, 1, 16, 0, tzinfo=LONDON)
    # One hour on Friday, one on Tuesday 09:00-10:00 BST (08:00-09:00 UTC).
    assert add_business_time(friday_4pm, 2 * HOUR, hours) == utc(2026, 5, 5, 9)
    assert business_time_between(friday_4pm, utc(2026, 5, 6), hours) == 9 * HOUR


def test_lands_on_closing_time_not_next_opening() -> None:
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17), frozenset())
    monday_9am = utc(2026, 1, 19, 9)
    assert add_business_time(monday_9am, 8 * HOUR, hours) == utc(2026, 1, 19, 17)
    assert add_business_time(monday_9am, 8 * HOUR + US, hours) == utc(2026, 1, 20, 9) + US


def test_microsecond_precision() -> None:
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17), frozenset())
    start = utc(2026, 1, 19, 16, 30)
    pause = timedelta(seconds=3.5)
    # Inside a window, and across the overnight gap.
    assert add_business_time(start, 10 * MINUTE + pause, hours) == utc(
        2026, 1, 19, 16, 40, 3, 500_000
    )
    assert add_business_time(start, HOUR + pause, hours) == utc(2026, 1, 20, 9, 30, 3, 500_000)
    assert business_time_between(start, utc(2026, 1, 19, 16, 30, 3, 500_000), hours) == pause


def test_new_york_spring_forward_skipped_hour_does_not_count() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    hours = BusinessHours(NEW_YORK, ALL_DAYS, time(0), time(6), frozenset())
    opening = utc(2026, 3, 8, 5)  # 00:00 EST
    closing = utc(2026, 3, 8, 10)  # 06:00 EDT
    assert business_time_between(opening, closing, hours) == 5 * HOUR
    assert business_time_between(utc(2026, 3, 8), utc(2026, 3, 9), hours) == 5 * HOUR
    assert add_business_time(opening, 2 * HOUR, hours) == utc(2026, 3, 8, 7)
    assert add_business_time(opening, 5 * HOUR, hours) == closing
    assert add_business_time(opening, 5 * HOUR + MINUTE, hours) == utc(2026, 3, 9, 4, 1)


def test_new_york_spring_forward_window_inside_the_gap_is_empty() -> None:
    sundays = BusinessHours(NEW_YORK, frozenset({7}), time(2, 15), time(2, 45), frozenset())
    assert business_time_between(utc(2026, 3, 7), utc(2026, 3, 10), sundays) == timedelta(0)
    # So the first business minutes are the next Sunday's, 02:15 EDT.
    assert add_business_time(utc(2026, 3, 8), 10 * MINUTE, sundays) == utc(2026, 3, 15, 6, 25)


def test_new_york_fall_back_repeated_hour_counts_twice() -> None:
    # 2026-11-01 02:00 EDT falls back to 01:00 EST (06:00 UTC).
    hours = BusinessHours(NEW_YORK, ALL_DAYS, time(0), time(6), frozenset())
    opening = utc(2026, 11, 1, 4)  # 00:00 EDT
    closing = utc(2026, 11, 1, 11)  # 06:00 EST
    assert business_time_between(utc(2026, 10, 31, 12), utc(2026, 11, 2), hours) == 7 * HOUR
    assert add_business_time(opening, 7 * HOUR, hours) == closing


def test_new_york_fall_back_window_split_by_the_repeat() -> None:
    # Wall 01:30-02:30 is 01:30-02:00 EDT, then (after 01:00-01:30 EST, outside
    # the window) 01:30-02:30 EST: two intervals, 90 minutes in total.
    hours = BusinessHours(NEW_YORK, ALL_DAYS, time(1, 30), time(2, 30), frozenset())
    assert business_time_between(utc(2026, 11, 1), utc(2026, 11, 2), hours) == 90 * MINUTE
    assert add_business_time(utc(2026, 11, 1), 30 * MINUTE, hours) == utc(2026, 11, 1, 6)
    assert add_business_time(utc(2026, 11, 1), 45 * MINUTE, hours) == utc(2026, 11, 1, 6, 45)
    assert business_time_between(utc(2026, 11, 1, 6), utc(2026, 11, 1, 6, 30), hours) == timedelta(
        0
    )


def test_lord_howe_half_hour_shifts() -> None:
    sundays = BusinessHours(LORD_HOWE, frozenset({7}), time(1), time(3), frozenset())
    # 2026-04-05 02:00 +11:00 falls back to 01:30 +10:30: 01:30-02:00 twice.
    assert business_time_between(utc(2026, 4, 4), utc(2026, 4, 5), sundays) == 150 * MINUTE
    assert add_business_time(utc(2026, 4, 4), 150 * MINUTE, sundays) == utc(2026, 4, 4, 16, 30)
    # 2026-10-04 02:00 +10:30 springs forward to 02:30 +11:00.
    assert business_time_between(utc(2026, 10, 3), utc(2026, 10, 4), sundays) == 90 * MINUTE
    assert add_business_time(utc(2026, 10, 3), 90 * MINUTE, sundays) == utc(2026, 10, 3, 16)


def test_window_straddling_utc_midnight() -> None:
    # New York evening: the business instants of local Jan 5 fall on UTC Jan 6.
    evenings = BusinessHours(NEW_YORK, ALL_DAYS, time(20), time(23, 59), frozenset())
    start = utc(2026, 1, 6, 2)  # Jan 5 21:00 EST
    assert business_time_between(start, utc(2026, 1, 6, 3), evenings) == HOUR
    assert add_business_time(start, 30 * MINUTE, evenings) == utc(2026, 1, 6, 2, 30)
    # Lord Howe early morning: the business instants of local Jan 7 fall on UTC Jan 6.
    mornings = BusinessHours(LORD_HOWE, ALL_DAYS, time(0), time(3), frozenset())
    start = utc(2026, 1, 6, 13)  # Jan 7 00:00 +11:00
    assert business_time_between(start, utc(2026, 1, 6, 14), mornings) == HOUR
    assert add_business_time(start, 3 * HOUR, mornings) == utc(2026, 1, 6, 16)


def test_fall_back_across_midnight_interleaves_dates() -> None:
    hours = BusinessHours(MIDNIGHT_SHIFTS, ALL_DAYS, time(0), time(23, 59), frozenset())
    # From Nov 1 23:00 XDT: 23:00-23:59 (Nov 1), Nov 2 00:00-00:30 XDT, then
    # Nov 1 23:30-23:59 XST again, then Nov 2 from 00:00 XST.
    start = utc(2026, 11, 2, 3)
    assert add_business_time(start, 60 * MINUTE, hours) == utc(2026, 11, 2, 4, 1)
    assert add_business_time(start, 89 * MINUTE, hours) == utc(2026, 11, 2, 4, 30)
    assert add_business_time(start, 90 * MINUTE, hours) == utc(2026, 11, 2, 4, 31)
    assert business_time_between(start, utc(2026, 11, 2, 6), hours) == 178 * MINUTE


def test_sparse_hours_with_many_holidays_terminate() -> None:
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(260))
    hours = BusinessHours(LONDON, frozenset({1}), time(9), time(10), mondays)
    # Every Monday for five years is a holiday; the first business hour follows.
    assert add_business_time(utc(2026, 1, 1), HOUR, hours) == utc(2030, 12, 30, 10)


def test_ten_year_horizon_is_fast() -> None:
    holidays = frozenset(date(2026, 1, 7) + timedelta(weeks=n) for n in range(300))  # Wednesdays
    hours = BusinessHours(LONDON, MON_FRI, time(9), time(17, 30), holidays)
    start = datetime(2026, 1, 5, 12, 0, tzinfo=LONDON)
    duration = 10 * 52 * 5 * timedelta(hours=8, minutes=30)

    began = clock.perf_counter()
    due = add_business_time(start, duration, hours)
    elapsed = business_time_between(start, due, hours)
    took = clock.perf_counter() - began

    assert elapsed == duration
    assert took < 1.0, f"took {took:.3f}s"  # ~20 ms; minute steps would take seconds


@pytest.mark.parametrize("naive_first", [True, False])
def test_naive_datetimes_are_rejected(naive_first: bool) -> None:
    aware, naive = utc(2026, 1, 1), datetime(2026, 1, 2)
    a, b = (naive, aware) if naive_first else (aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(a, b, None)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(naive, HOUR, None)


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(utc(2026, 1, 1), -US, None)


def test_reversed_range_is_zero() -> None:
    hours = BusinessHours(LONDON, ALL_DAYS, time(0), time(23, 59), frozenset())
    assert business_time_between(utc(2026, 1, 2), utc(2026, 1, 1), hours) == timedelta(0)
    assert business_time_between(utc(2026, 1, 2), utc(2026, 1, 1), None) == timedelta(0)


# --- parsing and validation ---------------------------------------------------

VALID: dict[str, Any] = {
    "timezone": "Europe/London",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "09:00",
    "end": "17:30",
    "holidays": ["2026-12-25", "2026-12-28"],
}


def test_from_json_parses_the_documented_shape() -> None:
    hours = BusinessHours.from_json(VALID)
    assert hours == BusinessHours(
        LONDON, MON_FRI, time(9), time(17, 30), frozenset({date(2026, 12, 25), date(2026, 12, 28)})
    )


def test_from_json_holidays_are_optional() -> None:
    value = {key: v for key, v in VALID.items() if key != "holidays"}
    assert BusinessHours.from_json(value).holidays == frozenset()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"timezone": "/etc/passwd"}, "unknown time zone"),
        ({"timezone": ""}, "timezone must be"),
        ({"timezone": 1}, "timezone must be"),
        ({"weekdays": []}, "weekdays must not be empty"),
        ({"weekdays": [0]}, "not an ISO weekday"),
        ({"weekdays": [1, 8]}, "not an ISO weekday"),
        ({"weekdays": [True]}, "not an ISO weekday"),
        ({"weekdays": ["1"]}, "not an ISO weekday"),
        ({"weekdays": "12345"}, "weekdays must be a list"),
        ({"start": "9:00"}, "start must be a time formatted HH:MM"),
        ({"start": "0900"}, "start must be a time formatted HH:MM"),
        ({"start": "09:00:00"}, "start must be a time formatted HH:MM"),
        ({"start": 900}, "start must be a time formatted HH:MM"),
        ({"start": "24:00"}, "start '24:00' is not a valid time"),
        ({"end": "17:60"}, "end '17:60' is not a valid time"),
        ({"start": "17:30"}, "must be after start"),
        ({"start": "18:00"}, "must be after start"),
        ({"holidays": ["2026-02-30"]}, "not a valid calendar date"),
        ({"holidays": ["26-12-25"]}, "not a YYYY-MM-DD date"),
        ({"holidays": ["20261225"]}, "not a YYYY-MM-DD date"),
        ({"holidays": ["2026-12-25T00:00"]}, "not a YYYY-MM-DD date"),
        ({"holidays": [20261225]}, "not a YYYY-MM-DD date"),
        ({"holidays": "2026-12-25"}, "holidays must be a list"),
        ({"holidays": None}, "holidays must be a list"),
        ({"holiday": ["2026-12-25"]}, "unknown key"),
    ],
)
def test_from_json_rejects_bad_input(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours.from_json({**VALID, **changes})


@pytest.mark.parametrize("key", ["timezone", "weekdays", "start", "end"])
def test_from_json_requires_keys(key: str) -> None:
    value = {k: v for k, v in VALID.items() if k != key}
    with pytest.raises(ValueError, match=f"missing key.*{key}"):
        BusinessHours.from_json(value)


def test_from_json_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        BusinessHours.from_json([VALID])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weekdays", "start", "end", "message"),
    [
        (frozenset(), time(9), time(17), "at least one weekday"),
        (frozenset({0, 1}), time(9), time(17), "ISO weekdays"),
        (MON_FRI, time(9), time(9), "must be after start"),
        (MON_FRI, time(9, tzinfo=UTC), time(17, tzinfo=UTC), "naive"),
    ],
)
def test_constructor_validates(
    weekdays: frozenset[int], start: time, end: time, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours(LONDON, weekdays, start, end, frozenset())
