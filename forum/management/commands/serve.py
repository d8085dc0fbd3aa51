"""Serve the site as `make run` does: gunicorn with gunicorn.conf.py, and one task worker for
the mail queue (issue #13). Ctrl-C (or SIGTERM) stops both; if one of them stops on its own, the
other is stopped too and the command fails, so that a broken worker is never silently missing."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GRACE = 10  # seconds each process gets to finish what it is doing


class Command(BaseCommand):
    help = "Run gunicorn and one task worker (manage.py db_worker); Ctrl-C stops both."

    def handle(self, **options):
        run = {"cwd": settings.BASE_DIR}
        processes = {
            "task worker": subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "-v1"], **run
            ),
            "gunicorn": subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], **run
            ),
        }
        for name in (signal.SIGINT, signal.SIGTERM):  # even where a shell started us ignoring them
            signal.signal(name, interrupt)
        stopped = None
        try:
            while stopped is None:
                time.sleep(0.5)
                stopped = next((n for n, p in processes.items() if p.poll() is not None), None)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                stop(process)
        if stopped:
            raise CommandError(f"The {stopped} stopped; the site was shut down.")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # both finish their request or task first
    try:
        process.wait(GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
