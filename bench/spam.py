"""The spam filter's bench (issue #26): quality on the team's labelled set, the time scoring adds
to a post, training on 100,000 decisions in the worker (time and peak memory) and the model's
size.

    python -m bench.spam                    # on its own throwaway PostgreSQL, then prints
    python -m bench.spam --decisions 10000  # a quicker run

`make bench` runs ``measure`` too and writes its rows into bench/results.md.
"""

import argparse
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

from forum import database

PG_DIR = Path("/tmp/forum-bench-spam-pg")  # its own: a `make bench` may run beside it
ROOT = Path(__file__).resolve().parent.parent
SCORE_RUNS = 300


def quality(n_spam=400, n_good=400):
    """Learn from half the labelled set, score the other half: the confusion matrix at the
    default spam and hold scores, and the one the filter would give with no behaviour at all
    (only the text and the name, email and website fields: a set from elsewhere)."""
    from bench.spam_hand import hand_written
    from bench.spam_set import labelled
    from spam.features import Signals
    from spam.model import Model, matrix

    rows = labelled(n_spam, n_good)
    half = len(rows) // 2
    learn, test = rows[:half], rows[half:]
    model = Model.fit(matrix([s for s, _ in learn]), [label for _, label in learn])
    result = {"learned": half, "tested": len(test), "of_spam": sum(lab for _, lab in test)}
    bare = [(Signals(body=s.body, name=s.name, email=s.email, url=s.url), lab) for s, lab in test]
    for name, threshold, rows_ in (("spam", 0.9, test), ("hold", 0.5, test),
                                   ("spam, text only", 0.9, bare)):  # fmt: skip
        m = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for signals, label in rows_:
            caught = model.score(signals) >= threshold
            m[("t" if caught == bool(label) else "f") + ("p" if caught else "n")] += 1
        result[name] = m
    # The other candidate, on the same features: multinomial naive Bayes (#26 asks to choose
    # by measurement; TESTING-TOOLS found it overconfident on mail).
    from sklearn.naive_bayes import MultinomialNB

    bayes = MultinomialNB(alpha=0.1).fit(matrix([s for s, _ in learn]), [lab for _, lab in learn])
    m = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for p, (_, label) in zip(bayes.predict_proba(matrix([s for s, _ in test]))[:, 1], test,
                             strict=True):  # fmt: skip
        caught = p >= 0.9
        m[("t" if caught == bool(label) else "f") + ("p" if caught else "n")] += 1
    result["naive Bayes"] = m
    for name, threshold in (("hand, spam", 0.9), ("hand, hold", 0.5)):
        m = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for signals, label in hand_written():
            caught = model.score(signals) >= threshold
            m[("t" if caught == bool(label) else "f") + ("p" if caught else "n")] += 1
        result[name] = m
    return result


def build_decisions(count, rng):
    """``count`` comments of the labelled kinds, each a thread of one, each decided by a
    moderator (a ModerationLog row by staff), as a site a few years old has them."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article
    from bench import build
    from bench.spam_set import good, spam
    from comments.models import Comment, ModerationLog

    moderator = get_user_model().objects.create(username="spam-bench", is_staff=True)
    article = Article.objects.create(
        title="Decided", slug="decided", body="Where the decided comments are.",
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=400),
        author=build.editor(),
    )  # fmt: skip
    ids = build.next_values(build.id_sequence(), count)
    tree_ids = build.next_values(build.TREE_ID_SEQUENCE, count)
    first_at = timezone.now() - timedelta(days=365)
    with transaction.atomic():
        for start in range(0, count, build.BATCH_SIZE):
            comments, logs = [], []
            for i in range(start, min(start + build.BATCH_SIZE, count)):
                label = rng.random() < 0.5
                s = spam(rng) if label else good(rng)
                status = Comment.Status.SPAM if label else Comment.Status.APPROVED
                comments.append(Comment(
                    pk=ids[i], article=article, author_name=s.name, author_email=s.email,
                    author_url=s.url, body=s.body, body_html=s.body, status=status,
                    form_seconds=s.form_seconds, ip_address=f"10.{i % 250}.0.{i % 200}",
                    created_at=first_at + timedelta(seconds=300 * i),
                    tree_id=tree_ids[i], lft=1, rght=2, level=0,
                ))  # fmt: skip
                logs.append(ModerationLog(comment_id=ids[i], moderator=moderator,
                                          from_status="pending", to_status=status))  # fmt: skip
            Comment.objects.bulk_create(comments)
            ModerationLog.objects.bulk_create(logs)
    build.move_tree_sequence_past_max()
    return article


def train_in_worker():
    """(seconds, peak RSS in MB) of `manage.py train_spam` in a process of its own, as the
    worker runs it: Django, numpy and SciPy included."""
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "manage.py", "train_spam"], cwd=ROOT,
                              stdout=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(worker.pid, 0)  # this process's own peak, not the bench's
    worker.returncode = os.waitstatus_to_exitcode(status)
    if worker.returncode:
        raise RuntimeError(f"train_spam exited with {worker.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def scoring_ms(article, rng):
    """The median and p95 ms that scoring adds to a post: spam.services.score on new comments
    (the model's version check, the writer's history and address, the tokens, the product)."""
    from bench.spam_set import good, spam
    from comments.models import Comment
    from spam import services

    services.current()  # loaded once per process, as in a worker that served a request
    times = []
    for i in range(SCORE_RUNS):
        s = spam(rng) if i % 2 else good(rng)
        comment = Comment(article=article, author_name=s.name, author_email=s.email,
                          author_url=s.url, body=s.body, ip_address="10.1.0.1",
                          form_seconds=s.form_seconds)  # fmt: skip
        started = time.perf_counter()
        services.score(comment)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def measure(progress, decisions=100_000):
    """Every figure of the filter's rows in bench/results.md."""
    from spam.models import TrainedModel

    rng = random.Random(26)
    found = {"quality": quality()}
    progress(f"spam filter quality: {found['quality']}")
    article = build_decisions(decisions, rng)
    progress(f"{decisions:,} decided comments built")
    found["train_s"], found["train_rss_mb"] = train_in_worker()
    row = TrainedModel.objects.get()
    found["examples"] = row.spam_examples + row.good_examples
    found["model_kb"] = len(row.data) / 1024
    found["score_ms"], found["score_p95_ms"] = scoring_ms(article, rng)
    progress(f"trained on {found['examples']:,} in {found['train_s']:.1f} s, "
             f"{found['train_rss_mb']:.0f} MB; scoring {found['score_ms']:.2f} ms")  # fmt: skip
    return found


def rows(found):
    """The Markdown lines of the filter's section."""
    q = found["quality"]

    def matrix(m):
        caught = m["tp"] / (m["tp"] + m["fn"])
        false = m["fp"] / (m["fp"] + m["tn"])
        return (f"spam caught {m['tp']}, missed {m['fn']}; good marked {m['fp']}, passed "
                f"{m['tn']}: **{caught:.1%} caught, {false:.1%} false positives**")  # fmt: skip

    return [
        "## Spam filter (issue #26)",
        "",
        f"Learned from {q['learned']} of the team's labelled comments (bench/spam_set.py), "
        f"tested on the other {q['tested']} ({q['of_spam']} spam):",
        "",
        "| measurement | result | target | verdict |",
        "| --- | --- | --- | --- |",
        f"| confusion matrix at the spam score 0.90 | {matrix(q['spam'])} | ≥ 95% caught, ≤ 1% "
        f"false positives | {verdict(q['spam'])} |",
        f"| confusion matrix at the hold score 0.50 | {matrix(q['hold'])} |  |  |",
        f"| at 0.90 with no behaviour signals (text and fields only) | "
        f"{matrix(q['spam, text only'])} |  |  |",
        f"| naive Bayes on the same features, at 0.90 (not chosen) | "
        f"{matrix(q['naive Bayes'])} |  |  |",
        f"| hand-written comments (not from the templates), at 0.90 | "
        f"{matrix(q['hand, spam'])} |  |  |",
        f"| the same at the hold score 0.50 | {matrix(q['hand, hold'])} |  |  |",
        f"| scoring added to a post, ms (median / p95 of {SCORE_RUNS}) | "
        f"{found['score_ms']:.2f} / {found['score_p95_ms']:.2f} | ≤ 2 ms median | "
        f"{'met' if found['score_ms'] <= 2 else 'missed'} |",
        f"| training on {found['examples']:,} decisions in the worker, s | "
        f"{found['train_s']:.1f} | ≤ 60 s | {'met' if found['train_s'] <= 60 else 'missed'} |",
        f"| peak memory of that worker process (Django, numpy and SciPy included), MB | "
        f"{found['train_rss_mb']:.0f} | ≤ 200 MB | "
        f"{'met' if found['train_rss_mb'] <= 200 else 'missed'} |",
        f"| stored model, KB | {found['model_kb']:.0f} | ≤ 20 MB | "
        f"{'met' if found['model_kb'] <= 20 * 1024 else 'missed'} |",
    ]


def verdict(m):
    caught = m["tp"] / (m["tp"] + m["fn"])
    false = m["fp"] / (m["fp"] + m["tn"])
    return "met" if caught >= 0.95 and false <= 0.01 else "missed"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    decisions = parser.parse_args(argv).decisions
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the cluster is always stopped
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/forum-runtime-{os.getuid()}")
    database.stop(PG_DIR)
    shutil.rmtree(PG_DIR, ignore_errors=True)
    started = time.perf_counter()

    def progress(message):
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="forum.settings", DATABASE_URL=database.url(PG_DIR),
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_DEBUG="0", DJANGO_HTTPS="0",
        )  # fmt: skip
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print("\n".join(rows(measure(progress, decisions))))
    finally:
        from django.db import connections

        connections.close_all()
        database.stop(PG_DIR)
        shutil.rmtree(PG_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
