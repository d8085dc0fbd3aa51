"""An optional read replica (DATABASE_REPLICA_URL): pages read from it, and a reader who wrote
reads from the primary until the replica has caught up.

The fast tests drive the router and its middleware with a replica in the settings and no server
behind it. The slow tests run the real thing: a throwaway primary cluster in /tmp, a hot standby
streaming from it (pg_basebackup -R), and the project's gunicorn serving both over HTTP. Pausing
replay on the standby makes it lag for as long as a test needs.
"""

import http.cookiejar
import json
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.http import HttpResponse

from articles.models import Article
from comments.models import DiscussionSettings
from forum import database
from forum.routers import PIN_COOKIE, PrimaryAfterWriteMiddleware, PrimaryReplicaRouter
from tests.factories import make_article
from tests.servers import (
    TIMEOUT,
    Site,
    browser,
    fetch,
    form_fields,
    libpq,
    serve_setup,
    sql,
    wait_until,
)
from tests.test_security import run_in_production

router = PrimaryReplicaRouter()


@pytest.fixture
def replica(settings):
    """Settings as DATABASE_REPLICA_URL makes them; nothing connects, so no server is needed."""
    with warnings.catch_warnings():  # Django warns that overriding DATABASES is unusual
        warnings.simplefilter("ignore")
        settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    settings.DATABASE_REPLICA_PIN_SECONDS = 10


def serve(request, view):
    """``view``'s response to ``request``, through the middleware as the site serves it."""
    return PrimaryAfterWriteMiddleware(view)(request)


def reads_from(seen):
    """A view that notes where a page's read goes, writing nothing."""

    def view(request):
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    return view


@pytest.mark.django_db
def test_a_page_reads_from_the_replica_and_writes_to_the_primary(replica, rf):
    DiscussionSettings.load()
    seen = []

    def view(request):
        DiscussionSettings.load()  # as every article page does: get_or_create asks for the primary
        seen.append((router.db_for_read(Article), router.db_for_write(Article)))
        return HttpResponse()

    response = serve(rf.get("/"), view)
    assert seen == [("replica", "default")]
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db
def test_after_a_write_the_page_reads_from_the_primary_and_the_reader_is_pinned(replica, rf):
    article = make_article()
    seen = []

    def view(request):
        seen.append(router.db_for_read(Article))
        Article.objects.filter(pk=article.pk).update(title="Changed")
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    response = serve(rf.get("/"), view)
    assert seen == ["replica", "default"]
    pin = response.cookies[PIN_COOKIE]
    assert (pin["max-age"], pin["httponly"], pin["samesite"]) == (10, True, "Lax")
    assert int(pin.value) == pytest.approx(time.time() + 10, abs=2)


def test_a_post_reads_from_the_primary_from_the_start_and_pins_the_reader(replica, rf):
    seen = []
    response = serve(rf.post("/"), reads_from(seen))
    assert seen == ["default"]
    assert PIN_COOKIE in response.cookies


@pytest.mark.parametrize(
    ("pin", "reads"),
    [
        (lambda now: now + 5, "default"),
        (lambda now: now - 1, "replica"),  # run out
        (lambda now: now + 3600, "replica"),  # further ahead than any pin the site sets
        (lambda now: "soon", "replica"),
    ],
    ids=["valid", "expired", "forged", "garbage"],
)
def test_a_reader_with_a_valid_pin_cookie_reads_from_the_primary(replica, rf, pin, reads):
    seen = []
    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = str(pin(int(time.time())))
    response = serve(request, reads_from(seen))
    assert seen == [reads]
    assert PIN_COOKIE not in response.cookies  # reading renews nothing


def test_each_request_starts_afresh_and_code_outside_a_request_reads_from_the_primary(replica, rf):
    seen = []
    serve(rf.post("/"), reads_from(seen))
    serve(rf.get("/"), reads_from(seen))
    assert seen == ["default", "replica"]
    assert router.db_for_read(Article) == "default"  # commands, the shell, migrations


def test_objects_from_either_database_relate_and_only_the_primary_is_migrated():
    on_primary, on_replica = Article(), Article()
    on_primary._state.db, on_replica._state.db = "default", "replica"
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.allow_migrate("default", "forum") is True
    assert router.allow_migrate("replica", "forum") is False


def test_without_a_replica_everything_stays_on_the_primary_and_a_writer_is_pinned(rf, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 0  # no replica to wait for
    settings.PAGE_VERSION_SECONDS = 1  # the article page's versions are a second old at most
    seen = []
    response = serve(rf.post("/"), reads_from(seen))
    assert seen == ["default"] and router.db_for_read(Article) == "default"
    # for as long as a worker remembers an article's versions (#29)
    assert response.cookies[PIN_COOKIE]["max-age"] == 1


READ_SETTINGS = """
import json, os
os.environ.update({"DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/forum",
                   "DATABASE_REPLICA_PIN_SECONDS": "30"})
from forum import settings as s
print(json.dumps({"replica": s.DATABASES["replica"], "routers": s.DATABASE_ROUTERS,
                  "pin": s.DATABASE_REPLICA_PIN_SECONDS}))
"""


def test_database_replica_url_adds_the_replica_as_a_mirror_of_the_primary():
    done = run_in_production(READ_SETTINGS, "postgres://forum@primary.internal:5432/forum")
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    db = loaded["replica"]
    assert (db["HOST"], db["USER"], db["NAME"]) == ("replica.internal", "reader", "forum")
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    assert db["TEST"] == {"MIRROR": "default"}
    assert loaded["routers"] == ["forum.routers.PrimaryReplicaRouter"]
    assert loaded["pin"] == 30


# The served site, with a real replica.

PIN_SECONDS = 30


@dataclass
class ReplicatedSite(Site):
    replica: str  # a libpq URL of the hot standby

    def caught_up(self):
        """Whether the standby has applied everything the primary has written so far."""
        [[lsn]] = sql(self.dsn, "SELECT pg_current_wal_lsn()::text")
        [[done]] = sql(self.replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return done

    def replay(self, *, paused):
        sql(self.replica, f"SELECT pg_wal_replay_{'pause' if paused else 'resume'}()")

    def has_comment(self, dsn, body):
        return sql(dsn, "SELECT count(*) FROM comments_comment WHERE body = %s", [body]) == [(1,)]


def start_standby(primary_dir, standby_dir):
    """A hot standby of the running cluster in ``primary_dir``; returns its postgres:// URL."""
    bin_dir, user = database._binaries()
    socket_dir, port = database._running(primary_dir)
    standby_dir.mkdir(mode=0o700)
    if user:
        shutil.chown(standby_dir, user, user)
    database._run(
        [bin_dir / "pg_basebackup", "-D", standby_dir, "-R", "-h", socket_dir, "-p", port,
         "-U", "postgres", "-c", "fast"],
        user,
    )  # fmt: skip
    # The primary's socket lives in its data directory, and the copy took the socket's lock.
    for lock in standby_dir.glob(".s.PGSQL.*.lock"):
        lock.unlink()
    # -R left standby.signal and primary_conninfo; start it as database.py starts a cluster.
    database._start(standby_dir)
    # Same port as the primary, in a socket directory of its own.
    return f"postgres://postgres@{urllib.parse.quote(str(standby_dir), safe='')}:{port}/postgres"


def stop_standby(standby_dir):
    if (standby_dir / "postmaster.pid").exists():
        bin_dir, user = database._binaries()
        database._run([bin_dir / "pg_ctl", "-D", standby_dir, "-m", "fast", "-w", "stop"], user)


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    """A primary, a hot standby of it, and gunicorn (2 workers) reading from the standby."""
    parent = Path(tempfile.mkdtemp(prefix="forum-replica-", dir="/tmp"))
    parent.chmod(0o755)  # the servers run as another user when the tests run as root
    primary_dir, standby_dir = parent / "primary", parent / "standby"
    try:
        primary = database.url(primary_dir)
        standby = start_standby(primary_dir, standby_dir)
        # Migrated on the primary; the standby follows.
        with serve_setup(
            primary, primary_dir, tmp_path_factory.mktemp("static"),
            DATABASE_REPLICA_URL=standby, DATABASE_REPLICA_PIN_SECONDS=str(PIN_SECONDS),
        ) as site:  # fmt: skip
            yield ReplicatedSite(**vars(site), replica=libpq(standby))
    finally:
        try:
            stop_standby(standby_dir)
        finally:
            database.stop(primary_dir)
            shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def lagging(replicated):
    """The site with its standby receiving the primary's changes but applying none of them."""
    site = replicated
    wait_until(site.caught_up, TIMEOUT, "the standby did not catch up with the primary")
    site.replay(paused=True)
    yield site
    site.replay(paused=False)


def post_comment(site, body):
    """Post ``body`` through the article page's form; the poster's jar and the page shown next."""
    jar = http.cookiejar.CookieJar()
    reader = browser(jar, follow_redirects=True)
    _, _, page = fetch(site.url + site.article_url, opener=reader)
    status, _, page = site.post_comment(form_fields(page), body, opener=reader)
    assert status == 200, page
    return jar, page


@pytest.mark.slow
def test_a_reader_is_served_from_the_replica(lagging):
    """A change on the primary reaches readers once the replica applies it, and reading pins
    nobody to the primary."""
    site = lagging
    query = "UPDATE articles_article SET title = 'Retitled on the primary' WHERE id = %s"
    sql(site.dsn, query, [site.article_id])
    status, headers, page = site.get(site.article_url)
    assert status == 200
    assert "Retitled on the primary" not in page
    assert PIN_COOKIE not in (headers.get("Set-Cookie") or "")
    site.replay(paused=False)
    wait_until(
        lambda: "Retitled on the primary" in site.get(site.article_url)[2],
        TIMEOUT,
        "the page never showed what the replica applied",
    )


@pytest.mark.slow
def test_the_poster_sees_their_comment_at_once_while_the_replica_lags(lagging):
    """The redirect after posting shows the new comment, read from the primary: the replica
    does not have it yet."""
    site = lagging
    jar, page = post_comment(site, "Seen by its poster at once")
    assert "Seen by its poster at once" in page
    assert site.has_comment(site.dsn, "Seen by its poster at once")
    assert not site.has_comment(site.replica, "Seen by its poster at once")
    [pin] = [cookie for cookie in jar if cookie.name == PIN_COOKIE]
    assert pin.has_nonstandard_attr("HttpOnly")
    assert pin.expires == pytest.approx(time.time() + PIN_SECONDS, abs=5)


@pytest.mark.slow
def test_another_reader_sees_a_new_comment_once_the_replica_has_it(lagging):
    """Without the poster's cookie, a reader is served from the replica: the comment shows
    there once replay goes on."""
    site = lagging
    post_comment(site, "Seen by others a moment later")
    assert "Seen by others a moment later" not in site.get(site.article_url)[2]
    site.replay(paused=False)
    wait_until(
        lambda: "Seen by others a moment later" in site.get(site.article_url)[2],
        TIMEOUT,
        "the comment never reached readers through the replica",
    )
