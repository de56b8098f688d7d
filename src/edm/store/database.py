"""Engines and transactions for SQLite and PostgreSQL.

SQLite writers take the database lock up front (`BEGIN IMMEDIATE`) so a
write never fails a lock upgrade; readers use plain `BEGIN` and never block
under WAL. Before that, writers queue on `SQLiteWriteLock`, an `flock` on a
file beside the database: SQLite's own busy handler polls, sleeping in
growing steps, so writers of two server processes meeting in it wait far
longer than the write they wait for, where the kernel hands an `flock`
over the moment it is released.

On PostgreSQL the application's sessions act as the `edm_app` role, which
row-level security binds to the tenant named in `edm.tenant_id`, set at
the start of each write transaction and for the session before a read
(`_configure_postgresql`): a query that forgets its tenant filter sees no
other tenant's rows. Migrations run as the login role. Round trips are
most of what a read costs there, so a read is usually just its query's.

The store is synchronous code. The server runs it without a thread hop
where it can (`Database.run`): handing each request to a worker thread
costs as much CPU as the rest of a `GET` by id. The
server's reads and writes skip SQLAlchemy's execution and run on the
driver's connection: SQLite's, and on PostgreSQL asyncpg connections kept
for reads and writes outside a transaction (`Database.reading`,
`Database.writes`, `edm.store.reads`, `edm.store.writes`,
`edm.store.asyncpg_connections`); a PostgreSQL write in a transaction
runs on psycopg's connection underneath SQLAlchemy's.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

import orjson
import psycopg
from anyio import to_thread
from psycopg import sql
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.util import await_, greenlet_spawn

from edm.store.asyncpg_connections import AsyncpgConnection, AsyncpgConnections
from edm.store.reads import (
    ConnectionReads,
    DriverStatements,
    PostgreSQLReads,
    Reads,
    SQLiteReads,
    driver_statements,
)
from edm.store.row_security import TENANT_SETTING
from edm.store.statement_timeout import limit_sqlite_statements, postgresql_settings
from edm.store.write_batches import WriteBatches
from edm.store.write_budget import ONE_WRITE, WriteBudget, spend
from edm.store.writes import AsyncpgWrites, ConnectionWrites, Writes

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_S = 30
# The transaction of `Database.transaction` that the writes run inside it join.
_JOINED: ContextVar[Connection | None] = ContextVar("edm_joined_transaction", default=None)


def normalize_url(url: str) -> URL:
    """Accept plain `postgresql://` URLs; psycopg 3 is the driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json_text(value: Any) -> str:
    """A JSON column's stored text: orjson's, compact, and several times
    faster than `json.dumps`, whose share of a SQLite create's time under
    the write lock was 4%."""
    return orjson.dumps(value).decode()


# What every engine of the store is created with, whatever its database.
_ENGINE_OPTIONS: dict[str, Any] = {"json_serializer": _json_text}


def _configure_sqlite(engine: Engine, statement_timeout_ms: int | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()
        if statement_timeout_ms is not None:
            limit_sqlite_statements(dbapi_connection, statement_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_TENANT_OPTION = "edm_tenant_id"
_NO_TRANSACTION = "edm_no_transaction"
_SESSION_TENANT = "edm_session_tenant"  # key in a DBAPI connection's `info`


def _set_tenant(tenant_id: str | None, *, local: bool) -> str:
    """SQL binding `tenant_id` (None: no tenant, which RLS matches to no row)."""
    tenant = sql.Literal(tenant_id or "").as_string(None)
    return f"SELECT set_config('{TENANT_SETTING}', {tenant}, {'true' if local else 'false'})"


def _configure_postgresql(engine: Engine) -> None:
    """Every use of a connection binds its tenant; writes run in a transaction.

    A write begins its transaction and binds the tenant to it in one round
    trip (`BEGIN; SELECT set_config(..., true)`): the engine runs psycopg in
    autocommit mode so that psycopg sends no `BEGIN` of its own, and
    psycopg's commit and rollback still end the transaction opened here.

    A read needs no transaction: each of its statements is atomic on its
    own, and a `GET` or a list page is one statement. Its tenant is bound to
    the session instead, and only when the connection's session is bound to
    another one (connections remember theirs): in the common case a read is
    the one round trip of its query, where a transaction would add two. So
    is a write that is one statement (`Database.write`), which
    `_one_statement_writes` holds to that.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        tenant_id = options.get(_TENANT_OPTION)
        if not options.get(_NO_TRANSACTION):
            conn.exec_driver_sql(f"BEGIN; {_set_tenant(tenant_id, local=True)}")
            return
        info = conn.connection.info
        if info.get(_SESSION_TENANT, ()) != tenant_id:
            conn.exec_driver_sql(_set_tenant(tenant_id, local=False))
            info[_SESSION_TENANT] = tenant_id


def _one_statement_writes(engine: Engine) -> None:
    """Holds a write outside a transaction to its record's statement
    (`edm.store.write_budget`): the record's statement runs on the driver
    (`edm.store.driver_writes`), so any write SQLAlchemy runs is another."""

    @event.listens_for(engine, "before_execute")
    def _before_execute(
        _conn: Connection, statement: Any, _multi: Any, _params: Any, options: Any
    ) -> None:
        if isinstance(statement, UpdateBase):
            spend(options, record_write=False)


def _act_as(engine: Engine, role: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')
        dbapi_connection.commit()


def build_engine(
    url: str, *, pool_size: int = 10, statement_timeout_ms: int | None = None, **postgresql: Any
) -> Engine:
    """A synchronous engine (SQLite; PostgreSQL for migrations, the CLI and tests).

    With `statement_timeout_ms`, each statement is cut off past it
    (`edm.store.statement_timeout`); None leaves statements unbounded, as
    migrations and bulk loads need.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        sqlite = {"connect_args": connect_args, **_ENGINE_OPTIONS}
        if parsed.database in (None, "", ":memory:"):
            # One shared connection: each new one would open another empty database.
            engine = create_engine(parsed, poolclass=StaticPool, **sqlite)
        else:
            engine = create_engine(parsed, pool_size=pool_size, max_overflow=pool_size, **sqlite)
        _configure_sqlite(engine, statement_timeout_ms)
        return engine
    if statement_timeout_ms is not None:
        postgresql["connect_args"] = _timeout_options(statement_timeout_ms)
    return create_engine(parsed, **_pool(pool_size), **_ENGINE_OPTIONS, **postgresql)


def _timeout_options(statement_timeout_ms: int) -> dict[str, str]:
    """psycopg's connection options that bound each statement of the session."""
    settings = postgresql_settings(statement_timeout_ms).items()
    return {"options": " ".join(f"-c {name}={value}" for name, value in settings)}


class SQLiteWriteLock:
    """One SQLite writer at a time, across the threads and processes of a server.

    Reentrant for its holder, so a caller may take it before the work that
    takes it again. `path` None (an in-memory database, which one process
    holds) locks threads only.
    """

    def __init__(self, path: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._path = path
        self._fd: int | None = None

    def acquire(self, *, blocking: bool = True) -> bool:
        if not self._threads.acquire(blocking=blocking):
            return False
        if self._depth == 0 and self._path is not None:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                self._threads.release()
                return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _lock_path(sqlite_url: URL) -> str | None:
    """The write lock's file, beside the database's own (none in memory)."""
    database = sqlite_url.database
    return None if database in (None, "", ":memory:") else f"{database}-lock"


@cache
def _asyncpg_statements() -> DriverStatements:
    """Statements for the asyncpg connections, compiled for SQLAlchemy's
    asyncpg dialect: it binds JSON values as text, where psycopg's wraps
    them for psycopg. One set per process, made when first needed."""
    dialect = PGDialect_asyncpg(**_ENGINE_OPTIONS)  # type: ignore[no-untyped-call]
    return driver_statements(dialect)


POOL_RECYCLE_S = 1800
POOL_TIMEOUT_S = 30  # a request waits this long for a connection, then gets a 503


def _pool(pool_size: int) -> dict[str, Any]:
    return {
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_recycle": POOL_RECYCLE_S,
        "pool_timeout": POOL_TIMEOUT_S,
    }


class Database:
    """One engine, and the reads and writes the service runs on it.

    `app_role` (PostgreSQL only) is the role sessions act as; None keeps the
    login role, as migrations and bulk loads need. With `event_loop`, a
    PostgreSQL database is used through asyncio drivers: the synchronous
    store then runs inside `run`, from async code only; reads and writes
    outside a transaction keep up to `pool_size` asyncpg connections
    (`edm.store.asyncpg_connections`) beside the `pool_size` of psycopg's
    asyncio connections that transactions use. With `statement_timeout_ms`
    (the server's), every statement on every connection is cut off past it.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        app_role: str | None = None,
        event_loop: bool = False,
        statement_timeout_ms: int | None = None,
    ) -> None:
        parsed = normalize_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._sqlite_writer = SQLiteWriteLock(_lock_path(parsed)) if self.is_sqlite else None
        self._kept_reader_lock = threading.Lock()
        self._kept: Connection | None = None
        self._async_engine: AsyncEngine | None = None
        self._asyncpg_connections: AsyncpgConnections | None = None
        # See _configure_postgresql: psycopg must not begin transactions itself.
        autocommit = {"isolation_level": "AUTOCOMMIT"}
        if event_loop and not self.is_sqlite:
            self._async_engine = create_async_engine(
                parsed,
                # PostgreSQL's own `$1` placeholders, which psycopg sends as
                # they are: its conversion of `%(name)s` ones is cached for
                # statements under 4 KB and 50 parameters only, and a
                # create's was a fifth of its CPU.
                paramstyle="numeric_dollar",
                connect_args={
                    "cursor_factory": psycopg.AsyncRawCursor,
                    **(_timeout_options(statement_timeout_ms) if statement_timeout_ms else {}),
                },
                **_ENGINE_OPTIONS,
                **_pool(pool_size),
                **autocommit,
            )
            self.engine = self._async_engine.sync_engine
            self._asyncpg_connections = AsyncpgConnections(
                parsed,
                size=pool_size,
                recycle_s=POOL_RECYCLE_S,
                timeout_s=POOL_TIMEOUT_S,
                role=app_role,
                server_settings=(
                    postgresql_settings(statement_timeout_ms) if statement_timeout_ms else {}
                ),
            )
        else:
            self.engine = build_engine(
                url, pool_size=pool_size, statement_timeout_ms=statement_timeout_ms, **autocommit
            )
        self._driver_statements = driver_statements(self.engine.dialect)
        self._write_batches = (
            WriteBatches(self.engine, self._sqlite_writer) if self._sqlite_writer else None
        )
        if not self.is_sqlite:
            _configure_postgresql(self.engine)
            _one_statement_writes(self.engine)
            if app_role:
                _act_as(self.engine, app_role)

    async def run(self, work: Callable[[], T], *, reads_only: bool = False) -> T:
        """Run store `work` for async code without blocking the event loop on I/O.

        PostgreSQL (asyncio driver): `work` runs in a greenlet and each
        database round trip yields to the event loop. SQLite reads run inline:
        under WAL they take microseconds and never wait for a lock. SQLite
        writes are committed in batches (`edm.store.write_batches`), inline
        when the write lock is free; when another process holds it, waiting
        for it is a worker thread's job.
        """
        if self._async_engine is not None:
            return await greenlet_spawn(work)
        if reads_only and self.is_sqlite:
            return work()
        if self._write_batches is not None:
            result: T = await self._write_batches.run(work)
            return result
        return await to_thread.run_sync(work)

    @contextmanager
    def read(self, tenant_id: str | None = None) -> Iterator[Connection]:
        """A read that sees only `tenant_id`'s rows (under RLS).

        On PostgreSQL it is not a transaction: each statement sees its own
        snapshot (a read is one statement; a nested list's parent lookup and
        page are two, and may straddle a concurrent delete of the parent).
        """
        if self.is_sqlite:
            with self._sqlite_reader() as conn, conn.begin():
                yield conn
            return
        with self._outside_transaction(tenant_id) as conn:
            yield conn

    @contextmanager
    def _outside_transaction(self, tenant_id: str | None, **options: Any) -> Iterator[Connection]:
        """PostgreSQL: a connection whose session is bound to `tenant_id`;
        each statement commits on its own."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(
                **{_TENANT_OPTION: tenant_id, _NO_TRANSACTION: True}, **options
            )
            with conn.begin():
                yield conn

    @asynccontextmanager
    async def reading(self, tenant_id: str | None = None) -> AsyncIterator[Reads]:
        """`read` for async code (the server's gets and list pages), run on
        the driver's connection (`edm.store.reads`).

        Its statements are not a transaction on either database. On
        PostgreSQL the connection is a kept asyncpg one
        (`edm.store.asyncpg_connections`), its session bound to the tenant
        as `read` binds SQLAlchemy's.
        """
        if self.is_sqlite:
            with self._sqlite_reader() as conn:
                driver = conn.connection.driver_connection
                assert isinstance(driver, sqlite3.Connection)
                yield SQLiteReads(driver, self._driver_statements)
            return
        if self._asyncpg_connections is None:
            with self.read(tenant_id) as conn:
                yield ConnectionReads(conn)
            return
        kept = await self._asyncpg_connections.take()
        try:
            yield await self._bound_reads(kept, tenant_id)
        finally:
            await self._asyncpg_connections.give_back(kept)

    async def _bound_reads(self, kept: AsyncpgConnection, tenant_id: str | None) -> PostgreSQLReads:
        """Statements on `kept`, its session bound to `tenant_id`."""
        reads = PostgreSQLReads(kept, _asyncpg_statements())
        if not kept.bound or kept.tenant != tenant_id:
            await reads.execute_sql(_set_tenant(tenant_id, local=False))
            kept.bound, kept.tenant = True, tenant_id
        return reads

    @contextmanager
    def writes(self, tenant_id: str | None = None, *, transaction: bool = True) -> Iterator[Writes]:
        """`write` for the store's own statements (`edm.store.writes`).

        A PostgreSQL write outside a transaction (`transaction` False) runs
        them on a kept asyncpg connection where the database has them
        (inside `run`, whose greenlet awaits them), and has no SQLAlchemy
        connection; every other write runs them underneath `write`'s.
        """
        if transaction or self._asyncpg_connections is None or _JOINED.get() is not None:
            with self.write(tenant_id, transaction=transaction) as conn:
                yield ConnectionWrites(conn)
            return
        connections = self._asyncpg_connections
        kept = await_(connections.take())
        try:
            yield AsyncpgWrites(await_(self._bound_reads(kept, tenant_id)), WriteBudget())
        finally:
            await_(connections.give_back(kept))

    @contextmanager
    def write(
        self, tenant_id: str | None = None, *, transaction: bool = True
    ) -> Iterator[Connection]:
        """A write transaction, serialised on SQLite, bound to `tenant_id`.

        Inside a batch of `run`, the batch's transaction (the work's savepoint).

        With `transaction` False, a PostgreSQL write is no transaction: its
        reads see what is committed when each runs (so it must check what it
        read when it writes, as `RecordStore.update` does with the revision),
        and its one writing statement, the record's, commits by itself.
        Beginning and committing are then no round trips, and no lock is
        held past that statement. SQLite writes are always transactions.
        """
        batch = self._write_batches.connection() if self._write_batches is not None else None
        batch = batch or _JOINED.get()
        if batch is not None:
            yield batch
            return
        if not transaction and not self.is_sqlite:
            with self._outside_transaction(tenant_id, **{ONE_WRITE: WriteBudget()}) as conn:
                yield conn
            return
        with (
            self._sqlite_writer or nullcontext(),
            self.engine.connect() as conn,
        ):
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_immediate=True)
            else:
                conn = conn.execution_options(**{_TENANT_OPTION: tenant_id})
            with conn.begin():
                yield conn

    @contextmanager
    def transaction(self, tenant_id: str) -> Iterator[Connection]:
        """One write transaction that every write run inside it joins (a
        batch of operations, each in a savepoint of its own), all or nothing."""
        with self.write(tenant_id) as conn:
            token = _JOINED.set(conn)
            try:
                yield conn
            finally:
                _JOINED.reset(token)

    @contextmanager
    def _sqlite_reader(self) -> Iterator[Connection]:
        """The SQLite connection kept for reads, or a pooled one while it is in use.

        Checking a connection out of the pool and back in costs a fifth of
        a `GET`, and under WAL a connection between transactions holds no
        lock, so reads use the kept one whenever no other read has it.
        """
        if not self._kept_reader_lock.acquire(blocking=False):
            with self.engine.connect() as conn:
                yield conn
            return
        try:
            if self._kept is None or self._kept.invalidated or self._kept.closed:
                self._kept = self.engine.connect()
            yield self._kept
        finally:
            self._kept_reader_lock.release()

    def dispose(self) -> None:
        with self._kept_reader_lock:
            if self._kept is not None:
                self._kept.close()
                self._kept = None
        self.engine.dispose()

    async def aclose(self) -> None:
        """`dispose` for the server, whose PostgreSQL connections are asyncio ones."""
        if self._asyncpg_connections is not None:
            await self._asyncpg_connections.close()
        if self._async_engine is not None:
            await self._async_engine.dispose()
        else:
            self.dispose()
