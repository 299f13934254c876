"""A throwaway PostgreSQL cluster on 127.0.0.1 that can be stopped and started again mid-run.

Like scripts/with-postgres: initdb into a temporary folder, trust authentication on loopback
only, run as the user "nobody" when we are root (PostgreSQL refuses root). Unlike it, durability
is the product's: synchronous_commit stays on, so a COMMIT the server acknowledged is in the
write-ahead log before the app answers the respondent. fsync is off (it only matters when the
machine itself crashes, which a restart of the server is not; the lead can turn it on with
--fsync to see its cost on the disk at hand).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) if x.isdigit() else x for x in p.parent.name.split(".")],
    )
    if not found or not (found[-1] / "initdb").exists():
        raise ClusterError(
            "PostgreSQL server programs not found; install Debian's postgresql package."
        )
    return found[-1]


class Cluster:
    def __init__(self, *, fsync: bool = False, max_connections: int = 100):
        self.bindir = _bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="digikompas-loadtest-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="nobody")
            self.as_owner = ["runuser", "-u", "nobody", "--"]
        self.options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            f"-c fsync={'on' if fsync else 'off'} -c full_page_writes={'on' if fsync else 'off'} "
            f"-c synchronous_commit=on -c max_connections={max_connections} "
            "-c shared_buffers=128MB"
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def version(self) -> str:
        out = subprocess.run(  # noqa: S603 - fixed programs, no outside input
            [self.bindir / "postgres", "--version"], capture_output=True, text=True, check=True
        )
        return out.stdout.split()[2]

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]
        done = subprocess.run(  # noqa: S603 - fixed programs, no outside input
            command, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise ClusterError(
                f"pg_ctl {' '.join(args)} failed:\n{done.stdout}{done.stderr}\n{self.tail()}"
            )

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def create(self) -> None:
        command = [*self.as_owner, str(self.bindir / "initdb"), "-D", str(self.data)]
        command += ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        done = subprocess.run(  # noqa: S603 - fixed programs, no outside input
            command, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise ClusterError(f"initdb failed:\n{done.stdout}{done.stderr}")
        self.start()

    def start(self) -> None:
        self._pg_ctl("-l", str(self.log), "-w", "-o", self.options, "start")

    def restart(self) -> float:
        """Restart the same cluster (fast shutdown: open transactions are rolled back, every
        committed one is kept); returns the seconds it took."""
        began = time.monotonic()
        self._pg_ctl("-l", str(self.log), "-w", "-m", "fast", "-o", self.options, "restart")
        return time.monotonic() - began

    def server_pids(self) -> list[int]:
        """The postmaster and its children (for the CPU they used)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        from .procstat import children

        return [postmaster, *children(postmaster)]

    def destroy(self) -> None:
        if self.data.exists():
            command = [*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.data)]
            subprocess.run(  # noqa: S603 - fixed programs, no outside input
                [*command, "-m", "immediate", "-w", "stop"], capture_output=True
            )
        shutil.rmtree(self.folder, ignore_errors=True)
