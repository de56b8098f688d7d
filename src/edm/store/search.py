"""Text search (`q`) served by a trigram index on each database.

`q` is a case-insensitive substring match over the resource's searchable
fields, LIKE metacharacters literal; the ILIKE test built by the listing
defines the result, the index only finds the candidate rows:

- SQLite: an FTS5 table `<resource>_search` with the trigram tokenizer,
  external content = the record table, kept in sync by triggers in the
  writing transaction. A trigram phrase match is a superset of the ILIKE
  match (FTS5 folds Unicode case, SQLite's LIKE only ASCII), so
  `rowid IN (phrase matches) AND ILIKE` equals the ILIKE alone. FTS5 reads
  the whole list of rows of every trigram it is given, and a trigram such
  as `srv` of `srv-qzkfa` may be in every row, so `RareTrigrams` gives it
  only the rarest few of the text's trigrams (each three characters of
  the text, so still a superset).
- PostgreSQL: a table `<resource>_search` holding a copy of the searchable
  columns, kept by a trigger in the writing transaction, with one
  `pg_trgm` GIN index per column; the ILIKE test runs on it as a
  semi-join. Not on the record table itself: under row-level security
  PostgreSQL refuses to use an index for a non-leakproof operator such
  as ILIKE, and would read every row of the tenant.

Trigrams need at least three characters: shorter queries use the plain
ILIKE on the record table, which reads the tenant's rows in list order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from edm.manifest import Resource
from edm.store.reads import Reads

MIN_INDEXED_LENGTH = 3  # the trigram tokenizer and pg_trgm cannot use shorter patterns
_PHRASE = "q_phrase"


def search_table_name(res: Resource) -> str:
    """The table that indexes `res`'s searchable fields (FTS5 on SQLite, a copy on PostgreSQL)."""
    return f"{res.name}_search"


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

    `exact` is the ILIKE test on the record table; `fts` (SQLite) narrows
    it to the FTS5 candidates; `mirror` (PostgreSQL) replaces it with a
    semi-join on the search table, which row-level security does not cover.
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


def _grouped(clause: ColumnElement[bool], compiler: Any, **kw: Any) -> str:
    """Parenthesized, so the OR inside never mixes with the query's other ANDs."""
    return f"({compiler.process(clause, **kw)})"


@compiles(TextSearch)
def _compile_exact(element: TextSearch, compiler: Any, **kw: Any) -> str:
    return _grouped(element.exact, compiler, **kw)


@compiles(TextSearch, "sqlite")
def _compile_sqlite(element: TextSearch, compiler: Any, **kw: Any) -> str:
    if element.fts is None:
        return _grouped(element.exact, compiler, **kw)
    return _grouped(and_(element.fts, element.exact), compiler, **kw)


@compiles(TextSearch, "postgresql")
def _compile_postgresql(element: TextSearch, compiler: Any, **kw: Any) -> str:
    return _grouped(element.mirror if element.mirror is not None else element.exact, compiler, **kw)


def search_parameters(text: str) -> dict[str, str]:
    """The values of `indexed_search`'s own parameters for the text `text`."""
    return {_PHRASE: fts_phrase(text)}


def _fts_matches(res: Resource) -> Select[Any]:
    """SQLite: the rowids of the FTS5 table's matches of `:q_phrase`."""
    name = search_table_name(res)
    return (
        select(literal_column("rowid"))
        .select_from(table(name))
        .where(literal_column(name).op("MATCH")(bindparam(_PHRASE)))
    )


class RareTrigrams:
    """SQLite: the FTS5 query of a text from the rarest of its trigrams.

    Any three characters of the text are in every record that contains the
    text, so searching for a few of them finds a superset of the exact
    matches, which the ILIKE narrows; which few only changes the cost.
    How many records hold a trigram is counted up to `COUNT_CAP` (reading
    a capped part of its list; a text without a rarer trigram is searched
    as a whole phrase) and kept per process for `KEEP_S` seconds,
    as rarity changes slowly. Pieces are cut from the text as typed, so
    FTS5 folds their case exactly as it folded the records'.
    """

    PICK = 3
    COUNT_CAP = 1000
    KEEP_S = 300.0
    KEEP_TERMS = 100_000

    def __init__(self, res: Resource) -> None:
        self._count = select(func.count()).select_from(
            _fts_matches(res).with_only_columns(literal(1)).limit(self.COUNT_CAP).subquery()
        )
        self._counts: dict[str, int] = {}
        self._counted_at = time.monotonic()

    async def parameters(self, reads: Reads, text: str) -> dict[str, str]:
        """`search_parameters` of `text` with only its rarest trigrams."""
        if reads.dialect.name != "sqlite":
            return search_parameters(text)
        pieces = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        if len(pieces) <= self.PICK:
            return search_parameters(text)
        if time.monotonic() - self._counted_at > self.KEEP_S or len(self._counts) > self.KEEP_TERMS:
            self._counts.clear()
            self._counted_at = time.monotonic()
        for piece in pieces:
            if piece not in self._counts:
                row = await reads.first(self._count, {_PHRASE: fts_phrase(piece)})
                self._counts[piece] = row[0] if row is not None else 0
        rare = [
            p
            for p in sorted(pieces, key=self._counts.__getitem__)
            if self._counts[p] < self.COUNT_CAP
        ]
        if not rare:  # every trigram is common: the whole phrase is the most selective
            return search_parameters(text)
        return {_PHRASE: " AND ".join(map(fts_phrase, rare[: self.PICK]))}


def _fts_candidates(res: Resource, records: Table) -> ColumnElement[bool]:
    """SQLite: the record's rowid is among the FTS5 matches of the text."""
    return literal_column(f"{records.name}.rowid").in_(_fts_matches(res))


def _mirror_matches(
    res: Resource, records: Table, test: Callable[[Any], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """PostgreSQL: the record's id is among its tenant's matches in the search table.

    Row-level security keeps non-leakproof operators such as ILIKE from
    using an index on the protected table itself, so the trigram indexes
    live on this trigger-maintained copy of the searchable columns.
    """
    names = [f.name for f in res.searchable_fields]
    mirror = table(search_table_name(res), column("id"), *map(column, names))
    # On the id alone (ids are unique across tenants): a tenant equality would let
    # PostgreSQL carry the row-level security condition over to this table and,
    # again, keep ILIKE off its index. The copy is exact (same transaction), so
    # the planner may also walk the list's index and probe the copy by id, which
    # is cheaper when the text is common.
    return records.c.id.in_(select(mirror.c.id).where(test(mirror.c)))


def indexed_search(
    res: Resource, records: Table, indexed: bool, test: Callable[[Any], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """`test(records.c)` (the exact ILIKE test for the text), served by a
    trigram index when `indexed` (the text is at least MIN_INDEXED_LENGTH
    long). Run with `search_parameters` of the text.

    `test` takes a column collection, so the same test runs on the search
    table of PostgreSQL.
    """
    if not indexed:
        return TextSearch(test(records.c))
    return TextSearch(
        test(records.c),
        fts=_fts_candidates(res, records),
        mirror=_mirror_matches(res, records, test),
    )
