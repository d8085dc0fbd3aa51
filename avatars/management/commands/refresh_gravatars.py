"""Fetch again, in the worker, every Gravatar not fetched for a week (issue #28).

Members who opted in get their Gravatar copied once and served from this site; run this weekly
from cron so a changed Gravatar shows here within a week. It only queues tasks.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from avatars.services import refresh_gravatars


class Command(BaseCommand):
    help = "Queue a fetch of every Gravatar not fetched for a week."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        n = refresh_gravatars(dry_run=dry_run)
        if verbosity:
            done = "would be fetched" if dry_run else "queued"
            self.stdout.write(
                self.style.SUCCESS(ngettext("%d Gravatar", "%d Gravatars", n) % n + f" {done}.")
            )
