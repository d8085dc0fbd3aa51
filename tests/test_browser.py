"""Readers in a real browser (Debian's Chromium via Playwright), with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment, set_rules

# Comments appear at once unless a test is about holding them.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]


def fill_comment(page, body, name="Sam", email="sam@example.com"):
    page.get_by_role("textbox", name="Comment", exact=True).fill(body)
    if page.get_by_role("textbox", name="Name", exact=True).count():
        page.get_by_role("textbox", name="Name", exact=True).fill(name)
        page.get_by_role("textbox", name="Email", exact=True).fill(email)


def comment_box(page, comment):
    return page.locator(f"#comment-{comment.pk}")


def test_a_reader_opens_an_article_from_the_front_page_and_comments(page, live_server):
    set_rules(hold_first_comment=True)
    article = make_article(title="Rain gardens for small yards")
    make_comment(article, author_name="Noor", body="We planted one last spring.")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Rain gardens for small yards").click()
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    expect(page.get_by_text("We planted one last spring.")).to_be_visible()

    fill_comment(page, "Ours floods every April, any advice?")
    page.get_by_role("button", name="Post Comment").click()

    # A first comment waits for a moderator; its writer sees it, marked as such.
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-*")
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    expect(page.get_by_text("Ours floods every April, any advice?")).to_be_visible()
    expect(page.get_by_text("Your comment is awaiting moderation.")).to_be_visible()


def test_a_held_comment_is_shown_to_its_writer_and_not_to_another_browser(
    page, browser, live_server
):
    set_rules(hold_all=True)
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    fill_comment(page, "Held until a moderator looks")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation.")).to_be_visible()

    other = browser.new_context().new_page()
    other.goto(live_server.url + article.get_absolute_url())
    expect(other.get_by_role("heading", name="No comments yet")).to_be_visible()
    expect(other.get_by_text("Held until a moderator looks")).to_have_count(0)
    other.context.close()


def test_reply_moves_the_form_under_the_comment_and_cancel_moves_it_back(page, live_server):
    article = make_article()
    first = make_comment(article, author_name="Ines", body="First thread")
    make_comment(article, author_name="Olu", body="Second thread")
    page.goto(live_server.url + article.get_absolute_url())

    page.get_by_role("link", name="Reply to Ines").click()
    form_box = page.locator("#respond")
    expect(page.locator(f"#comment-{first.pk} + #respond")).to_have_count(1)
    expect(form_box.get_by_role("heading", name="Reply to Ines")).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    expect(page.locator("input[name=parent]")).to_have_value(str(first.pk))

    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator(f"#comment-{first.pk} + #respond")).to_have_count(0)
    expect(form_box.get_by_role("heading", name="Leave a Comment")).to_be_visible()
    expect(page.locator("input[name=parent]")).to_have_value("")
    # the keyboard is back where the reader left it (#24)
    expect(page.get_by_role("link", name="Reply to Ines")).to_be_focused()

    page.get_by_role("link", name="Reply to Ines").click()
    fill_comment(page, "An inline reply")
    page.get_by_role("button", name="Post Reply").click()
    page.wait_for_url("**#comment-*")
    reply = Comment.objects.get(body="An inline reply")
    assert reply.parent_id == first.pk
    expect(comment_box(page, reply)).to_be_visible()


def test_threads_collapse_and_expand_and_the_choice_survives_a_reload(page, live_server):
    article = make_article()
    root = make_comment(article, body="Root of a long thread")
    child = make_comment(article, parent=root, body="First answer")
    make_comment(article, parent=child, body="Answer to the answer")
    page.goto(live_server.url + article.get_absolute_url())

    toggle = comment_box(page, root).get_by_role("button", name="Hide 2 replies")
    toggle.click()
    expect(comment_box(page, root).locator("button.toggle")).to_have_text("Show 2 replies")
    expect(page.get_by_text("First answer")).to_be_hidden()

    page.reload()
    expect(page.get_by_text("First answer")).to_be_hidden()
    comment_box(page, root).get_by_role("button", name="Show 2 replies").click()
    expect(page.get_by_text("Answer to the answer")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Answer to the answer")).to_be_visible()


def test_following_a_permalink_scrolls_to_the_comment_and_highlights_it(page, live_server):
    article = make_article()
    comments = [
        make_comment(article, body=f"Comment number {n}" + " words" * 60) for n in range(12)
    ]
    target = comments[10]
    page.goto(f"{live_server.url}/comments/{target.pk}/")
    page.wait_for_url(f"**#comment-{target.pk}")
    expect(comment_box(page, target)).to_have_class(re.compile(r"\bhighlight\b"))
    expect(comment_box(page, target)).to_be_in_viewport()


def test_readers_page_through_threads_and_sort_them(page, live_server):
    set_rules(threads_per_page=2)
    article = make_article()
    for n in range(5):
        make_comment(article, body=f"Thread {n}")
    page.goto(live_server.url + article.get_absolute_url())
    bodies = page.locator(".comment-body")
    expect(bodies).to_have_text(["Thread 0", "Thread 1"])
    expect(page.get_by_role("heading", name="5 comments")).to_be_visible()

    page.get_by_role("link", name="Next comments →").click()
    expect(bodies).to_have_text(["Thread 2", "Thread 3"])
    page.get_by_role("link", name="Newest first").click()
    expect(bodies).to_have_text(["Thread 4", "Thread 3"])
    page.get_by_role("link", name="Next comments →").click()
    assert "sort=newest" in page.url and "page=2" in page.url
    expect(bodies).to_have_text(["Thread 2", "Thread 1"])


def test_preview_shows_the_comment_as_the_server_will_render_it(page, live_server):
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    fill_comment(page, "*gently* <b>bold?</b> https://example.org")
    expect(page.get_by_text("41 / 10,000 characters")).to_be_visible()
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".comment-preview")
    expect(preview.locator("em")).to_have_text("gently")
    expect(preview.locator("a[rel='nofollow ugc noopener']")).to_have_text("https://example.org")
    expect(preview).to_contain_text("<b>bold?</b>")  # raw HTML shown as text
    assert not Comment.objects.exists()


def test_a_double_click_on_post_makes_one_comment(page, live_server):
    article = make_article()
    page.goto(live_server.url + article.get_absolute_url())
    fill_comment(page, "Only once, please")
    page.get_by_role("button", name="Post Comment").dblclick()
    page.wait_for_url("**#comment-*")
    assert Comment.objects.filter(body="Only once, please").count() == 1


def test_a_deep_thread_continues_on_its_own_page(page, live_server):
    set_rules(comments_per_page=10_000)  # every reply on the page of threads: only depth cuts it
    article = make_article()
    parent = None
    for level in range(8):
        parent = make_comment(article, parent=parent, body=f"Level {level}")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("Level 6")).to_have_count(0)
    # under the comment it continues, the same link as for a thread past the page's budget
    more = page.locator("#comment-" + str(parent.parent.parent_id)).locator("xpath=..")
    more.get_by_role("link", name="2 more replies").click()
    expect(page.get_by_text("Level 7")).to_be_visible()
    page.get_by_role("link", name=re.compile("Back to")).click()
    expect(page.get_by_role("heading", name="8 comments")).to_be_visible()


def test_everything_works_without_javascript(browser, live_server):
    article = make_article()
    first = make_comment(article, author_name="Ines", body="A thread")
    make_comment(article, parent=first, body="A reply")
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("button.toggle")).to_have_count(0)  # no script: nothing collapses

    page.get_by_role("link", name="Reply to Ines").click()
    assert "replytocom=" in page.url
    expect(page.get_by_role("heading", name="Reply to Ines")).to_be_visible()
    fill_comment(page, "Replying the old-fashioned way")
    page.get_by_role("button", name="Post Reply").click()
    page.wait_for_url("**#comment-*")
    assert Comment.objects.get(body="Replying the old-fashioned way").parent_id == first.pk

    page.goto(f"{live_server.url}{article.get_absolute_url()}?replytocom={first.pk}#respond")
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.get_by_role("heading", name="Leave a Comment")).to_be_visible()
    page.locator(f"#comment-{first.pk} summary").click()  # "More" opens without a script too
    page.get_by_role("link", name="Report the comment by Ines").click()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you for the report.")).to_be_visible()
    page.context.close()


def test_more_replies_open_in_place_and_the_focus_goes_to_the_first_of_them(page, live_server):
    set_rules(comments_per_page=4)  # the root and three answers
    article = make_article()
    root = make_comment(article, body="A root with many answers")
    answers = [make_comment(article, parent=root, body=f"Answer {n}") for n in range(6)]
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("Answer 4")).to_have_count(0)
    page.get_by_role("link", name="3 more replies").click()
    expect(page.get_by_text("Answer 5")).to_be_visible()
    expect(page.locator(f"#comment-{answers[3].pk}")).to_be_focused()
    assert page.url == live_server.url + article.get_absolute_url()
    expect(page.get_by_role("link", name="3 more replies")).to_have_count(0)
    # the thread's new replies take part like the others: reply to one of them
    page.get_by_role("link", name=f"Reply to {answers[5].author_name}").click()
    fill_comment(page, "Answering the last one")
    page.get_by_role("button", name="Post Reply").click()
    expect(page.get_by_text("Answering the last one")).to_be_visible()


def test_each_more_replies_opens_in_place_under_the_comment_it_continues(page, live_server):
    set_rules(comments_per_page=3)  # the top-level comment and two replies
    article = make_article()
    root = make_comment(article, body="The root")
    first = make_comment(article, parent=root, body="First answer")
    make_comment(article, parent=first, body="First answer, a")
    later = make_comment(article, parent=first, body="First answer, b")
    make_comment(article, parent=root, body="Second answer")
    page.goto(live_server.url + article.get_absolute_url())

    under_first = page.locator(f"#comment-{first.pk}").locator("xpath=..")
    under_first.get_by_role("link", name="1 more reply").click()
    expect(page.get_by_text("First answer, b")).to_be_visible()
    expect(comment_box(page, later)).to_be_focused()
    expect(page.get_by_text("Second answer")).to_have_count(0)  # still behind the root's link
    page.get_by_role("link", name="1 more reply").click()  # the root's, now the only one
    expect(page.get_by_text("Second answer")).to_be_visible()
    expect(page.locator(".more-replies")).to_have_count(0)
