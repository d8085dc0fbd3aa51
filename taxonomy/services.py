"""What may change categories and tags beyond a plain edit (issue #28)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from redirects import services as redirects
from taxonomy.models import Tag


def renamed(term, old_address):
    """After an edit: a category's or tag's address before it (its slug or its parent changed)
    leads to it from now on (#28)."""
    if old_address and old_address != term.get_absolute_url():
        redirects.remember([(redirects.key_of(old_address), term)], source="")


def merge_tags(tags, *, into):
    """Give every article of ``tags`` the tag ``into`` instead, then delete ``tags``; their old
    addresses (/tag/<slug>/) lead to ``into`` from now on. Returns how many tags were merged."""
    merged = [tag for tag in tags if tag.pk != into.pk]
    if not merged:
        raise ValidationError(_("Choose at least one tag other than the one to keep."))
    Through = Tag.articles.through
    with transaction.atomic():
        article_ids = set(
            Through.objects.filter(tag__in=merged).values_list("article_id", flat=True)
        )
        Through.objects.bulk_create(
            [Through(article_id=pk, tag_id=into.pk) for pk in sorted(article_ids)],
            ignore_conflicts=True,
        )
        addresses = [(redirects.key_of(tag.get_absolute_url()), into) for tag in merged]
        Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
        redirects.remember(addresses, source="")
    return len(merged)
