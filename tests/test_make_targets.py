"""What operators run (issue #24): `make clean` keeps the data and `make clean-data` asks first;
the access log is on in production and off for the demo's terminal."""

import runpy
import struct
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db  # the tests' cache, emptied before each, is a table


def make(*args, answer=None):
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=settings.BASE_DIR, input=answer,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_make_clean_leaves_the_database_and_the_backups_alone():
    commands = make("-n", "clean").stdout
    assert "rm -rf .venv node_modules var/staticfiles var/screenshots" in commands
    assert "rm -rf var\n" not in commands and "database stop" not in commands


def test_make_clean_data_deletes_nothing_unless_told_to(tmp_path):
    (tmp_path / "postgres").mkdir()
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "forum.dump").write_text("a backup")

    done = make("clean-data", f"DATA={tmp_path}", answer="yes\n")  # only "delete" will do

    assert done.returncode != 0
    assert 'Type "delete" to go on' in done.stdout and "Nothing deleted." in done.stdout
    assert (tmp_path / "backups" / "forum.dump").read_text() == "a backup"


def gunicorn_settings(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


def test_the_access_log_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("ACCESS_LOG", raising=False)
    assert gunicorn_settings(monkeypatch)["accesslog"] == "-"
    assert gunicorn_settings(monkeypatch, ACCESS_LOG="0")["accesslog"] is None
    assert gunicorn_settings(monkeypatch, ACCESS_LOG="1")["accesslog"] == "-"


def test_make_run_serves_without_the_access_log_unless_asked():
    commands = make("-n", "run").stdout
    assert "ACCESS_LOG=${ACCESS_LOG:-0}" in commands and "manage.py serve" in commands


def png_size(path):
    return struct.unpack(">II", path.read_bytes()[16:24])  # width and height, from IHDR


@pytest.mark.slow
@pytest.mark.browser
def test_make_screenshots_photographs_the_demo(tmp_path, browser_type_launch_args):
    # browser_type_launch_args: skipped, like every browser test, where Chromium is missing
    done = subprocess.run(
        [sys.executable, "docs/screenshots.py", str(tmp_path)], cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {path.name: png_size(path) for path in tmp_path.glob("*.png")} == {
        "article.png": (1280, 1600),
        "phone.png": (720, 1560),  # 360 px at twice the density
        "moderation-queue.png": (1280, 900),
    }
