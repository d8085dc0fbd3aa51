"""A reader's path through the site in a real browser (Debian's Chromium via Playwright)."""

import pytest

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser


def test_a_reader_opens_an_article_from_the_front_page_and_comments(page, live_server):
    article = make_article(title="Rain gardens for small yards")
    make_comment(article, author_name="Noor", body="We planted one last spring.")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Rain gardens for small yards").click()
    assert page.get_by_role("heading", name="1 comment").is_visible()
    assert page.get_by_text("We planted one last spring.").is_visible()

    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "Ours floods every April, any advice?"
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("Sam")
    page.get_by_role("textbox", name="Email", exact=True).fill("sam@example.com")
    page.get_by_role("button", name="Post Comment").click()

    # A first comment waits for a moderator; its writer sees it, marked as such.
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-*")
    assert page.get_by_role("heading", name="1 comment").is_visible()
    assert page.get_by_text("Ours floods every April, any advice?").is_visible()
    assert page.get_by_text("Your comment is awaiting moderation.").is_visible()
