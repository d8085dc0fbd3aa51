"""Headers, production settings, CSRF and the admin under the Content-Security-Policy (issue #6)."""

import json
import os
import subprocess
import sys
from xml.dom import minidom

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from comments.models import Comment, DiscussionSettings
from forum.views import server_error
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of, submit
from tests.servers import url_of_test_database

PRODUCTION = {
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-variety-7391",
    "DJANGO_ALLOWED_HOSTS": "forum.example.com",
}


def run_in_production(code, database_url):
    """Run ``code`` in a fresh interpreter configured as production is."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env = {**base, **PRODUCTION, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True,
        cwd=settings.BASE_DIR, timeout=60,
    )  # fmt: skip


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    response = client.get(make_article().get_absolute_url())
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in page_of(response)  # no inline script to allow


def test_production_settings_pass_the_deployment_check_without_warnings():
    done = run_in_production(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'forum.settings'; "
        "django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        "postgres://forum:secret@db.internal:5432/forum",
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.django_db(transaction=True)
def test_production_redirects_to_https_pins_it_and_keeps_cookies_secure():
    code = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "forum.settings"
django.setup()
from django.conf import settings
from django.test import Client
# Serve static files without collectstatic's manifest, as the other tests do.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
c = Client(HTTP_HOST="forum.example.com")
plain, health = c.get("/"), c.get("/healthz")
secure = c.get("/admin/login/", secure=True)
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")], "health": health.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "cookie": [bool(cookie["secure"]), bool(cookie["httponly"]), cookie["samesite"]],
}))
"""
    done = run_in_production(code, url_of_test_database())
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["plain"] == [301, "https://forum.example.com/"]
    assert result["health"] == 200  # load balancers may check over plain HTTP
    assert result["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert result["cookie"] == [True, True, "Lax"]


@pytest.mark.django_db
def test_a_comment_without_the_csrf_token_gets_a_403_page_in_the_sites_layout():
    DiscussionSettings.load()
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    response = submit(
        client,
        article,
        follow=False,
        body="no token",
        author_name="Bot",
        author_email="bot@example.com",
    )
    page = page_of(response)
    assert response.status_code == 403
    assert "Your form could not be sent" in page and 'class="site-header"' in page
    assert 'href="/">front page</a>' in page
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_missing_page_is_a_404_in_the_sites_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in page_of(response)
    assert 'class="site-header"' in page_of(response)


@pytest.mark.browser
def test_the_admin_works_under_the_content_security_policy(page, live_server):
    """Log in, run a bulk action and toggle the theme with no script blocked by the policy."""
    DiscussionSettings.load()
    user = make_user(username="chief", is_staff=True, is_superuser=True)
    user.set_password("a long passphrase")
    user.save()
    held = make_comment(make_article(), body="Waiting in the queue", status=Comment.Status.PENDING)
    blocked = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else 0
    )

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + "/admin/comments/comment/")
    page.locator("#action-toggle").check()  # "select all" is script-driven
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("1 comment approved.").wait_for()
    page.locator("button.theme-toggle").click()

    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert blocked == []


def test_a_database_error_outside_any_view_is_still_the_503_page(rf):
    try:
        raise OperationalError("the server closed the connection")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and "Retry-After" in response
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in page_of(response)


@pytest.mark.django_db
def test_a_character_xml_cannot_carry_does_not_break_the_comments_feed(client):
    article = make_article()
    comment = make_comment(article, body="fine")
    Comment.objects.filter(pk=comment.pk).update(
        author_name="Bad\uffffName", body_html="<p>x\ufffe</p>"
    )
    response = client.get(article.get_absolute_url() + "comments/feed/")
    assert response.status_code == 200
    feed = minidom.parseString(response.content)  # raises on XML it cannot parse
    assert feed.getElementsByTagName("name")[0].firstChild.data == "BadName"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "stored"),
    [
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy trusted: the socket's peer
        (1, "203.0.113.5, 198.51.100.9", "198.51.100.9"),  # the one our proxy appended
        (2, "203.0.113.5, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (1, "not-an-address", "10.0.0.1"),
        (3, "198.51.100.9", "10.0.0.1"),  # fewer hops than proxies: nothing to trust
    ],
    ids=["no proxies", "one proxy", "two proxies", "garbage", "too few hops"],
)
@pytest.mark.django_db
def test_behind_trusted_proxies_the_client_address_comes_from_x_forwarded_for(
    settings, rules, proxies, forwarded, stored
):
    settings.TRUSTED_PROXIES = proxies
    article = make_article()
    submit(
        Client(), article, follow=False, remote_addr="10.0.0.1",
        headers={"X-Forwarded-For": forwarded},
        body="hello", author_name="Ana", author_email="ana@example.com",
    )  # fmt: skip
    assert Comment.objects.get().ip_address == stored


# What an attacker found (#23)


@pytest.mark.django_db
def test_the_remember_me_cookie_is_secure_under_https(client, settings, rules):
    settings.SESSION_COOKIE_SECURE = True
    response = submit(client, make_article(), follow=False, remember="on")
    cookie = response.cookies["comment_author"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_page_for_a_remembered_guest_is_never_compressed(client, rules):
    article = make_article()
    make_comment(article, body="x " * 2000)  # long enough to be worth compressing
    posted = submit(client, article, follow=False, remember="on", author_email="jo@example.com")
    assert "Content-Encoding" not in posted  # the answer that sets the cookie
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)  # the session ended; the name stays

    page = client.get(article.get_absolute_url(), headers={"Accept-Encoding": "gzip"})
    stranger = Client().get(article.get_absolute_url(), headers={"Accept-Encoding": "gzip"})

    assert "jo@example.com" in page_of(page) and "Content-Encoding" not in page
    assert stranger["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_the_avatar_colour_is_keyed_by_the_sites_secret(settings):
    from comments.markup import avatar_hue

    first = [avatar_hue(f"reader{n}@example.com") for n in range(20)]
    settings.SECRET_KEY = "another site's secret " * 3
    second = [avatar_hue(f"reader{n}@example.com") for n in range(20)]

    assert first != second  # nobody can test a guessed address against the colour
    assert avatar_hue("Reader0@Example.com ") == second[0]  # stable per address


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_a_permalink_to_a_comment_the_reader_may_not_see_is_a_404(client, status):
    comment = make_comment(make_article(), status=status)
    staff = Client()
    staff.force_login(make_user(is_staff=True))

    assert client.get(f"/comments/{comment.pk}/").status_code == 404
    assert staff.get(f"/comments/{comment.pk}/").status_code == 302


@pytest.mark.django_db
def test_a_permalink_to_ones_own_held_comment_leads_to_it(client, rules):
    from tests.factories import set_rules

    set_rules(hold_all=True)
    article = make_article()
    submit(client, article, body="mine, held")
    held = Comment.objects.get(body="mine, held")

    assert client.get(f"/comments/{held.pk}/").status_code == 302
    assert Client().get(f"/comments/{held.pk}/").status_code == 404
