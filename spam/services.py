"""The learning spam filter (#26): what it learns from, training, scoring a new comment, and its
figures. Labels are moderators' decisions (the ModerationLog rows staff made) and imported
comments' statuses; nothing is learned in a request: training runs in the task worker or in
``manage.py train_spam``."""

import logging
import time
from collections import defaultdict, deque
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.hooks import Verdict
from comments.models import Comment, DiscussionSettings, ModerationLog
from spam import akismet
from spam.features import Signals
from spam.model import Model
from spam.models import TrainedModel

log = logging.getLogger(__name__)
Status = Comment.Status
SPAM_LIKE = (Status.SPAM, Status.REMOVED)  # a moderator's removal: not wanted either
MAX_EXAMPLES = 200_000  # the newest; bounds training's time and memory
IP_WINDOW = timedelta(days=1)
AKISMET_SPAM = 0.95  # Akismet's "spam" lifts the score at least this high


class NotEnoughExamples(Exception):
    pass


# The model this process uses, keyed by its row's id: one cheap query per score tells whether a
# newer one was trained (on any server), and only then are its weights read again.
_loaded = {"id": None, "model": None, "trusted": False, "error": ""}


def current():
    """(model or None, trusted, error): the newest trained model, loaded once per process."""
    row = TrainedModel.objects.values_list("pk", "trusted").order_by("-pk").first()
    if row is None:
        _loaded.update(id=None, model=None, trusted=False, error="")
        return None, False, ""
    if row[0] != _loaded["id"]:
        data = TrainedModel.objects.filter(pk=row[0]).values_list("data", flat=True).first()
        try:
            model, error = Model.loads(data or b""), ""
        except ValueError as problem:
            model, error = None, str(problem)
            log.warning("Spam filter unavailable, the rules decide alone: %s", error)
        _loaded.update(id=row[0], model=model, trusted=row[1], error=error)
    return _loaded["model"], _loaded["trusted"], _loaded["error"]


def signals_of(comment):
    """The Signals of a new comment: its fields and the writer's history until now."""
    history = Comment.objects.filter(author_email=comment.author_email).aggregate(
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        spam=Count("pk", filter=Q(status__in=SPAM_LIKE)),
    ) if comment.author_email else {"approved": 0, "spam": 0}  # fmt: skip
    ip_spam = 0
    if comment.ip_address:
        since = timezone.now() - IP_WINDOW
        ip_spam = Comment.objects.filter(
            ip_address=comment.ip_address, status=Status.SPAM, created_at__gte=since
        )[:20].count()
    return Signals(
        body=comment.body, name=comment.author_name, email=comment.author_email,
        url=comment.author_url, form_seconds=comment.form_seconds,
        author_approved=history["approved"], author_spam=history["spam"], ip_spam=ip_spam,
    )  # fmt: skip


def score(comment):
    """The Verdict on a new comment (registered in comments.hooks), or None without a model
    and without Akismet: then the rules decide alone."""
    model, trusted, _ = current()
    second = akismet.is_spam(comment)
    if model is None and second is None:
        return None
    p, reasons = model.explain(signals_of(comment)) if model is not None else (0.0, "")
    if second is not None:
        reasons = ", ".join(filter(None, [f"Akismet: {'spam' if second else 'not spam'}",
                                          reasons]))  # fmt: skip
        p = max(p, AKISMET_SPAM) if second else p
    return Verdict(round(p, 4), reasons or "nothing stands out", trusted)


def labelled():
    """Comments with a label: decided by staff in the admin, or imported approved or spam."""
    by_staff = ModerationLog.objects.filter(comment=OuterRef("pk"), moderator__is_staff=True)
    return (
        Comment.objects.filter(kind=Comment.Kind.COMMENT)
        .filter(Exists(by_staff) | (~Q(source="") & Q(status__in=[Status.APPROVED, Status.SPAM])))
        .filter(status__in=[Status.APPROVED, *SPAM_LIKE])
        .exclude(body="")
    )


def examples():
    """([Signals], [label], [pk]) of the labelled comments, the newest MAX_EXAMPLES. The
    writer's history is replayed in time order, so each example sees only what came before it,
    as it would have when it was posted."""
    wanted = set(labelled().order_by("-pk").values_list("pk", flat=True)[:MAX_EXAMPLES])
    approved, spammed = defaultdict(int), defaultdict(int)
    by_ip = defaultdict(deque)
    found, labels, pks = [], [], []
    rows = Comment.objects.order_by("created_at", "pk").values_list(
        "pk", "created_at", "status", "author_email", "ip_address"
    )
    texts = {}
    for chunk in chunks(sorted(wanted), 5_000):
        texts.update((r[0], r[1:]) for r in Comment.objects.filter(pk__in=chunk).values_list(
            "pk", "body", "author_name", "author_url", "form_seconds"))  # fmt: skip
    for pk, created_at, status, email, ip in rows.iterator(chunk_size=5_000):
        recent = by_ip[ip] if ip else deque()
        while recent and recent[0] < created_at - IP_WINDOW:
            recent.popleft()
        if pk in wanted:
            body, name, url, seconds = texts[pk]
            found.append(Signals(
                body=body, name=name, email=email, url=url, form_seconds=seconds,
                author_approved=approved[email], author_spam=spammed[email], ip_spam=len(recent),
            ))  # fmt: skip
            labels.append(int(status in SPAM_LIKE))
            pks.append(pk)
        if status == Status.APPROVED:
            approved[email] += 1
        elif status in SPAM_LIKE:
            spammed[email] += 1
            if ip and status == Status.SPAM:
                recent.append(created_at)
    return found, labels, pks


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def train():
    """Learn from every labelled comment and put the new model in place of the old one, in one
    transaction. Raises NotEnoughExamples without at least one spam and one good comment."""
    started = time.perf_counter()
    found, labels, _ = examples()
    spam = sum(labels)
    good = len(labels) - spam
    if not spam or not good:
        raise NotEnoughExamples(
            f"Not enough examples to learn from: {spam} spam and {good} good comments; "
            "the filter needs at least one of each."
        )
    data = Model.fit(found, labels).dumps()
    least = DiscussionSettings.load().spam_min_examples
    with transaction.atomic():
        row = TrainedModel.objects.create(
            data=data, spam_examples=spam, good_examples=good,
            trusted=spam >= least and good >= least, seconds=time.perf_counter() - started,
        )  # fmt: skip
        TrainedModel.objects.exclude(pk=row.pk).delete()
    return row


def evaluate(*, held_out=4):
    """Train on the labelled comments but one in ``held_out`` (by id), score those, and return
    {"tp", "fp", "fn", "tn", "held"} at the spam and the hold score, with the examples' count."""
    rules = DiscussionSettings.load()
    found, labels, pks = examples()
    train_on = [i for i, pk in enumerate(pks) if pk % held_out]
    test_on = [i for i, pk in enumerate(pks) if not pk % held_out]
    fitted = [labels[i] for i in train_on]
    if not test_on or not sum(fitted) or sum(fitted) == len(fitted):
        raise NotEnoughExamples("Not enough examples of both kinds to hold some out.")
    model = Model.fit([found[i] for i in train_on], fitted)
    result = {"examples": len(labels), "tested": len(test_on)}
    for name, threshold in (("spam", rules.spam_threshold), ("hold", rules.hold_threshold)):
        matrix = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for i in test_on:
            caught = model.score(found[i]) >= (threshold or 1.01)
            key = ("t" if caught == bool(labels[i]) else "f") + ("p" if caught else "n")
            matrix[key] += 1
        result[name] = {"threshold": threshold, **matrix}
    return result


def decision_made(ids, status, by):
    """After a staff member's decision: retrain in the worker once enough new ones gathered."""
    if by is None or not by.is_staff:
        return
    latest = TrainedModel.objects.values_list("trained_at", flat=True).order_by("-pk").first()
    decisions = ModerationLog.objects.filter(moderator__is_staff=True)
    if latest is not None:
        decisions = decisions.filter(created_at__gt=latest)
    enough = DiscussionSettings.load().spam_retrain_after
    if decisions[:enough].count() < enough:
        return
    if not DBTaskResult.objects.filter(status="READY", task_path=TRAIN_TASK).exists():
        from spam.tasks import train_filter

        train_filter.enqueue()  # a row in the same transaction: gone if the decision is


TRAIN_TASK = "spam.tasks.train_filter"


def figures(days=30):
    """What the admin shows of the filter: the model in use and how often moderators overrode
    it in the last ``days`` days."""
    rules = DiscussionSettings.load()
    row = TrainedModel.objects.defer("data").order_by("-pk").first()
    _, _, error = current()
    since = timezone.now() - timedelta(days=days)
    decided = ModerationLog.objects.filter(created_at__gte=since, moderator__is_staff=True)
    spam_line = rules.spam_threshold or 1.01
    hold_line = rules.hold_threshold or spam_line
    return {
        "model": row,
        "error": error,
        "scored": Comment.objects.filter(created_at__gte=since, spam_score__isnull=False).count(),
        "rescued": decided.filter(
            from_status=Status.SPAM, to_status=Status.APPROVED, comment__spam_score__gte=spam_line
        ).count(),  # fmt: skip
        "let_through": decided.filter(
            to_status__in=SPAM_LIKE, comment__spam_score__lt=hold_line
        ).count(),  # fmt: skip
        "days": days,
    }
