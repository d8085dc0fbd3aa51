"""Where apps above comments join its services (#26), so comments imports none of them: an app
registers a function here from its AppConfig.ready(), and the services call what is registered.

- ``scorers``: ``f(comment) -> Verdict | None``, before a new comment's status is decided;
- ``decided``: ``f(ids, status, by)``, after a status change, inside its transaction.
"""

from typing import NamedTuple


class Verdict(NamedTuple):
    """A filter's opinion of a new comment: the probability that it is spam, its biggest
    reasons in words ("3 links to 2 domains, “casino”"), and whether the filter has learned
    enough to mark spam on its own (else it may only hold)."""

    score: float
    reasons: str
    trusted: bool


scorers = []
decided = []


def score(comment):
    """The first registered scorer's Verdict, or None when no filter has an opinion."""
    for scorer in scorers:
        verdict = scorer(comment)
        if verdict is not None:
            return verdict
    return None


def status_changed(ids, status, by):
    for listener in decided:
        listener(ids, status, by)
