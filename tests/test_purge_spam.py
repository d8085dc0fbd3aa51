"""Purging old spam (issue #17): in batches, leaving threads whole and everything else alone."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment, Report
from comments.trees import tree_errors
from tests.factories import make_article, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status


def aged(comment, days):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=days))
    return comment


def purge(*options):
    out = StringIO()
    call_command("purge_spam", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def site():
    article = make_article()
    root = make_comment(article, body="A real thread")
    spam_parent = make_comment(article, body="bad")
    make_comment(article, parent=spam_parent, body="an innocent answer")
    Comment.objects.filter(pk=spam_parent.pk).update(status=Status.SPAM)
    return {
        "old spam threads": [aged(make_comment(article, status=Status.SPAM), 40) for _ in range(5)],
        "old spam reply": aged(make_comment(article, parent=root, status=Status.SPAM), 40),
        "young spam": aged(make_comment(article, status=Status.SPAM), 3),
        "old approved": aged(make_comment(article, parent=root, body="kept"), 40),
        "spam with a reply": aged(spam_parent, 40),
        "root": root,
    }


def test_old_spam_goes_in_batches_and_everything_else_stays(site):
    Report.objects.create(comment=site["old spam threads"][0], reporter="r", reason="spam")

    output = purge("--older-than", "30", "--batch-size", "2")

    gone = {c.pk for c in site["old spam threads"]} | {site["old spam reply"].pk}
    assert not Comment.objects.filter(pk__in=gone).exists()
    assert "6 spam comments deleted; 1 kept because replies hang from them." in output
    for name in ("young spam", "old approved", "spam with a reply", "root"):
        assert Comment.objects.filter(pk=site[name].pk).exists(), name
    assert tree_errors() == [] and not Report.objects.exists()


def test_a_dry_run_counts_and_deletes_nothing(site):
    output = purge("--older-than", "30", "--dry-run")

    assert "6 spam comments would be deleted" in output
    assert Comment.objects.filter(status=Status.SPAM).count() == 8


def test_bad_options_are_a_clear_error():
    with pytest.raises(CommandError, match="--older-than must be 0 or more"):
        purge("--older-than", "-1")


def test_moderators_purge_selected_spam_from_the_admin(admin_client, site):
    chosen = [*site["old spam threads"][:2], site["old approved"]]

    response = admin_client.post(
        "/admin/comments/comment/?queue=all",
        {"action": "purge_spam", "_selected_action": [c.pk for c in chosen]}, follow=True,
    )  # fmt: skip

    assert "2 spam comments deleted." in response.content.decode()
    assert Comment.objects.filter(pk=site["old approved"].pk).exists()  # not spam: untouched
    assert tree_errors() == []
