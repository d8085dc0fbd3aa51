"""A reader's whole life as a member, in Chromium (issue #12): sign up, verify by mail, comment,
edit and stop being able to, delete with and without replies, take the data, leave."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.outbox import run_tasks

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]
PASSWORD = "a long passphrase 42"


def test_a_member_signs_up_comments_edits_deletes_and_leaves(page, live_server, mailoutbox):
    article = make_article(title="Compost in small spaces")
    base = live_server.url

    page.goto(base + "/accounts/signup/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    run_tasks()  # the task worker sends the verification mail
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.goto(base + article.get_absolute_url())
    expect(page.get_by_text("Commenting as ada")).to_be_visible()
    page.get_by_role("textbox", name="Comment", exact=True).fill("Worms do the work.")
    page.get_by_role("button", name="Post Comment").click()
    first = Comment.objects.get(body="Worms do the work.")
    box = page.locator(f"#comment-{first.pk}")
    expect(box.get_by_role("link", name="ada", exact=True)).to_have_attribute("href", "/users/ada/")

    box.locator("summary").click()  # "More", where the minor actions are (#24)
    box.get_by_role("link", name="Edit your comment").click()
    page.get_by_role("textbox", name="Comment").fill("Worms do most of the work.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Worms do most of the work.")).to_be_visible()
    expect(page.locator(f"#comment-{first.pk} .edited")).to_have_text("(edited)")

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    cache.clear()  # an hour later
    page.reload()
    expect(box.get_by_role("link", name="Edit your comment")).to_have_count(0)
    page.goto(base + f"/comments/{first.pk}/edit/")
    expect(page.get_by_text("This comment can no longer be edited")).to_be_visible()

    page.goto(base + article.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill("A second thought.")
    page.get_by_role("button", name="Post Comment").click()
    second = Comment.objects.get(body="A second thought.")
    make_comment(article, parent=first, body="A neighbour's reply.")
    for comment in (first, second):
        page.goto(base + f"/comments/{comment.pk}/delete/")
        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_text("Your comment was deleted.")).to_be_visible()
    expect(page.get_by_text("This comment was removed.")).to_be_visible()  # the first, replied to
    expect(page.get_by_text("A neighbour's reply.")).to_be_visible()
    expect(page.locator(f"#comment-{second.pk}")).to_have_count(0)

    page.goto(base + "/users/ada/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["username"] == "ada" and len(data["comments"]) == 2

    page.get_by_role("link", name="Delete your account").click()
    page.get_by_label("Keep them").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()


def test_a_member_signs_in_and_leaves_taking_their_comments_with_them(page, live_server):
    member = make_user(username="bob", email="bob@example.com")
    member.set_password(PASSWORD)
    member.save()
    EmailAddress.objects.create(user=member, email="bob@example.com", verified=True, primary=True)
    article = make_article()
    mine = make_comment(article, user=member, author_name="bob", body="Bob was here.")
    make_comment(article, parent=mine, body="And a reply to Bob.")

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email").fill("bob@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.goto(live_server.url + "/users/me/delete/")
    page.get_by_label("Remove them").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()

    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("This comment was removed.")).to_be_visible()
    expect(page.get_by_text("Bob was here.")).to_have_count(0)
    expect(page.get_by_text("And a reply to Bob.")).to_be_visible()
