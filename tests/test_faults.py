"""Faults (issue #6): the database going away, a gunicorn worker killed, and what readers see.
With the database down, a reader without a session still gets an article page a worker keeps,
for STALE_IF_ERROR_SECONDS, with its Age (#23); everything else is the friendly 503.

The slow tests run the real thing: a throwaway PostgreSQL cluster in /tmp, migrated, served by
the project's gunicorn.conf.py with two workers, and stopped, restarted or robbed of a worker
while clients talk to it over HTTP.
"""

import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client

import articles.views
from articles import pages
from comments import services
from forum import database
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of
from tests.servers import (
    answers,
    browser,
    fetch,
    form_fields,
    on_every_worker,
    serve_setup,
    wait_until,
)

FRIENDLY = "Back in a moment"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A throwaway cluster, migrated, and gunicorn (2 workers) serving it; stopped afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="forum-faults-", dir="/tmp"))
    parent.chmod(0o755)  # the server runs as another user when the tests run as root
    data_dir = parent / "postgres"
    try:
        url = database.url(data_dir)
        with serve_setup(url, data_dir, tmp_path_factory.mktemp("static")) as site:
            yield site
    finally:
        database.stop(data_dir)
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def site(server):
    """The served site with its database up, whatever an earlier test left behind."""
    database.url(server.data_dir)
    wait_until(lambda: answers(server.url + "/healthz", 200), 15, "the site did not answer 200")
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
    page = page_of(response)
    assert FRIENDLY in page
    assert 'class="site-header"' in page  # the site's own layout
    assert 'href="/admin/"' not in page  # rendered without the request: no user was looked up


def test_with_the_database_down_a_kept_page_is_served_with_its_age_until_the_bound(
    client, db, settings, monkeypatch
):
    """The rule of #23, on a clock the test moves: whether the worker still remembered the
    article's versions or had to read them makes no difference; past the bound, or for
    anything but a kept page for a reader without a session, it is the 503 page."""
    settings.PAGE_VERSION_SECONDS = 1  # production's memo of the versions
    settings.STALE_IF_ERROR_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(pages, "clock", lambda: now[0])
    article = make_article(title="Kept through it")
    comment = make_comment(article, body="A comment")
    path = article.get_absolute_url()
    assert client.get(path)["Age"] == "0"  # rendered, and kept by this worker

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    def kept_page_at(second):
        now[0] = second
        response = client.get(path)
        return response.status_code, response["Age"], "Kept through it" in page_of(response)

    monkeypatch.setattr(connection, "create_cursor", unreachable)  # every query fails
    assert kept_page_at(1000.5) == (200, "0", True)  # its versions still remembered
    assert kept_page_at(1001.5) == (200, "1", True)  # read, and failed
    assert kept_page_at(1060.0) == (200, "60", True)

    refused = [
        client.get(path + "?page=2"),  # never kept
        client.get("/"),
        client.get(f"/comments/{comment.pk}/"),
        Client().get(path, headers={"Cookie": "sessionid=abc"}),  # a reader with a session
        client.post(f"/comments/post/{article.pk}/", {"body": "Down"}),
    ]
    now[0] = 1060.5  # past the bound
    refused.append(client.get(path))
    assert [(r.status_code, FRIENDLY in page_of(r)) for r in refused] == [(503, True)] * 6
    assert all("Age" not in r for r in refused)

    monkeypatch.undo()  # the database is back
    now[0] = 1061.0
    response = client.get(path)
    assert (response.status_code, response["Age"]) == (200, "0")


@pytest.mark.slow
def test_with_the_database_down_kept_pages_are_served_and_the_rest_is_a_friendly_503(site):
    """Against the real gunicorn: both workers keep the article page for readers without a
    session; with PostgreSQL stopped they serve it with its Age, and everything else is the
    503 page; once PostgreSQL is back the site recovers without a restart."""
    staff = {"Cookie": f"sessionid={site.session}"}
    status, _, page = site.get(site.article_url, headers=staff)
    assert status == 200
    assert 'href="/admin/"' in page  # the staff session works
    reader = browser()  # keeps the CSRF cookie that goes with the form's token
    form = form_fields(site.get(site.article_url, opener=reader)[2])
    workers = site.workers()
    assert len(workers) == 2
    assert on_every_worker(site.url, site.article_url, 2) == ["HTTP/1.1 200 OK"] * 2

    assert database.stop(site.data_dir) is True
    for _ in range(6):  # on either worker, its versions remembered or not
        status, headers, page = site.get(site.article_url)
        assert (status, FRIENDLY in page, "The first comment" in page) == (200, False, True)
        assert 0 <= int(headers["Age"]) < 60
    paths = [
        f"{site.article_url}?page=2",  # a page never kept
        "/",
        f"/comments/{site.root_id}/",
        f"/comments/{site.root_id}/thread/",
    ]
    requests = [(path, who) for path in paths for who in ({}, staff)]
    requests += [(site.article_url, staff), ("/admin/", staff)]
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
    back = lambda: site.get(site.article_url, headers=staff)[0] == 200  # noqa: E731
    wait_until(back, 15, "the site did not recover")
    assert [site.get(site.article_url, headers=staff)[0] for _ in range(8)] == [200] * 8
    status, headers, _ = site.post_comment(form, "Posted after it came back", opener=reader)
    assert site.acknowledged_id(status, headers)
    assert site.process.poll() is None
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
    assert site.process.poll() is None
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
