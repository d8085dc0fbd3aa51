from django.db import models


class RateLimit(models.Model):
    """Hits on one key in one fixed time window, counted atomically in PostgreSQL."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # Made by the comments app before it moved here (#25).
        db_table = "comments_ratelimit"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self):
        return f"{self.key} × {self.count}"
