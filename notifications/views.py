"""The pages a mail links to: confirm an address, and unsubscribe.

Both answer GET with a page and one button, and act only on POST: mail scanners open links, and
must neither confirm nor unsubscribe anyone. The unsubscribe POST needs no CSRF token, so that
mail clients can send RFC 8058's one-click POST; the signed token is what authorises it.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from notifications import services


@never_cache
def confirm(request, token):
    email = services.read_confirm_token(token)
    if email is None:
        return render(request, "notifications/confirm.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        services.confirm(email)
    return render(request, "notifications/confirm.html", {"email": email, "done": done})


@csrf_exempt
@never_cache
def unsubscribe(request, token):
    target = services.read_unsubscribe_token(token)
    if target is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    what = services.describe(target)
    done = request.method == "POST"
    if done:
        services.unsubscribe(target)
    return render(request, "notifications/unsubscribe.html", {"what": what, "done": done})
