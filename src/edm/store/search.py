"""Text search (`q`) served by a trigram index on each database.

`q` is a case-insensitive substring match over the resource's searchable
fields, LIKE metacharacters literal (as `field ILIKE '%text%'`); the index
only finds the candidate rows. The exact test (`contains_text`) looks for
the lowered text in the lowered field, `lower` folding case as ILIKE does
on each database: SQLite's `instr` (a `memcmp` at each position), and on
PostgreSQL a regular expression marked literal (`***=`), which its
automaton matches in one pass. LIKE's matcher, and PostgreSQL's `strpos`,
backtrack: a text such as `aaa…c` over a field of `a`s costs them its
length at every position of the field (docs/performance.md).

- SQLite: an FTS5 table `<resource>_search` with the trigram tokenizer,
  external content = the record table, kept in sync by triggers in the
  writing transaction. A trigram match is a superset of the exact match
  (FTS5 folds Unicode case, SQLite's LIKE only ASCII), so
  `rowid IN (trigram matches) AND exact` equals the exact test alone.
  FTS5 reads the whole list of rows of every trigram it is given, and a
  trigram such as `srv` of `srv-qzkfa` may be in every row, so
  `RareTrigrams` gives it only the rarest few of the text's trigrams
  (each three characters of the text, so still a superset), each alone:
  never a phrase, whose match walks the positions of every trigram of
  the phrase in every candidate row.
- PostgreSQL: a table `<resource>_search` holding a copy of the searchable
  columns, kept by a trigger in the writing transaction, with one
  `pg_trgm` GIN index per column; the records whose copy holds a few
  short pieces of the text (`RareTrigrams`) are the candidates, found by
  a semi-join. Not on the record table itself: under row-level security
  PostgreSQL refuses to use an index for a non-leakproof operator such
  as ILIKE, and would read every row of the tenant.

Trigrams need at least three characters: shorter queries use the plain
exact test on the record table, which reads the tenant's rows in list
order.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from edm.manifest import Resource
from edm.store.reads import Reads

MIN_INDEXED_LENGTH = 3  # the trigram tokenizer and pg_trgm cannot use shorter patterns
_TEXT = "q_text"
_PHRASE = "q_phrase"
_PIECES = ("q_piece_0", "q_piece_1", "q_piece_2")  # PostgreSQL: RareTrigrams.PICK pieces


def search_table_name(res: Resource) -> str:
    """The table that indexes `res`'s searchable fields (FTS5 on SQLite, a copy on PostgreSQL)."""
    return f"{res.name}_search"


def matches_function(res: Resource) -> str:
    """PostgreSQL: the function giving the ids of the tenant's matches in the
    search table (migration 0005; the role reaches the table through it only)."""
    return f"{search_table_name(res)}_matches"


def count_function(res: Resource) -> str:
    """PostgreSQL: the function counting, up to a cap, the tenant's records of
    the search table that hold a LIKE pattern (migration 0005)."""
    return f"{search_table_name(res)}_count"


def trigram_index_name(res: Resource, column: str) -> str:
    """The PostgreSQL pg_trgm GIN index on one column of the search table."""
    return f"ix_{search_table_name(res)}_{column}_trgm"


def may_match_number(res: Resource, text: str) -> bool:
    """Whether `text` can be part of any number like `TKT-0042` (any case).

    When it cannot, the number column needs no test at all, which spares
    PostgreSQL a scan of a trigram index full of digits. Non-ASCII text is
    kept (Unicode case folding could map it onto the prefix).
    """
    if res.number is None or not text.isascii():
        return True
    head, rest = f"{res.number.prefix}-".lower(), text.lower()
    if rest in head:
        return True
    return any(
        rest.startswith(head[i:]) and _digits(rest[len(head) - i :]) for i in range(len(head) + 1)
    )


def _digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def fts_phrase(text: str) -> str:
    """`text` as one FTS5 phrase: every character literal, quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


class TextSearch(ColumnElement[bool]):
    """The `q` condition, compiled per database.

    `exact` is the substring test on the record table, which defines the
    result. On SQLite, `fts` narrows it to the FTS5 table's candidates
    first; on PostgreSQL, `mirror` replaces it with a semi-join on the
    tenant's matches in the search table (its exact copy).
    """

    __visit_name__ = "edm_text_search"
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is: no `= 1` on SQLite
    # SQLAlchemy's traversal reads this class attribute (declared as a list there).
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012
        ("exact", InternalTraversal.dp_clauseelement),
        ("fts", InternalTraversal.dp_clauseelement),
        ("mirror", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        exact: ColumnElement[bool],
        fts: ColumnElement[bool] | None = None,
        mirror: ColumnElement[bool] | None = None,
    ) -> None:
        self.exact = exact
        self.fts = fts
        self.mirror = mirror


def _narrowed(
    candidates: ColumnElement[bool] | None, exact: ColumnElement[bool], compiler: Any, **kw: Any
) -> str:
    """Parenthesized, so the OR inside never mixes with the query's other ANDs."""
    clause = exact if candidates is None else and_(candidates, exact)
    return f"({compiler.process(clause, **kw)})"


@compiles(TextSearch)
def _compile_exact(element: TextSearch, compiler: Any, **kw: Any) -> str:
    return _narrowed(None, element.exact, compiler, **kw)


@compiles(TextSearch, "sqlite")
def _compile_sqlite(element: TextSearch, compiler: Any, **kw: Any) -> str:
    return _narrowed(element.fts, element.exact, compiler, **kw)


@compiles(TextSearch, "postgresql")
def _compile_postgresql(element: TextSearch, compiler: Any, **kw: Any) -> str:
    # The semi-join holds the exact test itself, run on the copy.
    clause = element.exact if element.mirror is None else element.mirror
    return _narrowed(None, clause, compiler, **kw)


class _HoldsText(ColumnElement[bool]):
    """`column` contains the text `:q_text`, any case (as ILIKE folds it)."""

    __visit_name__ = "edm_holds_text"
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column


def _lowered(element: _HoldsText, compiler: Any, **kw: Any) -> tuple[str, str]:
    column = compiler.process(element.column, **kw)
    text = compiler.process(bindparam(_TEXT, type_=String()), **kw)
    return f"lower({column})", f"lower({text})"


@compiles(_HoldsText)
def _compile_holds_text(element: _HoldsText, compiler: Any, **kw: Any) -> str:
    return "(instr({}, {}) > 0)".format(*_lowered(element, compiler, **kw))


@compiles(_HoldsText, "postgresql")
def _compile_holds_text_postgresql(element: _HoldsText, compiler: Any, **kw: Any) -> str:
    return "({} ~ ('***=' || {}))".format(*_lowered(element, compiler, **kw))


def escape_like(text: str) -> str:
    """Make LIKE metacharacters literal (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bounded_pieces(text: str) -> list[str]:
    """At most `RareTrigrams.PICK` pieces of `text`, each at most
    `RareTrigrams.PIECE_CHARACTERS` long: its start, middle and end. Any
    piece of the text is in every record that holds the text; a short one
    costs the index's recheck a bounded time per record."""
    size = RareTrigrams.PIECE_CHARACTERS
    if len(text) <= size:
        return [text]
    middle = (len(text) - size) // 2
    return [text[:size], text[middle : middle + size], text[-size:]]


def search_parameters(text: str) -> dict[str, str]:
    """The values of `indexed_search`'s parameters for the text `text`.

    The index is asked for pieces of the text (`_bounded_pieces`; FTS5 for
    its first trigrams); `RareTrigrams` gives values that ask it for the
    text's rarest trigrams.
    """
    pieces = _bounded_pieces(text)
    repeated = itertools.islice(itertools.cycle(pieces), len(_PIECES))
    trigrams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
    phrase = " AND ".join(map(fts_phrase, trigrams[: RareTrigrams.PICK] or [text]))
    return {
        _TEXT: text,
        _PHRASE: phrase,
        **dict(zip(_PIECES, (f"%{escape_like(p)}%" for p in repeated), strict=True)),
    }


def _fts_matches(res: Resource) -> Select[Any]:
    """SQLite: the rowids of the FTS5 table's matches of `:q_phrase`."""
    name = search_table_name(res)
    return (
        select(literal_column("rowid"))
        .select_from(table(name))
        .where(literal_column(name).op("MATCH")(bindparam(_PHRASE)))
    )


class _Kept:
    """What a process has learned about trigram rarity, forgotten after `seconds`."""

    def __init__(self, seconds: float, most: int) -> None:
        self.seconds = seconds
        self.most = most
        self.values: dict[Hashable, int] = {}
        self._since = time.monotonic()

    def expire(self) -> None:
        if time.monotonic() - self._since > self.seconds or len(self.values) > self.most:
            self.values.clear()
            self._since = time.monotonic()


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """How a search asks the index about its text: the values of
    `indexed_search`'s parameters, and, when every trigram of the text is
    common, the share of records its rarest trigram is in (1.0 where the
    database cannot tell). That share estimates the most of the records
    that hold the text: a text in enough of them is best found by reading
    the records in list order first, and one in too few to fill a page
    there is not (`RecordStore.page`)."""

    parameters: dict[str, str]
    common_share: float = 0.0


def _spread(pieces: list[str], most: int) -> list[str]:
    """At most `most` of `pieces`, spread evenly over them."""
    if len(pieces) <= most:
        return pieces
    return [pieces[i * len(pieces) // most] for i in range(most)]


class RareTrigrams:
    """The index's part of a search, from the rarest trigrams of its text.

    Any three characters of the text are in every record that contains the
    text, so asking the index for a few of them finds a superset of the
    exact matches, which the exact test narrows; which few only changes
    the cost. Both indexes read the whole list of records of every trigram
    they are given, and a trigram such as `srv` of `srv-qzkfa` may be in
    every record, so the rarest `PICK` are asked for. How many records
    hold a trigram is counted up to `COUNT_CAP` (in the caller's tenant on
    PostgreSQL), for at most `COUNTED` trigrams of the text, and one in
    fewer is rare. When none is rare, the plan says the text may be common
    (`SearchPlan.common_share`). What the index is given is bounded
    whatever the text: at most `PICK` trigrams (SQLite) or pieces of at
    most `PIECE_CHARACTERS` characters (PostgreSQL, whose index rechecks
    each piece on every candidate).

    - SQLite: a count reads a capped part of the trigram's FTS5 list; the
      rarest `PICK` trigrams are asked for, each alone, rare or not.
      Pieces are cut from the text as typed, so FTS5 folds their case
      exactly as it folded the records'.
    - PostgreSQL: a count runs through the trigram indexes
      (`count_function`). Only ASCII letters and digits are cut into
      trigram pieces: pg_trgm makes trigrams of words only, so each such
      piece is exactly one trigram of the index. When none is rare, the
      index is given the start, middle and end of the text.

    What was counted is kept per process for `KEEP_S` seconds, as rarity
    changes slowly.
    """

    PICK = 3
    PIECE_CHARACTERS = 12  # PostgreSQL: the longest piece of the text the index rechecks
    COUNTED = 12  # trigrams of one text counted at most
    COUNT_CAP = 1000  # a trigram in fewer records is rare: its list is short to read
    KEEP_S = 300.0
    KEEP_TERMS = 100_000

    def __init__(self, res: Resource) -> None:
        self._count = select(func.count()).select_from(
            _fts_matches(res).with_only_columns(literal(1)).limit(self.COUNT_CAP).subquery()
        )
        counted = getattr(func, count_function(res))
        self._tenant_count = select(
            counted(bindparam(_PHRASE, type_=String()), literal(self.COUNT_CAP, Integer()))
        )
        self._kept = _Kept(self.KEEP_S, self.KEEP_TERMS)

    async def plan(self, reads: Reads, text: str, tenant_id: str | None = None) -> SearchPlan:
        """How to ask the index about `text` for `tenant_id`'s records: for
        its rarest trigrams, or for bounded pieces of it when every trigram
        is common."""
        self._kept.expire()
        match reads.dialect.name:
            case "sqlite":
                return await self._fts_plan(reads, text)
            case "postgresql":
                return await self._trigram_plan(reads, text, tenant_id)
            case _:
                return SearchPlan(search_parameters(text))

    async def _counts(
        self, reads: Reads, statement: Select[Any], keys: dict[Hashable, str]
    ) -> dict[Hashable, int]:
        """How many records hold each of `keys`' values, up to `COUNT_CAP`."""
        counts = self._kept.values
        for key, value in keys.items():
            if key not in counts:
                row = await reads.first(statement, {_PHRASE: value})
                counts[key] = row[0] if row is not None else 0
        return {key: counts[key] for key in keys}

    async def _fts_plan(self, reads: Reads, text: str) -> SearchPlan:
        pieces = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        counted = _spread(pieces, self.COUNTED)
        counts = await self._counts(reads, self._count, {p: fts_phrase(p) for p in counted})
        ranked = sorted(counted, key=counts.__getitem__)
        common = bool(ranked) and counts[ranked[0]] >= self.COUNT_CAP
        phrase = " AND ".join(map(fts_phrase, ranked[: self.PICK]))
        return SearchPlan({_PHRASE: phrase}, common_share=1.0 if common else 0.0)

    async def _trigram_plan(self, reads: Reads, text: str, tenant_id: str | None) -> SearchPlan:
        lowered = text.lower()
        windows = (lowered[i : i + 3] for i in range(len(lowered) - 2))
        pieces = list(dict.fromkeys(w for w in windows if w.isascii() and w.isalnum()))
        counted = _spread(pieces, self.COUNTED)
        patterns: dict[Hashable, str] = {(tenant_id, p): f"%{p}%" for p in counted}
        counts = await self._counts(reads, self._tenant_count, patterns)
        ranked = sorted(counted, key=lambda p: counts[tenant_id, p])
        chosen = [p for p in ranked if counts[tenant_id, p] < self.COUNT_CAP][: self.PICK]
        if not chosen:  # no rare trigram: pieces of the text are the most selective
            return SearchPlan(search_parameters(text), common_share=1.0 if ranked else 0.0)
        # The statement has PICK pieces; repeating one costs nothing (GIN reads it once).
        repeated = itertools.islice(itertools.cycle(chosen), len(_PIECES))
        return SearchPlan(dict(zip(_PIECES, (f"%{piece}%" for piece in repeated), strict=True)))


def _fts_candidates(res: Resource, records: Table) -> ColumnElement[bool]:
    """SQLite: the record's rowid is among the FTS5 matches of the text."""
    return literal_column(f"{records.name}.rowid").in_(_fts_matches(res))


def _mirror_matches(res: Resource, records: Table, fields: Sequence[str]) -> ColumnElement[bool]:
    """PostgreSQL: the record's id is among its tenant's matches in the search table.

    Row-level security keeps non-leakproof operators such as ILIKE from
    using an index on the protected table itself, so the trigram indexes
    live on a trigger-maintained copy of the searchable columns, which the
    role reaches through a function of its owner bound to the caller's
    tenant (`matches_function`): the pieces find the candidates in the
    index, the exact test decides.
    """
    tests_number = res.number is not None and res.number.field in fields
    matches = getattr(func, matches_function(res))(
        *(bindparam(p, type_=String()) for p in _PIECES),
        bindparam(_TEXT, type_=String()),
        true() if tests_number else false(),
    )
    return records.c.id.in_(select(matches))


def contains_text(columns: Any, fields: Sequence[str]) -> ColumnElement[bool]:
    """One of `fields` of `columns` contains the text, any case, LIKE
    metacharacters literal: the exact test, run with `search_parameters`."""
    tests = [_HoldsText(columns[name]) for name in fields]
    return or_(*tests) if tests else false()


def indexed_search(
    res: Resource, records: Table, fields: Sequence[str], indexed: bool
) -> ColumnElement[bool]:
    """One of `fields` of `records` contains the text, any case, LIKE
    metacharacters literal; served by a trigram index when `indexed` (the
    text is at least MIN_INDEXED_LENGTH long). Run with `search_parameters`
    of the text, or `RareTrigrams`' values for it.
    """
    exact = contains_text(records.c, fields)
    if not indexed:
        return TextSearch(exact)
    return TextSearch(
        exact,
        fts=_fts_candidates(res, records),
        mirror=_mirror_matches(res, records, fields),
    )
