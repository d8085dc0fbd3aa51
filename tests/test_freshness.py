"""One reader, one freshness rule (issue #25): every cache key comes from one place, every
version is moved by one module, and a reader's own comments do not stop them sharing pages."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comments import services
from comments.models import Comment
from core import freshness
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import bodies, page_of, rendered_ids, submit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
RENDERS = '"comments_comment"."body_html"'  # in the query that reads comments to render them


def renders(queries):
    """The queries that read comments to render them."""
    return [q["sql"] for q in queries if RENDERS in q["sql"]]


def vote_buttons(page, comment):
    return f'value="{comment.pk}:up"' in page


# One place builds every key


def test_the_kept_page_follows_a_new_markup_version(monkeypatch):
    article = make_article()
    make_comment(article, author_name="Cached Carl")
    url = article.get_absolute_url()
    before = Client().get(url)
    monkeypatch.setattr(freshness, "MARKUP_VERSION", freshness.MARKUP_VERSION + 1)
    Comment.objects.update(header_html="<b>new header</b>", markup_version=freshness.MARKUP_VERSION)

    after = Client().get(url)

    assert "new header" in page_of(after) and "new header" not in page_of(before)
    assert after["ETag"] != before["ETag"]


def test_an_input_added_to_the_site_inputs_reaches_the_page_list_and_every_thread(monkeypatch):
    article = make_article()
    for n in range(3):
        make_comment(article, body=f"thread {n}")
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]
    monkeypatch.setattr(freshness, "site_inputs", lambda: ("a new input",))

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200 and response["ETag"] != etag
    [read] = renders(queries)  # every thread rendered again, in the one query
    assert bodies(page_of(response)) == ["thread 0", "thread 1", "thread 2"]


def test_only_the_freshness_module_writes_versions():
    writes = re.compile(r"(comments|thread|votes)_version\s*(=|\+=)|SET (comments|thread|votes)_")
    found = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {"tests", "bench", ".venv", "node_modules"} or (
            "/migrations/" in relative or relative == "comments/freshness.py"
        ):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if writes.search(line) and "models." not in line:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


# One reader per request; only pending comments are a reader's own markup


def test_a_member_who_has_commented_shares_the_cached_threads():
    article = make_article()
    member = make_user(username="mel")
    mine = make_comment(article, user=member, author_name="Mel", body="my comment")
    theirs = make_comment(article, body="someone else's")
    url = article.get_absolute_url()
    stranger = page_of(Client().get(url))  # renders and caches the threads
    client = Client()
    client.force_login(member)

    with CaptureQueriesContext(connection) as queries:
        page = page_of(client.get(url))

    assert renders(queries) == []  # both threads came from the cache
    assert f'href="/comments/{mine.pk}/edit/"' in page
    assert f'href="/comments/{mine.pk}/delete/"' in page
    assert not vote_buttons(page, mine) and vote_buttons(page, theirs)
    assert f'id="comment-{mine.pk}" class="comment own"' in page
    assert f'href="/comments/{theirs.pk}/edit/"' not in page
    assert "/edit/" not in stranger and vote_buttons(stranger, mine)


def test_a_pending_comment_renders_only_its_own_thread_for_its_writer():
    article = make_article()
    roots = [make_comment(article, body=f"thread {n}") for n in range(3)]
    held = make_comment(article, parent=roots[1], status=Comment.Status.PENDING, body="held")
    member = held.user = make_user(username="hal")
    Comment.objects.filter(pk=held.pk).update(user=member)
    url = article.get_absolute_url()
    Client().get(url)
    client = Client()
    client.force_login(member)

    with CaptureQueriesContext(connection) as queries:
        page = page_of(client.get(url))

    [read] = renders(queries)
    assert rendered_ids(read) == [roots[1].pk, held.pk]  # the held comment's thread alone
    assert "held" in bodies(page) and "Your comment is awaiting moderation." in page
    assert "held" not in bodies(page_of(Client().get(url)))


def test_a_guests_own_comment_offers_edit_on_a_page_from_the_cache(client):
    article = make_article()
    make_comment(article, body="first")
    submit(client, article, body="Mine, approved.")
    mine = Comment.objects.get(body="Mine, approved.")
    services.set_status(Comment.objects.filter(pk=mine.pk), Comment.Status.APPROVED, by=None)
    Client().get(article.get_absolute_url())  # a stranger's visit caches both threads

    page = page_of(client.get(article.get_absolute_url()))

    assert f'href="/comments/{mine.pk}/edit/"' in page


def test_a_page_for_a_remembered_commenter_is_never_compressed():
    article = make_article()
    client = Client()
    submit(client, article, author_name="Remembered Ruth", remember="on", body="hi")
    client.cookies.pop("sessionid", None)  # only the remembered-author cookie left

    response = client.get(article.get_absolute_url(), headers={"Accept-Encoding": "gzip"})

    assert 'value="Remembered Ruth"' in page_of(response)
    assert "Content-Encoding" not in response.headers
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("written", [1, 40])
def test_a_members_page_costs_the_same_queries_however_much_they_wrote(written):
    set_rules(threads_per_page=100)
    article = make_article()
    member = make_user(username="prolific")
    for n in range(written):
        make_comment(article, user=member, body=f"mine {n}")
    make_comment(article, user=member, status=Comment.Status.PENDING, body="held")
    make_comment(article, body="someone else's")
    client = Client()
    client.force_login(member)
    client.get(article.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        page = page_of(client.get(article.get_absolute_url()))

    # the session with its member (accounts.sessions), article and settings; the page of
    # threads; the reader's own comments; their mail preferences (the form's "email me replies")
    assert len(queries) == 5, [q["sql"][:60] for q in queries]
    assert page.count('class="edit"') == written + 1
