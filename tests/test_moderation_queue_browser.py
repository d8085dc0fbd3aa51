"""The moderation queue in Chromium (#26): keys moderate without reloading the page."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment, DiscussionSettings
from tests.factories import make_article, make_comment, make_user
from tests.test_accessibility import axe_violations, npm_tools  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server")]
Status = Comment.Status


def sign_in(page, live_server):
    DiscussionSettings.load()
    user = make_user(username="keys", is_staff=True, is_superuser=True)
    user.set_password("a long passphrase")
    user.save()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("keys")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_j_moves_down_and_a_s_r_moderate_in_place(page, live_server):
    article = make_article()
    first, second, third = (
        make_comment(article, body=f"Held number {n}", status=Status.PENDING) for n in range(3)
    )
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Security Policy" in m.text else 0)
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/comments/comment/queue/")
    loaded = page.evaluate("performance.timeOrigin")

    page.keyboard.press("j")  # to the second row
    page.keyboard.press("s")
    expect(page.locator(f"#queue-{second.pk}")).to_have_count(0)
    expect(page.locator(".queue-status")).to_have_text("1 comment marked as spam.")
    page.keyboard.press("k")  # back to the first
    page.keyboard.press("a")
    expect(page.locator(f"#queue-{first.pk}")).to_have_count(0)
    page.keyboard.press("r")  # the one left
    expect(page.locator(f"#queue-{third.pk}")).to_have_count(0)

    assert page.evaluate("performance.timeOrigin") == loaded  # never reloaded
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.APPROVED, second.pk: Status.SPAM,
                        third.pk: Status.REMOVED}  # fmt: skip
    assert blocked == []


def test_without_javascript_the_row_buttons_are_plain_posts(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    comment = make_comment(make_article(), body="Plain queue", status=Status.PENDING)
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/comments/comment/queue/")

    page.locator(f"#queue-{comment.pk}").get_by_role("button", name="Approve").click()

    expect(page.get_by_text("1 comment approved.")).to_be_visible()
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    context.close()


@pytest.mark.usefixtures("npm_tools")
def test_the_queue_passes_axe(browser, live_server):
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    parent = make_comment(make_article(), body="The parent")
    make_comment(parent.article, parent=parent, body="Held reply", status=Status.PENDING)
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/comments/comment/queue/")

    assert axe_violations(page) == []
    context.close()
