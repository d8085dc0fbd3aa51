"""The README's pictures, taken from the demo (`make screenshots`, issue #24).

Loads the demo content into a throwaway embedded PostgreSQL in /tmp/forum-screenshots-pg (never
var/postgres), holds two comments for the moderation queue, serves it with gunicorn and
gunicorn.conf.py, and photographs it with Debian's Chromium: docs/images/article.png (an article
and its discussion), phone.png (its top at 360 px, dark) and moderation-queue.png (the admin).
`python docs/screenshots.py DIR` writes them into DIR instead.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from forum import database  # noqa: E402  (needs the path above)

PG_DIR = Path("/tmp/forum-screenshots-pg")
STATIC_ROOT = Path("/tmp/forum-screenshots-static")
IMAGES = Path(sys.argv[1]) if len(sys.argv) > 1 else BASE / "docs" / "images"
PASSWORD = secrets.token_urlsafe(16)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
HELD = [
    ("Ravi Chen", "Does anyone know if the library lends to people outside the street? "
     "See https://example.com/tools and https://example.com/hours and https://example.com/map"),
    ("Marta Kowalski", "We would love to start one too. Who do we talk to at the council?"),
]  # fmt: skip


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/forum-runtime-{os.getuid()}")
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    remove_cluster()
    server = None
    try:
        env = set_up(database.url(PG_DIR))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2"],
            cwd=BASE, env={**env, "PORT": str(port), "ACCESS_LOG": "0"},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/healthz")
        photograph(url)
    finally:
        if server:
            server.terminate()
            server.wait(10)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        remove_cluster()


def set_up(database_url):
    """Migrate, load the demo and hold two comments; the environment gunicorn gets."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="forum.settings", DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0", DJANGO_DEBUG="0", DJANGO_STATIC_ROOT=str(STATIC_ROOT),
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article
    from comments import services
    from comments.models import DiscussionSettings

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo", verbosity=0)
    rules = DiscussionSettings.load()
    rules.flood_seconds = rules.new_author_flood_seconds = 0
    rules.save()
    article = Article.objects.published().order_by("-published_at").first()
    for name, body in HELD:  # first comments, so the "hold first comments" rule holds them
        email = f"{name.split()[0].lower()}@example.com"
        services.post_comment(article=article, body=body, author_name=name, author_email=email)
    return dict(os.environ)


def photograph(url):
    from playwright.sync_api import sync_playwright

    from articles.models import Article

    article = Article.objects.published().order_by("-published_at").first()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        desktop = browser.new_page(viewport={"width": 1280, "height": 1600})
        desktop.goto(url + article.get_absolute_url())
        desktop.screenshot(path=IMAGES / "article.png")
        phone = browser.new_page(
            viewport={"width": 360, "height": 780}, color_scheme="dark", device_scale_factor=2
        )
        phone.goto(url + article.get_absolute_url())
        phone.screenshot(path=IMAGES / "phone.png")
        admin = browser.new_page(viewport={"width": 1280, "height": 900})
        admin.goto(url + "/admin/login/")
        admin.fill("#id_username", "admin")
        admin.fill("#id_password", PASSWORD)
        admin.click("input[type=submit]")
        admin.goto(url + "/admin/comments/comment/queue/")
        admin.click("#toggle-nav-sidebar")  # the queue, not the list of models, fills the width
        admin.evaluate("window.scrollTo(0, 0)")
        admin.screenshot(path=IMAGES / "moderation-queue.png")
        browser.close()
    for name in ("article", "phone", "moderation-queue"):
        print(f"wrote {IMAGES / name}.png")


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remove_cluster():
    database.stop(PG_DIR)
    shutil.rmtree(PG_DIR, ignore_errors=True)
    shutil.rmtree(STATIC_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
