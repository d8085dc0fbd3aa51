"""Moving from WordPress (issue #14): `manage.py import_wordpress` keeps every thread, status and
character, refuses hostile or broken files before writing anything, and can run again safely."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment, ModerationLog
from comments.trees import tree_errors
from tests.outbox import waiting_tasks
from tests.pages import page_of
from tests.wxr import comment, export, post

pytestmark = pytest.mark.django_db
Status = Comment.Status
THEME_TEST_DATA = (
    settings.BASE_DIR.parent / "shared/fixtures/wordpress/themeunittestdata.wordpress.xml"
)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def import_text(tmp_path, xml, *options, name="export.xml"):
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return run("import_wordpress", str(path), *options)


def snapshot():
    """Everything an import writes, to compare before and after."""
    articles = list(Article.objects.order_by("pk").values_list(
        "pk", "title", "slug", "status", "published_at", "comments_open", "comment_count",
        "thread_count", "body_html"))  # fmt: skip
    comments = list(Comment.objects.order_by("pk").values_list(
        "pk", "parent_id", "tree_id", "lft", "rght", "level", "status", "kind", "body_html",
        "author_name", "author_email", "created_at"))  # fmt: skip
    return articles, comments


# The WordPress theme unit test data: a real export nobody on the team wrote.


@pytest.fixture
def theme_test_data():
    if not THEME_TEST_DATA.exists():
        pytest.skip("../shared/fixtures is not here")
    return THEME_TEST_DATA


def test_the_theme_test_data_keeps_its_threads_statuses_and_pings(theme_test_data):
    output = run("import_wordpress", str(theme_test_data), "--pages")

    comments_post = Article.objects.get(title="Template: Comments")
    deep = Comment.objects.filter(article=comments_post)
    assert deep.count() == 20 and max(deep.values_list("level", flat=True)) == 9  # 10 deep
    assert tree_errors() == []
    assert Comment.objects.filter(status=Status.PENDING).count() == 3
    assert Comment.objects.exclude(kind="comment").count() == 4
    pings = Article.objects.get(title="Template: Pingbacks And Trackbacks")
    assert not pings.comments_open and pings.comments.count() == 5  # kept on a closed post
    for article in Article.objects.all():
        approved = article.comments.filter(status=Status.APPROVED)
        assert article.comment_count == approved.count()
        assert article.thread_count == approved.values("tree_id").distinct().count()
    secret = Article.objects.get(title__startswith="Template: Password Protected")
    assert secret.status == Article.Status.DRAFT  # its text was behind a password
    assert "attachments (media files)" in output and "menu items" in output


def test_importing_the_theme_test_data_twice_changes_nothing(theme_test_data):
    run("import_wordpress", str(theme_test_data), "--pages")
    before = snapshot()

    output = run("import_wordpress", str(theme_test_data), "--pages")

    assert snapshot() == before
    assert "unchanged" in output and "created" not in output


def test_a_dry_run_reports_and_writes_nothing(theme_test_data):
    output = run("import_wordpress", str(theme_test_data), "--dry-run")

    assert "Would import (dry run, nothing written)" in output
    assert "new approved" in output and "pages (--pages imports them)" in output
    assert not Article.objects.exists() and not Comment.objects.exists()


def test_the_imported_discussion_reads_like_the_old_one(client, theme_test_data):
    run("import_wordpress", str(theme_test_data))
    article = Article.objects.get(title="Template: Pingbacks And Trackbacks")

    page = page_of(client.get(article.get_absolute_url()))

    assert page.count('class="comment ping"') == 4
    assert "Pingback: " in page and "Trackback: " in page
    # Names are the text WordPress shows, not its entities (#24).
    assert "Ping 1 « What’s a tellyworth?" in page and "&amp;laquo;" not in page
    assert Article.objects.filter(title="Markup: Title With Markup").exists()
    by_author = Article.objects.get(title="Template: Comments")
    page = page_of(client.get(by_author.get_absolute_url()))
    assert Comment.objects.filter(article=by_author, user=by_author.author).count() == 3
    assert '<span class="badge">Author</span>' in page
    assert by_author.updated_at == by_author.published_at  # not the time of the import


# Exports written for these tests.


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.2-https"])
def test_every_wxr_version_and_namespace_is_read(tmp_path, version):
    import_text(tmp_path, export(post(1, "Hello", comments=[comment(10)]), version=version))

    article = Article.objects.get()
    assert article.title == "Hello" and article.source == "wordpress:https://old.example"
    assert article.comments.get().source_id == "10"


def test_replies_come_in_any_order_and_keep_their_place(tmp_path):
    replies = [comment(4, 3, date="2020-01-05 10:00:00"), comment(3, 2, date="2020-01-04 10:00:00"),
               comment(2, 1, date="2020-01-03 10:00:00"), comment(5, 1, date="2020-01-06 10:00:00"),
               comment(1, date="2020-01-02 10:00:00")]  # fmt: skip
    import_text(tmp_path, export(post(1, comments=replies)))

    by_source = {c.source_id: c for c in Comment.objects.all()}
    assert by_source["4"].parent == by_source["3"] and by_source["3"].level == 2
    assert [c.source_id for c in by_source["1"].get_descendants()] == ["2", "3", "4", "5"]
    assert tree_errors() == []


def test_an_orphan_becomes_top_level_and_is_reported(tmp_path):
    output = import_text(tmp_path, export(post(1, comments=[comment(7, parent=99)])))

    assert Comment.objects.get().level == 0
    assert "comment 7" in output and "parent 99 is not in the export" in output


def test_statuses_map_and_a_users_id_counts_only_for_an_imported_author(tmp_path):
    comments = [comment(1, approved="1", user_id=1), comment(2, approved="0", user_id=5),
                comment(3, approved="spam"), comment(4, approved="trash"),
                comment(5, kind="pingback", url="https://blog.example/")]  # fmt: skip
    import_text(tmp_path, export(post(1, comments=comments)))

    got = {c.source_id: c for c in Comment.objects.select_related("user")}
    assert [got[i].status for i in "1234"] == ["approved", "pending", "spam", "removed"]
    assert got["1"].user.username == "editor"  # author id 1 in the export
    assert got["2"].user is None  # no imported author has id 5
    assert got["5"].kind == "pingback"


def test_no_pings_leaves_them_out(tmp_path):
    comments = [comment(1), comment(2, kind="pingback"), comment(3, kind="trackback")]
    output = import_text(tmp_path, export(post(1, comments=comments)), "--no-pings")

    assert list(Comment.objects.values_list("source_id", flat=True)) == ["1"]
    assert "pingbacks and trackbacks (--no-pings)" in output


def test_bodies_become_safe_paragraphs_with_every_character_kept(tmp_path):
    body = (
        "First line\nsecond line\n\nTom &amp; Jerry say &lt;hi&gt; 😀 e\u0301 "
        '\u05e9\u05dc\u05d5\u05dd <script>alert(1)</script><a href="https://x.example">x</a>'
    )
    import_text(tmp_path, export(post(1, comments=[comment(1, body=body)])))

    html = Comment.objects.get().body_html
    assert html.startswith("<p>First line<br>\nsecond line</p>")
    assert "Tom &amp; Jerry say &lt;hi&gt; 😀 e\u0301 \u05e9\u05dc\u05d5\u05dd" in html
    assert "<script>" not in html and "alert(1)" not in html
    assert 'rel="nofollow ugc noopener"' in html


def test_entities_in_titles_are_decoded_exactly_once(tmp_path):
    # In the file: "Fish &amp;amp; Chips &amp;amp;amp; more". The XML layer decodes it once,
    # and the title is HTML, as WordPress shows it: decoded once more, and no further (#24).
    import_text(tmp_path, export(post(1, "Fish &amp; Chips &amp;amp; more", slug="")))

    article = Article.objects.get()
    assert article.title == "Fish & Chips &amp; more"
    assert article.slug == "fish-chips-amp-more"


def test_titles_and_names_are_the_text_wordpress_shows(tmp_path):
    pings = [comment(1, kind="pingback", author="Ping 1 &laquo; What&#8217;s a tellyworth?"),
             comment(2, author="Tom &amp; Jerry <b>fans</b>")]  # fmt: skip
    title = "Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>"
    import_text(tmp_path, export(post(1, title, comments=pings)))

    assert Article.objects.get().title == "Markup: Title With Markup"
    names = Comment.objects.order_by("source_id").values_list("author_name", flat=True)
    assert list(names) == ["Ping 1 « What’s a tellyworth?", "Tom & Jerry fans"]


def test_an_authors_own_comments_are_marked_even_without_author_ids(client, tmp_path):
    # WordPress.com writes no wp:author_id: the account's id matches no author, its address does.
    xml = export(post(1, comments=[comment(1, author="The Editor", email="Editor@old.example",
                                           user_id=77),
                                   comment(2, email="editor@old.example")]))  # fmt: skip
    import_text(tmp_path, xml.replace("<wp:author_id>1</wp:author_id>", ""))

    article = Article.objects.get()
    by_author, guest = Comment.objects.order_by("source_id")
    assert by_author.user == article.author and guest.user is None  # no account wrote it
    page = page_of(client.get(article.get_absolute_url()))
    assert page.count('<span class="badge">Author</span>') == 1


def test_an_imported_article_was_last_changed_when_the_old_site_says(client, tmp_path):
    modified = "<wp:post_modified_gmt>2021-03-04 05:06:07</wp:post_modified_gmt>"
    xml = export(post(1, date="2020-01-01 09:00:00"), post(2, date="2020-02-01 09:00:00"))
    import_text(tmp_path, xml.replace("<wp:post_password>", modified + "<wp:post_password>", 1))

    first, second = Article.objects.order_by("source_id")
    assert first.updated_at.isoformat() == "2021-03-04T05:06:07+00:00"
    assert second.updated_at == second.published_at  # the export says no more
    feed = page_of(client.get("/feed/"))
    assert "<updated>2021-03-04T05:06:07+00:00</updated>" in feed
    assert "<updated>2020-02-01T09:00:00+00:00</updated>" in feed


def without_site(xml):
    """An export that does not name its site, as some of WordPress's own test exports."""
    for line in ("<link>https://old.example</link>",
                 "<wp:base_site_url>https://old.example</wp:base_site_url>",
                 "<wp:base_blog_url>https://old.example</wp:base_blog_url>"):  # fmt: skip
        xml = xml.replace(line, "")
    return xml


def test_an_export_without_its_site_is_known_by_its_posts_links(tmp_path):
    xml = without_site(export(post(1, comments=[comment(1)])))

    import_text(tmp_path, xml)
    output = import_text(tmp_path, xml)

    assert Article.objects.get().source == "wordpress:https://old.example"
    assert "unchanged" in output and Comment.objects.count() == 1


def test_an_export_naming_no_site_anywhere_asks_for_site(tmp_path):
    xml = without_site(export(post(1, comments=[comment(1)]))).replace(
        "<link>https://old.example/?p=1</link>", ""
    )
    with pytest.raises(CommandError, match="name it with --site https://old.example.com"):
        import_text(tmp_path, xml)
    assert not Article.objects.exists()
    with pytest.raises(CommandError, match="--site ftp://x: give an address"):
        import_text(tmp_path, xml, "--site", "ftp://x")

    import_text(tmp_path, xml, "--site", "https://old.example/")

    assert Article.objects.get().source == "wordpress:https://old.example"


def test_a_taken_slug_is_made_unique_and_dates_come_from_gmt(tmp_path):
    Article.objects.create(title="Mine", slug="post-1", body="x", author=make_author())
    import_text(tmp_path, export(post(1, date="2019-05-06 07:08:09")))

    imported = Article.objects.get(source_id="1")
    assert imported.slug == "post-1-2"
    assert imported.published_at.isoformat() == "2019-05-06T07:08:09+00:00"


def test_post_statuses_map_to_published_scheduled_and_draft(tmp_path):
    items = [post(1, status="publish"), post(2, status="future", date="2099-01-01 00:00:00"),
             post(3, status="draft"), post(4, status="private"),
             post(5, status="trash")]  # fmt: skip
    output = import_text(tmp_path, export(*items))

    status = dict(Article.objects.values_list("source_id", "status"))
    assert status == {"1": "published", "2": "published", "3": "draft", "4": "draft"}
    assert not Article.objects.get(source_id="2").is_published()  # scheduled
    assert "post with status “trash”" in output


def test_a_newer_export_updates_statuses_and_adds_new_comments(tmp_path):
    first = export(post(1, comments=[comment(1), comment(2, 1, approved="0")]))
    import_text(tmp_path, first)
    newer = export(post(1, comments=[comment(1), comment(2, 1, approved="1"),
                                     comment(3, 2, date="2020-02-01 10:00:00"),
                                     comment(4, date="2020-02-02 10:00:00")]))  # fmt: skip

    output = import_text(tmp_path, newer, name="newer.xml")

    got = {c.source_id: c for c in Comment.objects.all()}
    assert got["2"].status == "approved" and got["3"].parent == got["2"] and got["3"].level == 2
    assert got["4"].level == 0 and len(got) == 4
    assert tree_errors() == []
    assert Article.objects.get().comment_count == 4
    assert "status changed" in output


def test_an_import_that_changes_statuses_keeps_threads_counts_and_featured_right(tmp_path):
    """A newer export goes through the moderation service: thread locks, counts, the Featured
    box, the moderation log and the cache versions, with no mail for old news (#25)."""
    first = export(post(1, comments=[comment(1), comment(2), comment(3, 2),
                                     comment(4, approved="0")]))  # fmt: skip
    import_text(tmp_path, first)
    article = Article.objects.get()
    Comment.objects.filter(source_id="1").update(featured=True)
    Article.objects.filter(pk=article.pk).update(featured_count=1)
    before = article.versions()
    newer = export(post(1, comments=[comment(1, approved="spam"), comment(2), comment(3, 2),
                                     comment(4, approved="1")]))  # fmt: skip

    import_text(tmp_path, newer, name="newer.xml")

    article.refresh_from_db()
    got = {c.source_id: c for c in Comment.objects.all()}
    assert got["1"].status == Status.SPAM and got["4"].status == Status.APPROVED
    assert (article.comment_count, article.thread_count, article.featured_count) == (3, 2, 0)
    assert got["1"].thread_comment_count == 0 and got["4"].thread_comment_count == 1
    assert got["4"].shown_at == got["4"].created_at  # shown as of then: not announced
    assert not waiting_tasks().exists()
    assert article.versions() != before
    logged = ModerationLog.objects.filter(reason="status in the imported export")
    assert sorted(logged.values_list("comment__source_id", "to_status")) == [
        ("1", Status.SPAM), ("4", Status.APPROVED)
    ]  # fmt: skip
    assert tree_errors() == []


# Hostile and broken files: one clear message, nothing written, nothing read.

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss><channel><title>&lol9;</title></channel></rss>"""


def test_a_billion_laughs_file_is_refused_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(CommandError, match="declares the XML entity “lol”"):
        import_text(tmp_path, BILLION_LAUGHS)
    assert time.monotonic() - started < 2
    assert not Article.objects.exists()


def test_an_external_entity_is_refused_and_no_file_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    prolog = f'\n<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>'
    xml = export(post(1, "&leak;"), prolog=prolog)

    with pytest.raises(CommandError, match="refused"):
        import_text(tmp_path, xml)
    assert not Article.objects.exists()


def test_a_truncated_file_names_the_line_and_column_and_writes_nothing(tmp_path):
    whole = export(post(1, comments=[comment(1)]), post(2, comments=[comment(2)]))
    cut = whole[: whole.index("<wp:post_id>2")]

    with pytest.raises(CommandError, match=r"not well-formed XML: .* at line \d+, column \d+"):
        import_text(tmp_path, cut)
    assert not Article.objects.exists()  # not even the complete first post


def test_a_file_that_is_not_a_wordpress_export_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a WordPress export"):
        import_text(tmp_path, "<html><body>Hello</body></html>")
    with pytest.raises(CommandError, match="cannot be read"):
        run("import_wordpress", str(tmp_path / "missing.xml"))


def make_author():
    from tests.factories import make_user

    return make_user()


def test_the_fixture_is_read_from_shared_and_never_copied():
    assert not list(Path(settings.BASE_DIR).rglob("themeunittestdata*"))


def test_a_comment_listed_twice_or_under_two_posts_is_imported_once(tmp_path):
    items = [post(1, comments=[comment(1), comment(1), comment(2, 1)]),
             post(2, comments=[comment(2, body="The same id again")])]  # fmt: skip

    output = import_text(tmp_path, export(*items))

    assert Comment.objects.count() == 2 and tree_errors() == []
    assert "listed twice" in output and "comment 2 is under another post too" in output


def test_the_files_of_a_split_export_share_their_authors(tmp_path):
    first = export(post(1), authors=[("ann", "ann@old.example", "Ann", 7)])
    second = export(post(2, comments=[comment(5, user_id=7)]), authors=[])
    paths = []
    for n, text in enumerate((first, second)):
        paths.append(tmp_path / f"part{n}.xml")
        paths[-1].write_text(text, encoding="utf-8")

    run("import_wordpress", *map(str, paths))

    assert Comment.objects.get().user.username == "ann"


def test_an_imported_website_follows_the_comment_forms_rule(tmp_path):
    urls = ["https://ok.example/", "javascript:alert(1)", "https://bank.example@evil.example/"]
    import_text(tmp_path, export(post(1, comments=[comment(n, url=u) for n, u in enumerate(urls)])))

    assert list(Comment.objects.order_by("source_id").values_list("author_url", flat=True)) == [
        "https://ok.example/",
        "",
        "",
    ]


def test_imported_names_emails_and_websites_follow_the_one_line_rule(tmp_path):
    remarks = [
        comment(1, author="Eve\u202e\u200b Lee", email="eve\u200b@example.com",
                url="https://example.org/%E2%80%AEfdp.exe"),
        comment(2, author="\u200b\u2060", email="nobody@example.com"),
        comment(3, author="👩\u200d💻 Dev", url="https://example.org/a.pdf"),
    ]  # fmt: skip
    import_text(tmp_path, export(post(1, comments=remarks)))

    stored = Comment.objects.order_by("source_id").values_list(
        "author_name", "author_email", "author_url"
    )
    assert list(stored) == [
        ("Eve Lee", "eve@example.com", ""),
        ("Anonymous", "nobody@example.com", ""),
        ("👩\u200d💻 Dev", "reader@example.com", "https://example.org/a.pdf"),
    ]


def test_reading_keeps_nothing_it_has_read_after_the_first_channel(tmp_path, monkeypatch):
    """Elements are cleared as they are read, in a second <channel> as in the first: the
    reader's memory stays flat however long the export (#23)."""
    from imports import wordpress

    one = export(post(1, comments=[comment(1)]))
    two = export(post(2, comments=[comment(2), comment(3)]))
    inner = two[two.index("<channel>") : two.index("</channel>") + len("</channel>")]
    path = tmp_path / "two-channels.xml"
    path.write_text(one.replace("</rss>", inner + "\n</rss>"))
    parsed, stream = [], wordpress.stream

    def recording(path):
        for event, element in stream(path):
            parsed.append(element)
            yield event, element

    monkeypatch.setattr(wordpress, "stream", recording)
    items = [value for kind, value in wordpress.read(path) if kind == "item"]

    assert [item.post.title for item in items] == ["A post", "A post"]
    channels = list({id(e): e for e in parsed if e.tag == "channel"}.values())  # start, end
    assert len(channels) == 2 and all(len(c) == 0 for c in channels)  # nothing kept
