"""Being found (issue #15): valid RSS and Atom feeds with autodiscovery, sitemap.xml, robots.txt,
and structured data that search engines read from the server-rendered page."""

import json
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from comments.models import Comment
from tests.factories import make_article, make_comment, make_threads, make_user, set_rules
from tests.pages import page_of, sitemap_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status
HOSTILE = '<script>alert("x")</script> & </script><b>bold</b>'


@pytest.fixture
def discussion():
    author = make_user(first_name="Ada Writer", email="ada@example.com")
    article = make_article(title="Ponds & <streams>", author=author, body="About *ponds*.")
    root = make_comment(article, author_name="Bea", author_email="bea@example.com",
                        author_url="https://bea.example/", body=f"Root {HOSTILE}")  # fmt: skip
    make_comment(article, parent=root, author_name="Cy", author_email="cy@example.com",
                 body="A reply")  # fmt: skip
    for status in (Status.PENDING, Status.SPAM, Status.REMOVED):
        make_comment(article, body=f"hidden {status}", status=status)
    return article


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


FEEDS = {
    "articles, Atom": ("/feed/", "application/atom+xml"),
    "articles, RSS": ("/feed/rss/", "application/rss+xml"),
    "comments, Atom": ("/comments/feed/", "application/atom+xml"),
    "comments, RSS": ("/comments/feed/rss/", "application/rss+xml"),
}


@pytest.mark.parametrize("name", FEEDS)
def test_site_feeds_are_valid_with_ids_dates_and_authors_but_no_emails(client, discussion, name):
    url, content_type = FEEDS[name]
    response, feed = parse(client, url)

    assert response["Content-Type"].startswith(content_type)
    text = response.content.decode()
    assert "@example.com" not in text  # names only, never addresses
    assert feed.entries
    for entry in feed.entries:
        assert entry.id and entry.link.startswith("http://testserver/")
        assert entry.get("published_parsed") or entry.get("updated_parsed")
        assert entry.author in ("Ada Writer", "Bea", "Cy")
    if name.startswith("comments"):
        assert len(feed.entries) == 2  # approved only
        bodies = " ".join(e.summary for e in feed.entries)
        assert "<script>" not in bodies and "&lt;script&gt;" in bodies  # text, not active


@pytest.mark.parametrize("suffix", ["", "rss/"])
def test_an_articles_comment_feed_is_valid_in_both_formats(client, discussion, suffix):
    _, feed = parse(client, f"{discussion.get_absolute_url()}comments/feed/{suffix}")

    assert [e.author for e in feed.entries] == ["Cy", "Bea"]  # newest first
    assert all(e.link.startswith("http://testserver/comments/") for e in feed.entries)


def test_pages_announce_their_feeds(client, discussion):
    front = page_of(client.get("/"))
    article = page_of(client.get(discussion.get_absolute_url()))

    alternates = re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"',
                            article)  # fmt: skip
    hrefs = {href for _, href in alternates}
    assert {"/feed/", "/feed/rss/", "/comments/feed/"} <= hrefs
    assert f"{discussion.get_absolute_url()}comments/feed/rss/" in hrefs
    assert 'href="/feed/rss/"' in front
    for _, href in alternates:
        parse(client, href)


def test_the_sitemap_lists_published_articles_dated_by_the_last_comment_they_showed(
    client, discussion
):
    draft = make_article(title="Not yet", status=Article.Status.DRAFT)
    later = timezone.now() + timedelta(days=3)  # say, approved by a moderator then
    Comment.objects.filter(article=discussion, status=Status.APPROVED).update(shown_at=later)
    held = timezone.now() + timedelta(days=5)
    pending = make_comment(discussion, status=Status.PENDING)
    Comment.objects.filter(pk=pending.pk).update(shown_at=held)  # not approved: no new date

    files = sitemap_files(client)

    assert "/sitemap-articles.xml" in [path for path, _ in files]
    assert all(response.status_code == 200 for _, response in files)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {
        u.find("s:loc", ns).text: u.find("s:lastmod", ns).text
        for _, response in files
        for u in ElementTree.fromstring(response.content).findall("s:url", ns)
    }
    assert f"http://testserver{discussion.get_absolute_url()}" in urls
    assert not any(draft.slug in loc for loc in urls)
    assert urls[f"http://testserver{discussion.get_absolute_url()}"] == later.date().isoformat()


def test_the_sitemaps_pages_list_each_article_once_newest_first_each_with_its_own_date(
    client, monkeypatch
):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [make_article(published_at=timezone.now() - timedelta(days=n)) for n in range(5)]
    for n, article in enumerate(articles):
        comment = make_comment(article)
        shown = timezone.now() + timedelta(days=10 + n)
        Comment.objects.filter(pk=comment.pk).update(shown_at=shown)

    files = [(path, r) for path, r in sitemap_files(client) if "articles" in path]

    assert len(files) == 3  # pages of two: 2, 2 and 1
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = [
        (u.find("s:loc", ns).text, u.find("s:lastmod", ns).text)
        for _, response in files
        for u in ElementTree.fromstring(response.content).findall("s:url", ns)
    ]
    assert listed == [
        (f"http://testserver{a.get_absolute_url()}",
         (timezone.now() + timedelta(days=10 + n)).date().isoformat())
        for n, a in enumerate(articles)
    ]  # fmt: skip


def test_a_sitemap_file_dates_in_the_sites_time_zone_and_refuses_pages_it_lacks(client, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in January
    article = make_article(published_at=datetime(2025, 12, 1, tzinfo=UTC))
    comment = make_comment(article)
    Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)
    evening = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)  # already 2 January there
    Comment.objects.filter(pk=comment.pk).update(shown_at=evening)

    response = client.get("/sitemap-articles.xml")

    assert "<lastmod>2026-01-02</lastmod>" in response.content.decode()
    for page in ("2", "x", "-1", "99999999999999999999"):
        assert client.get(f"/sitemap-articles.xml?p={page}").status_code == 404


def test_robots_keeps_crawlers_out_of_the_admin_replies_search_and_accounts(client, settings):
    settings.SITE_URL = "https://forum.example.com"
    text = client.get("/robots.txt").content.decode()

    for path in ("/admin/", "/*?replytocom=", "/search/", "/accounts/", "/users/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: https://forum.example.com/sitemap.xml" in text


def test_the_article_page_carries_its_discussion_as_json_ld(client, discussion):
    page = page_of(client.get(discussion.get_absolute_url()))

    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "</script" not in raw and "<" not in raw  # nothing can close the script early
    data = json.loads(raw)
    assert data["@type"] == "DiscussionForumPosting"
    assert data["headline"] == "Ponds & <streams>"
    assert data["author"]["name"] == "Ada Writer" and data["commentCount"] == 2
    root, reply = data["comment"]
    assert root["author"] == {"@type": "Person", "name": "Bea", "url": "https://bea.example/"}
    assert root["text"].startswith("Root ") and 'alert("x")' in root["text"]
    assert root["url"].endswith(f"#comment-{discussion.comments.get(author_name='Bea').pk}")
    assert reply["parentItem"] == {"@id": root["@id"]} and "parentItem" not in root
    assert "hidden" not in raw and "@example.com" not in raw


def test_a_writers_held_comment_is_not_in_the_json_ld_they_see(client, discussion):
    set_rules(hold_all=True)
    client.post(f"/comments/post/{discussion.pk}/", {
        "body": "mine, held", "author_name": "Di", "author_email": "di@example.com",
        "email_published": "", "parent": "",
    })  # fmt: skip
    assert Comment.objects.get(body="mine, held").status == Status.PENDING

    page = page_of(client.get(discussion.get_absolute_url()))
    assert "mine, held" in page  # its writer sees it, awaiting moderation

    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "mine, held" not in raw


def test_titles_and_descriptions_stay_escaped_and_short(client):
    article = make_article(title='A "quoted" <title> & more', body="word " * 400)

    page = page_of(client.get(article.get_absolute_url()))

    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title == "A &quot;quoted&quot; &lt;title&gt; &amp; more · Forum"
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert len(description) <= 160


def test_the_json_ld_holds_the_first_twenty_comments_with_short_texts(client):
    article = make_article()
    for n in range(55):
        make_comment(article, body=f"comment {n} " + "long " * 200)

    page = page_of(client.get(article.get_absolute_url()))

    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert len(data["comment"]) == 20 and data["commentCount"] == 55
    assert all(len(c["text"]) <= 300 for c in data["comment"])
    assert data["comment"][0]["text"].endswith("…")


def test_the_sites_name_and_description_come_from_settings(client, discussion, settings):
    """Pages, feeds and the JSON-LD name the site as configured, never a hard-coded "Forum"
    (#24). The admin's title is set at start-up, so only the pages read here are checked."""
    settings.SITE_NAME = "Pond Talk"
    settings.SITE_DESCRIPTION = "Ponds, streams and the people who love them."

    for url in ("/", discussion.get_absolute_url(), "/search/?q=ponds", "/accounts/login/"):
        page = page_of(client.get(url))
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert title.strip().endswith("Pond Talk"), (url, title)
        assert ">Pond Talk</a>" in page and "Ponds, streams and the people" in page
        assert not re.search(r"\bForum\b", page), url
    page = page_of(client.get(discussion.get_absolute_url()))
    assert '<meta property="og:site_name" content="Pond Talk">' in page
    raw = re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(raw)["isPartOf"]["name"] == "Pond Talk"
    for url, _ in FEEDS.values():
        _, feed = parse(client, url)
        assert feed.feed.title.startswith("Pond Talk: latest"), url
    _, feed = parse(client, "/feed/")
    assert feed.feed.subtitle == "Ponds, streams and the people who love them."


# The article page's head


def head_of(page):
    return page[: page.index("</head>")]


def test_the_article_page_has_a_canonical_url_description_and_open_graph_tags(client):
    article = make_article(
        title='Trees & "Roots"',
        excerpt="Why <roots> & rings matter.",
        published_at=timezone.make_aware(datetime(2024, 3, 5, 12)),
    )
    page = page_of(client.get(article.get_absolute_url()))
    head = head_of(page)

    url = f"http://127.0.0.1:8000/2024/3/{article.slug}/"
    assert article.get_absolute_url() == f"/2024/3/{article.slug}/"
    assert f'<link rel="canonical" href="{url}">' in head
    summary = "Why &lt;roots&gt; &amp; rings matter."
    assert f'<meta name="description" content="{summary}">' in head
    assert '<meta property="og:title" content="Trees &amp; &quot;Roots&quot;">' in head
    assert f'<meta property="og:description" content="{summary}">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta property="og:type" content="article">' in head


def test_the_canonical_url_is_the_same_on_every_page_and_follows_site_url(client, settings):
    settings.SITE_URL = "https://forum.example.org"
    set_rules(threads_per_page=1)
    article = make_article()
    make_threads(article, 2)
    url = f"https://forum.example.org{article.get_absolute_url()}"
    for query in ("", "?page=2", "?sort=newest"):
        head = head_of(page_of(client.get(article.get_absolute_url() + query)))
        assert f'<link rel="canonical" href="{url}">' in head
        assert f'<meta property="og:url" content="{url}">' in head


def test_a_long_summary_is_shortened_in_the_description(client):
    article = make_article(excerpt="word " * 100)
    head = head_of(page_of(client.get(article.get_absolute_url())))
    description = re.search(r'<meta name="description" content="([^"]*)">', head).group(1)
    assert len(description) <= 160 and description.endswith("…")
    og = re.search(r'<meta property="og:description" content="([^"]*)">', head).group(1)
    assert len(og) <= 200 and og.endswith("…")


@pytest.mark.parametrize("where", ["article", "thread"])
def test_pages_load_comments_js_deferred_and_have_no_inline_script(client, where):
    article = make_article()
    top = make_comment(article, body="<script>alert(1)</script> onclick=alert(1)")
    url = article.get_absolute_url() if where == "article" else f"/comments/{top.pk}/thread/"
    page = page_of(client.get(url))

    scripts = re.findall(r"<script[^>]*>.*?</script>", page, re.S)
    data = [s for s in scripts if s.startswith('<script type="application/ld+json">')]
    assert len(data) == (where == "article")  # structured data (#15): read, never run
    assert [s for s in scripts if s not in data] == [
        '<script src="/jsi18n/" defer></script>',  # the scripts' words, a file too (#27)
        '<script src="/static/js/comments.js" defer></script>',
        '<script src="/static/js/compose.js" defer></script>',
    ]
    assert all("<" not in s.split(">", 1)[1].rsplit("</script>", 1)[0] for s in data)
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers either
