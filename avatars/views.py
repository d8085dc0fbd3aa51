from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from avatars.models import Avatar

A_YEAR = 365 * 24 * 3600


@require_GET
def picture(request, digest):
    """A picture's bytes, from our own origin. Its URL carries a hash of them, so it never
    changes and browsers and proxies may keep it for a year."""
    data = Avatar.objects.shown().filter(digest=digest).values_list("image", flat=True).first()
    if data is None:
        raise Http404("No such picture.")
    response = HttpResponse(bytes(data), content_type="image/webp")
    response["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    response["Content-Disposition"] = "inline"
    return response
