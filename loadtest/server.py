"""The app servers: gunicorn with production-like settings on a free loopback port."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from .cluster import free_port
from .procstat import children

ROOT = Path(__file__).resolve().parent.parent


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """What a server runs with: DEBUG off, a generated key, kept and health-checked database
    connections, behind a proxy that ends TLS and says so in X-Forwarded-Proto. The settings
    are the product's but for where static files are collected (loadtest/settings.py)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="loadtest.settings",
        LOADTEST_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE="600",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        TASKS_BACKEND="database",
        LOG_LEVEL="ERROR",
    )
    return env


class Gunicorn:
    def __init__(self, *, database_url: str, workers: int, threads: int, folder: Path):
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.log = folder / "gunicorn.log"
        self.env = production_environment(database_url, folder / "static")
        self.process: subprocess.Popen | None = None

    @property
    def setting(self) -> str:
        return f"gthread workers={self.workers} threads={self.threads}"

    def collectstatic(self) -> None:
        """The deployment step the pages need with DEBUG off: the manifest of static files."""
        command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(  # noqa: S603 - fixed programs, no outside input
            command, cwd=ROOT, env=self.env, check=True
        )

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "digikompas.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            # The load generator keeps its connections, as a proxy in front would.
            "--keep-alive",
            "30",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(self.log),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed programs, no outside input
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        # Workers import the project before they answer: slow on a busy machine.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 180 s")

    def pids(self) -> list[int]:
        if self.process is None:
            return []
        return [self.process.pid, *children(self.process.pid)]

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
