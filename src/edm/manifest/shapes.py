"""Shapes of the helpdesk's JSON object fields, as pydantic models.

They validate write bodies (errors name the nested field, e.g.
`business_hours.timezone`) and document the fields in the manifest and
OpenAPI. The arithmetic on business hours lives in
`edm.helpdesk.business_time`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any, Literal, Self
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from edm.manifest.enums import TICKET_PRIORITIES

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# A policy's hours must spend each of its targets within this span of the
# write (SPEC 4, "Bounded cost"); 24x7 spends it all, so no target is longer.
SPEND_WITHIN = timedelta(days=365)


def whole_number(value: Any) -> Any:
    """JSON Schema's `integer` includes `130.0`, the integer 130; other floats stay refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Bounds go on the integer, inside the conversion, so that the schema states them.
PositiveMinutes = Annotated[
    StrictInt,
    Field(gt=0, le=SPEND_WITHIN // timedelta(minutes=1)),
    BeforeValidator(whole_number),
]


@cache
def iana_zones() -> frozenset[str]:
    """The IANA time zones this host knows: the accepted names."""
    return frozenset(available_timezones())


def _known_zone(name: str) -> str:
    if name not in iana_zones():
        raise PydanticCustomError(
            "unknown_timezone", "'{name}' is not an IANA time zone", {"name": name}
        )
    return name


def _zone_pattern(schema: dict[str, Any]) -> None:
    """The accepted names as one alternation: exact, like an `enum`, which code generators
    turn into classes whose member names collide (`Etc/GMT+1` and `Etc/GMT-1`)."""
    names = "|".join(name.replace("+", "\\+") for name in sorted(iana_zones()))
    schema.update(minLength=1, pattern=f"^({names})$")


def _distinct(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate_items", "must not repeat a value")
    return values


class SlaTarget(BaseModel):
    """Targets for one priority, in business minutes."""

    model_config = ConfigDict(extra="forbid")

    first_response_minutes: PositiveMinutes
    resolution_minutes: PositiveMinutes


class SlaTargetsShape(RootModel[dict[Literal[TICKET_PRIORITIES], SlaTarget]]):  # type: ignore[valid-type]
    """`targets`: ticket priority -> {first_response_minutes, resolution_minutes}."""


class BusinessHoursShape(BaseModel):
    """`business_hours`: when the SLA clock runs; null means 24x7."""

    model_config = ConfigDict(extra="forbid")

    timezone: Annotated[
        str,
        AfterValidator(_known_zone),
        Field(description="IANA time zone, e.g. Europe/London", json_schema_extra=_zone_pattern),
    ]
    weekdays: Annotated[
        list[Annotated[StrictInt, Field(ge=1, le=7), BeforeValidator(whole_number)]],
        Field(
            min_length=1,
            max_length=7,
            description="ISO weekdays, 1 = Monday",
            json_schema_extra={"uniqueItems": True},
        ),
        AfterValidator(_distinct),
    ]
    start: Annotated[str, Field(pattern=_CLOCK, description="Opening time, HH:MM")]
    end: Annotated[str, Field(pattern=_CLOCK, description="Closing time, HH:MM, after start")]
    holidays: Annotated[list[date], Field(max_length=1000)] = []

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise PydanticCustomError("end_not_after_start", "end must be later than start")
        return self
