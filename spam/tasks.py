"""The spam filter's task (#26) is ``spam.services.train_filter``, run by `manage.py db_worker`,
never in a request; this name keeps tasks queued before #25 runnable."""

from spam.services import train_filter  # noqa: F401
