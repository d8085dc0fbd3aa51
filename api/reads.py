"""Reading (#30): articles, their threads as the page shows them, one comment, one thread,
recent comments and comment counts. No authentication; a browser's session or a token make a
read that reader's (their own pending comments show), and every answer has an ETag."""

from urllib.parse import urlsplit

from django.core import signing
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils.http import urlencode
from ninja import Query

from api import rows as rowing
from api.access import caller
from api.answers import answer, content_tag, etag, kept, not_modified, page_links, page_of
from api.problems import Problem
from api.routers import discussions
from api.schemas import (
    MAX_ID,
    ArticleOut,
    ArticlePage,
    CommentOut,
    Counts,
    Id,
    PlainText,
    RecentPage,
    SortName,
    ThreadOut,
    ThreadPage,
)
from api.schemas import (
    Problem as ProblemOut,
)
from articles import pages
from articles.models import Article
from comments.models import Comment, DiscussionSettings
from comments.readers import reader_of
from comments.services import comments_open

router = discussions
TAGS = ["reading"]

ARTICLES_PER_PAGE = 20
RECENT_MAX = 100
COUNTS_MAX = 100
CURSOR_SALT = "api.recent"
Page = Query(1, ge=1, le=MAX_ID, description="Page number, from 1.")
Limit = Query(20, ge=1, le=RECENT_MAX, description="How many, up to 100.")
Cursor = Query(None, description="From a previous answer's next link.")
Ids = Query([], description="Article ids (repeat the parameter).")
Urls = Query([], description="Article addresses (repeat the parameter).")
ERRORS = {404: ProblemOut, 422: ProblemOut}


def article_out(article, rules):
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.canonical_url(),
        "published_at": article.published_at,
        "comments_open": comments_open(article, rules),
        "comment_count": article.comment_count,
        "thread_count": article.thread_count,
        "comments": rowing.api_path("threads", article.pk),
    }


# What the article reads answer from, and their ETags (``Article.versions``) need.
ARTICLE_FIELDS = [*Article.VERSION_FIELDS, "title", "author_id", "status", "comments_open",
                  "comment_count", "thread_count"]  # fmt: skip


def visible_article(request, article_id):
    """The article if this reader may see it (staff: drafts too), or a 404. A reader without
    a session reads it as the article page does (``articles.pages.recent``): at most once a
    second per worker, so that a kept answer costs no query at all."""
    found = Article.objects.visible_to(request.user).only(*ARTICLE_FIELDS).filter(pk=article_id)
    if pages.shareable(request):
        article, _ = pages.recent(("api-article", article_id, request.user.is_staff), found.first)
    else:
        article = found.first()
    if article is None:
        raise Problem(404, "No such article.", kind="no-such-article")
    return article


@router.get(
    tags=TAGS,
    path="/articles",
    response={200: ArticlePage, 304: None, **ERRORS},
    url_name="articles",
)
def articles(request, page: int = Page):
    """Published articles, newest first, 20 a page."""
    caller(request)
    found = page_of(Article.objects.for_front_page().defer("body", "body_html", "search_vector"),
                    page, ARTICLES_PER_PAGE)  # fmt: skip
    tag = etag("articles", page, [a.versions() for a in found], found.paginator.count)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    rules = DiscussionSettings.load()
    links = page_links(rowing.api_path("articles"), found)
    data = {"items": [article_out(a, rules) for a in found], "count": found.paginator.count,
            "page": found.number, "pages": found.paginator.num_pages, "links": links}  # fmt: skip
    return answer(ArticlePage, data, tag=tag, links=links)


@router.get(
    tags=TAGS,
    path="/articles/{article_id}",
    response={200: ArticleOut, 304: None, **ERRORS},
    url_name="article",
)
def article(request, article_id: Id):
    """One article (staff also see drafts)."""
    caller(request)
    found = visible_article(request, article_id)
    tag = etag("article", found.versions())
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    return answer(ArticleOut, article_out(found, DiscussionSettings.load()), tag=tag)


@router.get(
    tags=TAGS,
    path="/articles/{article_id}/threads",
    response={200: ThreadPage, 304: None, **ERRORS},
    url_name="threads",
)
def threads(request, article_id: Id, sort: SortName | None = None, page: int = Page):
    """A page of an article's threads as its page shows them: the same visibility (approved
    comments, the reader's own pending ones, placeholders that keep replies in place), order,
    sorts and pages, and the same "N more replies" folds (``more_replies``)."""
    caller(request)
    found = visible_article(request, article_id)
    reader = reader_of(request)
    own = reader.pending(found)
    # The versions move with the Discussion settings too: the default sort needs no query.
    tag = etag("threads", found.versions(), sort, page, own, reader.user and reader.user.pk)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged

    def build():
        rules = DiscussionSettings.load()
        sort_now = sort or rules.default_sort
        roots = Comment.objects.threads(found, own=own, sort=sort_now).values_list(
            "tree_id", "thread_version", "thread_comment_count"
        )
        count = found.thread_count + reader.own_threads(found)  # stored (#7): no count query
        shown = page_of(roots, page, rules.threads_per_page, count=count)
        reply_level = rules.deepest_replyable_level if comments_open(found, rules) else -1
        keep_sort = sort_now if sort_now != rules.default_sort else None
        links = page_links(rowing.api_path("threads", found.pk), shown, sort=keep_sort)
        threads = rowing.page_of_threads(found, list(shown), own=own, rules=rules,
                                         reply_level=reply_level)  # fmt: skip
        data = {
            "article": found.pk, "sort": sort_now, "page": shown.number,
            "pages": shown.paginator.num_pages, "count": shown.paginator.count,
            "threads": threads, "links": links,
        }  # fmt: skip
        return data, links

    return kept(ThreadPage, tag, build)


def shown_comment(request, comment_id):
    """(comment, article, own) of a comment this reader may see in its discussion; else 404."""
    comment = (
        Comment.objects.select_related("article")
        .filter(article__in=Article.objects.visible_to(request.user))
        .filter(pk=comment_id)
        .first()
    )
    own = reader_of(request).pending(comment.article) if comment is not None else []
    if (
        comment is None
        or not Comment.objects.for_article(comment.article, own=own).filter(pk=comment.pk).exists()
    ):
        raise Problem(404, "No such comment, or not one you may see.", kind="no-such-comment")
    return comment, comment.article, own


def reply_level_of(article):
    rules = DiscussionSettings.load()
    return rules.deepest_replyable_level if comments_open(article, rules) else -1


@router.get(
    tags=TAGS,
    path="/comments/{comment_id}",
    response={200: CommentOut, 304: None, **ERRORS},
    url_name="comment",
)
def comment(request, comment_id: Id):
    """One comment, as its discussion shows it to this reader."""
    caller(request)
    found, article, own = shown_comment(request, comment_id)
    tag = etag("comment", found.pk, article.versions(), own)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    row = rowing.rows_of(Comment.objects.for_article(article, own=own).filter(pk=found.pk))[0]
    item = rowing.thread_out([row], own=own, reply_level=reply_level_of(article))[0]
    return answer(CommentOut, item, tag=tag)


@router.get(
    tags=TAGS,
    path="/comments/{comment_id}/thread",
    response={200: ThreadOut, 304: None, **ERRORS},
    url_name="thread",
)
def thread(request, comment_id: Id):
    """A comment with its replies, as its thread page shows them (replies nested deeper than
    the page shows are folded: follow ``thread`` of the comment they hang from)."""
    caller(request)
    found, article, own = shown_comment(request, comment_id)
    tag = etag("thread", found.pk, article.versions(), own)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged

    def build():
        subtree = rowing.rows_of(Comment.objects.subtree(found, own=own))
        comments = rowing.thread_out(subtree, own=own, reply_level=reply_level_of(article))
        return {"id": found.pk, "comments": comments}, None

    return kept(ThreadOut, tag, build)


@router.get(
    tags=TAGS,
    path="/comments",
    response={200: RecentPage, 304: None, 400: ProblemOut, **ERRORS},
    url_name="recent",
)
def recent(
    request,
    article: Id | None = None,
    limit: int = Limit,
    cursor: PlainText | None = Cursor,
):
    """Recent approved comments on published articles, newest first (of one article with
    ``article``), with a cursor to the next ones."""
    caller(request)
    found = Comment.objects.approved().filter(article__in=Article.objects.published())
    if article is not None:
        found = found.filter(article_id=article)
    if cursor:
        try:
            created, pk = signing.loads(cursor, salt=CURSOR_SALT)
            found = found.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
        except (signing.BadSignature, ValueError, TypeError):
            raise Problem(400, "This cursor is not one this API gave.", kind="bad-cursor") from None
    rows = rowing.rows_of(
        rowing.with_author_mark(found).order_by("-created_at", "-pk")[: limit + 1]
    )
    items = [rowing.comment_out(row) for row in rows[:limit]]
    path = rowing.api_path("recent")
    links = {"self": request.get_full_path()}
    if len(rows) > limit:
        last = rows[limit - 1]
        after = signing.dumps([last.created_at.isoformat(), last.id], salt=CURSOR_SALT)
        query = {"limit": limit, "cursor": after, **({"article": article} if article else {})}
        links["next"] = f"{path}?{urlencode(query)}"
    data = {"items": items, "links": links}
    tag = content_tag(RecentPage, data)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    return answer(RecentPage, data, tag=tag, links=links)


def article_at(url):
    """The published article whose page (or old address, for imported ones) ``url`` is."""
    published = Article.objects.published()
    try:
        match = resolve(urlsplit(url).path or "/")
    except (Resolver404, ValueError):
        match = None
    if match is not None and match.view_name == "articles:detail":
        return published.filter(slug=match.kwargs["slug"]).first()
    return published.filter(source_url=url).first() if url.startswith("http") else None


@router.get(
    tags=TAGS, path="/counts", response={200: Counts, 304: None, **ERRORS}, url_name="counts"
)
def counts(
    request,
    article: list[Id] = Ids,
    url: list[PlainText] = Urls,
):
    """Approved comment counts of many articles in one call, by id or by address: what a list
    of articles shows as "N comments". Up to 100 at once."""
    caller(request)
    if len(article) + len(url) > COUNTS_MAX:
        raise Problem(422, f"Ask for at most {COUNTS_MAX} articles at once.", kind="too-many",
                      errors={"article": [f"At most {COUNTS_MAX} in all."]})  # fmt: skip
    published = Article.objects.published().only(*Article.VERSION_FIELDS, "comment_count")
    by_id = {a.pk: a for a in published.filter(pk__in=article)}
    asked = [(str(pk), by_id.get(pk)) for pk in article] + [(u, article_at(u)) for u in url]
    items = [
        {
            "asked": name,
            "article": a and a.pk,
            "comment_count": a.comment_count if a else 0,
            "url": a and a.canonical_url(),
        }  # fmt: skip
        for name, a in asked
    ]
    data = {"items": items}
    tag = content_tag(Counts, data)
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    return answer(Counts, data, tag=tag)
