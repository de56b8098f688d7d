"""Rules on the characters of text values, each one regular expression.

The server validates with the same expression the OpenAPI document states
as `pattern`, so a value is accepted exactly when the document says it is.
The expressions use only what ECMA-262 (JSON Schema's dialect) and Python's
`re` read alike: `\\uXXXX` escapes, classes and groups; no lookaround, no
`\\s` (whose members differ between the two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic_core import PydanticCustomError

# The characters `str.strip()` removes: every one for which `str.isspace()` is true.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _escaped(chars: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in chars)


_VISIBLE = f"[^{_escaped(WHITESPACE)}\\u0000]"


@dataclass(frozen=True, slots=True)
class TextRule:
    """A pattern every value must match, and the error naming a value that does not."""

    pattern: str
    code: str
    message: str
    within: TextRule | None = None  # a looser rule whose own error is the clearer one
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def matches(self, value: str) -> bool:
        return self._compiled.fullmatch(value) is not None

    def check(self, value: str) -> str:
        """`value`, or the validation error of the first rule it breaks."""
        if self.within is not None:
            self.within.check(value)
        if not self.matches(value):
            raise PydanticCustomError(self.code, self.message)
        return value


NUL_FREE = TextRule(r"^[^\u0000]*$", "nul_byte", "must not contain NUL bytes")
# Lengths are measured on the value as sent, as the document's minLength and maxLength
# say; surrounding whitespace is removed afterwards (`trimmed`), so a value must hold
# something else.
NOT_BLANK = TextRule(
    f"^[^\\u0000]*{_VISIBLE}[^\\u0000]*$",
    "string_too_short",  # pydantic's own code: reported as `too_short`, like an empty value
    "must contain a character other than whitespace",
    within=NUL_FREE,
)
REFERENCE = TextRule(
    "^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    "|[a-z][a-z0-9]{1,15}_[0-9A-HJKMNP-TV-Z]{26})$",
    "invalid_reference",
    "must be a UUID or an EDM id such as tkt_01JD…",
    within=NUL_FREE,
)


def trimmed(value: str) -> str:
    """`value` without the surrounding whitespace `NOT_BLANK` allows."""
    return value.strip(WHITESPACE)
