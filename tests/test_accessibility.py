"""Accessibility (axe-core in Chromium), valid HTML (html-validate) and screenshots (issue #5).

The npm tools come from package.json (`npm ci`); CI requires them like the browser.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import feature
from notifications import services as outbox
from notifications.models import Subscription
from taxonomy.models import Category, Tag
from tests.factories import make_article, make_comment, make_user, set_rules

pytestmark = pytest.mark.browser

NODE_MODULES = settings.BASE_DIR / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
HTML_VALIDATE = NODE_MODULES / ".bin" / "html-validate"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


@pytest.fixture(autouse=True)
def npm_tools():
    if not (AXE.exists() and HTML_VALIDATE.exists()):
        message = "the npm test tools are not installed (npm ci)"
        if os.environ.get("FORUM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def discussion(transactional_db):
    """An article with a deep, busy discussion: threads, author replies, a placeholder, and
    every control shown: up- and downvotes, a featured comment (#16)."""
    article = make_article(title="Reading long discussions", body="## A heading\n\nSome *text*.")
    set_rules(threads_per_page=3, downvotes=True)
    for n in range(4):
        root = make_comment(article, body=f"Thread {n} with [a link](https://example.org)")
        reply = make_comment(article, parent=root, user=article.author, author_name="The Author")
        parent = reply
        for level in range(7 if n == 0 else 1):
            parent = make_comment(article, parent=parent, author_url="https://example.net/",
                                  body=f"Deeper, level {level + 2}")  # fmt: skip
    # Filed and tagged, so that its archives (#28) have something to show.
    outdoors = Category.objects.create(name="Outdoors", slug="outdoors", description="Out.")
    article.categories.add(Category.objects.create(name="Ponds", slug="ponds", parent=outdoors))
    article.tags.add(Tag.objects.create(name="Frogs", slug="frogs"))
    roots = Comment.objects.filter(article=article, level=0).order_by("pk")
    feature(Comment.objects.filter(pk__in=list(roots.values_list("pk", flat=True)[:2])))
    return article


def pages(live_server, article):
    deep = article.comments.filter(level=5).first()
    date = timezone.localtime(article.published_at)
    return {
        "front": "/",
        "article": article.get_absolute_url(),
        "thread": f"/comments/{deep.pk}/thread/",
        "login": "/admin/login/",
        "account sign-in": "/accounts/login/",
        "account sign-up": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "profile": f"/users/{article.author.get_username()}/",
        "search": "/search/?q=thread+link",
        "search in a discussion": f"/search/?q=thread&article={article.pk}&type=comments",
        "search, nothing found": "/search/?q=zzzqqq",
        "subscribe": "/subscribe/",
        "category archive": "/category/outdoors/ponds/",
        "tag archive": "/tag/frogs/",
        "month archive": f"/{date:%Y}/{date.month}/",
        "author archive": f"/author/{article.author.get_username()}/",
    }


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa', 'best-practice']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def html_validate(files, tmp_path):
    """html-validate's messages about ``files``, as (file, rule, message, line); [] when valid."""
    shutil.copy(settings.BASE_DIR / ".htmlvalidate.json", tmp_path)
    # Node may cut a large report written to a pipe, so the report goes to a file.
    done = subprocess.run(
        [str(HTML_VALIDATE), "--formatter", "json=report.json", *map(str, files)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    report = [
        (Path(f["filePath"]).name, m["ruleId"], m["message"], m["line"])
        for f in json.loads((tmp_path / "report.json").read_text())
        for m in f["messages"]
    ]
    assert report or done.returncode == 0, done.stderr
    return report


def show_form_errors(page):
    """Post the comment form empty, past the browser's own checks, to get the server's errors."""
    page.evaluate("document.querySelector('form.comment-form').noValidate = true")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_selector(".field-error")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_readers_pages(browser, live_server, discussion, scheme):
    # axe is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, path in pages(live_server, discussion).items():
        page.goto(live_server.url + path)
        found[name] = axe_violations(page)
    page.goto(live_server.url + discussion.get_absolute_url())
    show_form_errors(page)
    found["form with errors"] = axe_violations(page)
    context.close()
    assert found == {name: [] for name in found}


def test_the_html_the_server_sends_validates(client, live_server, discussion, tmp_path):
    files = []
    for name, path in pages(live_server, discussion).items():
        response = client.get(path)
        assert response.status_code == 200
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    errors = client.post(f"/comments/post/{discussion.pk}/", {"body": "", "author_email": "x"})
    assert errors.status_code == 400
    files.append(tmp_path / "form-with-errors.html")
    files[-1].write_bytes(errors.content)
    set_rules(comments_per_page=4)  # "N more replies" inside lists of replies (#24)
    folded = client.get(discussion.get_absolute_url())
    assert b"more-replies" in folded.content
    files.append(tmp_path / "article-folded.html")
    files[-1].write_bytes(folded.content)

    assert html_validate(files, tmp_path) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    ("device", "width", "height"), [("desktop", 1280, 900), ("phone", 360, 780)]
)
def test_screenshots_of_the_front_page_and_a_discussion(
    browser, live_server, discussion, scheme, device, width, height
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    for name, path in (("front", "/"), ("article", discussion.get_absolute_url())):
        page.goto(live_server.url + path)
        # Nothing may scroll sideways, down to a 360px phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=SCREENSHOTS / f"{name}-{device}-{scheme}.png", full_page=True)
    context.close()
    assert (SCREENSHOTS / f"article-{device}-{scheme}.png").stat().st_size > 10_000


def member_pages(member, comment):
    return {
        "profile form": "/users/me/",
        "own comments": "/users/me/comments/",
        "delete account": "/users/me/delete/",
        "email address": "/accounts/email/",
        "password change": "/accounts/password/change/",
        "edit a comment": f"/comments/{comment.pk}/edit/",
        "delete a comment": f"/comments/{comment.pk}/delete/",
    }


@pytest.fixture
def signed_in_member(transactional_db, client):
    """A member with a comment of theirs, signed in with the test client."""
    member = make_user(username="ada", first_name="Ada")
    member.set_password("a long passphrase 42")
    member.save()
    comment = make_comment(make_article(), user=member, body="Mine to edit.")
    Subscription.objects.create(
        kind="article",
        topic=f"article:{comment.article_id}",
        email=member.email,
        user=member,
        label="new comments on “Tea”",
    )
    client.force_login(member)
    return member, comment


def test_the_members_own_pages_are_accessible_and_valid(
    browser, live_server, client, signed_in_member, tmp_path
):
    member, comment = signed_in_member
    context = browser.new_context(bypass_csp=True)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "domain": host, "path": "/"}])  # fmt: skip
    page = context.new_page()
    found, files = {}, []
    for name, path in member_pages(member, comment).items():
        page.goto(live_server.url + path)
        assert page.url == live_server.url + path  # signed in: no detour to the sign-in page
        found[name] = axe_violations(page)
        response = client.get(path)
        assert response.status_code == 200, path
        files.append(tmp_path / f"{name.replace(' ', '-')}.html")
        files[-1].write_bytes(response.content)
    context.close()
    assert found == {name: [] for name in found}

    assert html_validate(files, tmp_path) == []


def mail_pages():
    """The pages a mail links to (#13), in each of their states."""
    Subscription.objects.create(kind="replies", topic="comment:1", email="ana@example.com",
                                label="replies to your comment on “Tea”")  # fmt: skip
    confirm = outbox.link(
        "notifications:confirm", signing.dumps("ana@example.com", salt=outbox.CONFIRM_SALT)
    )
    stop = outbox.unsubscribe_link({"s": Subscription.objects.get().pk})
    strip = len(settings.SITE_URL)
    return {
        "confirm": confirm[strip:],
        "confirm-invalid": "/mail/confirm/forged/",
        "unsubscribe": stop[strip:],
        "unsubscribe-all": outbox.unsubscribe_link({"a": "ana@example.com"})[strip:],
        "unsubscribe-invalid": "/mail/unsubscribe/forged/",
    }


def test_the_pages_mail_links_to_are_accessible_and_valid(
    browser, live_server, transactional_db, client, tmp_path
):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found, files = {}, []
    for name, path in mail_pages().items():
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code in (200, 400), path
            files.append(tmp_path / f"{name}-{method}.html")
            files[-1].write_bytes(response.content)
        page.goto(live_server.url + path)
        found[name] = axe_violations(page)
    context.close()
    assert found == {name: [] for name in found}

    assert html_validate(files, tmp_path) == []


def test_the_live_banner_and_new_marks_are_accessible(browser, live_server, discussion):
    set_rules(comments_per_page=10_000)  # the new reply shown in its thread, not behind "N more"
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.add_init_script("window.forumLiveInterval = 300;")
    url = live_server.url + discussion.get_absolute_url()
    page.goto(url)
    first = discussion.comments.filter(level=0).order_by("pk").first()  # on page 1
    make_comment(discussion, parent=first, body="Written since the first visit")
    page.reload()  # a second visit: new marks and "Next new comment"
    expect(page.locator("article.is-new")).not_to_have_count(0)
    make_comment(discussion, body="And one more, live")
    expect(page.locator(".live-banner")).to_contain_text("1 new comment", timeout=10_000)

    found = axe_violations(page)
    context.close()
    assert found == []
