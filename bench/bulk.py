"""A million comments in minutes (issue #29): articles and comments written with PostgreSQL's
COPY (psycopg 3's ``cursor.copy()``) instead of one INSERT per batch.

The site is planned in Python first, as ``bench/build.py`` plans one discussion: each article's
threads (``build.plan_threads``), their nested-set numbers as last-child insertion makes them
(``build.nested_sets``), the stored counts posting keeps (approved comments per thread and per
article, visible threads), bodies and their HTML from a pool rendered once, each author's stored
header rendered once. Spam is written in as threads of one and as replies nobody answered
(the two kinds ``purge_spam`` deletes); a few comments are removed (placeholders when they have
replies) or pending. The search vectors are made by the table's own trigger (``comments``'
migration 0013) as for every other write. The table's secondary indexes are dropped for the load
and built again afterwards, which is much faster than keeping them up row by row.
"""

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from articles.models import Article
from bench import build
from comments.markup import header_of
from comments.models import TREE_ID_SEQUENCE, Comment
from core import freshness
from core.markup import article_html

COMMENTS = 1_000_000  # at --scale 1
ARTICLES = 50_000
BIGGEST = 50_000  # comments readers see in the largest discussion (its spam comes on top)
SPAM_SHARE = 0.3  # of all comments
SPAM_REPLY_SHARE = 0.05  # of the spam: replies (leaves) rather than threads of their own
PENDING_SHARE = 0.003  # of the comments nobody answered: still awaiting moderation
MEMBER_SHARE = 0.2  # of the comments: written by members signed in
MEMBERS = 200
ADDRESSES = 5_000
YEARS = 3  # articles published over the last three years, one every half hour or so
DISCUSSION_DAYS = 14  # most of a discussion happens in the fortnight after publication
SIZE_SIGMA = 1.6  # log-normal spread of the other discussions' sizes: many small, a few large
BIGGEST_AGE_DAYS = 60


@dataclass
class Site:
    """What was written: counts, the articles measured, and the build time."""

    comments: int
    articles: int
    spam: int
    biggest: Article
    typical: Article
    deep_comment: int  # the id of a deep reply in the last thread of the biggest discussion
    prolific: int  # the id of a comment by the author with the most comments
    by_status: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


def scaled(scale):
    """(comments, articles, biggest discussion) at ``scale`` of the full million."""
    articles = max(2, round(ARTICLES * scale))
    return round(COMMENTS * scale), articles, max(10, round(BIGGEST * scale))


def spread(total, weights):
    """``total`` split in proportion to ``weights`` as integers that add up to it."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def discussion_sizes(comments, articles, biggest, rng):
    """Comments readers see, and spam, per article: the first is the biggest discussion."""
    visible = round(comments * (1 - SPAM_SHARE))
    others = [rng.lognormvariate(0, SIZE_SIGMA) for _ in range(articles - 1)]
    sizes = [biggest, *spread(max(0, visible - biggest), others)]
    return sizes, spread(comments - visible, sizes)


def reserve(sequence, count):
    """The first of ``count`` consecutive values taken from a sequence nobody else uses now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def id_sequence(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


class Copy:
    """Rows of ``model`` through COPY: ``columns`` are given per row, every other column takes
    the field's default (the trigger-kept ``search_vector`` is left to the trigger)."""

    def __init__(self, model, columns):
        fields = [f for f in model._meta.concrete_fields if f.name != "search_vector"]
        given = [model._meta.get_field(name) for name in columns]
        self.rest = [f for f in fields if f not in given and not f.primary_key]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.rest)
        names = ", ".join(connection.ops.quote_name(f.column) for f in given + self.rest)
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"

    def write(self, rows):
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row((*row, *self.defaults))


def make_members(count, rng):
    """``count`` member accounts (no usable password), written in one bulk insert."""
    password = make_password(None)
    users = [
        get_user_model()(
            username=f"member{n}", email=f"member{n}@example.com", password=password,
            first_name=rng.choice(build.FIRST_NAMES), last_name=rng.choice(build.LAST_NAMES),
        )
        for n in range(count)
    ]  # fmt: skip
    return get_user_model().objects.bulk_create(users)


def make_authors(pools, members, sample_article):
    """(user_id, name, email, url, header_html) of every writer: the guests of ``pools`` and the
    members, each header rendered once as ``save()`` would."""
    authors = []
    for name, email, url in pools.authors:
        writer = Comment(author_name=name, author_email=email, author_url=url)
        authors.append((None, name, email, url, writer))
    for user in members:
        writer = Comment(author_name=f"{user.first_name} {user.last_name}",
                         author_email=user.email, user=user)  # fmt: skip
        authors.append((user.pk, writer.author_name, user.email, "", writer))
    rows = []
    for user_id, name, email, url, writer in authors:
        writer.article = sample_article
        rows.append((user_id, name, email, url, header_of(writer)))
    return rows


def write_articles(sizes, editor, rng, now):
    """The articles (the first published BIGGEST_AGE_DAYS ago, the others over YEARS years,
    oldest first), with the counts their discussions will have; returns [(id, published_at)]."""
    count = len(sizes)
    body = "An article of the million-comment benchmark (#29), with a discussion under it."
    template = Article(title="x", body=body, status=Article.Status.PUBLISHED, author=editor)
    template.body_html = article_html(body, "markdown")  # rendered once for all
    template.summary = body
    first = reserve(id_sequence(Article), count)
    span = timedelta(days=365 * YEARS)
    rows, published = [], []
    for n in range(count):
        at = now - timedelta(days=BIGGEST_AGE_DAYS) if n == 0 else now - span * (1 - n / count)
        published.append((first + n, at))
        rows.append((first + n, f"Article {n}: on threads and trees", f"article-{n}",
                     editor.pk, body, template.body_html, template.summary, "published", at,
                     at, at))  # fmt: skip
    columns = ["id", "title", "slug", "author", "body", "body_html", "summary", "status",
               "published_at", "created_at", "updated_at"]  # fmt: skip
    Copy(Article, columns).write(rows)
    return published


COMMENT_COLUMNS = [
    "id", "article", "parent", "user", "author_name", "author_email", "author_url", "body",
    "body_html", "status", "status_reason", "ip_address", "user_agent", "created_at", "shown_at",
    "tree_id", "lft", "rght", "level", "thread_comment_count", "header_html", "markup_version",
]  # fmt: skip


def plan_discussion(visible, spam, rng, max_depth, start, span):
    """The nodes of one discussion in order of writing: (parent index or None, level, status,
    created_at). Spam goes in as threads of one and as unanswered replies, at random times."""
    parents, levels = build.plan_threads(visible, rng, max_depth) if visible else ([], [])
    times = sorted(rng.random() for _ in range(visible))
    has_replies = {p for p in parents if p is not None}
    nodes = []
    for i in range(visible):
        status = "approved"
        if rng.random() < build.REMOVED_SHARE:
            status = "removed"
        elif i not in has_replies and rng.random() < PENDING_SHARE:
            status = "pending"
        nodes.append((times[i], parents[i], levels[i], status))
    for _ in range(spam):
        if visible and rng.random() < SPAM_REPLY_SHARE:
            parent = rng.randrange(visible)
            if levels[parent] + 1 < max_depth:
                at = times[parent] + rng.random() * (1 - times[parent])
                nodes.append((at, parent, levels[parent] + 1, "spam"))
                continue
        nodes.append((rng.random(), None, 0, "spam"))
    order = sorted(range(len(nodes)), key=lambda i: nodes[i][0])  # parents come before replies
    position = {old: new for new, old in enumerate(order)}
    return [
        (None if nodes[old][1] is None else position[nodes[old][1]], nodes[old][2],
         nodes[old][3], start + span * nodes[old][0])
        for old in order
    ]  # fmt: skip


def discussion_rows(article_id, nodes, *, ids, tree_ids, pools, authors, addresses, rng):
    """The COPY rows of one discussion, and its (approved comments, visible threads)."""
    parents = [parent for parent, *_ in nodes]
    lft, rght = build.nested_sets(parents)
    tree_of, roots = [], {}
    for i, parent in enumerate(parents):
        if parent is None:
            roots[i] = next(tree_ids)
            tree_of.append(roots[i])
        else:
            tree_of.append(tree_of[parent])
    approved = Counter(tree_of[i] for i, node in enumerate(nodes) if node[2] == "approved")
    rows = []
    first = ids
    for i, (parent, level, status, at) in enumerate(nodes):
        user_id, name, email, url, header = rng.choice(authors)
        body, body_html = rng.choice(pools.bodies)
        reason = "benchmark spam" if status == "spam" else ""
        shown = at if status in ("approved", "removed") else None
        tree_id = tree_of[i]
        rows.append((
            first + i, article_id, None if parent is None else first + parent, user_id, name,
            email, url, body, body_html, status, reason, rng.choice(addresses),
            "Mozilla/5.0 (benchmark)", at, shown, tree_id, lft[i], rght[i], level,
            approved[tree_id] if parent is None else 0, header, freshness.MARKUP_VERSION,
        ))  # fmt: skip
    threads = sum(1 for tree_id in roots.values() if approved[tree_id])
    return rows, sum(approved.values()), threads


def secondary_indexes(model):
    """(name, definition) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [model._meta.db_table],
        )
        return cursor.fetchall()


def build_site(scale=1.0, *, rng, progress=print, vacuum=True):
    """Write the whole site at ``scale`` of a million comments; returns a ``Site``."""
    started = time.perf_counter()
    comments, articles, biggest = scaled(scale)
    rules = build.rules_for_benchmarks()
    pools = build.make_pools(rng)
    now = timezone.now()
    sizes, spam = discussion_sizes(comments, articles, biggest, rng)
    members = make_members(max(2, round(MEMBERS * min(1, scale * 10))), rng)
    editor = build.editor()
    published = write_articles(sizes, editor, rng, now)
    sample = Article.objects.get(pk=published[0][0])
    authors = make_authors(pools, members, sample)
    addresses = [f"203.0.{n // 250}.{n % 250 + 1}" for n in range(ADDRESSES)]
    seconds = {"articles": time.perf_counter() - started}
    progress(f"{articles:,} articles written in {seconds['articles']:.1f} s")

    indexes = secondary_indexes(Comment)
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    first_id = reserve(id_sequence(Comment), comments)
    first_tree = reserve(TREE_ID_SEQUENCE, comments)  # at most one thread per comment
    tree_ids = iter(range(first_tree, first_tree + comments))
    copy = Copy(Comment, COMMENT_COLUMNS)
    counts, by_status = [], Counter()
    next_id, written, last_report = first_id, 0, time.perf_counter()

    def all_rows():
        nonlocal next_id, written, last_report
        for n, ((article_id, at), visible, junk) in enumerate(
            zip(published, sizes, spam, strict=True)
        ):
            span = min(timedelta(days=DISCUSSION_DAYS), now - at - timedelta(minutes=5))
            nodes = plan_discussion(visible, junk, rng, rules.max_depth, at, span)
            rows, approved, threads = discussion_rows(
                article_id, nodes, ids=next_id, tree_ids=tree_ids, pools=pools,
                authors=authors, addresses=addresses, rng=rng,
            )  # fmt: skip
            counts.append((article_id, approved, threads))
            by_status.update(node[2] for node in nodes)
            next_id += len(rows)
            written += len(rows)
            yield from rows
            if time.perf_counter() - last_report > 30:
                progress(f"  {written:,} comments, {n + 1:,} articles")
                last_report = time.perf_counter()

    copy_started = time.perf_counter()
    with transaction.atomic():
        copy.write(all_rows())
        with connection.cursor() as cursor:  # check the foreign keys now, not at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    seconds["comments"] = time.perf_counter() - copy_started
    progress(f"{written:,} comments written with COPY in {seconds['comments']:.1f} s")
    index_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
    seconds["indexes"] = time.perf_counter() - index_started
    progress(f"{len(indexes)} indexes built in {seconds['indexes']:.1f} s")
    write_counts(counts)
    build.move_tree_sequence_past_max()
    with connection.cursor() as cursor:  # the id sequence past what was written
        cursor.execute("SELECT setval(%s, %s)", [id_sequence(Comment), next_id - 1])
    if vacuum:
        vacuum_started = time.perf_counter()
        build.vacuum_analyze()
        seconds["vacuum"] = time.perf_counter() - vacuum_started
        progress(f"VACUUM ANALYZE in {seconds['vacuum']:.1f} s")
    seconds["total"] = time.perf_counter() - started
    return Site(
        comments=written, articles=articles, spam=by_status["spam"],
        biggest=Article.objects.get(pk=published[0][0]),
        typical=Article.objects.get(pk=typical_article(published, sizes)),
        deep_comment=deep_comment(published[0][0]), prolific=prolific_comment(),
        by_status=dict(by_status), seconds=seconds,
    )  # fmt: skip


def write_counts(counts):
    """Each article's approved comments and visible threads, in one UPDATE from a COPY."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_counts (id bigint, comments int, threads int)")
        with cursor.cursor.copy("COPY bench_counts FROM STDIN") as copy:
            for row in counts:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {Article._meta.db_table} a SET comment_count = c.comments, "
            "thread_count = c.threads FROM bench_counts c WHERE a.id = c.id"
        )
        cursor.execute("DROP TABLE bench_counts")


def typical_article(published, sizes):
    """The article whose discussion has the median size (not the biggest)."""
    ordered = sorted(range(1, len(sizes)), key=lambda i: sizes[i])
    return published[ordered[len(ordered) // 2]][0]


def deep_comment(article_id):
    """An approved reply at the deepest level of the biggest discussion's last threads: the
    permalink that has the most to count before it."""
    return (
        Comment.objects.approved().filter(article_id=article_id, level__gte=3)
        .order_by("-tree_id", "-level").values_list("pk", flat=True).first()
    )  # fmt: skip


def prolific_comment():
    """A comment by the author (same email) who wrote the most."""
    email = (
        Comment.objects.values("author_email").annotate(n=Count("pk")).order_by("-n")
        .values_list("author_email", flat=True).first()
    )  # fmt: skip
    return Comment.objects.filter(author_email=email).values_list("pk", flat=True).first()
