"""Personal data (issue #12, GDPR articles 15, 17 and 20): members download theirs and delete
their account; moderators export and erase a guest's; IP addresses are forgotten in time."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments.models import Comment, Revision
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import page_of, shows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status
PASSWORD = "a long passphrase 42"


@pytest.fixture
def member():
    user = make_user(username="ada", first_name="Ada", email="ada@example.com")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email="ada@example.com", verified=True, primary=True)
    return user


def members_comment(member, article, **fields):
    return make_comment(
        article, user=member, author_name="Ada", author_email="ada@example.com",
        author_url="https://ada.example/", ip_address="203.0.113.9", **fields,
    )  # fmt: skip


def test_a_member_downloads_everything_kept_about_them(client, member):
    article = make_article(title="On engines")
    members_comment(member, article, body="Mine.")
    make_comment(article, body="Not mine.")
    client.force_login(member)

    response = client.get("/users/me/data.json")

    assert response["Content-Disposition"] == 'attachment; filename="forum-ada.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "ada"
    assert data["account"]["email_addresses"] == [
        {"email": "ada@example.com", "verified": True, "primary": True}
    ]
    assert [(c["text"], c["article"], c["status"]) for c in data["comments"]] == [
        ("Mine.", "On engines", "approved")
    ]
    assert Client().get("/users/me/data.json").status_code == 302  # to the sign-in page


def test_deleting_the_account_keeps_the_comments_under_deleted_user(client, member):
    article = make_article()
    mine = members_comment(member, article, body="Still worth reading.")
    other = make_comment(article, body="Someone else's.", author_name="Bob")
    elsewhere = Client()
    elsewhere.force_login(member)  # another signed-in browser
    client.force_login(member)

    response = client.post("/users/me/delete/", {"password": PASSWORD, "comments": "keep"},
                           follow=True)  # fmt: skip

    assert "Your account is deleted." in page_of(response)
    assert not get_user_model().objects.filter(username="ada").exists()
    assert not EmailAddress.objects.filter(email="ada@example.com").exists()
    mine.refresh_from_db()
    assert (mine.author_name, mine.author_email, mine.author_url, mine.ip_address, mine.user) == (
        "Deleted user", "", "", None, None,
    )  # fmt: skip
    assert mine.body == "Still worth reading." and mine.status == Status.APPROVED
    page = page_of(Client().get(article.get_absolute_url()))
    assert "Deleted user" in page and "Still worth reading." in page and "Ada" not in page
    assert Comment.objects.get(pk=other.pk).author_name == "Bob"
    assert "_auth_user_id" not in elsewhere.session  # signed out everywhere


def test_deleting_the_account_can_remove_the_comments_too(client, member):
    article = make_article()
    mine = members_comment(member, article, body="Take this away.")
    reply = make_comment(article, parent=mine, body="A reply that stays.")
    Revision.objects.create(comment=mine, body="An earlier text.", written_at=mine.created_at)
    client.force_login(member)

    client.post("/users/me/delete/", {"password": PASSWORD, "comments": "remove"})

    assert not Revision.objects.exists()
    mine.refresh_from_db()
    assert (mine.status, mine.body, mine.author_email) == (Status.REMOVED, "", "")
    page = page_of(Client().get(article.get_absolute_url()))
    assert "This comment was removed." in page and "Take this away." not in page
    assert shows(page, reply)
    article.refresh_from_db()
    assert article.comment_count == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "wrong", "comments": "keep"}, "That is not your password."),
        ({"password": PASSWORD}, "This field is required."),
        ({"password": PASSWORD, "comments": "burn"}, "Select a valid choice."),
    ],
)
def test_a_bad_deletion_request_deletes_nothing(client, member, data, message):
    members_comment(member, make_article())
    client.force_login(member)

    response = client.post("/users/me/delete/", data)

    assert response.status_code == 400 and message in page_of(response)
    assert get_user_model().objects.filter(username="ada").exists()
    assert Comment.objects.get().author_name == "Ada"


def test_moderators_export_and_erase_everything_by_a_guests_email(admin_client):
    article = make_article()
    guest = make_comment(article, author_email="guest@example.com", body="First.")
    make_comment(article, author_email="guest@example.com", body="Second.")
    other = make_comment(article, author_email="other@example.com", body="Untouched.")
    history = page_of(admin_client.get(f"/admin/comments/comment/{guest.pk}/author/"))
    assert "Export every comment by this email" in history

    exported = json.loads(admin_client.get(f"/admin/comments/comment/{guest.pk}/author/export/")
                          .content)  # fmt: skip
    assert [c["text"] for c in exported["comments"]] == ["First.", "Second."]

    admin_client.post(f"/admin/comments/comment/{guest.pk}/author/erase/")
    erased = Comment.objects.exclude(pk=other.pk)
    assert {(c.status, c.body, c.author_email, c.author_name) for c in erased} == {
        (Status.REMOVED, "", "", "Deleted user")
    }
    assert Comment.objects.get(pk=other.pk).body == "Untouched."


def test_ip_addresses_are_forgotten_after_the_retention_period():
    article = make_article()
    old = make_comment(article, ip_address="203.0.113.1")
    new = make_comment(article, ip_address="203.0.113.2")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    out = StringIO()

    call_command("forget_ip_addresses", "--dry-run", stdout=out)
    assert "1 IP address would be cleared." in out.getvalue()
    call_command("forget_ip_addresses", stdout=out)

    assert Comment.objects.get(pk=old.pk).ip_address is None
    assert Comment.objects.get(pk=new.pk).ip_address == "203.0.113.2"
    set_rules(ip_retention_days=0)
    Comment.objects.filter(pk=new.pk).update(created_at=timezone.now() - timedelta(days=900))
    call_command("forget_ip_addresses", stdout=out)
    assert Comment.objects.get(pk=new.pk).ip_address == "203.0.113.2"
