"""Faults (issue #6): the database going away, a gunicorn worker killed, and what readers see.

The slow tests run the real thing: a throwaway PostgreSQL cluster in /tmp, migrated, served by
the project's gunicorn.conf.py with two workers, and stopped, restarted or robbed of a worker
while clients talk to it over HTTP.
"""

import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError

import articles.views
from comments import services
from forum import database
from tests.factories import make_user

FRIENDLY = "Back in a moment"
TIMEOUT = 10  # seconds, for every HTTP request and process wait

# Run in the throwaway database by `manage.py shell`: posting rules off so every post is
# accepted, an article with one thread, and a signed-in staff session (as force_login makes it).
SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from comments import services
from comments.models import DiscussionSettings
from articles.models import Article

rules = DiscussionSettings.load()
rules.hold_first_comment = False
for rule in ("flood_seconds", "new_author_flood_seconds", "min_fill_seconds"):
    if hasattr(rules, rule):
        setattr(rules, rule, 0)
rules.save()
staff = get_user_model().objects.create(username="editor", is_staff=True)
article = Article.objects.create(
    title="Faults", body="Text.", status="published", published_at=timezone.now(), author=staff
)
root = services.post_comment(
    article=article, body="The first comment", author_name="Ana", author_email="ana@example.com"
)
session = SessionStore()
session[SESSION_KEY] = str(staff.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
session.create()
print(json.dumps({"article_url": article.get_absolute_url(), "article_id": article.pk,
                  "root_id": root.pk, "tree_id": root.tree_id, "session": session.session_key}))
"""
TREE_ERRORS = (
    "import json; from comments.trees import tree_errors; print(json.dumps(tree_errors()))"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args, env):
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@dataclass
class Site:
    url: str
    server: subprocess.Popen
    data_dir: Path
    dsn: str
    env: dict
    article_url: str
    article_id: int
    root_id: int
    tree_id: int
    session: str

    def get(self, path, **kwargs):
        return fetch(self.url + path, **kwargs)

    def post_comment(self, form, body, *, parent="", opener=None, email="load@example.com"):
        data = {**form, "body": body, "author_name": "Load", "author_email": email,
                "author_url": "", "parent": parent}  # fmt: skip
        return fetch(
            f"{self.url}/comments/post/{self.article_id}/",
            data=data,
            opener=opener,
            headers={"Referer": self.url + self.article_url},
        )

    def acknowledged_id(self, status, headers):
        """The new comment's id when the answer is the success redirect, else None."""
        location = headers.get("Location", "") if status == 302 else ""
        # The new comment's permalink.
        match = re.fullmatch(rf"({re.escape(self.url)})?/comments/(\d+)/", location)
        return int(match.group(2)) if match else None

    def workers(self):
        """Pids of the gunicorn master's live children."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            except (OSError, IndexError):
                continue
            if int(ppid) == self.server.pid and state != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def comments(self, ids):
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute(
                "SELECT id, body FROM comments_comment WHERE id = ANY(%s)", [list(ids)]
            )
            return dict(rows.fetchall())

    def tree_errors(self):
        return json.loads(manage("shell", "-c", TREE_ERRORS, env=self.env))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as it is, so its Location can be read


def browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(url, *, data=None, opener=None, headers=None):
    """(status, headers, body) of one request; connection errors are raised (OSError)."""
    encoded = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=encoded, headers=headers or {})
    try:
        with (opener or browser()).open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


def form_fields(page):
    """The hidden fields of the comment form on ``page`` (CSRF token, bot-trap timestamp)."""
    form = re.search(r'<form[^>]*action="/comments/post/\d+/".*?</form>', page, re.S).group(0)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def wait_until(condition, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(message)


def server_env(database_url, static_root, **extra):
    """The environment of a gunicorn serving the project on 127.0.0.1, 2 workers."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "server-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",  # plain HTTP on 127.0.0.1
        "DJANGO_STATIC_ROOT": str(static_root),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        **extra,
    }


def stop(process):
    """Stop a server started for a test: politely, then by force."""
    process.terminate()
    try:
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=TIMEOUT)


def answers(site, path, status):
    try:
        return site.get(path)[0] == status
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A throwaway cluster, migrated, and gunicorn (2 workers) serving it; stopped afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="forum-faults-", dir="/tmp"))
    parent.chmod(0o755)  # the server runs as another user when the tests run as root
    data_dir = parent / "postgres"
    server = None
    try:
        url = database.url(data_dir)
        port = free_port()
        env = server_env(url, tmp_path_factory.mktemp("static"), PORT=str(port))
        manage("migrate", "--noinput", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        made = json.loads(manage("shell", "-c", SETUP, env=env))
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        site = Site(
            url=f"http://127.0.0.1:{port}",
            server=server,
            data_dir=data_dir,
            dsn=url.replace("postgres://", "postgresql://", 1),
            env=env,
            **made,
        )
        wait_until(lambda: answers(site, "/healthz", 200), 20, "gunicorn did not start")
        yield site
    finally:
        if server is not None:
            stop(server)
        database.stop(data_dir)
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def site(server):
    """The served site with its database up, whatever an earlier test left behind."""
    database.url(server.data_dir)
    wait_until(lambda: answers(server, "/healthz", 200), 15, "the site did not answer 200")
    return server


def test_a_database_error_in_a_view_is_the_friendly_503_page_without_queries(
    client, db, monkeypatch, django_assert_num_queries
):
    client.force_login(make_user(is_staff=True))  # the layout would ask who the user is

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(articles.views.Article.objects, "for_front_page", unreachable)
    with django_assert_num_queries(0):
        response = client.get("/", secure=True)  # production serves HTTPS only
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert FRIENDLY in page
    assert 'class="site-header"' in page  # the site's own layout
    assert 'href="/admin/"' not in page  # rendered without the request: no user was looked up


@pytest.mark.slow
def test_with_the_database_down_every_page_is_a_friendly_503_and_it_recovers_without_restart(
    site,
):
    staff = {"Cookie": f"sessionid={site.session}"}
    status, _, page = site.get(site.article_url, headers=staff)
    assert status == 200
    assert 'href="/admin/"' in page  # the staff session works
    reader = browser()  # keeps the CSRF cookie that goes with the form's token
    form = form_fields(site.get(site.article_url, opener=reader)[2])
    workers = site.workers()
    assert len(workers) == 2

    assert database.stop(site.data_dir) is True
    pages = [
        site.article_url,
        "/",
        f"/comments/{site.root_id}/",
        f"/comments/{site.root_id}/thread/",
    ]
    requests = [(path, who) for path in pages for who in ({}, staff)] + [("/admin/", staff)]
    for path, headers in requests:
        status, response_headers, page = site.get(path, headers=headers)
        assert status == 503, (path, page[:500])
        assert response_headers["Retry-After"] == "30"
        assert FRIENDLY in page
        assert "Traceback" not in page and "OperationalError" not in page
        assert 'href="/admin/"' not in page
    status, _, page = site.post_comment(form, "Posted while down", opener=reader)
    assert (status, FRIENDLY in page) == (503, True)
    assert site.get("/healthz")[0] == 503

    database.url(site.data_dir)  # PostgreSQL is back
    wait_until(lambda: answers(site, site.article_url, 200), 15, "the site did not recover")
    assert [site.get(site.article_url, headers=staff)[0] for _ in range(8)] == [200] * 8
    status, headers, _ = site.post_comment(form, "Posted after it came back", opener=reader)
    assert site.acknowledged_id(status, headers)
    assert site.server.poll() is None
    assert site.workers() == workers  # the same gunicorn, not even a worker restarted


@pytest.mark.slow
def test_no_acknowledged_comment_is_lost_when_the_database_restarts_under_load(site):
    outcomes = []  # (thread, body, status, acknowledged id, after_restart) or an error
    stop, restarted = threading.Event(), threading.Event()
    lock = threading.Lock()

    def poster(n):
        opener, form, mine = browser(), None, []
        for i in range(80):
            if stop.is_set():
                return
            try:
                if form is None:
                    status, _, page = fetch(site.url + site.article_url, opener=opener)
                    if status != 200:
                        time.sleep(0.05)
                        continue
                    form = form_fields(page)
                body = f"Load {n}.{i}"
                parent = str(mine[i % len(mine)]) if mine and i % 4 else ""
                status, headers, _ = site.post_comment(
                    form, body, parent=parent, opener=opener, email=f"load{n}@example.com"
                )
            except OSError as error:
                with lock:
                    outcomes.append(("error", repr(error)))
                continue
            new_id = site.acknowledged_id(status, headers)
            if new_id:
                mine.append(new_id)
            with lock:
                outcomes.append((n, body, status, new_id, restarted.is_set()))

    def count(condition):
        with lock:
            return sum(1 for outcome in outcomes if condition(outcome))

    clients = [threading.Thread(target=poster, args=(n,)) for n in range(4)]
    for client in clients:
        client.start()
    try:
        wait_until(lambda: count(lambda o: o[0] != "error" and o[3]) >= 20, 30, "no posts")
        database.stop(site.data_dir)
        wait_until(lambda: count(lambda o: o[0] != "error" and o[2] == 503) >= 3, 10, "no 503")
        database.url(site.data_dir)
        restarted.set()
        wait_until(lambda: count(lambda o: o[0] != "error" and o[3] and o[4]) >= 20, 30, "stuck")
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
    assert not any(client.is_alive() for client in clients)

    assert [o for o in outcomes if o[0] == "error"] == []
    refused = [o for o in outcomes if not o[3]]
    assert all(o[2] == 503 or 400 <= o[2] < 500 for o in refused), refused
    acknowledged = {o[3]: o[1] for o in outcomes if o[3]}
    assert len(acknowledged) >= 40
    assert site.comments(acknowledged) == acknowledged  # every one of them, by id, with its text
    assert site.tree_errors() == []


@pytest.mark.slow
def test_a_worker_killed_mid_request_is_replaced_and_the_site_keeps_serving(site):
    workers = site.workers()
    assert len(workers) == 2
    writers = [browser(), browser()]
    forms = [form_fields(site.get(site.article_url, opener=w)[2]) for w in writers]
    posts, reads, stop = [], [], threading.Event()

    def reply(n):
        try:
            status, headers, _ = site.post_comment(
                forms[n], f"Reply {n}", parent=str(site.root_id), opener=writers[n]
            )
            posts.append((f"Reply {n}", site.acknowledged_id(status, headers)))
        except OSError as error:
            posts.append((f"Reply {n}", error))

    def reader():
        for _ in range(300):  # a client loop running through the kill
            if stop.is_set():
                return
            try:
                reads.append((site.get("/")[0], time.monotonic()))
            except OSError as error:
                reads.append((error, time.monotonic()))

    clients = [threading.Thread(target=reply, args=(n,)) for n in (0, 1)]
    clients.append(threading.Thread(target=reader))
    waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    try:
        with psycopg.connect(site.dsn) as holder, psycopg.connect(site.dsn) as probe:
            # Hold the thread's lock: both replies then wait inside PostgreSQL, so both workers
            # are in the middle of a request when one of them is killed.
            probe.autocommit = True
            lock = "SELECT pg_advisory_xact_lock(%s, %s)"
            holder.execute(lock, [services.THREAD_LOCK, site.tree_id])
            for client in clients:
                client.start()
            wait_until(lambda: probe.execute(waiting).fetchone()[0] >= 2, 10, "not waiting")
            os.kill(workers[0], signal.SIGKILL)
            killed_at = time.monotonic()
            holder.rollback()  # releases the lock
        wait_until(
            lambda: len(site.workers()) == 2 and workers[0] not in site.workers(),
            15,
            "the killed worker was not replaced",
        )
        wait_until(lambda: sum(t > killed_at for s, t in reads if s == 200) >= 5, 15, "no reads")
    finally:
        stop.set()
        for client in clients:
            if client.is_alive():
                client.join(timeout=30)

    assert not any(client.is_alive() for client in clients)
    assert site.server.poll() is None
    assert all(status == 200 for status, _ in reads), reads
    assert [site.get(site.article_url)[0] for _ in range(5)] == [200] * 5
    # The killed request's reply was never stored; the other one was.
    [(served_body, served_id)] = [(b, r) for b, r in posts if isinstance(r, int)]
    [(killed_body, error)] = [(b, r) for b, r in posts if isinstance(r, OSError)]
    assert site.comments([served_id]) == {served_id: served_body}
    with psycopg.connect(site.dsn) as conn:
        sql = "SELECT count(*) FROM comments_comment WHERE body = %s"
        assert conn.execute(sql, [killed_body]).fetchone() == (0,)
    assert site.tree_errors() == []
