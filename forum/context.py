"""What every Django template of the site may name (#24)."""

from django.conf import settings


def site(request):
    """The site's name and description, from settings (``SITE_NAME``, ``SITE_DESCRIPTION``)."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_DESCRIPTION": settings.SITE_DESCRIPTION}
