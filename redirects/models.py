"""Addresses of an old site and what lives there now (issue #28).

An import writes one row per old address of each post, category, tag and author it brings
(``/?p=123``, ``/2016/11/28/slug/``, ``/archives/123``, ``/?cat=5``...), pointing at the row it
became. The address is looked up only when this site has no page of its own there (a 404, or the
front page asked for ``?p=``), so normal pages never pay for it; and the target is followed by
id, so a slug changed since still lands on the right page.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_LENGTH = 1000


class Redirect(models.Model):
    path = models.CharField(
        _("old address"), max_length=PATH_LENGTH, unique=True,
        help_text=_("The path on the old site, with its query if that names the page: "
                    "“/2016/11/28/hello/”, “/?p=123”."),
    )  # fmt: skip
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # Which import wrote it ("wordpress:https://old.example"); "" for a merge of tags here.
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="redirect_target_idx"),
        ]

    def __str__(self):
        return self.path
