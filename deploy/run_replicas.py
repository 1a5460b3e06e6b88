"""Several replicas of the app behind nginx with sticky sessions, on one machine, without Docker.

Starts N `streamlit run app.py` processes on free loopback ports and Debian's nginx in front of
them with deploy/nginx.conf (its `listen` line and replica addresses rewritten). nginx runs as
the current user with its prefix, logs and temp files in a work folder. Stopping kills every
process it started, replicas' children (e.g. training workers) included.

For the two-replica browser test, and for a teacher who wants to try replicas on one machine:

    .venv/bin/python deploy/run_replicas.py --replicas 2 --port 8080

serves http://127.0.0.1:8080 until Ctrl-C or SIGTERM (scripts/replicas.sh wraps it with
start/stop). PLAYGROUND_* environment variables are passed on to every replica.

The class board's database: every replica must use the same one, so that a class whose students
sit on different replicas has one board. ``PLAYGROUND_DATABASE_URL`` (a PostgreSQL URL) is passed
on; ``--postgres`` starts a throwaway PostgreSQL cluster for this run (deploy/postgres.py, deleted
at the end) and gives its URL to every replica. Without either, replicas on this one machine share
the default SQLite file (data/playground.sqlite3), which replicas on several machines cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script (scripts/replicas.sh): its folder is deploy/
    sys.path.insert(0, str(REPO))

from deploy.health import ServerGone, wait_for_health  # noqa: E402
NGINX_CONF = Path(__file__).resolve().with_name("nginx.conf")
UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+\S+:\d+(\s+[^;]*)?;[^\n]*\n", re.MULTILINE)
LISTEN = re.compile(r"^(\s*)listen\s+[^;]+;", re.MULTILINE)
AFFINITY = re.compile(r"^\s*hash\s+\$playground_affinity_key\s+consistent;[^\n]*\n", re.MULTILINE)


class DeployError(RuntimeError):
    """A replica or nginx did not start; the message says which and shows its log."""


def find_nginx() -> str | None:
    """Path of the nginx binary (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    for candidate in (os.environ.get("NGINX"), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def render_nginx_conf(template: str, listen: str, replicas: list[str], affinity: bool = True) -> str:
    """The example config with its `listen` and upstream `server` lines replaced.

    `affinity=False` drops the hash line, leaving nginx's round robin: only for the test that
    shows why affinity is needed. Raises ValueError when the template no longer has the lines
    this rewrites, so a reworded template fails loudly instead of serving the wrong ports.
    """
    if not replicas:
        raise ValueError("at least one replica address is needed")
    servers = list(UPSTREAM_SERVER.finditer(template))
    listens = list(LISTEN.finditer(template))
    if not servers or len(listens) != 1 or not AFFINITY.search(template):
        raise ValueError("deploy/nginx.conf must keep one `listen` line, the `hash $playground_affinity_key "
                         "consistent;` line and one `server host:port ...;` line per replica")
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    lines = "".join(f"{indent}server {address}{options};\n" for address in replicas)
    text = template[: servers[0].start()] + lines + template[servers[-1].end():]
    text = LISTEN.sub(lambda match: f"{match.group(1)}listen {listen};", text)
    if not affinity:
        text = AFFINITY.sub("", text)
    return text


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the process that started it dies (even by SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Process:
    """One child in its own process group, logging to a file; stop() ends the whole group."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None, cwd: Path = REPO):
        self.name, self.log = name, log
        with open(log, "w") as log_file:
            self.popen = subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                          start_new_session=True, preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM to the group, SIGKILL after `timeout`; also kills children left behind."""
        if self.running():
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
            pass

    def kill(self) -> None:
        """A crash: SIGKILL to the whole group at once, no clean-up inside the app."""
        self.signal_group(signal.SIGKILL)
        self.popen.wait(10)


def wait_healthy(url: str, process: Process, timeout: float = 120) -> None:
    """Wait until `url`/_stcore/health answers `ok` (through nginx or from a replica)."""
    try:
        wait_for_health(url, process.running, timeout)
    except ServerGone:
        raise DeployError(f"{process.name} exited with code {process.popen.returncode}:\n{process.log_tail()}") from None
    except TimeoutError:
        raise DeployError(f"{process.name} did not answer {url}/_stcore/health within {timeout:.0f} s:\n"
                          f"{process.log_tail()}") from None


class Nginx:
    """nginx in the foreground with its own prefix folder (pid, logs, temp files) under `work_dir`."""

    def __init__(self, work_dir: Path, listen_host: str, port: int, replicas: list[str], affinity: bool = True,
                 nginx: str | None = None, template: Path = NGINX_CONF):
        binary = nginx or find_nginx()
        if binary is None:
            raise DeployError("nginx is not installed (Debian: apt-get install nginx)")
        self.prefix = work_dir
        for folder in ("logs", "temp"):
            (self.prefix / folder).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # As root (CI containers) nginx's workers run as `nobody`: they must be able to reach
            # the temp folders the master creates for them (upload bodies, large responses).
            for folder in (self.prefix.parent, self.prefix):
                folder.chmod(folder.stat().st_mode | 0o111)
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(render_nginx_conf(template.read_text(), f"{listen_host}:{port}", replicas, affinity))
        self.url = f"http://{listen_host}:{port}"
        self.process = Process("nginx", [binary, "-p", f"{self.prefix}/", "-c", str(self.conf), "-e", "stderr",
                                         "-g", "daemon off;"], self.prefix / "nginx.out", cwd=self.prefix)

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "access.log"

    def start(self, timeout: float = 30) -> None:
        """Wait until a health check through nginx reaches a replica."""
        try:
            wait_for_health(self.url, self.process.running, timeout)
        except ServerGone:
            error_log = self.prefix / "logs" / "error.log"
            details = error_log.read_text(errors="replace")[-2000:] if error_log.exists() else ""
            raise DeployError(f"nginx exited with code {self.process.popen.returncode}:\n"
                              f"{self.process.log_tail()}{details}") from None
        except TimeoutError:
            raise DeployError(f"nginx did not answer {self.url}/_stcore/health within {timeout:.0f} s:\n"
                              f"{self.process.log_tail()}") from None

    def stop(self) -> None:
        self.process.stop()


class Replicas:
    """N replicas of the app plus nginx in front; a context manager that stops all of them.

        with Replicas(2) as deployment:
            deployment.url              # nginx, e.g. http://127.0.0.1:23456
            deployment.replica_urls     # each replica directly
            deployment.kill_replica(0)  # a crash, for failover tests
    """

    def __init__(self, replicas: int = 2, port: int | None = None, host: str = "127.0.0.1",
                 work_dir: Path | None = None, env: dict | None = None, affinity: bool = True):
        if replicas < 1:
            raise ValueError("at least one replica is needed")
        self.count, self.host, self.affinity = replicas, host, affinity
        self.port = port or free_port(host)
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="playground-replicas-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **(env or {})}
        self.replicas: list[Process] = []
        self.replica_ports: list[int] = []
        self.frontends: list[Nginx] = []

    @property
    def url(self) -> str:
        return self.frontends[0].url

    @property
    def replica_addresses(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.replica_ports]

    @property
    def replica_urls(self) -> list[str]:
        return [f"http://{address}" for address in self.replica_addresses]

    def start(self) -> "Replicas":
        try:
            for index in range(self.count):
                port = free_port()
                self.replica_ports.append(port)
                self.replicas.append(Process(
                    f"replica {index} (port {port})",
                    [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                     "--server.address", "127.0.0.1", "--server.port", str(port),
                     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                    self.work_dir / f"replica-{index}.log", env=self.env))
            for process, url in zip(self.replicas, self.replica_urls):
                wait_healthy(url, process)
            self.add_frontend(self.affinity, self.port)
        except BaseException:
            self.stop()
            raise
        return self

    def add_frontend(self, affinity: bool = True, port: int | None = None) -> Nginx:
        """Another nginx in front of the same replicas (e.g. without affinity, to show what breaks)."""
        port = port or free_port(self.host)
        frontend = Nginx(self.work_dir / f"nginx-{port}", self.host, port, self.replica_addresses, affinity)
        self.frontends.append(frontend)
        frontend.start()
        return frontend

    def kill_replica(self, index: int) -> None:
        self.replicas[index].kill()

    def stop(self) -> None:
        for process in [*(frontend.process for frontend in self.frontends), *self.replicas]:
            process.stop()
        if self._own_dir and os.environ.get("PLAYGROUND_KEEP_LOGS") != "1":
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> "Replicas":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="number of Streamlit servers (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx port (default 8080)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="nginx address (default 127.0.0.1; 0.0.0.0 to serve a classroom network)")
    parser.add_argument("--work-dir", type=Path, help="folder for logs, nginx's prefix and the ready file "
                                                      "(default: a new temporary folder, removed at the end)")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL cluster for the class board, shared by every replica "
                             "(deleted at the end); default: PLAYGROUND_DATABASE_URL, else the SQLite file")
    args = parser.parse_args(argv)
    if find_nginx() is None:
        print("nginx is not installed (Debian/Ubuntu: sudo apt-get install nginx)", file=sys.stderr)
        return 2

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)  # from here on, a stop also deletes a throwaway cluster
    with contextlib.ExitStack() as stack:
        env = {}
        if args.postgres:
            from deploy.postgres import throwaway_cluster, unavailable_reason

            reason = unavailable_reason()
            if reason:
                print(reason, file=sys.stderr)
                return 2
            try:
                env["PLAYGROUND_DATABASE_URL"] = stack.enter_context(throwaway_cluster()).url()
            except KeyboardInterrupt:
                return 0
            print(f"class board: PostgreSQL {env['PLAYGROUND_DATABASE_URL']} (throwaway, deleted at the end)")
        elif not os.environ.get("PLAYGROUND_DATABASE_URL"):
            print("class board: every replica uses the SQLite file data/playground.sqlite3 (one machine only; "
                  "set PLAYGROUND_DATABASE_URL to a PostgreSQL database, or pass --postgres)")
        return _serve(args, env)


def _serve(args, env: dict) -> int:
    """Start the replicas and nginx; serve until Ctrl-C or SIGTERM."""
    ready = args.work_dir / "ready" if args.work_dir else None
    try:
        with Replicas(args.replicas, args.port, args.host, args.work_dir, env=env) as deployment:
            for address, process in zip(deployment.replica_addresses, deployment.replicas):
                print(f"replica http://{address}  pid {process.pid}  log {process.log}")
            print(f"nginx   {deployment.url}  pid {deployment.frontends[0].process.pid}  "
                  f"logs {deployment.frontends[0].prefix / 'logs'}")
            print(f"Open {deployment.url} . Ctrl-C (or scripts/replicas.sh stop) stops everything.", flush=True)
            if ready:
                ready.write_text(deployment.url + "\n")
            reported = set()
            while True:
                for process in [*deployment.replicas, deployment.frontends[0].process]:
                    if not process.running() and process.name not in reported:
                        reported.add(process.name)
                        print(f"{process.name} exited with code {process.popen.returncode}; its sessions are lost, "
                              f"nginx sends their reloads to the others. Log: {process.log}", file=sys.stderr,
                              flush=True)
                time.sleep(2)
    except KeyboardInterrupt:
        return 0
    except DeployError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if ready:
            ready.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
