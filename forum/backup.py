"""Back up and restore the site's database with pg_dump and pg_restore (issue #6).

    python -m forum.backup dump [FILE]     # default: var/backups/forum-<UTC timestamp>.dump
    python -m forum.backup restore FILE    # replaces the data in the database with FILE's

It works on the database the site uses: DATABASE_URL when it is set, else the embedded cluster in
var/postgres (started if needed). Dumps are pg_dump's custom format, so pg_restore can restore all
of them or part. The newest pg_dump on the machine is used, the pgserver wheel's included,
because pg_dump refuses a server newer than itself. The connection goes through PG* environment
variables, so no password shows on a command line.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url

from forum import database

BACKUP_DIR = Path(__file__).resolve().parent.parent / "var" / "backups"
TIMEOUT = 3600  # seconds: a dump or restore that takes longer is stuck, not slow


class BackupError(RuntimeError):
    pass


def dump(path=None):
    """Write a custom-format dump of the site's database to ``path``; return the path."""
    path = Path(path) if path else default_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # dumps hold emails and IPs
    partial = path.with_name(path.name + ".partial")  # never leave a half file under the name
    try:
        _run([binary("pg_dump"), "--format=custom", f"--file={partial}"])
        partial.chmod(0o600)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path):
    """Replace the site's tables with those in the dump at ``path``, all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    restore_args = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([binary("pg_restore"), *restore_args, f"--dbname={_env()['PGDATABASE']}", path])


def default_path():
    return BACKUP_DIR / f"forum-{datetime.now(UTC):%Y%m%d-%H%M%S}.dump"


def binary(name):
    """The newest ``name`` (pg_dump, pg_restore) found: pgserver's, on PATH, or Debian's."""
    candidates = [shutil.which(name), *glob.glob(f"/usr/lib/postgresql/*/bin/{name}")]
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        candidates.insert(0, str(Path(POSTGRES_BIN_PATH) / name))
    except ImportError:
        pass
    versions = {}
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
        except OSError:
            continue
        if match := re.search(r"(\d+)\.(\d+)", out):
            versions[candidate] = tuple(map(int, match.groups()))
    if not versions:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs.")
    return max(versions, key=versions.get)


def _env():
    """PG* variables for the site's database, from DATABASE_URL or the embedded cluster."""
    url = os.environ.get("DATABASE_URL", "").strip() or database.url(database.DATA_DIR)
    db = dj_database_url.parse(url)
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": db.get("OPTIONS", {}).get("sslmode"),
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def _run(args):
    args = [str(a) for a in args]
    try:
        done = subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{args[0]} did not finish in {TIMEOUT} seconds") from None
    if done.returncode:
        raise BackupError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def main(argv):
    command, *files = argv[1:] or [""]
    try:
        if command == "dump" and len(files) <= 1:
            print(f"Backup written to {dump(*files)}")
        elif command == "restore" and len(files) == 1:
            restore(files[0])
            print(f"Restored {files[0]}")
        else:
            print("usage: python -m forum.backup dump [FILE] | restore FILE", file=sys.stderr)
            return 2
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
