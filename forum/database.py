"""The embedded PostgreSQL cluster used when DATABASE_URL is unset (issue #2).

The cluster lives in ``var/postgres`` and is shared by every process of the project: gunicorn's
master and workers, ``manage.py`` commands and the test run all attach to the running postmaster,
and the first one to arrive starts it (``start_if_embedded()`` in manage.py, wsgi.py and the
tests' conftest; importing the settings starts nothing, #11). It keeps running until
``python -m forum.database stop`` (``make run`` and ``make test`` do that on exit), so no process
depends on another's lifetime.

It listens on a Unix socket only, in the data directory (or, when that path is too long for a
socket, in a directory of /tmp named after it), so its address is known before it starts. It
prefers the PostgreSQL that ships in the ``pgserver`` wheel and falls back to PostgreSQL binaries
on the machine (``initdb``/``pg_ctl`` on PATH or under /usr/lib/postgresql/*/bin).
"""

import fcntl
import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "postgres"
PORT = "5432"  # with no TCP listener the port only names the socket file
SOCKET_PATH_MAX = 100  # Unix socket paths are limited to about 107 bytes

NO_POSTGRES = (
    "No PostgreSQL found: install the 'pgserver' package (Python 3.9-3.12) or PostgreSQL's "
    "server binaries, or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME to use your own."
)


class EmbeddedDatabaseError(RuntimeError):
    pass


def url(data_dir):
    """A postgres:// URL for the cluster in ``data_dir``, started if it is not running."""
    start(data_dir)
    return address(data_dir)


def address(data_dir):
    """The postgres:// URL of the cluster in ``data_dir``, running or not: it starts nothing."""
    data_dir = Path(data_dir).resolve()
    socket_dir, port = _running(data_dir) or (str(_socket_dir(data_dir)), PORT)
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/postgres"


def start(data_dir):
    """Start the cluster in ``data_dir`` unless it runs; return whether this call started it."""
    data_dir = Path(data_dir).resolve()
    if _running(data_dir) is not None:
        return False
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with _lock(data_dir):
        if _running(data_dir) is not None:
            return False
        _start(data_dir)
    return True


def start_if_embedded():
    """For a process that will connect: start the embedded cluster unless DATABASE_URL is set."""
    if not os.environ.get("DATABASE_URL", "").strip():
        start(DATA_DIR)


def stop(data_dir):
    """Stop the cluster in ``data_dir`` if it is running; return whether it was."""
    data_dir = Path(data_dir).resolve()
    if _running(data_dir) is None:
        return False
    bin_dir, user = _binaries()
    _run([bin_dir / "pg_ctl", "-D", data_dir, "-m", "fast", "-w", "stop"], user)
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True


def _running(data_dir):
    """(socket_dir, port) from postmaster.pid when its postmaster is alive and ready, else None."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
        pid, port, socket_dir, status = int(lines[0]), lines[3], lines[4], lines[7].strip()
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return (socket_dir, port) if status == "ready" else None


def _socket_dir(data_dir):
    if len(str(data_dir / f".s.PGSQL.{PORT}")) <= SOCKET_PATH_MAX:
        return data_dir
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    return Path("/tmp") / f"forum-pg-{digest}"


def _start(data_dir):
    bin_dir, user = _binaries()
    data_dir.mkdir(mode=0o700, exist_ok=True)
    socket_dir = _socket_dir(data_dir)
    socket_dir.mkdir(mode=0o700, exist_ok=True)
    if user:
        _ensure_user(user, data_dir)
        for path in {data_dir, socket_dir}:
            shutil.chown(path, user, user)
    if not (data_dir / "PG_VERSION").exists():
        _run(
            [bin_dir / "initdb", "-D", data_dir, "-U", "postgres", "-A", "trust", "-E", "UTF8"],
            user,
        )
    _run(
        [
            bin_dir / "pg_ctl",
            "-D",
            data_dir,
            "-l",
            data_dir / "log",
            "-w",
            "-o",
            f"-k {socket_dir} -p {PORT} -c listen_addresses=''",
            "start",
        ],  # fmt: skip
        user,
    )
    return _running(data_dir)


def _ensure_user(user, data_dir):
    """The OS user exists and can reach the data directory (PostgreSQL refuses to run as root)."""
    try:
        from pgserver.utils import ensure_prefix_permissions, ensure_user_exists
    except ImportError:
        return  # the machine's own PostgreSQL: its "postgres" user exists
    ensure_user_exists(user)
    ensure_prefix_permissions(data_dir)


def _binaries():
    """PostgreSQL's bin directory and the OS user to run it as (PostgreSQL refuses root)."""
    user = None
    if os.geteuid() == 0:
        user = "pgserver"
        try:
            pwd.getpwnam(user)
        except KeyError:
            user = "postgres"
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH), user
    except ImportError:
        pass
    candidates = [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))]
    for pg_ctl in filter(None, reversed(candidates)):
        bin_dir = Path(pg_ctl).resolve().parent
        if (bin_dir / "initdb").exists():
            return bin_dir, user
    raise EmbeddedDatabaseError(NO_POSTGRES)


def _run(args, user):
    args = [str(a) for a in args]
    if user:
        args = ["runuser", "-u", user, "--", *args]
    done = subprocess.run(args, capture_output=True, text=True, cwd="/")
    if done.returncode:
        raise EmbeddedDatabaseError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")


class _lock:
    """An exclusive file lock beside the data directory, so only one process starts the cluster."""

    def __init__(self, data_dir):
        self.path = data_dir.parent / f".{data_dir.name}.lock"

    def __enter__(self):
        self.file = open(self.path, "w")  # noqa: SIM115 - closed in __exit__
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        self.file.close()


def main(argv):
    command = argv[1] if len(argv) > 1 else "url"
    if os.environ.get("DATABASE_URL"):
        return 0  # an external database: nothing to start or stop
    if command == "start":
        print("started" if start(DATA_DIR) else "running")
    elif command == "url":
        print(url(DATA_DIR))
    elif command == "stop":
        print("embedded PostgreSQL stopped" if stop(DATA_DIR) else "not running")
    else:
        print("usage: python -m forum.database [start|stop|url]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
