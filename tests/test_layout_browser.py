"""How the pages look and answer the keyboard in a real browser (issue #24): confirmations
where the reader is, few tab stops per comment, phone layouts, styled fields and buttons, and
the edit page's counter and preview."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import make_article, make_comment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]

# What a keyboard reaches inside an element: shown, and in the tab order.
TAB_STOPS = """el => [...el.querySelectorAll("a[href], button, summary, input, textarea")]
    .filter(e => e.tabIndex >= 0 && e.checkVisibility()).map(e => e.textContent.trim())"""


def long_discussion():
    """An article whose last comment is far below the top of the page."""
    article = make_article()
    comments = [make_comment(article, body=f"Comment number {n}") for n in range(12)]
    return article, comments[-1]


def test_a_confirmation_shows_beside_the_comment_it_is_about(page, live_server):
    article, last = long_discussion()
    page.goto(live_server.url + article.get_absolute_url())
    box = page.locator(f"#comment-{last.pk}")
    box.locator("summary").click()
    box.get_by_role("link", name="Report the comment").click()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()

    page.wait_for_url(f"**#comment-{last.pk}")
    expect(page.locator(f"#comment-{last.pk} + .messages")).to_have_text(
        "Thank you for the report. A moderator will look at it."
    )
    expect(page.locator(".messages")).to_be_in_viewport()


def test_without_javascript_a_confirmation_stays_in_view_and_uncovers_its_comment(
    browser, live_server
):
    article, last = long_discussion()
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f"#comment-{last.pk}").get_by_role("button", name="Upvote").click()

    page.wait_for_url(f"**#comment-{last.pk}")
    message = page.get_by_text("Your vote was counted.")
    expect(message).to_be_in_viewport()
    comment = page.locator(f"#comment-{last.pk}")
    expect(comment).to_be_in_viewport()
    above, below = message.bounding_box(), comment.bounding_box()
    assert below["y"] >= above["y"] + above["height"]  # not hidden under the message
    page.context.close()


def test_a_keyboard_skips_to_the_comment_form_and_meets_few_stops_per_comment(page, live_server):
    article = make_article()
    root = make_comment(article, author_name="Ines", author_url="https://ines.example/")
    reply = make_comment(article, parent=root, author_name="Olu")
    page.goto(live_server.url + article.get_absolute_url())

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the comment form")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()

    # Link, Report, Edit and Delete wait behind one "More".
    stops = page.locator(f"#comment-{root.pk}").evaluate(TAB_STOPS)
    assert stops == ["Ines", "▲ Upvote", "Reply", "Hide 1 reply", "More"]
    assert page.locator(f"#comment-{reply.pk}").evaluate(TAB_STOPS) == [
        "▲ Upvote", "Reply", "More"
    ]  # fmt: skip


def test_on_a_phone_headers_keep_to_their_lines(browser, live_server):
    article = make_article()
    comment = make_comment(article, author_name="Priya Natarajan", author_url="https://p.example/")
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())

    box = page.locator(f"#comment-{comment.pk}")
    avatar, who, when = (box.locator(s).bounding_box() for s in (".avatar", ".who", ".when"))
    # name above date, both beside the avatar rather than under it
    assert who["x"] == when["x"] >= avatar["x"] + avatar["width"]
    assert when["y"] >= who["y"] + who["height"] - 1
    assert when["y"] + when["height"] <= avatar["y"] + avatar["height"] + 12
    # the site's name, what it is, and the account links share the top; the search box has a
    # line of its own
    expect(page.locator(".site-header .site-description")).to_have_text(settings.SITE_DESCRIPTION)
    name, nav = (page.locator(s).bounding_box() for s in (".site-name", ".site-header nav"))
    description = page.locator(".site-header .site-description").bounding_box()
    assert description["y"] >= name["y"] + name["height"] - 1
    search = page.locator(".site-search").bounding_box()
    assert abs(name["y"] - nav["y"]) < name["height"]
    assert search["y"] >= description["y"] + description["height"] and search["width"] > 300
    context.close()


def test_fields_and_buttons_are_styled_and_deleting_looks_different(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_label("Password").bounding_box()["height"] >= 36
    assert page.locator("#site-search").bounding_box()["height"] >= 36

    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    post = page.get_by_role("button", name="Post Comment")
    post_colour = post.evaluate("b => getComputedStyle(b).backgroundColor")
    page.get_by_role("textbox", name="Comment", exact=True).fill("Mine to delete")
    page.get_by_role("textbox", name="Name", exact=True).fill("Sam")
    page.get_by_role("textbox", name="Email", exact=True).fill("sam@example.com")
    post.click()
    page.locator("article.comment summary").click()
    page.get_by_role("link", name="Delete your comment").click()
    delete = page.get_by_role("button", name="Delete")
    assert delete.evaluate("b => getComputedStyle(b).backgroundColor") != post_colour


def test_the_edit_page_counts_previews_and_says_how_long_is_left(page, live_server):
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("You can use Markdown")).to_be_visible()
    page.get_by_role("textbox", name="Comment", exact=True).fill("First try")
    page.get_by_role("textbox", name="Name", exact=True).fill("Sam")
    page.get_by_role("textbox", name="Email", exact=True).fill("sam@example.com")
    page.get_by_role("button", name="Post Comment").click()
    page.locator("article.comment summary").click()
    page.get_by_role("link", name="Edit your comment").click()

    expect(page.get_by_text("You can change it for 15 more minutes")).to_be_visible()
    expect(page.get_by_text("You can use Markdown")).to_be_visible()
    page.get_by_role("textbox", name="Comment").fill("Now *better*")
    expect(page.locator(".char-count")).to_have_text("12 / 10,000 characters")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".comment-preview em")).to_have_text("better")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your comment was changed.")).to_be_visible()
