"""The embedded PostgreSQL cluster used when DATABASE_URL is unset (issue #2).

The cluster lives in ``var/postgres`` and is shared by every process of the project: gunicorn's
master and workers, ``manage.py`` commands and the test run all attach to the running postmaster,
and the first one to arrive starts it. It keeps running until ``python -m forum.database stop``
(``make run`` and ``make test`` do that on exit), so no process depends on another's lifetime.

It prefers the PostgreSQL that ships in the ``pgserver`` wheel and falls back to PostgreSQL
binaries on the machine (``initdb``/``pg_ctl`` on PATH or under /usr/lib/postgresql/*/bin).
"""

import fcntl
import glob
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "postgres"

NO_POSTGRES = (
    "No PostgreSQL found: install the 'pgserver' package (Python 3.9-3.12) or PostgreSQL's "
    "server binaries, or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME to use your own."
)


class EmbeddedDatabaseError(RuntimeError):
    pass


def url(data_dir):
    """A postgres:// URL for the cluster in ``data_dir``, started if it is not running."""
    data_dir = Path(data_dir).resolve()
    running = _running(data_dir)
    if running is None:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        with _lock(data_dir):
            running = _running(data_dir) or _start(data_dir)
    socket_dir, port = running
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/postgres"


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


def _start(data_dir):
    try:
        import pgserver
    except ImportError:
        return _start_with_system_binaries(data_dir)
    # cleanup_mode=None: the cluster outlives this process; `stop()` ends it. The class rather than
    # get_server(), which would hand back a cached handle to a cluster stopped since.
    data_dir.mkdir(exist_ok=True)
    server = pgserver.PostgresServer(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    return str(info.socket_dir), str(info.port)


def _start_with_system_binaries(data_dir):
    bin_dir, user = _binaries()
    data_dir.mkdir(mode=0o700, exist_ok=True)
    if user:
        shutil.chown(data_dir, user, user)
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
            f"-k {data_dir} -c listen_addresses=''",
            "start",
        ],  # fmt: skip
        user,
    )
    return _running(data_dir)


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
        was_running = _running(DATA_DIR.resolve()) is not None
        url(DATA_DIR)
        print("running" if was_running else "started")
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
