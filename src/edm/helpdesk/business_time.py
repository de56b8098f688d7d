"""Business-time arithmetic for SLA due dates.

SLA targets are counted in the business hours of an SLA policy. A policy's
``business_hours`` is either ``null`` (24x7) or a JSON object::

    {"timezone": "Europe/London", "weekdays": [1, 2, 3, 4, 5],
     "start": "09:00", "end": "17:00", "holidays": ["2026-12-25"]}

parsed by :meth:`BusinessHours.from_json`.

Contract:

- All datetimes in and out are timezone-aware; results are in UTC. A naive
  input raises ``ValueError``.
- An instant ``t`` is *business time* iff its wall-clock reading in the policy
  zone, ``local = t.astimezone(zone)``, has ``local.isoweekday() in weekdays``,
  ``local.date() not in holidays`` and ``start <= local.time() < end``. So on a
  DST fall-back night a window covering the repeated hour counts both passes of
  it, and on spring-forward the skipped wall times simply do not exist.
  ``hours is None`` means every instant is business time (24x7).
- ``business_time_between(a, b, hours)`` is the measure of business instants
  in ``[a, b)``; zero (never negative) when ``b <= a``.
- ``add_business_time(start, d, hours)`` returns ``start`` (in UTC) for
  ``d == 0``, and for ``d > 0`` the *earliest* instant ``t`` with
  ``business_time_between(start, t, hours) == d``; it may therefore land
  exactly on a window's closing time rather than on the next opening. A
  negative ``d`` raises ``ValueError``.
- Arithmetic is exact to the microsecond.

Cost is bounded by construction, whatever the duration. Between holidays and
UTC-offset changes every week holds the same business time, so runs of such
"plain" dates are skipped arithmetically (whole weeks at once) and only the
few dates around a holiday or an offset change, and the last week, are
walked window by window. The offset changes of a zone are found once per
calendar year and cached. ``add_business_time`` looks at most ``HORIZON``
past ``start``: a due instant beyond it, like one outside the range of
:class:`datetime`, raises ``OverflowError``.

One assumption about zones: if the UTC offset is the same at two instants at
most three days apart, it is taken to be constant in between, i.e. two offset
changes that cancel out within three days would go unnoticed. The tz database
(2025b) has no such pair in any zone.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["HORIZON", "BusinessHours", "add_business_time", "business_time_between"]

# How far past its start `add_business_time` looks for a due instant. Every
# policy a caller can store now spends its targets within a year; the rest of
# the span leaves room for long pauses and for policies stored before that rule.
HORIZON = timedelta(days=50 * 366)

_US = timedelta(microseconds=1)
_S_US = 1_000_000
_DAY_US = 86_400 * _S_US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_S = 86_400
# The sweeps stop short of date.max, whose neighbours datetime cannot hold.
_LAST_ORDINAL = date.max.toordinal() - 3
# Offset changes are looked for at this spacing (see the zone assumption above).
_SCAN_S = 3 * _DAY_S

_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEYS = frozenset({"timezone", "weekdays", "start", "end", "holidays"})
_REQUIRED_KEYS = _KEYS - {"holidays"}


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """A weekly business-hours window in one time zone, minus holidays."""

    timezone: ZoneInfo
    weekdays: frozenset[int]  # ISO weekdays 1..7, non-empty
    start: time  # local wall-clock opening time
    end: time  # local wall-clock closing time, > start
    holidays: frozenset[date]  # local dates with no business time

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("business hours need at least one weekday")
        bad = sorted(d for d in self.weekdays if not 1 <= d <= 7)
        if bad:
            raise ValueError(f"weekdays must be ISO weekdays 1..7, got {bad}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end must be naive wall-clock times")
        if self.end <= self.start:
            raise ValueError(
                f"end ({self.end.isoformat()}) must be after start ({self.start.isoformat()})"
            )

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> BusinessHours:
        """Parse the ``business_hours`` JSON object of an SLA policy.

        ``holidays`` may be omitted (no holidays); every other key is required
        and unknown keys are rejected so that a misspelt key cannot silently
        turn into "no holidays". Raises ``ValueError`` on any bad input.
        """
        if not isinstance(value, Mapping):
            raise ValueError(f"business hours must be a JSON object, got {type(value).__name__}")
        missing = sorted(_REQUIRED_KEYS - value.keys())
        if missing:
            raise ValueError(f"business hours are missing key(s): {', '.join(missing)}")
        unknown = sorted(str(k) for k in value.keys() - _KEYS)
        if unknown:
            raise ValueError(f"business hours have unknown key(s): {', '.join(unknown)}")
        return cls(
            timezone=_parse_zone(value["timezone"]),
            weekdays=_parse_weekdays(value["weekdays"]),
            start=_parse_hhmm("start", value["start"]),
            end=_parse_hhmm("end", value["end"]),
            holidays=_parse_holidays(value.get("holidays", [])),
        )


def _parse_zone(raw: object) -> ZoneInfo:
    if not isinstance(raw, str) or not raw:
        raise ValueError(f"timezone must be a non-empty IANA zone name, got {raw!r}")
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        # ValueError covers malformed keys such as absolute paths.
        raise ValueError(f"unknown time zone {raw!r}") from exc


def _parse_weekdays(raw: object) -> frozenset[int]:
    if not isinstance(raw, list | tuple):
        raise ValueError(f"weekdays must be a list of ISO weekdays 1..7, got {raw!r}")
    if not raw:
        raise ValueError("weekdays must not be empty")
    for day in raw:
        # bool is an int subclass; true/false is never a weekday.
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
            raise ValueError(f"weekday {day!r} is not an ISO weekday 1..7 (1 = Monday)")
    return frozenset(raw)


def _parse_hhmm(key: str, raw: object) -> time:
    match = _HHMM.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise ValueError(f"{key} must be a time formatted HH:MM, got {raw!r}")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{key} {raw!r} is not a valid time of day (00:00..23:59)")
    return time(hour, minute)


def _parse_holidays(raw: object) -> frozenset[date]:
    if not isinstance(raw, list | tuple):
        raise ValueError(f"holidays must be a list of YYYY-MM-DD dates, got {raw!r}")
    days: set[date] = set()
    for item in raw:
        if not isinstance(item, str) or _ISO_DATE.fullmatch(item) is None:
            raise ValueError(f"holiday {item!r} is not a YYYY-MM-DD date")
        try:
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise ValueError(f"holiday {item!r} is not a valid calendar date") from exc
    return frozenset(days)


def add_business_time(
    start: datetime, duration: timedelta, hours: BusinessHours | None
) -> datetime:
    """Return the earliest UTC instant ``duration`` of business time after ``start``."""
    start_us = _to_us(start, "start")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    remaining = duration // _US
    if remaining == 0 or hours is None:
        return _from_us(start_us + remaining)
    return _from_us(_calendar(hours).spend(start_us, remaining))


def business_time_between(start: datetime, end: datetime, hours: BusinessHours | None) -> timedelta:
    """Return the business time in ``[start, end)``; zero when ``end <= start``."""
    start_us = _to_us(start, "start")
    end_us = _to_us(end, "end")
    if end_us <= start_us:
        return timedelta(0)
    if hours is None:
        return timedelta(microseconds=end_us - start_us)
    return timedelta(microseconds=_calendar(hours).measure(start_us, end_us))


# Internally instants are integer microseconds since the Unix epoch (UTC), and
# wall-clock readings are integer microseconds since 1970-01-01T00:00 local.
# Integers keep the arithmetic exact and avoid datetime's same-tzinfo
# subtraction semantics (which ignore DST).


def _to_us(value: datetime, name: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return (value - _EPOCH) // _US


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _S_US + value.microsecond


def _offset_at(zone: ZoneInfo, utc_s: int) -> int:
    """UTC offset of ``zone`` (in microseconds) at the instant ``utc_s`` (in seconds)."""
    offset = (_EPOCH + timedelta(seconds=utc_s)).astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has an offset
    return offset // _US


def _offset_segments(zone: ZoneInfo, lo_s: int, hi_s: int) -> list[tuple[int, int]]:
    """Split ``[lo_s, hi_s]`` (seconds) into runs of constant UTC offset.

    Returns ``(run_start_us, offset_us)`` pairs in order; the first run starts
    at ``lo_s``. Offset changes are located by bisection, which is exact
    because tz database transitions fall on whole seconds.
    """
    cur_s, cur_off = lo_s, _offset_at(zone, lo_s)
    hi_off = _offset_at(zone, hi_s)
    segments = [(cur_s * _S_US, cur_off)]
    while cur_off != hi_off:
        # Invariant: offset(low) == cur_off != offset(high).
        low, high, high_off = cur_s, hi_s, hi_off
        while high - low > 1:
            mid = (low + high) // 2
            mid_off = _offset_at(zone, mid)
            if mid_off == cur_off:
                low = mid
            else:
                high, high_off = mid, mid_off
        cur_s, cur_off = high, high_off
        segments.append((cur_s * _S_US, cur_off))
    return segments


def _day_intervals(zone: ZoneInfo, wall_lo: int, wall_hi: int) -> list[tuple[int, int]]:
    """UTC intervals of the instants whose wall-clock reading is in ``[wall_lo, wall_hi)``.

    Usually one interval; a DST change inside the window can cut it short
    (spring forward) or split it into two (fall back, both passes counted).
    """
    # |offset| < 24h, so every such instant lies strictly inside (lo, hi).
    lo_s = (wall_lo - _DAY_US) // _S_US
    hi_s = -(-(wall_hi + _DAY_US) // _S_US)
    segments = _offset_segments(zone, lo_s, hi_s)
    intervals = []
    for i, (seg_lo, offset) in enumerate(segments):
        lo, hi = wall_lo - offset, wall_hi - offset
        if i > 0:
            lo = max(lo, seg_lo)
        if i + 1 < len(segments):
            hi = min(hi, segments[i + 1][0])
        if lo < hi:
            intervals.append((lo, hi))
    return intervals


def _business_intervals(hours: BusinessHours, from_us: int) -> Iterator[tuple[int, int]]:
    """Yield the business intervals after ``from_us`` in increasing UTC order.

    Intervals are disjoint, half-open ``(lo, hi)`` pairs in epoch microseconds,
    clipped to start no earlier than ``from_us``. The iterator is infinite
    except at the end of the ``date`` range.

    Instants of local date ``D`` lie within a day either side of ``D``'s
    window, so a fall-back across midnight can interleave two dates' intervals
    in time. A heap keeps the output ordered: a date is generated before any
    pending interval is released if its instants could precede that interval.
    """
    start_tod, end_tod = _time_us(hours.start), _time_us(hours.end)
    # A date more than two days before from_us has no instants after it.
    first = (_EPOCH + timedelta(microseconds=from_us)).date() - timedelta(days=2)
    day: date | None = first
    ordinal = first.toordinal()
    pending: list[tuple[int, int]] = []
    while True:
        while day is not None:
            wall_lo = (ordinal - _EPOCH_ORDINAL) * _DAY_US + start_tod
            if pending and wall_lo - _DAY_US >= pending[0][0]:
                break  # nothing from `day` onwards can come before pending[0]
            if day.isoweekday() in hours.weekdays and day not in hours.holidays:
                wall_hi = wall_lo - start_tod + end_tod
                for lo, hi in _day_intervals(hours.timezone, wall_lo, wall_hi):
                    if hi > from_us:
                        heapq.heappush(pending, (max(lo, from_us), hi))
            day = day + timedelta(days=1) if day < date.max else None
            ordinal += 1
        if not pending:
            return
        yield heapq.heappop(pending)


def _walk(hours: BusinessHours, from_us: int, remaining: int) -> int:
    """Spend ``remaining`` window by window from ``from_us``; for short spans only."""
    for lo, hi in _business_intervals(hours, from_us):
        if remaining <= hi - lo:
            return lo + remaining
        remaining -= hi - lo
    raise OverflowError("business time runs past the last representable date")


# Local dates are handled as proleptic ordinals. The instants of local date X
# lie within a day of its wall-clock window, so (with ``utc_ordinal(t)`` the
# UTC date of ``t``) dates before ``utc_ordinal(t) - 2`` end before ``t`` and
# dates from ``utc_ordinal(t) + 2`` on begin after it.


def _utc_ordinal(us: int) -> int:
    return us // _DAY_US + _EPOCH_ORDINAL


def _midnight_us(ordinal: int) -> int:
    """Local midnight of ``ordinal`` read as if it were UTC (a wall-clock reading)."""
    return (ordinal - _EPOCH_ORDINAL) * _DAY_US


@lru_cache(maxsize=4096)
def _year_shifts(zone: ZoneInfo, year: int) -> tuple[int, ...]:
    """The UTC seconds at which ``zone``'s offset changes during UTC ``year``."""
    lo_s = (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_S
    hi_s = (date(year, 12, 31).toordinal() + 1 - _EPOCH_ORDINAL) * _DAY_S
    shifts: list[int] = []
    # Sample from just before the year so that a change on its first second counts.
    prev_s, prev_off = lo_s - 1, _offset_at(zone, lo_s - 1)
    while prev_s < hi_s - 1:
        cur_s = min(prev_s + _SCAN_S, hi_s - 1)
        cur_off = _offset_at(zone, cur_s)
        if cur_off != prev_off:
            shifts.extend(
                seg_us // _S_US for seg_us, _ in _offset_segments(zone, prev_s, cur_s)[1:]
            )
        prev_s, prev_off = cur_s, cur_off
    return tuple(shifts)


@dataclass(frozen=True, slots=True)
class _Calendar:
    """What the week-skipping arithmetic needs of one ``BusinessHours``."""

    hours: BusinessHours
    length: int  # business time of a date with no holiday or offset change nearby
    week: int  # business time of seven such dates
    holidays: tuple[int, ...]  # sorted ordinals of holidays on business weekdays

    def _is_weekday(self, ordinal: int) -> bool:
        return (ordinal - 1) % 7 + 1 in self.hours.weekdays  # date(1) is a Monday

    def _weekdays_in(self, lo: int, hi: int) -> int:
        """How many of the dates in ``[lo, hi)`` fall on a business weekday."""
        weeks, extra = divmod(hi - lo, 7)
        return weeks * len(self.hours.weekdays) + sum(
            self._is_weekday(lo + i) for i in range(extra)
        )

    def _intervals(self, ordinal: int) -> list[tuple[int, int]]:
        """The exact business intervals of local date ``ordinal``."""
        if not self._is_weekday(ordinal) or date.fromordinal(ordinal) in self.hours.holidays:
            return []
        wall_lo = _midnight_us(ordinal) + _time_us(self.hours.start)
        return _day_intervals(self.hours.timezone, wall_lo, wall_lo + self.length)

    def _clipped(self, ordinal: int, lo_us: int | None, hi_us: int | None) -> int:
        """Business time of date ``ordinal`` inside ``[lo_us, hi_us)`` (None: unbounded)."""
        total = 0
        for lo, hi in self._intervals(ordinal):
            lo = lo if lo_us is None else max(lo, lo_us)
            hi = hi if hi_us is None else min(hi, hi_us)
            total += max(0, hi - lo)
        return total

    def _next_irregular(self, ordinal: int, limit: int) -> int:
        """The first date from ``ordinal`` (at most ``limit``) that is a holiday on a
        business weekday or has an offset change within a day of its window.

        The dates before it are *plain*: each holds ``length`` on a business
        weekday and nothing otherwise, so seven of them hold ``week``.
        """
        i = bisect_left(self.holidays, ordinal)
        limit = min(limit, self.holidays[i]) if i < len(self.holidays) else limit
        # A change at UTC second T affects the dates with T/day - 2 <= epoch day <= T/day + 1.
        from_s = (ordinal - 1 - _EPOCH_ORDINAL) * _DAY_S
        year = date.fromordinal(max(ordinal - 1, 1)).year
        while year <= date.fromordinal(limit).year:
            for shift_s in _year_shifts(self.hours.timezone, year):
                if shift_s >= from_s:
                    return max(ordinal, min(limit, shift_s // _DAY_S + _EPOCH_ORDINAL - 2))
            year += 1
        return limit

    def measure(self, from_us: int, to_us: int) -> int:
        """Business time in ``[from_us, to_us)``."""
        first, last = _utc_ordinal(from_us) - 2, _utc_ordinal(to_us) + 2
        if last > _LAST_ORDINAL:
            raise OverflowError("business time runs past the last representable date")
        inner_lo, inner_hi = first + 4, last - 4  # dates wholly inside the range
        if inner_hi <= inner_lo:
            return sum(self._clipped(x, from_us, to_us) for x in range(first, last))
        total = sum(self._clipped(x, from_us, None) for x in range(first, inner_lo))
        total += sum(self._clipped(x, None, to_us) for x in range(inner_hi, last))
        ordinal = inner_lo
        while ordinal < inner_hi:
            stop = self._next_irregular(ordinal, inner_hi)
            if stop > ordinal:
                total += self._weekdays_in(ordinal, stop) * self.length
                ordinal = stop
            else:
                total += self._clipped(ordinal, None, None)
                ordinal += 1
        return total

    def spend(self, from_us: int, budget: int) -> int:
        """The earliest instant with ``budget`` of business time in ``[from_us, it)``."""
        first = _utc_ordinal(from_us) - 2
        ordinal = first + 4  # the first date wholly after from_us
        spent = sum(self._clipped(x, from_us, None) for x in range(first, ordinal))
        if spent >= budget:
            return _walk(self.hours, from_us, budget)
        limit = min(_utc_ordinal(from_us + HORIZON // _US), _LAST_ORDINAL)
        # Find the date on which the budget runs out, with `spent` the business
        # time of the dates before it.
        while True:
            if ordinal >= limit:
                raise OverflowError("no due instant within the horizon")
            # Plain dates from here would spend the budget within `enough` dates.
            enough = 7 * ((budget - spent) // self.week + 1)
            stop = self._next_irregular(ordinal, min(limit, ordinal + enough))
            if stop == ordinal:
                today = self._clipped(ordinal, None, None)
            else:
                run = self._weekdays_in(ordinal, stop) * self.length
                if spent + run < budget:
                    spent, ordinal = spent + run, stop
                    continue
                # The budget runs out inside this run: skip its whole weeks,
                # then at most seven plain dates remain to walk.
                weeks = (budget - spent - 1) // self.week
                spent, ordinal = spent + weeks * self.week, ordinal + 7 * weeks
                today = self.length if self._is_weekday(ordinal) else 0
            if spent + today >= budget:
                return self._finish(from_us, budget, ordinal, spent, first + 4)
            spent, ordinal = spent + today, ordinal + 1

    def _finish(self, from_us: int, budget: int, last: int, spent: int, after: int) -> int:
        """Walk the last few days exactly: the budget runs out on date ``last``
        with ``spent`` used by earlier dates (all of them after ``from_us``
        from date ``after`` on)."""
        if last - 3 < after:
            return _walk(self.hours, from_us, budget)
        # Dates before last - 3 end before `cut` and dates from `last` begin after it;
        # take back what the three dates between spend after it.
        cut = _midnight_us(last - 2)
        spent -= sum(self._clipped(x, cut, None) for x in range(last - 3, last))
        return _walk(self.hours, cut, budget - spent)


# Small: an entry holds a policy's holidays (up to a thousand dates) twice.
@lru_cache(maxsize=32)
def _calendar(hours: BusinessHours) -> _Calendar:
    length = _time_us(hours.end) - _time_us(hours.start)
    holidays = sorted(d.toordinal() for d in hours.holidays if d.isoweekday() in hours.weekdays)
    return _Calendar(hours, length, length * len(hours.weekdays), tuple(holidays))
