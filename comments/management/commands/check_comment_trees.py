"""Report, and with --fix repair, comment threads whose tree numbers went wrong (issue #6).

Every writer keeps ``tree_id``/``lft``/``rght``/``level`` right under the thread's lock
(comments/services.py), so a damaged thread means a bug, a hand-written SQL update, or an import
that went around mptt. Readers would then see replies in the wrong place, or not at all. This
command checks every thread with ``trees.tree_errors()``, a range of whole threads of about 20,000
comments at a time so that its memory stays flat (#29), and exits non-zero when one is damaged,
so it can run from cron or after a restore. ``--fix`` renumbers each damaged thread from its
parent links (``trees.repair``), in one transaction per thread under the same advisory lock the
writers take, so it is safe while the site is serving. A thread whose ``tree_id`` another thread
also uses gets a fresh one from the sequence new threads take theirs from.
"""

from django.core.management.base import BaseCommand, CommandError

from comments import trees

SHOWN_ERRORS = 50  # at verbosity 1; -v 2 shows them all


class Command(BaseCommand):
    help = (
        "Check the comment threads' tree numbers; exit non-zero if any thread is damaged. "
        "With --fix, renumber the damaged threads from their parent links, under the thread lock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Repair the damaged threads (one transaction per thread, safe while serving).",
        )

    def handle(self, *args, fix=False, verbosity=1, **options):
        errors = trees.errors_in_batches()
        if not errors:
            if verbosity:
                self.stdout.write(self.style.SUCCESS("OK: every comment thread is consistent."))
            return
        if verbosity:
            shown = errors if verbosity > 1 else errors[:SHOWN_ERRORS]
            for error in shown:
                self.stdout.write(self.style.WARNING(error))
            if len(shown) < len(errors):
                self.stdout.write(f"... and {len(errors) - len(shown)} more (-v 2 shows all).")
        damaged = trees.damaged_tree_ids(errors)
        if not fix:
            raise CommandError(
                f"{len(errors)} problem(s) in {len(damaged)} thread(s). "
                "Run `manage.py check_comment_trees --fix` to repair them."
            )
        for tree_id in sorted(damaged):
            for root_pk, new_tree_id, changed in trees.repair(tree_id):
                if verbosity:
                    moved = f", moved to tree_id {new_tree_id}" if new_tree_id != tree_id else ""
                    self.stdout.write(
                        f"Thread of comment {root_pk} (tree_id {tree_id}{moved}): "
                        f"{changed} comment(s) renumbered."
                    )
        left = trees.errors_in_batches()
        if left:
            raise CommandError(
                "These problems need a person, --fix cannot repair them:\n" + "\n".join(left)
            )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Repaired {len(damaged)} thread(s)."))
