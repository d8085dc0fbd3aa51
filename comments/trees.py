"""Checking and repairing the comment threads' nested-set numbers (issues #3 and #6).

Writers keep the numbers right under the thread lock (services.py); these functions find any
thread whose numbers disagree with its parent links, and renumber it under that same lock.
"""

import re
from collections import defaultdict

from django.db import transaction

from comments.models import Comment
from comments.services.counts import lock_thread

ERROR_PATTERN = re.compile(r"comment (\d+):")  # every message of tree_errors() starts so
TREE_FIELDS = ["tree_id", "lft", "rght", "level"]
CHECK_BATCH = 20_000  # comments read at once by ``errors_in_batches`` (#29)


def tree_errors(queryset=None):
    """Describe every node whose tree fields disagree with its parent links; [] when all is well.

    Children are expected in the order they were created (last-child insertion), which is the
    order ``Comment.objects.rebuild()`` would give them.
    """
    rows = list(
        (queryset or Comment.objects.all())
        .order_by("tree_id", "lft")
        .values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )
    actual = {pk: (tree_id, lft, rght, level) for pk, _, tree_id, lft, rght, level in rows}
    children = defaultdict(list)
    roots = []
    for pk, parent_id, *_ in sorted(rows):
        (children[parent_id] if parent_id else roots).append(pk)
    expected, errors, seen_tree_ids = {}, [], set()
    for root in roots:
        tree_id = actual[root][0]
        if tree_id in seen_tree_ids:
            errors.append(f"comment {root}: tree_id {tree_id} is shared by two threads")
        seen_tree_ids.add(tree_id)
        counter = 1
        stack = [(root, 0, False)]
        while stack:  # iterative depth-first walk: threads can be deeper than Python's stack
            pk, level, done = stack.pop()
            if done:
                expected[pk] = (tree_id, expected[pk][1], counter, level)
                counter += 1
                continue
            expected[pk] = (tree_id, counter, None, level)
            counter += 1
            stack.append((pk, level, True))
            stack.extend((child, level + 1, False) for child in reversed(children[pk]))
    fields = ("tree_id", "lft", "rght", "level")
    for pk, want in expected.items():
        for name, have, should in zip(fields, actual[pk], want, strict=True):
            if have != should:
                errors.append(f"comment {pk}: {name} is {have}, should be {should}")
    errors.extend(
        f"comment {pk}: not reachable from its thread's root"
        for pk in actual.keys() - expected.keys()
    )
    return errors


def errors_in_batches(batch_size=CHECK_BATCH, progress=None):
    """``tree_errors()`` of every thread, read a range of whole threads (by ``tree_id``) of about
    ``batch_size`` comments at a time, so that memory stays flat however big the table (#29).
    A comment whose ``tree_id`` is wrong is still found: its own range misses its parent, and
    its thread's range a number. ``progress``: called after each range."""
    tree_ids = Comment.objects.order_by("tree_id").values_list("tree_id", flat=True)
    errors, start = [], tree_ids.first()
    while start is not None:
        end = tree_ids.filter(tree_id__gte=start)[batch_size : batch_size + 1].first()
        if end == start:  # one thread of more than batch_size comments: alone in its range
            end = start + 1
        batch = Comment.objects.filter(tree_id__gte=start)
        if end is not None:
            batch = batch.filter(tree_id__lt=end)
        errors.extend(tree_errors(batch))
        if progress:
            progress()
        start = None if end is None else tree_ids.filter(tree_id__gte=end).first()
    return errors


def damaged_tree_ids(errors):
    """The tree_ids of the threads (found by parent links) that hold the comments in ``errors``."""
    parents = dict(Comment.objects.values_list("pk", "parent_id"))
    tree_ids = dict(Comment.objects.filter(parent=None).values_list("pk", "tree_id"))
    damaged = set()
    for error in errors:
        pk = int(ERROR_PATTERN.match(error).group(1))
        seen = set()
        while parents.get(pk) is not None and pk not in seen:  # a cycle has no root: skip it
            seen.add(pk)
            pk = parents[pk]
        if pk in tree_ids:
            damaged.add(tree_ids[pk])
    return damaged


def repair(tree_id):
    """Renumber every thread whose root has ``tree_id``; [(root pk, tree_id, rows changed)].

    The first of several roots keeps the tree_id and the later ones get fresh ones. Replies are
    numbered in the order they were written (by pk), as last-child insertion placed them.
    """
    done = []
    with transaction.atomic():
        lock_thread(tree_id)
        roots = Comment.objects.filter(parent=None, tree_id=tree_id).order_by("pk")
        for index, root in enumerate(list(roots.only(*TREE_FIELDS))):
            new_tree_id = tree_id if index == 0 else Comment.objects._get_next_tree_id()
            nodes = thread_of(root)
            # A reply carrying another thread's tree_id is inside that thread's numbers too:
            # take that lock as well, then read the thread again.
            others = sorted({node.tree_id for node in nodes} - {tree_id})
            for other in others:
                lock_thread(other)
            if others:
                nodes = thread_of(root)
            changed = renumber(root, nodes, new_tree_id)
            Comment.objects.bulk_update(changed, TREE_FIELDS, batch_size=1000)
            done.append((root.pk, new_tree_id, len(changed)))
    return done


def thread_of(root):
    """``root`` and all its replies, found by parent links (one query per level)."""
    nodes, level = [root], [root.pk]
    while level:
        replies = list(Comment.objects.filter(parent_id__in=level).only("parent_id", *TREE_FIELDS))
        nodes.extend(replies)
        level = [reply.pk for reply in replies]
    return nodes


def renumber(root, nodes, tree_id):
    """Set the tree fields of ``nodes`` by a depth-first walk; return the nodes that changed."""
    children = defaultdict(list)
    for node in sorted(nodes[1:], key=lambda node: node.pk):
        children[node.parent_id].append(node)
    before = {node.pk: tuple(getattr(node, f) for f in TREE_FIELDS) for node in nodes}
    counter, stack = 1, [(root, 0, False)]
    while stack:  # iterative: threads can be deeper than Python's recursion limit
        node, level, done = stack.pop()
        if done:
            node.rght = counter
        else:
            node.tree_id, node.lft, node.level = tree_id, counter, level
            stack.append((node, level, True))
            stack.extend((child, level + 1, False) for child in reversed(children[node.pk]))
        counter += 1
    return [
        node for node in nodes if tuple(getattr(node, f) for f in TREE_FIELDS) != before[node.pk]
    ]
