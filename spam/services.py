"""The learning spam filter (#26): what it learns from, training, scoring a new comment, and its
figures. Labels are moderators' decisions (the ModerationLog rows staff made) and imported
comments' statuses; nothing is learned in a request: training runs in the task worker or in
``manage.py train_spam``."""

import logging
import time
from array import array
from collections import defaultdict, deque
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from comments.hooks import Verdict
from comments.models import Comment, DiscussionSettings, ModerationLog
from spam import akismet
from spam.features import Signals
from spam.model import Model, Rows
from spam.models import TrainedModel

log = logging.getLogger(__name__)
Status = Comment.Status
SPAM_LIKE = (Status.SPAM, Status.REMOVED)  # a moderator's removal: not wanted either
MAX_EXAMPLES = 200_000  # the newest; bounds training's time and memory
IP_WINDOW = timedelta(days=1)
AKISMET_SPAM = 0.95  # Akismet's "spam" lifts the score at least this high


class NotEnoughExamples(Exception):
    pass


# The model this process uses, keyed by its row's id: each score's one query tells whether a
# newer one was trained (on any server), and only then are its weights read again.
_loaded = {"id": None, "model": None, "trusted": False, "error": ""}

# One round trip per new comment: the newest model's id, the writer's history, the address's
# spam of the day before (at most 20 counted).
LOOKUP = """
SELECT (SELECT id FROM spam_trainedmodel ORDER BY id DESC LIMIT 1),
       (SELECT count(*) FROM comments_comment WHERE author_email = %(email)s
                                                AND status = 'approved'),
       (SELECT count(*) FROM comments_comment WHERE author_email = %(email)s
                                                AND status IN ('spam', 'removed')),
       (SELECT count(*) FROM (SELECT 1 FROM comments_comment
                              WHERE ip_address = %(ip)s AND status = 'spam'
                                AND created_at >= %(since)s LIMIT 20) AS recent)
"""


def load(model_id):
    """(model or None, trusted, error) of the model ``model_id`` (None: none trained)."""
    if model_id != _loaded["id"]:
        row = TrainedModel.objects.filter(pk=model_id).values_list("data", "trusted").first()
        model, error = None, ""
        if row is not None:
            try:
                model = Model.loads(row[0] or b"")
            except ValueError as problem:
                error = str(problem)
                log.warning("Spam filter unavailable, the rules decide alone: %s", error)
        _loaded.update(id=model_id, model=model, trusted=bool(row and row[1]), error=error)
    return _loaded["model"], _loaded["trusted"], _loaded["error"]


def current():
    """(model or None, trusted, error): the newest trained model, loaded once per process."""
    return load(TrainedModel.objects.values_list("pk", flat=True).order_by("-pk").first())


def lookup(comment):
    """(the newest model's id, Signals of the new ``comment``): its fields and what the site
    knows of its writer until now."""
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP, {"email": comment.author_email or None,
                                "ip": comment.ip_address or None,
                                "since": timezone.now() - IP_WINDOW})  # fmt: skip
        model_id, approved, spammed, ip_spam = cursor.fetchone()
    return model_id, Signals(
        body=comment.body, name=comment.author_name, email=comment.author_email,
        url=comment.author_url, form_seconds=comment.form_seconds,
        author_approved=approved, author_spam=spammed, ip_spam=ip_spam,
    )  # fmt: skip


def score(comment):
    """The Verdict on a new comment (registered in comments.hooks), or None without a model
    and without Akismet: then the rules decide alone."""
    model_id, signals = lookup(comment)
    model, trusted, _ = load(model_id)
    second = akismet.is_spam(comment)
    if model is None and second is None:
        return None
    p, reasons = model.explain(signals) if model is not None else (0.0, "")
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
    """(matrix, labels, pks) of the labelled comments, the newest MAX_EXAMPLES. The writer's
    history is replayed in time order, so each example sees only what came before it, as it
    would have when it was posted. One pass over the table, rows vectorised as they come."""
    wanted = set(labelled().order_by("-pk").values_list("pk", flat=True)[:MAX_EXAMPLES])
    approved, spammed = defaultdict(int), defaultdict(int)
    by_ip = {}  # address -> times of its spam in the window; only addresses that sent spam
    rows, labels, pks = Rows(), array("b"), array("q")
    comments = Comment.objects.order_by("created_at", "pk").values_list(
        "pk", "created_at", "status", "author_email", "ip_address"
    )
    for chunk in chunks(comments, 5_000):
        chosen = [row[0] for row in chunk if row[0] in wanted]
        texts = {r[0]: r[1:] for r in Comment.objects.filter(pk__in=chosen).values_list(
            "pk", "body", "author_name", "author_url", "form_seconds")}  # fmt: skip
        for pk, created_at, status, email, ip in chunk:
            recent = by_ip.get(ip) or ()
            while recent and recent[0] < created_at - IP_WINDOW:
                recent.popleft()
            if pk in texts:
                body, name, url, seconds = texts[pk]
                rows.add(Signals(
                    body=body, name=name, email=email, url=url, form_seconds=seconds,
                    author_approved=approved[email], author_spam=spammed[email],
                    ip_spam=len(recent),
                ))  # fmt: skip
                labels.append(status in SPAM_LIKE)
                pks.append(pk)
            if status == Status.APPROVED:
                approved[email] += 1
            elif status in SPAM_LIKE:
                spammed[email] += 1
                if ip and status == Status.SPAM:
                    by_ip.setdefault(ip, deque()).append(created_at)
    return rows.matrix(), list(labels), list(pks)


def chunks(rows, size):
    """Lists of ``size`` rows of a queryset, read from a server-side cursor."""
    chunk = []
    for row in rows.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def train():
    """Learn from every labelled comment and put the new model in place of the old one, in one
    transaction. Raises NotEnoughExamples without at least one spam and one good comment."""
    started = time.perf_counter()
    rows, labels, _ = examples()
    spam = sum(labels)
    good = len(labels) - spam
    if not spam or not good:
        raise NotEnoughExamples(
            f"Not enough examples to learn from: {spam} spam and {good} good comments; "
            "the filter needs at least one of each."
        )
    data = Model.fit(rows, labels).dumps()
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
    rows, labels, pks = examples()
    train_on = [i for i, pk in enumerate(pks) if pk % held_out]
    test_on = [i for i, pk in enumerate(pks) if not pk % held_out]
    fitted = [labels[i] for i in train_on]
    if not test_on or not sum(fitted) or sum(fitted) == len(fitted):
        raise NotEnoughExamples("Not enough examples of both kinds to hold some out.")
    scores = Model.fit(rows[train_on], fitted).scores(rows[test_on])
    truth = [labels[i] for i in test_on]
    result = {"examples": len(labels), "tested": len(test_on)}
    for name, threshold in (("spam", rules.spam_threshold), ("hold", rules.hold_threshold)):
        matrix = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for p, label in zip(scores.tolist(), truth, strict=True):
            caught = p >= (threshold or 1.01)
            matrix[("t" if caught == bool(label) else "f") + ("p" if caught else "n")] += 1
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
        train_filter.enqueue()  # a row in the same transaction: gone if the decision is


@task()
def train_filter():
    """Train on every labelled comment, in the worker; safe to run twice (the newest model
    wins)."""
    try:
        row = train()
    except NotEnoughExamples as reason:
        return str(reason)
    return f"learned from {row.spam_examples} spam and {row.good_examples} good comments"


TRAIN_TASK = f"{__name__}.train_filter"


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
