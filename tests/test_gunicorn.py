"""The site under the real gunicorn, with the project's own gunicorn.conf.py, over real HTTP,
and behind nginx with the project's deploy/nginx/proxy.conf (#23)."""

import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from comments.models import Comment, DiscussionSettings
from tests.factories import make_article
from tests.servers import (
    TIMEOUT,
    behind_nginx,
    browser,
    fetch,
    half_open,
    not_accepted,
    serve,
    url_of_test_database,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gunicorn(tmp_path):
    """A gunicorn on a free port, serving the test database; yields its base URL."""
    DiscussionSettings.load()  # made here, with the tests' defaults: no bot traps or flood limits
    with serve(url_of_test_database(), tmp_path / "static") as server:
        yield server.url


def test_a_reader_reads_and_comments_through_gunicorn(gunicorn):
    article = make_article(title="Served for real")
    reader = browser(follow_redirects=True)
    assert reader.open(gunicorn + "/healthz").read() == b"ok\n"
    front = reader.open(gunicorn + "/").read().decode()
    assert "Served for real" in front
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', front).group(1)
    assert reader.open(gunicorn + stylesheet).status == 200  # hashed, served by WhiteNoise
    assert reader.open(gunicorn + "/admin/login/").status == 200

    page = reader.open(gunicorn + article.get_absolute_url()).read().decode()
    assert "csrfmiddlewaretoken" not in page  # the page every reader without a session gets
    form = {"body": "Posted through gunicorn", "author_name": "Kim",
            "author_email": "kim@example.com", "author_url": "", "parent": ""}  # fmt: skip
    posted = reader.open(
        urllib.request.Request(
            f"{gunicorn}/comments/post/{article.pk}/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Origin": gunicorn},  # what the browser's word rests on
        )
    )
    comment = Comment.objects.get(body="Posted through gunicorn")
    assert posted.url == f"{gunicorn}{article.get_absolute_url()}#comment-{comment.pk}"
    assert f'id="comment-{comment.pk}"' in posted.read().decode()


def test_a_bad_comment_through_gunicorn_is_a_400_with_the_form_not_a_500(gunicorn):
    article = make_article()
    reader = browser(follow_redirects=True)
    reader.open(gunicorn + article.get_absolute_url()).read()  # the form, as a reader opens it
    form = {
        "body": "bad\x00body",
        "author_name": "",
        "author_email": "x",
    }
    with pytest.raises(urllib.error.HTTPError) as refused:
        reader.open(
            urllib.request.Request(
                f"{gunicorn}/comments/post/{article.pk}/",
                data=urllib.parse.urlencode(form).encode(),
                headers={"Origin": gunicorn},
            )
        )
    assert refused.value.code == 400
    assert "Your comment was not posted" in refused.value.read().decode()
    assert not Comment.objects.exists()


def test_account_limits_hold_across_every_worker(tmp_path):
    """allauth's limits live in the shared cache, not in each worker's memory (#23): several
    workers still send one address at most three reset mails an hour, and stop a sixth try
    at one account's password."""
    from allauth.account.models import EmailAddress

    from notifications.models import Mail
    from tests.factories import make_user

    DiscussionSettings.load()  # the admin's lock-out off: allauth's own limit is tested here
    ada = make_user(username="ada", email="ada@example.com")
    ada.set_password("a long passphrase 42")
    ada.save()
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    with serve(url_of_test_database(), tmp_path / "static", workers=3) as server:
        for _ in range(9):  # each a new connection: the workers take turns
            fetch(server.url + "/accounts/password/reset/", data={"email": "ada@example.com"})
        tries = [
            fetch(server.url + "/accounts/login/", data={"login": "ada", "password": "guess"})[2]
            for _ in range(6)
        ]
        right = fetch(
            server.url + "/accounts/login/",
            data={"login": "ada", "password": "a long passphrase 42"},
        )

    assert Mail.objects.filter(to="ada@example.com", kind="account").count() == 3
    refused = ["Too many failed login attempts" in page for page in tries]
    assert refused == [False] * 5 + [True]
    assert right[0] == 200 and "Too many failed login attempts" in right[2]  # not signed in


# What slow clients send before they stall: part of a request line, part of the headers, and
# whole headers announcing a body that never comes.
STALLED = [
    "GET /heal",
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo",
    "POST /comments/post/1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 900\r\n\r\nbody=",
]


def test_fifty_half_open_connections_through_nginx_leave_the_site_answering(tmp_path):
    """Slow clients (#23): fifty connections that send part of a request and stall. Straight
    to gunicorn, five of them hold all five sync workers until gunicorn's 30 s timeout (see
    docs/scaling.md). Through nginx, which reads every request whole before it opens a
    connection to gunicorn, /healthz and an article page keep answering within a second."""
    DiscussionSettings.load()
    paths = ["/healthz", make_article(title="Under a slow attack").get_absolute_url()]
    with (
        serve(url_of_test_database(), tmp_path / "static", workers=5) as app,
        behind_nginx(app, tmp_path / "nginx") as site,
    ):
        for _ in range(5):  # warm: each worker that answers has its connection and the page
            assert [fetch(site.url + path)[0] for path in paths] == [200, 200]
        stalled = [half_open(site.url, STALLED[n % len(STALLED)]) for n in range(50)]
        try:
            wait_until(lambda: not_accepted(site.url) == 0, TIMEOUT, "nginx did not take them")
            answered = []
            for _ in range(3):
                for path in paths:
                    started = time.monotonic()
                    status = fetch(site.url + path)[0]
                    answered.append((path, status, time.monotonic() - started < 1))
            waiting = [still_waiting(each) for each in stalled]
        finally:
            for each in stalled:
                each.close()
    assert answered == [(path, 200, True) for _ in range(3) for path in paths]
    assert waiting == [True] * 50  # all the while, each was open and unanswered


def still_waiting(connection):
    """Whether ``connection`` is open with no answer to read."""
    connection.setblocking(False)
    try:
        return connection.recv(1) is None  # an answer, or b"": closed
    except BlockingIOError:
        return True
