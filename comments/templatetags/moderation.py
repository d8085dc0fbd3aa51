"""``{% moderation_overview %}``: the admin index's counts and 30-day chart (issue #4)."""

from datetime import timedelta

from django import template
from django.utils import timezone

from comments.models import Comment

register = template.Library()

SERIES = [("approved", "Approved"), ("pending", "Held"), ("spam", "Spam")]
BAR_WIDTH, CHART_HEIGHT = 18, 120


@register.inclusion_tag("admin/comments/_overview.html")
def moderation_overview(days=30):
    per_day = Comment.objects.per_day(days)
    today = timezone.localdate()
    dates = [today - timedelta(days=n) for n in reversed(range(days))]
    totals = [sum(per_day.get((day, status), 0) for status, _ in SERIES) for day in dates]
    peak = max(totals, default=0) or 1
    bars = []
    for i, day in enumerate(dates):
        top, segments = CHART_HEIGHT, []
        for status, label in SERIES:
            n = per_day.get((day, status), 0)
            height = round(n / peak * CHART_HEIGHT, 1)
            top -= height
            segments.append({"status": status, "label": label, "n": n, "y": top, "height": height})
        bars.append({"x": i * BAR_WIDTH, "date": day, "total": totals[i], "segments": segments})
    return {
        "counts": Comment.objects.overview(),
        "bars": bars,
        "series": SERIES,
        "days": days,
        "peak": peak,
        "width": days * BAR_WIDTH,
        "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH - 4,
    }
