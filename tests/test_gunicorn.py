"""The site under the real gunicorn, with the project's own gunicorn.conf.py, over real HTTP."""

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from comments.models import Comment, DiscussionSettings
from tests.factories import make_article

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_of_test_database():
    db = connection.settings_dict
    host = urllib.parse.quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn(tmp_path):
    """A gunicorn on a free port, serving the test database; yields its base URL."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": url_of_test_database(),
        "DJANGO_SECRET_KEY": "test-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",  # plain HTTP on the loopback; production redirects to HTTPS
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    DiscussionSettings.load()  # made here, with the tests' defaults: no bot traps or flood limits
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=settings.BASE_DIR
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_a_reader_reads_and_comments_through_gunicorn(gunicorn):
    article = make_article(title="Served for real")
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    assert browser.open(gunicorn + "/healthz").read() == b"ok\n"
    front = browser.open(gunicorn + "/").read().decode()
    assert "Served for real" in front
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', front).group(1)
    assert browser.open(gunicorn + stylesheet).status == 200  # hashed, served by WhiteNoise
    assert browser.open(gunicorn + "/admin/login/").status == 200

    page = browser.open(gunicorn + article.get_absolute_url()).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "body": "Posted through gunicorn", "author_name": "Kim",
            "author_email": "kim@example.com", "author_url": "", "parent": ""}  # fmt: skip
    posted = browser.open(
        urllib.request.Request(
            f"{gunicorn}/comments/post/{article.pk}/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": gunicorn + article.get_absolute_url()},
        )
    )
    comment = Comment.objects.get(body="Posted through gunicorn")
    assert posted.url == f"{gunicorn}{article.get_absolute_url()}#comment-{comment.pk}"
    assert f'id="comment-{comment.pk}"' in posted.read().decode()


def test_a_bad_comment_through_gunicorn_is_a_400_with_the_form_not_a_500(gunicorn):
    article = make_article()
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(gunicorn + article.get_absolute_url()).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "body": "bad\x00body",
        "author_name": "",
        "author_email": "x",
    }
    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(
            urllib.request.Request(
                f"{gunicorn}/comments/post/{article.pk}/",
                data=urllib.parse.urlencode(form).encode(),
                headers={"Referer": gunicorn + article.get_absolute_url()},
            )
        )
    assert refused.value.code == 400
    assert "Your comment was not posted" in refused.value.read().decode()
    assert not Comment.objects.exists()
