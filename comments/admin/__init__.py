"""Moderation in the Django admin (#4, #26), by what each module owns:

- ``comment``: the list of every comment and one comment's page;
- ``queue``: the moderation queue, built for clearing held comments fast;
- ``authors``: an author's history, ban (behind a confirmation), export and erasure;
- ``actions``: the moderation actions both of those offer, and their messages;
- ``filters``: the comment list's filters and its paginator for large tables;
- ``rules``: Discussion settings, bans and reports.
"""

from comments.admin import comment, rules  # noqa: F401  (they register the models)
