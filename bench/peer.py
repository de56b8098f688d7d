"""django-helpdesk, measured the way bench.run measures EDM (`--peer django-helpdesk`).

In a work directory: a throwaway virtualenv with django-helpdesk from PyPI
and gunicorn, a minimal Django project on SQLite (WAL and synchronous=NORMAL,
as EDM's), a staff superuser, a queue and a bulk-loaded set of tickets, each
with the "Ticket Opened" follow-up its own create path writes. Then gunicorn
with the bench's worker count and wrk on its DRF ticket API: `get` (one
ticket by id), `list` (the first page of 50) and `create`.

Requests authenticate with DRF's TokenAuthentication, the counterpart of
EDM's bearer token: basic auth would run the password hasher (PBKDF2, a
million iterations) on every request.

Its reads cost in proportion to the tickets stored, even for one ticket:
TicketViewSet.get_queryset() calls set_custom_field_values(), one query, on
every accessible ticket before filtering or paging. At about two reads a
second and 16 connections, a read's latency is mostly its wait in
gunicorn's backlog (p99 5-8 s at 5,000 tickets); a read slower than wrk's
10 s timeout would count as an error.
"""

from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import SAMPLE, Request, create_requests
from bench.load import Load, Replay, Result, Target, measure, write_requests
from bench.processes import Server, cpu_seconds, free_port

NAME = "django-helpdesk"
VERSION = "2.6.1"
FALLBACK = "django-helpdesk>=2,<3"  # when VERSION is not on the index
REPORTED = ("django-helpdesk", "Django", "djangorestframework", "gunicorn")
API = "/api/tickets/"
PAGE = 50  # as EDM's `list` and the ceiling's page
CEILING_OF = {"get": "GET", "list": "list", "create": "POST"}
SETTINGS_MODULE = "helpdesk_site.settings"

SETTINGS = """\
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-" + "x" * 50
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "helpdesk_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ROOT / "helpdesk.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,  # seconds waiting on a lock, as EDM's busy_timeout
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1
STATIC_URL = "/static/"
MEDIA_ROOT = ROOT / "media"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, an optional extra
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls"))]
"""

WSGI = """\
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""

SEED = '''\
"""A staff superuser with an API token, a queue, and TICKETS tickets; prints them as JSON."""

import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from helpdesk.models import FollowUp, Queue, Ticket

count = int(sys.argv[1])
user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
token = Token.objects.create(user=user)
queue = Queue.objects.create(title="Bench", slug="bench")
tickets = Ticket.objects.bulk_create(
    (
        Ticket(
            queue=queue,
            title=f"Seeded ticket {i}",
            description=f"Seeded by the benchmark for host srv-{i:06d}.",
            submitter_email=f"user{i % 100}@example.com",
            priority=1 + i % 5,
        )
        for i in range(count)
    ),
    batch_size=1000,
)
FollowUp.objects.bulk_create(
    (
        FollowUp(ticket=t, title="Ticket Opened", comment=t.description, public=True, user=user)
        for t in tickets
    ),
    batch_size=1000,
)
print(json.dumps({"token": token.key, "queue": queue.id, "ids": [t.id for t in tickets]}))
'''


@dataclass(frozen=True)
class Install:
    """The peer's virtualenv and project."""

    bin: Path
    site: Path
    versions: dict[str, str]

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": str(self.site),
        }

    def run(self, *args: str) -> str:
        """Run a command in the project directory; its stdout."""
        return _run(list(args), cwd=self.site, env=self.env())


@dataclass(frozen=True)
class Seeded:
    token: str
    queue: int
    ids: list[int]
    seconds: float


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run `command`; on failure raise with the end of what it printed."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return str(done.stdout)


def _pip_install(bin_dir: Path) -> None:
    """VERSION when the index has it, else the newest 2.x; gunicorn with it."""
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet"]
    try:
        _run([*pip, f"{NAME}=={VERSION}", "gunicorn"])
    except RuntimeError as exc:
        if "No matching distribution" not in str(exc):
            raise
        print(f"  {NAME} {VERSION} is not on the index: installing {FALLBACK}", flush=True)
        _run([*pip, FALLBACK, "gunicorn"])


def _versions(python: str) -> dict[str, str]:
    script = (
        "import importlib.metadata as m, json, sys; "
        "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
    )
    return json.loads(_run([python, "-c", script, *REPORTED]))  # type: ignore[no-any-return]


def _write_project(root: Path) -> Path:
    site = root / "site"
    package = site / "helpdesk_site"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)
    (site / "seed.py").write_text(SEED)
    return site


def install(workdir: Path) -> Install:
    """A virtualenv with django-helpdesk and gunicorn, and a migrated project, under `workdir`."""
    root = workdir / NAME
    root.mkdir()
    _run([sys.executable, "-m", "venv", str(root / "venv")])
    bin_dir = root / "venv" / "bin"
    _pip_install(bin_dir)
    peer = Install(bin_dir, _write_project(root), _versions(str(bin_dir / "python")))
    peer.run(peer.python, "-m", "django", "migrate", "--noinput")
    return peer


def seed(peer: Install, tickets: int) -> Seeded:
    started = time.monotonic()
    data = json.loads(peer.run(peer.python, "seed.py", str(tickets)).splitlines()[-1])
    return Seeded(data["token"], data["queue"], data["ids"], time.monotonic() - started)


def _requests(seeded: Seeded) -> dict[str, list[Request]]:
    """EDM's create texts with django-helpdesk's fields; gets on random seeded ids."""
    rng = random.Random(1)
    creates: list[Request] = []
    for _, _, body in create_requests():
        ticket = json.loads(body or "{}")
        fields = {
            "queue": seeded.queue,
            "title": ticket["title"],
            "description": ticket["description"],
            "priority": rng.randint(1, 5),
        }
        creates.append(("POST", API, json.dumps(fields)))
    ids = rng.sample(seeded.ids, min(len(seeded.ids), SAMPLE))
    return {
        "get": [("GET", f"{API}{i}/", None) for i in ids],
        "list": [("GET", f"{API}?page_size={PAGE}", None)],
        "create": creates,
    }


def _wait_idle(pids: Sequence[int], timeout: float = 120.0) -> None:
    """Wait until the server has worked off the requests wrk gave up on.

    A sync gunicorn worker still serves every request left in its listen
    backlog after wrk closed the connections: at a few reads a second, 16
    connections leave seconds of work that would land in the next measurement.
    """
    deadline = time.monotonic() + timeout
    spent = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(cpu_seconds(pid) for pid in pids)
        if now - spent < 0.05:
            return
        spent = now


def _gunicorn(peer: Install, port: int, workers: int) -> list[str]:
    return [
        str(peer.bin / "gunicorn"),
        "helpdesk_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def run_peer(
    workdir: Path,
    wrk: str,
    load: Load,
    *,
    workers: int,
    tickets: int,
    rate: Callable[[Result, str], None],
    on_result: Callable[[Result], None],
) -> dict[str, object]:
    """Install, seed, serve and measure django-helpdesk: a report block like EDM's."""
    peer = install(workdir)
    version = peer.versions[NAME]
    print(f"  installed {', '.join(f'{n} {v}' for n, v in peer.versions.items())}", flush=True)
    seeded = seed(peer, tickets)
    port = free_port()
    headers = [f"Authorization: Token {seeded.token}", "Content-Type: application/json"]
    results = []
    command = _gunicorn(peer, port, workers)
    server = Server.start(NAME, command, peer.env(), port, workdir / f"{NAME}.log")
    try:
        for op, lines in _requests(seeded).items():
            target = Target(wrk, server.url, headers, server.pids())
            replay = Replay(write_requests(workdir / f"{NAME}-{op}.txt", lines))
            drain = functools.partial(_wait_idle, target.server_pids)
            result = measure(op, target, replay, load, settle=drain)
            rate(result, CEILING_OF[op])
            results.append(result)
            on_result(result)
    finally:
        server.stop()
    return {
        "peer": NAME,
        "title": f"{NAME} {version}, SQLite, {tickets:,} tickets",
        "versions": peer.versions,
        "database": "sqlite",
        "size": tickets,
        "seed_seconds": seeded.seconds,
        "results": [r.to_json() for r in results],
    }
