"""Writers edit their own comments for a while and delete them at any time (issue #12)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.discussion import cache
from comments.models import Comment, ModerationLog, Revision
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import form_errors, page_of, shows, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status


def edit_link(comment):
    return f'href="/comments/{comment.pk}/edit/"'


def delete_link(comment):
    return f'href="/comments/{comment.pk}/delete/"'


@pytest.fixture
def guest_comment(client):
    """A comment a guest posted from this browser."""
    article = make_article()
    submit(client, article, body="Frist post.")
    return Comment.objects.get()


def test_a_guest_edits_their_comment_in_the_same_browser(client, guest_comment):
    page = page_of(client.get(guest_comment.article.get_absolute_url()))
    assert edit_link(guest_comment) in page and delete_link(guest_comment) in page
    form = page_of(client.get(f"/comments/{guest_comment.pk}/edit/"))
    assert 'name="body"' in form and "You can use Markdown" in form  # #24
    assert "You can change it for 15 more minutes, as long as nobody replies to it." in form

    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "First post."},
                           follow=True)  # fmt: skip

    page = page_of(response)
    assert "First post." in page and "Frist" not in page and "(edited)" in page
    assert "Your comment was changed." in page
    comment = Comment.objects.get()
    assert comment.edited_at is not None and comment.status == Status.APPROVED
    assert list(Revision.objects.values_list("body", flat=True)) == ["Frist post."]


def test_another_browser_can_neither_see_nor_use_edit_and_delete(client, guest_comment):
    other = Client()
    page = page_of(other.get(guest_comment.article.get_absolute_url()))
    assert edit_link(guest_comment) not in page and delete_link(guest_comment) not in page

    for path in ("edit", "delete"):
        assert other.get(f"/comments/{guest_comment.pk}/{path}/").status_code == 404
        assert (
            other.post(f"/comments/{guest_comment.pk}/{path}/", {"body": "Mine!"}).status_code
            == 404
        )
    assert (
        Comment.objects.get().body == "Frist post." and Comment.objects.get().status == "approved"
    )


def test_a_member_edits_from_any_browser(client):
    member = make_user(username="ada", first_name="Ada")
    comment = make_comment(make_article(), user=member, body="Typo heer.")
    client.force_login(member)

    assert edit_link(comment) in page_of(client.get(comment.article.get_absolute_url()))
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Typo here."})

    assert Comment.objects.get().body == "Typo here."


def test_after_the_edit_window_edit_is_not_offered_and_a_forged_edit_changes_nothing(
    client, guest_comment
):
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    cache.clear()  # a writer's cached page lasts a minute; this is later
    page = page_of(client.get(guest_comment.article.get_absolute_url()))
    assert edit_link(guest_comment) not in page and delete_link(guest_comment) in page
    assert "can no longer be edited" in page_of(client.get(f"/comments/{guest_comment.pk}/edit/"))
    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Too late."})

    assert response.status_code == 400
    assert "can no longer be edited" in " ".join(form_errors(page_of(response)))
    assert Comment.objects.get().body == "Frist post." and not Revision.objects.exists()


def test_once_replied_to_a_comment_cannot_be_edited(client, guest_comment):
    make_comment(guest_comment.article, parent=guest_comment, body="A reply.")

    page = page_of(client.get(guest_comment.article.get_absolute_url()))
    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Changed."})

    assert edit_link(guest_comment) not in page
    assert response.status_code == 400
    assert Comment.objects.get(pk=guest_comment.pk).body == "Frist post."


def test_with_no_edit_window_nothing_can_be_edited(client, guest_comment):
    set_rules(edit_minutes=0)

    assert edit_link(guest_comment) not in page_of(
        client.get(guest_comment.article.get_absolute_url())
    )
    assert client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "x"}).status_code == 400


def test_an_edit_runs_the_posting_rules_again(client, guest_comment):
    article = guest_comment.article
    assert article.comment_count == 1
    links = "See https://a.example/ and https://b.example/ and https://c.example/."

    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": links}, follow=True)

    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and comment.status_reason == "edited, held: 3 links"
    assert "A moderator will look at it." in page_of(response)
    article.refresh_from_db()
    assert article.comment_count == 0
    log = ModerationLog.objects.get()
    assert (log.from_status, log.to_status) == ("approved", "pending")
    # Still the writer's: shown to them, awaiting moderation, to no one else.
    assert "awaiting moderation" in page_of(client.get(article.get_absolute_url()))
    assert not shows(page_of(Client().get(article.get_absolute_url())), comment)


def test_an_edit_is_refused_for_bad_text_and_for_a_banned_writer(client, guest_comment):
    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": ""})
    assert response.status_code == 400 and "This field is required." in page_of(response)

    from comments.models import Ban

    Ban.objects.create(email=guest_comment.author_email)
    response = client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Changed."})
    assert response.status_code == 400
    assert "not accepting your comments" in " ".join(form_errors(page_of(response)))
    assert Comment.objects.get().body == "Frist post."


def test_the_admin_shows_every_earlier_text(client, admin_client, guest_comment):
    client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Second."})
    client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Third."})

    page = page_of(admin_client.get(f"/admin/comments/comment/{guest_comment.pk}/change/"))

    assert "Earlier texts" in page
    assert "Frist post." in page and "Second." in page


def test_deleting_a_comment_without_replies_takes_it_off_the_page(client, guest_comment):
    article = guest_comment.article
    confirm = page_of(client.get(f"/comments/{guest_comment.pk}/delete/"))
    assert "Delete your comment?" in confirm

    response = client.post(f"/comments/{guest_comment.pk}/delete/", follow=True)

    page = page_of(response)
    assert "Your comment was deleted." in page and not shows(page, guest_comment)
    comment = Comment.objects.get()
    assert (comment.status, comment.body) == (Status.REMOVED, "")
    article.refresh_from_db()
    assert (article.comment_count, article.thread_count) == (0, 0)
    assert ModerationLog.objects.get().reason == "deleted by its writer"


def test_deleting_an_edited_comment_deletes_its_earlier_texts_too(client, guest_comment):
    client.post(f"/comments/{guest_comment.pk}/edit/", {"body": "Second."})
    assert Revision.objects.count() == 1

    client.post(f"/comments/{guest_comment.pk}/delete/")

    assert not Revision.objects.exists()


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, guest_comment):
    reply = make_comment(guest_comment.article, parent=guest_comment, body="A reply.")

    client.post(f"/comments/{guest_comment.pk}/delete/")

    page = page_of(Client().get(guest_comment.article.get_absolute_url()))
    assert "This comment was removed." in page and "Frist post." not in page
    assert shows(page, reply)
    guest_comment.article.refresh_from_db()
    assert guest_comment.article.comment_count == 1


def test_edit_and_delete_need_the_forms_csrf_token(guest_comment, client):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the writer's own session, without a token

    assert strict.post(f"/comments/{guest_comment.pk}/edit/", {"body": "x"}).status_code == 403
    assert strict.post(f"/comments/{guest_comment.pk}/delete/").status_code == 403
    assert Comment.objects.get().status == Status.APPROVED


def test_a_members_held_comment_follows_them_to_another_browser(client):
    member = make_user(username="ada", first_name="Ada")
    article = make_article()
    held = make_comment(
        article, user=member, body="Waiting for a moderator.", status=Status.PENDING
    )
    client.force_login(member)  # a browser that never posted it

    page = page_of(client.get(article.get_absolute_url()))
    assert shows(page, held) and "awaiting moderation" in page  # not only in its first browser
    assert client.get(held.get_absolute_url(), follow=True).status_code == 200
    response = submit(client, article, parent=str(held.pk), body="Adding to my own comment.")

    assert form_errors(page_of(response)) == []
    assert Comment.objects.get(body="Adding to my own comment.").parent_id == held.pk
