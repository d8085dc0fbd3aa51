"""A comment's markup comes from one template (#11): its header is stored at save with the markup
version, a page never shows markup of an older version, and reading never writes it."""

from io import StringIO

import pytest
from django.core.management import call_command

from comments.models import Comment
from core import freshness
from tests.factories import make_article, make_comment
from tests.pages import page_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


def test_a_saved_comment_stores_its_header_at_the_current_markup_version():
    article = make_article()
    comment = make_comment(article, author_name="Ada Byron", author_url="https://ada.example/")

    comment.refresh_from_db()
    assert comment.markup_version == freshness.MARKUP_VERSION
    assert '<a href="https://ada.example/" rel="nofollow ugc noopener">Ada Byron</a>' in (
        comment.header_html
    )
    assert '<svg class="avatar"' in comment.header_html and ">AB</text>" in comment.header_html


def test_a_header_of_an_older_version_is_shown_as_now_and_not_stored_by_the_read(client):
    article = make_article()
    old = make_comment(article, author_name="Early Bird")
    Comment.objects.filter(pk=old.pk).update(header_html="<b>old markup</b>", markup_version=1)

    page = page_of(client.get(article.get_absolute_url()))

    assert "old markup" not in page
    assert '<span class="comment-author" dir="auto">Early Bird</span>' in page
    assert Comment.objects.get(pk=old.pk).header_html == "<b>old markup</b>"


def test_a_new_markup_version_serves_no_page_cached_with_the_old_one(client, monkeypatch):
    article = make_article()
    make_comment(article, author_name="Cached Carl")
    client.get(article.get_absolute_url())  # cached at this version
    monkeypatch.setattr(freshness, "MARKUP_VERSION", freshness.MARKUP_VERSION + 1)
    Comment.objects.update(header_html="stale")  # what a cached page would still show

    page = page_of(client.get(article.get_absolute_url()))

    assert "stale" not in page and "Cached Carl" in page


def test_render_comments_stores_the_headers_of_older_versions_again():
    article = make_article()
    current = make_comment(article)
    old = [make_comment(article, author_name=f"Old {n}") for n in range(3)]
    Comment.objects.filter(pk__in=[c.pk for c in old]).update(header_html="", markup_version=0)
    out = StringIO()

    call_command("render_comments", "--dry-run", stdout=out)
    assert "3 comment headers would be rendered." in out.getvalue()
    assert Comment.objects.filter(markup_version=0).count() == 3

    call_command("render_comments", stdout=out)
    assert "3 comment headers rendered" in out.getvalue()
    for comment in Comment.objects.filter(pk__in=[c.pk for c in old]):
        assert comment.markup_version == freshness.MARKUP_VERSION
        assert comment.author_name in comment.header_html
    assert Comment.objects.get(pk=current.pk).header_html == current.header_html
