"""The spam filter's task (#26), run by `manage.py db_worker`: never in a request."""

from django_tasks import task

from spam import services


@task()
def train_filter():
    """Train on every labelled comment; safe to run twice (the newest model wins)."""
    try:
        row = services.train()
    except services.NotEnoughExamples as reason:
        return str(reason)
    return f"learned from {row.spam_examples} spam and {row.good_examples} good comments"
