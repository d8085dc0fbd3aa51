"""The real site for the slow tests: gunicorn with the project's gunicorn.conf.py on 127.0.0.1,
and a client that talks to it over HTTP.

``serve()`` is the one way a test starts gunicorn; a throwaway cluster with a thread and a staff
session in it (``SETUP``, ``Site``) is shared by the tests that need a database of their own.
"""

import html
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

TIMEOUT = 10  # seconds, for every HTTP request and process wait

# Run in a throwaway database by `manage.py shell`: posting rules off so every post is accepted,
# an article with one thread, and a signed-in staff session (as force_login makes it).
SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from accounts.sessions import SessionStore
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
session[BACKEND_SESSION_KEY] = "accounts.sessions.ModelBackend"
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


def url_of_test_database(name=None):
    """The test database, or the database ``name`` on the same server, as a DATABASE_URL for a
    process of its own to connect to."""
    db = connection.settings_dict
    host = urllib.parse.quote(db["HOST"] or "localhost", safe="")
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{name or db['NAME']}"


def libpq(url):
    """A postgres:// URL as psycopg takes it."""
    return url.replace("postgres://", "postgresql://", 1)


def sql(url, query, params=()):
    """Run ``query`` in the database at ``url``, committed at once; its rows, if it has any."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def wait_until(condition, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(message)


def server_env(database_url, static_root, *, workers=2, **extra):
    """The environment of a gunicorn serving the project over plain HTTP on 127.0.0.1."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "server-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",  # plain HTTP on the loopback; production redirects to HTTPS
        "DJANGO_STATIC_ROOT": str(static_root),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
        **extra,
    }


def manage(*args, env):
    """Run ``manage.py *args`` in a process of its own; its last line of output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def children_of(parent):
    """Sorted pids of the live (not zombie) child processes of ``parent``."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError):
            continue
        if int(ppid) == parent and state != "Z":
            pids.append(int(stat.parent.name))
    return sorted(pids)


def stop(process):
    """Stop a process started for a test: politely, then by force."""
    process.terminate()
    try:
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=TIMEOUT)


def start(command, log=None, **kwargs):
    """Start ``command``, its output going to the file ``log`` (or nowhere)."""
    if log is None:
        return subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
        )
    with Path(log).open("w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)


@dataclass
class Server:
    url: str  # http://127.0.0.1:<port>
    process: subprocess.Popen  # the gunicorn master
    env: dict  # its environment, for manage.py commands on the same database


@contextmanager
def serve(database_url, static_root, *, workers=2, log=None, **extra_env):
    """gunicorn with the project's gunicorn.conf.py on a free port of 127.0.0.1, serving
    ``database_url``, up once /healthz answers 200; stopped when the block ends.

    Static files are collected into ``static_root`` unless they are there already, so servers
    that share one collect them once. ``log``: a file for gunicorn's output, else it is dropped.
    """
    static_root = Path(static_root)
    env = server_env(database_url, static_root, workers=workers, **extra_env)
    if not (static_root / "staticfiles.json").exists():  # the manifest collectstatic writes
        manage("collectstatic", "--noinput", "-v0", env=env)
    port = free_port()
    env["PORT"] = str(port)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    process = start(gunicorn, log, env=env, cwd=settings.BASE_DIR)
    try:
        server = Server(url=f"http://127.0.0.1:{port}", process=process, env=env)
        wait_until(lambda: answers(server.url + "/healthz", 200), 20, "gunicorn did not start")
        yield server
    finally:
        stop(process)


# nginx in front, as the README's deploy section requires (#23): the project's own
# deploy/nginx/proxy.conf, in a server of its own on a free port.
NGINX_CONF = """
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream forum {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        include {proxy_conf};
        location / {{ proxy_pass http://forum; }}
    }}
}}
"""


def nginx():
    """The nginx binary; a test without it fails in CI (which installs it) and is skipped
    elsewhere."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        message = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("FORUM_REQUIRE_BROWSER"):  # CI: a missing tool fails
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextmanager
def behind_nginx(server, work):
    """nginx with deploy/nginx/proxy.conf in front of ``server`` (a Server), up once /healthz
    answers through it; yields a Server whose url is nginx's."""
    binary = nginx()
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            work=work,
            user="user root;" if os.geteuid() == 0 else "",  # its temporary files are in work
            upstream=urllib.parse.urlsplit(server.url).netloc,
            port=port,
            proxy_conf=Path(settings.BASE_DIR) / "deploy" / "nginx" / "proxy.conf",
        )
    )
    process = start([binary, "-p", str(work), "-c", str(conf)], work / "nginx.log")
    try:
        front = Server(url=f"http://127.0.0.1:{port}", process=server.process, env=server.env)
        wait_until(lambda: answers(front.url + "/healthz", 200), 10, "nginx did not start")
        yield front
    finally:
        stop(process)


# Talking to it over HTTP, as a browser would.


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as it is, so its Location can be read


def browser(jar=None, *, follow_redirects=False):
    """A reader's browser: keeps its cookies (in ``jar``, if given). Unless told to follow
    redirects, a redirect comes back as it is."""
    cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar() if jar is None else jar)
    return urllib.request.build_opener(cookies, *([] if follow_redirects else [NoRedirect]))


def fetch(url, *, data=None, opener=None, headers=None):
    """(status, headers, body) of one request; connection errors are raised (OSError)."""
    encoded = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = dict(headers or {})
    if data is not None:  # as every browser does with a form
        parts = urllib.parse.urlsplit(url)
        headers.setdefault("Origin", f"{parts.scheme}://{parts.netloc}")
    request = urllib.request.Request(url, data=encoded, headers=headers)
    try:
        with (opener or browser()).open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


def half_open(url, sent):
    """A connection to the server at ``url`` that has sent ``sent`` and then waits, as a slow
    client does (#23)."""
    parts = urllib.parse.urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
    connection.sendall(sent.encode())
    return connection


def not_accepted(url):
    """How many connections to the server at ``url`` (on 127.0.0.1) are still waiting for a
    worker to accept them: the listening socket's queue, as Linux shows it."""
    port = urllib.parse.urlsplit(url).port
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, _, state, queues = line.split()[1:5]
        if state == "0A" and local == f"0100007F:{port:04X}":  # LISTEN on 127.0.0.1:port
            return int(queues.split(":")[1], 16)
    return 0


def on_every_worker(url, path, workers):
    """GET ``path`` on each of the ``workers`` sync workers of gunicorn at ``url``: the requests
    are held half-sent until every one is accepted, and a sync worker takes one at a time. The
    status lines of the answers."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    connections = [half_open(url, head) for _ in range(workers)]
    try:
        wait_until(lambda: not_accepted(url) == 0, TIMEOUT, "the workers did not accept")
        for each in connections:
            each.sendall(b"Connection: close\r\n\r\n")
        return [each.makefile("rb").readline().decode().strip() for each in connections]
    finally:
        for each in connections:
            each.close()


def answers(url, status):
    """Whether ``url`` answers ``status``; not at all counts as no."""
    try:
        return fetch(url)[0] == status
    except OSError:
        return False


def form_fields(page):
    """The hidden fields of the comment form on ``page``: the bot-trap timestamp, and the CSRF
    token on a page made for a reader with a session."""
    form = re.search(r'<form[^>]*action="/comments/post/\d+/[^"]*".*?</form>', page, re.S).group(0)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


# A throwaway cluster of its own, made by SETUP and served by gunicorn.


@dataclass
class Site:
    url: str
    process: subprocess.Popen  # the gunicorn master
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
        return children_of(self.process.pid)

    def comments(self, ids):
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute(
                "SELECT id, body FROM comments_comment WHERE id = ANY(%s)", [list(ids)]
            )
            return dict(rows.fetchall())

    def tree_errors(self):
        return json.loads(manage("shell", "-c", TREE_ERRORS, env=self.env))


@contextmanager
def serve_setup(database_url, data_dir, static_root, **extra_env):
    """The throwaway cluster in ``data_dir`` (at ``database_url``) migrated, SETUP run in it,
    and served by ``serve()``; yields the Site."""
    env = server_env(database_url, static_root, **extra_env)
    manage("migrate", "--noinput", "-v0", env=env)
    made = json.loads(manage("shell", "-c", SETUP, env=env))
    with serve(database_url, static_root, **extra_env) as server:
        yield Site(
            url=server.url,
            process=server.process,
            data_dir=data_dir,
            dsn=libpq(database_url),
            env=server.env,
            **made,
        )
