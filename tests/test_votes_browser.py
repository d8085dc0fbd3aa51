"""Voting in Chromium (issue #16): in place with JavaScript, by a plain form without it."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]


def test_a_vote_changes_the_score_in_place_and_stays_pressed_after_a_reload(page, live_server):
    article = make_article()
    comment = make_comment(article, author_name="Noor", body="Worth an upvote")
    page.goto(live_server.url + article.get_absolute_url())
    box = page.locator(f"#comment-{comment.pk}")
    button = box.get_by_role("button", name="Upvote")
    expect(button).to_have_attribute("aria-pressed", "false")

    button.click()

    expect(box.locator(".score")).to_have_text("1 point")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith(article.get_absolute_url())  # no reload, no redirect
    page.reload()
    expect(box.get_by_role("button", name="Upvote")).to_have_attribute("aria-pressed", "true")
    button = box.get_by_role("button", name="Upvote")
    button.click()  # taken back
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(box.locator(".score")).to_have_text("")  # no "0" (#24)
    assert Comment.objects.get(pk=comment.pk).upvotes == 0


def test_without_javascript_the_vote_form_posts_and_comes_back(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    article = make_article()
    comment = make_comment(article, author_name="Ola", body="Plain HTML votes")
    page.goto(live_server.url + article.get_absolute_url())

    page.get_by_role("button", name="Upvote").click()

    expect(page.get_by_text("Your vote was counted.")).to_be_visible()
    assert page.url.endswith(f"#comment-{comment.pk}")
    assert Comment.objects.get(pk=comment.pk).upvotes == 1
    context.close()
