from django.conf import settings
from django.core import checks

from embed.addresses import origin_of


@checks.register(checks.Tags.security)
def embed_sites_are_origins(app_configs, **kwargs):
    """Each entry of EMBED_SITES must be an origin: a typo would silently allow nothing."""
    return [
        checks.Error(
            f"EMBED_SITES lists {item!r}, which is not an origin.",
            hint="Give scheme, host and port only, comma-separated: https://blog.example.com",
            id="embed.E001",
        )
        for item in settings.EMBED_SITES
        if not origin_of(item) or origin_of(item) != item.strip().rstrip("/").lower()
    ]
