"""What an import did, or would do with --dry-run: the summary table its command prints."""

from collections import Counter

from django.core.management.base import CommandError

MAX_NOTES = 30  # report lines of oddities shown; the rest are counted


class Report:
    """What an import did, or would do with --dry-run, for the summary table."""

    def __init__(self):
        self.articles = Counter()  # created, updated, unchanged
        self.comments = Counter()  # "new approved", ..., "status changed", "unchanged"
        self.skipped = Counter()  # reason: how many
        self.terms = Counter()  # "new category", "tag already here", ...
        self.addresses = 0  # old addresses remembered
        self.notes = []
        self.more_notes = 0
        self.failed = 0  # articles that could not be written, each with a note

    def note(self, text):
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        else:
            self.more_notes += 1

    def finish(self, out, *, dry_run):
        """Write the summary to ``out``; fail the command if an article could not be written."""
        out.write("Would import (dry run, nothing written):" if dry_run else "Imported:")
        out.write("\n".join(self.lines()))
        if self.failed:
            raise CommandError(f"{self.failed} articles could not be imported: see above.")

    def lines(self):
        rows = [("Articles", "")]
        rows += [(f"  {k}", v) for k, v in sorted(self.articles.items())] or [("  none", "")]
        rows += [("Comments", "")]
        rows += [(f"  {k}", v) for k, v in sorted(self.comments.items())] or [("  none", "")]
        if self.terms:
            rows += [("Categories and tags", "")]
            rows += [(f"  {k}", v) for k, v in sorted(self.terms.items())]
        if self.addresses:
            rows += [("Old addresses kept", self.addresses)]
        if self.skipped:
            rows += [("Skipped", "")]
            rows += [(f"  {k}", v) for k, v in sorted(self.skipped.items())]
        width = max(len(label) for label, _ in rows) + 2
        lines = [f"{label:<{width}}{value:>8}" for label, value in rows]
        if self.failed:
            lines += ["", f"Not imported because of an error: {self.failed} (see below)"]
        if self.notes:
            lines += ["", "Worth a look:", *(f"  - {note}" for note in self.notes)]
            if self.more_notes:
                lines.append(f"  … and {self.more_notes} more")
        return lines
