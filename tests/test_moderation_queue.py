"""The moderation queue (#26): every held or reported comment in full, with why it waits and
who wrote it, one-click actions per row that work without JavaScript, bulk actions that touch
only the rows the moderator saw, and a ban behind a confirmation."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Ban, Comment, ModerationLog, Report
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/queue/"
Status = Comment.Status


def held(article, **fields):
    return make_comment(article, status=Status.PENDING, **fields)


def act(client, value, **headers):
    return client.post(QUEUE, {"row": value}, **headers)


def test_a_held_comment_shows_in_full_with_its_article_parent_reasons_and_history(
    client, moderator
):
    article = make_article(title="Tide pools")
    parent = make_comment(article, body="Limpets cling hardest at low tide.", author_name="Ines")
    long_text = "Barnacles filter the water. " * 20 + "**the very end**"
    comment = held(article, parent=parent, body=long_text, author_name="Tomas",
                   author_email="tomas@example.com", ip_address="198.51.100.7")  # fmt: skip
    Comment.objects.filter(pk=comment.pk).update(
        status_reason="held: first comment", spam_score=0.42,
        spam_reasons="2 links to 1 domain, 3 s on the form",
    )  # fmt: skip
    make_comment(article, author_email="tomas@example.com")  # his: approved
    make_comment(article, author_email="tomas@example.com", status=Status.SPAM)
    make_comment(article, author_email="someone@example.com", ip_address="198.51.100.7")

    page = page_of(client.get(QUEUE))

    assert "Tide pools" in page and "Ines" in page and "Limpets cling hardest" in page
    assert "<strong>the very end</strong>" in page  # rendered as readers see it, not cut
    assert "held: first comment" in page
    assert "0.42" in page and "2 links to 1 domain, 3 s on the form" in page
    # The history counts his comments by address, not the other person on his IP address.
    assert "1 approved · 1 spam · 0 removed" in page
    assert "IP address 198.51.100.7" in page
    assert "1 comment waits." in page


def test_each_row_counts_its_own_authors_history_by_account_or_address(client, moderator):
    article = make_article()
    member = make_user(email="mara@example.com")
    held(article, user=member, author_email="mara@example.com", author_name="Mara")
    held(article, author_email="olek@example.com", author_name="Olek")
    make_comment(article, user=member, author_email="mara@work.example")  # signed in, new address
    make_comment(article, author_email="mara@example.com")  # as a guest, before she joined
    make_comment(article, author_email="mara@example.com", status=Status.REMOVED)
    make_comment(article, author_email="olek@example.com", status=Status.SPAM)

    rows = page_of(client.get(QUEUE)).split('class="history"')[1:]

    assert "2 approved · 0 spam · 1 removed" in rows[0]
    assert "0 approved · 1 spam · 0 removed" in rows[1]


def test_reports_show_with_their_reasons(client, moderator):
    comment = make_comment(make_article(), body="Shown but doubted")
    Report.objects.create(comment=comment, reason="spam", text="a link farm", reporter="user:9")
    Comment.objects.filter(pk=comment.pk).update(report_count=1)

    page = page_of(client.get(QUEUE))

    assert "Shown but doubted" in page and "a link farm" in page
    assert 'value="dismiss_reports:' in page


def test_one_click_approves_without_javascript_and_logs_the_moderator(client, moderator):
    comment = held(make_article())

    response = act(client, f"approve:{comment.pk}")

    assert response.status_code == 302 and response["Location"].startswith(QUEUE)
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    log = ModerationLog.objects.get(comment=comment)
    assert (log.moderator, log.to_status) == (moderator, Status.APPROVED)
    assert "1 comment approved." in page_of(client.get(response["Location"]))


@pytest.mark.parametrize(("action", "status"), [("mark_as_spam", Status.SPAM),
                                                ("remove", Status.REMOVED)])  # fmt: skip
def test_spam_and_remove_are_one_click_too(client, moderator, action, status):
    comment = held(make_article())
    act(client, f"{action}:{comment.pk}")
    assert Comment.objects.get(pk=comment.pk).status == status


def test_with_javascript_the_answer_says_which_rows_are_done(client, moderator):
    comment = held(make_article())

    answer = act(client, f"approve:{comment.pk}", HTTP_ACCEPT="application/json").json()

    assert answer == {"done": [comment.pk], "messages": ["1 comment approved."]}


def test_bulk_acts_only_on_ticked_rows_the_moderator_saw(client, moderator):
    article = make_article()
    waiting = [held(article, body=f"Held {n}") for n in range(22)]  # 20 a page: 2 on page 2
    first_page, second_page = waiting[:20], waiting[20:]
    page = page_of(client.get(QUEUE))
    assert "Held 0" in page and "Held 19" in page and "Held 20" not in page
    seen = [c.pk for c in first_page]
    taken = first_page[0]  # another moderator deals with it meanwhile
    Comment.objects.filter(pk=taken.pk).update(status=Status.SPAM)

    # A forged or stale form ticks a row of page 2 too: it was not seen, so it stays.
    client.post(QUEUE, {"bulk": "approve", "seen": seen,
                        "selected": [*seen, second_page[0].pk]})  # fmt: skip

    assert Comment.objects.get(pk=taken.pk).status == Status.SPAM
    assert {Comment.objects.get(pk=c.pk).status for c in first_page[1:]} == {Status.APPROVED}
    assert {Comment.objects.get(pk=c.pk).status for c in second_page} == {Status.PENDING}


def test_an_action_the_queue_does_not_offer_changes_nothing(client, moderator):
    comment = held(make_article())
    response = client.post(QUEUE, {"row": f"purge_spam:{comment.pk}"}, follow=True)
    assert "Choose an action" in page_of(response)
    assert client.post(QUEUE, {"row": "approve:x"}).status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_the_spam_tab_rescues_what_the_filter_caught(client, moderator):
    caught = make_comment(make_article(), body="Honest question about tides", status=Status.SPAM)
    Comment.objects.filter(pk=caught.pk).update(spam_score=0.93, spam_reasons="“cheap”")

    page = page_of(client.get(QUEUE + "?show=spam"))
    assert "Honest question about tides" in page and 'value="not_spam:' in page
    client.post(QUEUE, {"show": "spam", "row": f"not_spam:{caught.pk}"})

    assert Comment.objects.get(pk=caught.pk).status == Status.APPROVED
    assert ModerationLog.objects.get(comment=caught).reason == "not spam"


def test_ban_asks_first_listing_what_it_will_remove(client, moderator):
    article = make_article()
    comment = held(article, author_email="troll@example.com", body="First troll text")
    make_comment(article, author_email="troll@example.com", body="Second troll text")
    make_comment(article, author_email="kind@example.com", body="Kind words")
    ban = f"/admin/comments/comment/{comment.pk}/author/ban/"
    assert ban in page_of(client.get(QUEUE))

    confirm = page_of(client.get(ban))

    assert "First troll text" in confirm and "Second troll text" in confirm
    assert "Kind words" not in confirm and "It also removes these 2 comments" in confirm
    assert not Ban.objects.exists()
    client.post(ban, {"reason": "trolling"})
    assert Ban.objects.get().email == "troll@example.com"
    assert set(Comment.objects.filter(author_email="troll@example.com")
               .values_list("status", flat=True)) == {Status.REMOVED}  # fmt: skip


def test_a_viewer_sees_the_queue_without_buttons_and_cannot_act(client):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = held(make_article(), body="Only looked at")

    page = page_of(client.get(QUEUE))

    assert "Only looked at" in page and 'name="row"' not in page
    assert act(client, f"approve:{comment.pk}").status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_the_queue_page_takes_the_same_queries_for_one_row_or_twenty(client, moderator):
    article = make_article()
    held(article)
    client.get(QUEUE)  # sessions, permissions, content types: warm
    with CaptureQueriesContext(connection) as one:
        client.get(QUEUE)
    for _ in range(19):
        comment = held(article, parent=make_comment(article))
        Report.objects.create(comment=comment, reason="spam", reporter="user:1")
    with CaptureQueriesContext(connection) as twenty:
        page = page_of(client.get(QUEUE))
    assert "20 comments wait." in page
    assert len(twenty) == len(one)


def test_the_comment_page_says_ip_address_and_the_list_links_the_queue(client, moderator):
    comment = held(make_article(), ip_address="192.0.2.5")
    page = page_of(client.get(f"/admin/comments/comment/{comment.pk}/change/"))
    assert "IP address" in page and "Ip address" not in page
    assert QUEUE in page_of(client.get("/admin/comments/comment/"))


# On the site itself, staff moderate where they read (as in WordPress).


def test_staff_see_spam_remove_and_edit_under_comments_and_readers_do_not(client, moderator):
    article = make_article()
    comment = make_comment(article, body="A point worth a look")
    staff_page = page_of(client.get(article.get_absolute_url()))
    assert f'value="{comment.pk}:mark_as_spam"' in staff_page
    assert f'value="{comment.pk}:remove"' in staff_page
    assert f"/admin/comments/comment/{comment.pk}/change/" in staff_page
    assert 'id="moderate"' in staff_page

    client.logout()
    client.force_login(make_user())
    reader_page = page_of(client.get(article.get_absolute_url()))
    assert "A point worth a look" in reader_page
    assert ":mark_as_spam" not in reader_page and 'id="moderate"' not in reader_page


def test_staff_mark_spam_on_the_site_and_land_back_on_the_page(client, moderator):
    article = make_article()
    comment = make_comment(article, body="Buy followers now")

    response = client.post("/comments/moderate/", {"moderate": f"{comment.pk}:mark_as_spam"})

    assert response.status_code == 302 and article.get_absolute_url() in response["Location"]
    assert Comment.objects.get(pk=comment.pk).status == Status.SPAM
    assert ModerationLog.objects.get(comment=comment).moderator == moderator
    assert "Buy followers now" not in page_of(client.get(article.get_absolute_url()))


def test_readers_cannot_use_the_moderation_form(client):
    comment = make_comment(make_article())
    client.force_login(make_user())
    response = client.post("/comments/moderate/", {"moderate": f"{comment.pk}:remove"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
