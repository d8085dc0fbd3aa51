"""Scaling out: two app servers, one PostgreSQL, one Redis.

Two gunicorns, each with the project's gunicorn.conf.py and two workers behind nginx (with
deploy/nginx/proxy.conf), serve the test database and share one Redis cache
(CACHE_URL=redis://...). Readers and writers land on either server, as behind a load balancer:
every post is taken, the thread stays whole, and each server shows every change at once.
"""

import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from comments import services, trees
from comments.models import Comment
from tests.factories import draw, make_article, make_comment, set_rules
from tests.pages import shows
from tests.servers import (
    TIMEOUT,
    behind_nginx,
    browser,
    fetch,
    form_fields,
    free_port,
    serve,
    start,
    stop,
    url_of_test_database,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("rules"),
]

POSTERS = 20  # each posts one reply, half of them through each server
AWAITING = "Your comment is awaiting moderation."


@dataclass
class Site:
    servers: list  # the base URLs of server A and server B
    cache: redis.Redis
    logs: Path

    def tracebacks(self):
        """What the servers logged of errors: a 500 leaves its traceback there."""
        text = "".join(log.read_text() for log in sorted(self.logs.glob("gunicorn-*.log")))
        return text[text.find("Traceback") :] if "Traceback" in text else ""


def pings(cache):
    try:
        return cache.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """Two gunicorns on the test database, sharing one Redis; all stopped and removed after."""
    if not shutil.which("redis-server"):
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("FORUM_REQUIRE_BROWSER"):  # CI: a missing tool fails
            pytest.fail(message)
        pytest.skip(message)
    work = Path(tempfile.mkdtemp(prefix="forum-scale-out-"))
    redis_server = None
    try:
        redis_port = free_port()
        redis_server = start(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
             "--save", "", "--appendonly", "no", "--dir", str(work)],
            work / "redis.log",
        )  # fmt: skip
        cache = redis.Redis(port=redis_port)
        wait_until(lambda: pings(cache), 10, "redis-server did not start")

        with django_db_blocker.unblock():
            database_url = url_of_test_database()
        # Both servers have one secret key, so that either accepts the other's tokens, and one
        # static root, collected once; behind a load balancer, X-Forwarded-For counts. Versions
        # are read on every view, so "at once" below means at once (by default a worker reads
        # them once a second, the same on one server as on two). Each server is behind nginx,
        # as the README's deploy section requires (#23); a poster's own X-Forwarded-For plays
        # the load balancer in front of it, so two proxies append to it.
        shared = {"CACHE_URL": f"redis://127.0.0.1:{redis_port}/0", "DJANGO_TRUSTED_PROXIES": "2",
                  "PAGE_VERSION_SECONDS": "0"}  # fmt: skip
        with (
            serve(database_url, work / "static", log=work / "gunicorn-a.log", **shared) as a,
            serve(database_url, work / "static", log=work / "gunicorn-b.log", **shared) as b,
            behind_nginx(a, work / "nginx-a") as front_a,
            behind_nginx(b, work / "nginx-b") as front_b,
        ):
            yield Site(servers=[front_a.url, front_b.url], cache=cache, logs=work)
    finally:
        if redis_server is not None:
            stop(redis_server)
        shutil.rmtree(work, ignore_errors=True)


def post_reply(server, form, article, parent, *, body, opener, poster):
    """Post a reply as poster number ``poster``; return the new comment's id, from the redirect."""
    data = {**form, "body": body, "author_name": f"Poster {poster}",
            "author_email": f"poster{poster}@example.com", "author_url": "",
            "parent": str(parent.pk), "homepage": ""}  # fmt: skip
    status, headers, page = fetch(
        f"{server}/comments/post/{article.pk}/",
        data=data,
        opener=opener,
        headers={
            "Referer": server + article.get_absolute_url(),
            "X-Forwarded-For": f"198.51.100.{poster}",  # each poster is a reader of their own
        },
    )
    assert status == 302, (status, page[:2000])
    # To the comment's permalink, or straight to its place on the article page.
    return int(re.search(r"(?:^/comments/|#comment-)(\d+)/?$", headers["Location"]).group(1))


def test_replies_posted_at_once_through_both_servers_are_all_kept_and_shown_by_both(site):
    """Twenty readers reply at the same moment, half through each server: every one of them is
    answered with a redirect to their comment, the thread is whole, and the other server shows
    the new reply on the very next page view."""
    servers = site.servers
    set_rules(comments_per_page=1000)  # all twenty replies on the article page, none behind "more"
    article = make_article(title="Scaled out")
    root = make_comment(article, body="The first comment")
    path = article.get_absolute_url()
    for server in servers:  # both servers render and cache the discussion
        status, _, page = fetch(server + path)
        assert status == 200
        assert shows(page, root)
    assert site.cache.dbsize() > 0  # the rendered discussion went to the shared Redis

    together = threading.Barrier(POSTERS)

    def poster(n):
        """Read the form on one server, post through the other, read the first one again."""
        reader, writer = servers[n % 2], servers[(n + 1) % 2]
        opener = browser()
        form = form_fields(fetch(reader + path, opener=opener)[2])
        together.wait(timeout=TIMEOUT)
        body = f"Reply {n} through server {'ab'[(n + 1) % 2]}"
        pk = post_reply(writer, form, article, root, body=body, opener=opener, poster=n + 1)
        assert f'id="comment-{pk}"' in fetch(reader + path)[2], f"{reader} is stale: no {pk}"
        return body

    with ThreadPoolExecutor(POSTERS) as pool:
        bodies = list(pool.map(poster, range(POSTERS)))  # re-raises any poster's failure

    assert sorted(draw(article)) == sorted([("The first comment", 0)] + [(b, 1) for b in bodies])
    assert trees.tree_errors() == []
    replies = Comment.objects.filter(article=article, level=1)
    for server in servers:
        page = fetch(server + path)[2]
        assert [reply.pk for reply in replies if not shows(page, reply)] == [], server
    assert site.tracebacks() == ""


def test_moderation_shows_on_both_servers_at_once_and_the_session_works_on_either(site):
    """A held comment waits for its writer on both servers, and only for them; once approved,
    every reader sees it on both, and once removed, nobody does."""
    servers = site.servers
    article = make_article()
    root = make_comment(article, body="The first comment")
    path = article.get_absolute_url()
    for server in servers:
        assert shows(fetch(server + path)[2], root)
    set_rules(hold_all=True)
    writer = browser()  # one reader's cookies: the session written by server A
    form = form_fields(fetch(servers[0] + path, opener=writer)[2])
    pk = post_reply(servers[0], form, article, root, body="Held", opener=writer, poster=1)
    held = Comment.objects.get(pk=pk)
    assert held.status == Comment.Status.PENDING

    for server in servers:  # the writer sees it waiting on both servers; nobody else sees it
        page = fetch(server + path, opener=writer)[2]
        assert shows(page, held) and AWAITING in page, server
        assert not shows(fetch(server + path)[2], held), server

    services.set_status(Comment.objects.filter(pk=pk), Comment.Status.APPROVED)
    for server in servers:
        page = fetch(server + path)[2]
        assert shows(page, held) and AWAITING not in page, server

    services.set_status(Comment.objects.filter(pk=pk), Comment.Status.REMOVED)
    for server in servers:
        assert not shows(fetch(server + path)[2], held), server
        assert not shows(fetch(server + path, opener=writer)[2], held), server
    assert site.tracebacks() == ""
