"""A database as a test drives it: store work called directly, or as the
server runs it (inside `Database.run`, on an event loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from edm.store.database import Database

T = TypeVar("T")


class View:
    """A database as the server's role sees it, and how store work is run on
    it: called as it is, or (`runner`) inside `Database.run` on an event loop."""

    def __init__(self, db: Database, runner: asyncio.Runner | None) -> None:
        self.db, self.runner = db, runner

    def call(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.runner is None:
            return work(*args, **kwargs)
        return self.runner.run(self.db.run(partial(work, *args, **kwargs)))
