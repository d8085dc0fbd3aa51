"""Delete old alert deliveries and their attempts (issue #26): `manage.py prune_alerts
--older-than 30`.

They are kept so that the admin shows what each endpoint was sent and answered; after a month
they only weigh on the table. Deliveries still queued are never deleted.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from alerts import services


class Command(BaseCommand):
    help = "Delete alert deliveries (sent or failed) older than --older-than days."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *, older_than, dry_run, verbosity, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more.")
        cutoff = timezone.now() - timedelta(days=older_than)
        count = services.prune(older_than=cutoff, dry_run=dry_run)
        if verbosity:
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("%d delivery", "%d deliveries", count) % count + f" {verb}."
                )
            )
