"""A throwaway PostgreSQL cluster: Debian's server binaries, a temporary folder, a free port, no service.

For the tests (tests/conftest.py's ``postgres_cluster``), the benchmark (bench/bench_board.py) and
the replica test, and for anyone who wants to try the class board on PostgreSQL by hand:

    .venv/bin/python deploy/postgres.py        # prints PLAYGROUND_DATABASE_URL=..., stops on Ctrl-C

``initdb`` refuses to run as root (as CI and containers run), so as root every server command runs
as the ``postgres`` user that Debian's ``postgresql`` package creates (``runuser``), in a folder under
the system's temporary folder that user owns. ``pg_ctl start`` gets a log file (``-l``): without one
the server would keep the caller's output pipe open. The cluster trusts local connections (it
listens on 127.0.0.1 and a socket in its own folder only) and is deleted when stopped.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: its folder is deploy/
    sys.path.insert(0, str(REPO))

from deploy.run_replicas import free_port  # noqa: E402

OS_USER = "postgres"
SUPERUSER = "postgres"


def find_bin() -> Path | None:
    """The folder of initdb and pg_ctl: $PG_BIN, else Debian's newest /usr/lib/postgresql/*/bin, else PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                         if Path(p).parent.name.isdigit() else 0, reverse=True)
    found = shutil.which("initdb")
    candidates.append(str(Path(found).parent) if found else "")
    for folder in filter(None, candidates):
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def unavailable_reason() -> str | None:
    """Why no throwaway cluster can be started here, or None when one can."""
    if find_bin() is None:
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed (apt-get install -y postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root, and there is no '{OS_USER}' user to run initdb as (Debian's postgresql makes it)"
        if shutil.which("runuser") is None:
            return "running as root without runuser (util-linux) to run initdb as the postgres user"
    return None


class Cluster:
    """One throwaway cluster. ``start()`` makes and starts it; ``url(database)`` is a SQLAlchemy URL;
    ``stop()`` stops the server (keeping its files, so ``start()`` brings it back with its data);
    ``destroy()`` stops it and deletes everything."""

    def __init__(self, port: int | None = None):
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.bin = find_bin()
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="playground-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.running = False
        if self.as_root:
            user = pwd.getpwnam(OS_USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.folder.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync", "--no-instructions")

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin / tool), *args]
        return ["runuser", "-u", OS_USER, "--", *command] if self.as_root else command

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(self._command(tool, *args), stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=timeout, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stdout[-2000:]}{result.stderr[-2000:]}"
                               f"{self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return "\n--- server log ---\n" + self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start(self, timeout: float = 60) -> Cluster:
        """Start the server (again) on its port and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(int(timeout)),
                  "-o", options, timeout=timeout + 30)
        self.running = True
        return self

    def start_if_stopped(self) -> Cluster:
        return self if self.running else self.start()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `mode` "immediate" is a crash (no shutdown checkpoint). Files stay."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60", timeout=90)
        self.running = False

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                               autocommit=True, connect_timeout=10)

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def kill_connections(self, database: str) -> int:
        """End every connection to `database` (as a crashed backend or a network cut would); returns how many."""
        with self._admin() as conn:
            return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchall())


@contextlib.contextmanager
def throwaway_cluster():
    """A started Cluster, destroyed on exit."""
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.destroy()


def main() -> None:
    with throwaway_cluster() as cluster:
        print(f"PLAYGROUND_DATABASE_URL={cluster.url()}", flush=True)
        print("Ctrl-C stops the cluster and deletes it.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
