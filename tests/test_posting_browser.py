"""Writing a comment in a real browser (Debian's Chromium via Playwright), with and without
JavaScript: a refused comment, the website field, a held comment (issue #24)."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment, set_rules

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]

# The server refuses it, the browser cannot tell: it is a text box (#18).
HIDDEN_NAME = "Sam\u202e"


def fill_comment(page, body, name="Sam", email="sam@example.com", website=""):
    page.get_by_role("textbox", name="Comment", exact=True).fill(body)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    if website:
        page.get_by_role("textbox", name="Website", exact=True).fill(website)


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_a_refused_comment_opens_at_its_error_and_every_link_still_works(
    browser, live_server, script
):
    article = make_article()
    first = make_comment(article, author_name="Ines", body="First thread")
    make_comment(article, author_name="Olu", body="Second thread")
    page = browser.new_context(java_script_enabled=script).new_page()
    page.set_viewport_size({"width": 360, "height": 740})  # the phone, where it was worst
    page.goto(live_server.url + article.get_absolute_url())

    fill_comment(page, "Kept for the retry", name=HIDDEN_NAME)
    page.get_by_role("button", name="Post Comment").click()

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Your comment was not posted")
    assert page.url.endswith("#form-errors")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value(
        "Kept for the retry"
    )
    assert not Comment.objects.filter(body="Kept for the retry").exists()

    # A reload, or the address opened again, never answers 405.
    response = page.reload()
    assert response.status != 405
    response = page.goto(page.url.split("#")[0])
    assert response.status == 200 and page.url.endswith(article.get_absolute_url() + "#respond")

    # The links of the page that answered the refusal lead to the article's own pages. (Refused
    # afresh: going back to a POST's page depends on what the browser happened to keep.)
    fill_comment(page, "Refused again", name=HIDDEN_NAME)
    page.get_by_role("button", name="Post Comment").click()
    expect(summary).to_contain_text("Your comment was not posted")
    page.get_by_role("link", name="Newest first").click()
    expect(page.get_by_role("heading", name="2 comments")).to_be_visible()
    assert page.url == f"{live_server.url}{article.get_absolute_url()}?sort=newest#comments"
    page.context.close()

    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    fill_comment(page, "Again", name=HIDDEN_NAME)
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_role("link", name="Reply to Ines").click()
    expect(page.get_by_role("heading", name="Reply to Ines")).to_be_visible()
    assert f"{article.get_absolute_url()}?replytocom={first.pk}" in page.url
    page.context.close()


def test_a_website_without_https_is_taken_as_an_https_address(page, live_server):
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())

    fill_comment(page, "My site is below", website="example.com/sam")
    page.get_by_role("button", name="Post Comment").click()

    page.wait_for_url("**#comment-*")
    assert Comment.objects.get(body="My site is below").author_url == "https://example.com/sam"
    expect(page.get_by_role("link", name="Sam", exact=True)).to_have_attribute(
        "href", "https://example.com/sam"
    )


def test_ones_own_new_comment_is_not_marked_new(page, live_server):
    article = make_article()
    make_comment(article, body="Seen before")
    page.goto(live_server.url + article.get_absolute_url())  # the browser remembers what it saw
    other = make_comment(article, body="Written meanwhile by someone else")

    fill_comment(page, "My own, just now")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url("**#comment-*")

    mine = Comment.objects.get(body="My own, just now")
    expect(page.locator(f"#comment-{other.pk} .new-badge")).to_have_count(1)
    expect(page.locator(f"#comment-{mine.pk}")).to_be_visible()
    expect(page.locator(f"#comment-{mine.pk} .new-badge")).to_have_count(0)


def test_a_held_first_comment_says_why_under_a_heading_that_fits(page, live_server):
    set_rules(hold_first_comment=True)
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("heading", name="No comments yet")).to_be_visible()

    fill_comment(page, "My first words here")
    page.get_by_role("checkbox", name="Email me replies to this comment").check()
    page.get_by_role("button", name="Post Comment").click()

    page.wait_for_url("**#comment-*")
    expect(page.get_by_role("heading", name="Your comment, awaiting moderation")).to_be_visible()
    expect(page.get_by_role("heading", name="No comments yet")).to_have_count(0)
    expect(page.get_by_text("This is your first comment here")).to_be_visible()
    expect(page.get_by_text("If sam@example.com is new to us")).to_be_visible()
