"""Live updates and what is new since the last visit, in Chromium (issue #16)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, set_rules

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]
FAST = "window.forumLiveInterval = 300;"  # poll every 0.3 s instead of every 30 s


def test_the_live_count_is_one_cheap_answer_the_same_for_every_reader():
    article = make_article()
    make_comment(article)

    response = Client().get(f"/comments/live/{article.pk}/")

    assert response.json() == {"count": 1, "version": article.__class__.objects.get(
        pk=article.pk).comments_version}  # fmt: skip
    assert "public" in response["Cache-Control"] and "max-age=5" in response["Cache-Control"]


def test_a_new_approved_comment_is_announced_and_shown_without_losing_a_reply(page, live_server):
    set_rules(hold_first_comment=False)
    article = make_article()
    first = make_comment(article, author_name="Noor", body="The first word")
    page.add_init_script(FAST)
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Reply to Noor").click()
    page.get_by_role("textbox", name="Comment", exact=True).fill("Half a reply, still typing")

    set_rules(hold_all=True)
    held = make_comment(article, body="Held, not announced", status=Comment.Status.PENDING)
    page.wait_for_timeout(1500)
    expect(page.locator(".live-banner")).to_have_count(0)  # a held comment changes nothing

    services.set_status(Comment.objects.filter(pk=held.pk), Comment.Status.APPROVED)
    banner = page.locator(".live-banner")
    expect(banner).to_contain_text("1 new comment", timeout=10_000)
    banner.get_by_role("button", name="Show").click()

    expect(page.get_by_text("Held, not announced")).to_be_visible()
    expect(page.get_by_role("heading", name="2 comments")).to_be_visible()
    box = page.get_by_role("textbox", name="Comment", exact=True)
    expect(box).to_have_value("Half a reply, still typing")  # the reply being typed survives
    assert page.locator(f"#comment-{first.pk} + #respond").count() == 1  # still under Noor


def test_the_live_notice_shows_where_the_reader_is(page, live_server):
    """At the form, the notice is just above it; reading further up, above the first comment
    in view: never far above the reader (#24)."""
    set_rules(hold_first_comment=False)
    article = make_article()
    comments = [make_comment(article, body=f"Comment {n} " + "words " * 60) for n in range(12)]
    page.set_viewport_size({"width": 1280, "height": 700})
    page.add_init_script(FAST)
    page.goto(live_server.url + article.get_absolute_url())
    box = page.get_by_role("textbox", name="Comment", exact=True)
    box.fill("Typing at the bottom of the page")  # scrolls to the form and focuses it

    make_comment(article, body="Written meanwhile")
    banner = page.locator(".live-banner")
    expect(banner).to_contain_text("1 new comment", timeout=10_000)
    expect(page.locator(".live-banner + #respond")).to_have_count(1)
    expect(banner).to_be_in_viewport()

    box.blur()
    page.evaluate(f"document.getElementById('comment-{comments[5].pk}').scrollIntoView()")
    make_comment(article, body="And another")
    expect(banner).to_contain_text("2 new comments", timeout=10_000)
    expect(banner).to_be_in_viewport()
    expect(page.locator(".live-banner + article.comment")).to_have_count(1)  # above one


def test_comments_new_since_the_last_visit_are_marked(page, live_server):
    article = make_article()
    old = make_comment(article, body="Seen before")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("article.is-new")).to_have_count(0)  # a first visit: nothing is new

    fresh = make_comment(article, body="Written since")
    page.reload()

    expect(page.locator(f"#comment-{fresh.pk}.is-new")).to_be_visible()
    expect(page.locator(f"#comment-{old.pk}.is-new")).to_have_count(0)
    page.get_by_role("button", name="Next new comment (1)").click()
    page.reload()
    expect(page.locator("article.is-new")).to_have_count(0)  # seen now
