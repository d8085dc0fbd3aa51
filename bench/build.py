"""Realistic discussions, built fast: the trees are computed here and written with bulk_create.

Posting 100,000 comments through ``post_comment`` would take one locked insert each. Instead the
nested-set numbers are computed in Python exactly as last-child insertion would have made them
(replies in the order they were written), written in batches, and then checked with
``comments.trees.tree_errors()``: on the whole discussion when it is small, on a sample of its
threads when it is large.
"""

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.markup import render_header
from comments.models import TREE_ID_SEQUENCE, Comment, DiscussionSettings
from comments.trees import tree_errors
from core.markup import comment_html

TOP_LEVEL_SHARE = 0.3
# The level a reply wants (1 answers a top-level comment): most replies are shallow, a long tail
# goes deeper. When no comment exists yet one level up, the reply takes the deepest level there is.
REPLY_LEVEL_WEIGHTS = [45, 25, 12, 7, 4, 3, 2, 1, 1]
RECENT_PARENTS = 200  # most replies answer one of the latest comments of the level above...
RECENT_SHARE = 0.7  # ...and the others any earlier one, so some threads grow long
REMOVED_SHARE = 0.01  # a few removed comments: placeholders when they have replies
BODY_LENGTH = (100, 1000)
BODY_POOL_SIZE = 500  # distinct bodies, each rendered to HTML once
AUTHOR_POOL_SIZE = 300
BATCH_SIZE = 2000
VERIFY_WHOLE_UP_TO = 10_000
VERIFY_SAMPLE_THREADS = 500

WORDS = [
    "the", "a", "thread", "reply", "point", "server", "query", "page", "index", "cache", "lock",
    "tree", "node", "level", "article", "comment", "reader", "writer", "moderator", "idea",
    "question", "answer", "reason", "example", "case", "test", "number", "fast", "slow", "simple",
    "clear", "wrong", "right", "better", "worse", "often", "never", "always", "maybe", "really",
    "quite", "think", "agree", "disagree", "wonder", "suppose", "read", "wrote", "measure",
    "explain", "show", "prove", "change", "keep", "postgres", "django", "python", "template",
    "database", "request", "response", "minute", "second", "hour", "day"
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Edsger", "Donald",
    "Frances", "John"
]  # fmt: skip
LAST_NAMES = [
    "Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Ritchie", "Hamilton",
    "Knuth", "Allen"
]  # fmt: skip


@dataclass
class Pools:
    """Authors and bodies that comments draw from: (name, email, url) and (body, body_html)."""

    authors: list
    bodies: list


@dataclass
class Discussion:
    article: Article
    size: int
    threads: int
    deepest_level: int
    largest_thread: int
    seconds: float
    errors: list
    checked: str


def rules_for_benchmarks():
    """The Discussion settings with every rule that refuses or holds rapid posts turned off."""
    rules = DiscussionSettings.load()
    rules.flood_seconds = rules.new_author_flood_seconds = rules.min_fill_seconds = 0
    rules.duplicate_window = 0
    rules.hold_first_comment = False
    rules.save()
    return rules


def make_pools(rng):
    authors = []
    for n in range(AUTHOR_POOL_SIZE):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        url = f"https://{first}-{last}.example.net/".lower() if rng.random() < 0.3 else ""
        authors.append((f"{first} {last}", f"{first}.{last}{n}@example.com".lower(), url))
    bodies = []
    for _ in range(BODY_POOL_SIZE):
        body = make_body(rng)
        bodies.append((body, comment_html(body)))
    return Pools(authors, bodies)


def make_body(rng):
    """100 to 1,000 characters, mostly short, with some emphasis, code, links, quotes and lists."""
    shortest, longest = BODY_LENGTH
    target = round(rng.triangular(shortest, longest, 250))
    blocks = []
    while sum(len(block) + 2 for block in blocks) < target:
        blocks.append(make_block(rng))
    while len("\n\n".join(blocks)) > longest:
        blocks.pop()
    return "\n\n".join(blocks)


def make_block(rng):
    kind = rng.random()
    if kind < 0.1:
        return "> " + make_sentence(rng)
    if kind < 0.2:
        return "\n".join("- " + make_sentence(rng) for _ in range(rng.randint(2, 4)))
    return " ".join(make_sentence(rng) for _ in range(rng.randint(1, 3)))


def make_sentence(rng):
    words = rng.choices(WORDS, k=rng.randint(6, 14))
    markup = rng.random()
    position = rng.randrange(len(words))
    if markup < 0.12:
        words[position] = f"**{words[position]}**"
    elif markup < 0.24:
        words[position] = f"*{words[position]}*"
    elif markup < 0.32:
        words[position] = f"`{words[position]}()`"
    elif markup < 0.38:
        words[position] = f"[{words[position]}](https://example.com/{words[position]})"
    elif markup < 0.42:
        words.append(f"https://example.org/{words[position]}")
    return " ".join(words).capitalize() + "."


def plan_threads(size, rng, max_depth):
    """Each comment's parent (an index into the list, or None) and level, in order of writing."""
    parents, levels = [], []
    by_level = [[] for _ in range(max_depth)]
    weights = REPLY_LEVEL_WEIGHTS[: max_depth - 1]
    for index in range(size):
        parent, level = None, 0
        if index and rng.random() >= TOP_LEVEL_SHARE and weights:
            level = rng.choices(range(1, max_depth), weights=weights)[0]
            while not by_level[level - 1]:
                level -= 1
            if level:
                earlier = by_level[level - 1]
                recent = rng.random() < RECENT_SHARE
                parent = rng.choice(earlier[-RECENT_PARENTS:] if recent else earlier)
        parents.append(parent)
        levels.append(level)
        by_level[level].append(index)
    return parents, levels


def nested_sets(parents):
    """(lft, rght) of each comment, numbered within its thread as last-child insertion does."""
    children = defaultdict(list)
    for index, parent in enumerate(parents):
        if parent is not None:
            children[parent].append(index)
    lft, rght = [0] * len(parents), [0] * len(parents)
    for root in (index for index, parent in enumerate(parents) if parent is None):
        counter, stack = 1, [(root, False)]
        while stack:  # iterative depth-first walk
            node, done = stack.pop()
            if done:
                rght[node] = counter
            else:
                lft[node] = counter
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children[node]))
            counter += 1
    return lft, rght


def next_values(sequence, count):
    """``count`` fresh values of a PostgreSQL sequence, in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def id_sequence():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Comment._meta.db_table])
        return cursor.fetchone()[0]


def make_article(size, author):
    return Article.objects.create(
        title=f"A discussion of {size:,} comments",
        slug=f"discussion-{size}",
        body="An article with a long discussion under it, for the benchmarks of issue #7.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=8),
        author=author,
    )


def editor():
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "email": "editor@example.com"}
    )
    return user


def build_discussion(size, *, pools, rng, max_depth):
    """A published article with ``size`` comments in realistic threads, checked afterwards."""
    started = time.perf_counter()
    article = make_article(size, editor())
    parents, levels = plan_threads(size, rng, max_depth)
    lft, rght = nested_sets(parents)
    ids = next_values(id_sequence(), size)
    roots = [index for index, parent in enumerate(parents) if parent is None]
    tree_id_of_root = dict(zip(roots, next_values(TREE_ID_SEQUENCE, len(roots)), strict=True))
    tree_ids = []
    for index, parent in enumerate(parents):  # parents come first, so their tree_id is known
        tree_ids.append(tree_id_of_root[index] if parent is None else tree_ids[parent])
    first_at = timezone.now() - timedelta(days=7)
    step = timedelta(days=7) / size

    def comment(index):
        name, email, url = rng.choice(pools.authors)
        body, body_html = rng.choice(pools.bodies)
        parent = parents[index]
        removed = rng.random() < REMOVED_SHARE
        comment = Comment(
            pk=ids[index],
            article=article,
            parent_id=None if parent is None else ids[parent],
            author_name=name,
            author_email=email,
            author_url=url,
            body=body,
            body_html=body_html,
            status=Comment.Status.REMOVED if removed else Comment.Status.APPROVED,
            ip_address=f"203.0.113.{rng.randrange(1, 255)}",
            user_agent="Mozilla/5.0 (benchmark)",
            created_at=first_at + step * index,
            tree_id=tree_ids[index],
            lft=lft[index],
            rght=rght[index],
            level=levels[index],
        )
        render_header(comment)  # as save() would
        return comment

    with transaction.atomic():
        for start in range(0, size, BATCH_SIZE):
            batch = [comment(i) for i in range(start, min(start + BATCH_SIZE, size))]
            Comment.objects.bulk_create(batch)
    move_tree_sequence_past_max()
    services.recount(article)  # the stored counts, as posting would have kept them
    errors, checked = verify(article, size, rng)
    thread_sizes = defaultdict(int)
    for tree_id in tree_ids:
        thread_sizes[tree_id] += 1
    return Discussion(
        article=article,
        size=size,
        threads=len(roots),
        deepest_level=max(levels),
        largest_thread=max(thread_sizes.values()),
        seconds=time.perf_counter() - started,
        errors=errors,
        checked=checked,
    )


def build_spam(count, *, pools, rng):
    """``count`` spam comments, 40 days old, each a thread of one, on an article of their own:
    what a year of a spam wave leaves in the table (#17)."""
    article = Article.objects.create(
        title="Spam wave", slug="spam-wave", body="Where the benchmark's spam went.",
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=41),
        author=editor(),
    )  # fmt: skip
    ids = next_values(id_sequence(), count)
    tree_ids = next_values(TREE_ID_SEQUENCE, count)
    first_at = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        for start in range(0, count, BATCH_SIZE):
            batch = []
            for i in range(start, min(start + BATCH_SIZE, count)):
                name, email, url = rng.choice(pools.authors)
                body, body_html = rng.choice(pools.bodies)
                batch.append(Comment(
                    pk=ids[i], article=article, author_name=name, author_email=email,
                    author_url=url, body=body, body_html=body_html, status=Comment.Status.SPAM,
                    status_reason="benchmark spam", ip_address="198.51.100.7",
                    user_agent="spam-bot", created_at=first_at + timedelta(seconds=i),
                    tree_id=tree_ids[i], lft=1, rght=2, level=0,
                ))  # fmt: skip
            Comment.objects.bulk_create(batch)
    move_tree_sequence_past_max()
    return article


def move_tree_sequence_past_max():
    """New threads must never reuse a tree_id: start the sequence after the largest one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(%s, GREATEST((SELECT max(tree_id) FROM comments_comment), 1))",
            [TREE_ID_SEQUENCE],
        )


def verify(article, size, rng):
    """(tree_errors(), what was checked): all of a small discussion, a sample of a large one."""
    comments = Comment.objects.filter(article=article)
    if size <= VERIFY_WHOLE_UP_TO:
        return tree_errors(comments), "all"
    tree_ids = list(comments.filter(level=0).values_list("tree_id", flat=True))
    sample = rng.sample(tree_ids, min(VERIFY_SAMPLE_THREADS, len(tree_ids)))
    return tree_errors(comments.filter(tree_id__in=sample)), f"{len(sample)} threads"


def vacuum_analyze():
    """Vacuum and analyse now, as autovacuum would on a live site, rather than mid-measurement."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def new_rng(seed=7):
    return random.Random(seed)
