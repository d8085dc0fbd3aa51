"""The trained spam filter, kept in PostgreSQL (#26) so that every app server and worker reads
the same one: training replaces the row in one transaction, and each process reloads when the
newest row's id changes."""

from django.db import models
from django.utils import timezone


class TrainedModel(models.Model):
    """One trained model: its weights and what it learned from. Only the newest is used."""

    data = models.BinaryField(editable=False)
    trained_at = models.DateTimeField(default=timezone.now)
    spam_examples = models.PositiveIntegerField(default=0)
    good_examples = models.PositiveIntegerField(default=0)
    trusted = models.BooleanField(
        default=False, help_text="Enough examples of both kinds to mark spam, not only hold."
    )
    seconds = models.FloatField("training seconds", default=0)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"Spam filter of {self.trained_at:%Y-%m-%d %H:%M}"
