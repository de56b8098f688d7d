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

The work is done window by window (one local date at a time), so the cost is
proportional to the number of calendar days spanned, not to the duration's
resolution. Results that fall outside the range of :class:`datetime` raise
``OverflowError``.

One assumption about zones: if the UTC offset is the same at two instants at
most three days apart, it is taken to be constant in between, i.e. two offset
changes that cancel out within three days would go unnoticed. The tz database
(2025b) has no such pair in any zone.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessHours", "add_business_time", "business_time_between"]

_US = timedelta(microseconds=1)
_S_US = 1_000_000
_DAY_US = 86_400 * _S_US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

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
    for lo, hi in _business_intervals(hours, start_us):
        if remaining <= hi - lo:
            return _from_us(lo + remaining)
        remaining -= hi - lo
    raise OverflowError("business time runs past the last representable date")


def business_time_between(start: datetime, end: datetime, hours: BusinessHours | None) -> timedelta:
    """Return the business time in ``[start, end)``; zero when ``end <= start``."""
    start_us = _to_us(start, "start")
    end_us = _to_us(end, "end")
    if end_us <= start_us:
        return timedelta(0)
    if hours is None:
        return timedelta(microseconds=end_us - start_us)
    total = 0
    for lo, hi in _business_intervals(hours, start_us):
        if lo >= end_us:
            break
        total += min(hi, end_us) - lo
    return timedelta(microseconds=total)


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
