"""Members sign in to a frame through a popup (#30); the rules are in ``embed.signins``.

In the frame: "Sign in" (the script starts a sign-in and opens the popup; without a script, a
page that says why it needs one), the trade of an approved sign-in for the frame's own session,
and "sign out". In the popup, on forum's own origin: allauth's sign-in if need be, then the
member's answer to "Sign in to the discussion on <host>?".
"""

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from comments.services import display_name
from core.limits import client_key
from embed import signins
from embed.addresses import host_of
from embed.forms import TradeForm
from embed.models import SignIn
from embed.views import embedded_page, frame_context, framed

BACKEND = "accounts.sessions.ModelBackend"
STATUS = {"unknown": 404, "expired": 410, "used": 410, "cancelled": 410, "rate": 429}


def refusal(error):
    response = JsonResponse({"error": error.messages[0]}, status=STATUS.get(error.code, 400))
    patch_cache_control(response, no_store=True)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request, page_id, look):
    """POST, from the frame's script: a new sign-in (token, secret, the popup's address).
    GET: what a click on "Sign in" shows in the frame without a script."""
    page = embedded_page(page_id)
    if request.method == "POST":
        try:
            started, secret = signins.start(page, client_key(request))
        except ValidationError as error:
            return refusal(error)
        response = JsonResponse(
            {
                "token": started.token, "secret": secret, "seconds": signins.SECONDS,
                "popup": reverse("embed:approve", args=[started.token]),
                "finish": reverse("embed:finish", args=[page.pk, look]),
            },
            status=201,
        )  # fmt: skip
        patch_cache_control(response, no_store=True)
        return response
    context = frame_context(page, look) | {
        "forum_url": settings.SITE_URL + page.article.get_absolute_url()
    }
    return framed(render(request, "embed/sign_in.html", context), page)


@require_POST
def finish(request, page_id, look):
    """The frame's script trades an approved sign-in for its own session: 202 while the member
    has not answered, 200 once signed in, 4xx with a message otherwise."""
    page = embedded_page(page_id)
    form = TradeForm(request.POST)
    if not form.is_valid():
        return refusal(ValidationError(next(iter(form.errors.values()))[0], code="invalid"))
    try:
        user = signins.trade(page, form.cleaned_data["token"], form.cleaned_data["secret"])
    except ValidationError as error:
        return refusal(error)
    if user is None:
        response = JsonResponse({"status": "waiting"}, status=202)
    else:
        login(request, user, backend=BACKEND)
        response = JsonResponse({"status": "signed-in", "name": display_name(user)})
    patch_cache_control(response, no_store=True)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request, page_id, look):
    """The frame's own session ends; the member stays signed in on forum itself."""
    page = embedded_page(page_id)
    context = frame_context(page, look)
    if request.method == "POST":
        logout(request)
        return redirect(context["frame_address"] + "#respond")
    if not request.user.is_authenticated:
        return redirect(context["frame_address"])
    return framed(render(request, "embed/sign_out.html", context), page)


@require_http_methods(["GET", "HEAD", "POST"])
def approve(request, token):
    """The popup, on forum's own origin: sign in there first (allauth's pages, back here), then
    say yes or no to signing in to the frame of the sign-in's site."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)  # our own path: nothing of the query is kept
    try:
        found = signins.for_popup(token)
    except ValidationError as error:
        return popup(request, None, STATUS[error.code], error=error.messages[0])
    mine = found.user_id in (None, request.user.pk)
    if found.status != SignIn.Status.WAITING and not mine:
        return popup(request, found, 410, error=signins.USED)
    if request.method == "POST":
        choice = request.POST.get("answer")
        if choice not in ("yes", "no"):
            return popup(request, found, 400, error=signins.CHOOSE)
        try:
            signins.answer(found, request.user, yes=choice == "yes")
        except ValidationError as error:
            return popup(request, found, 410, error=error.messages[0])
        return redirect(request.path)
    return popup(request, found, 200)


def popup(request, found, status, error=""):
    context = {"sign_in": found, "error": error}
    if found is not None:
        context |= {"host": host_of(found.page.site.origin), "page": found.page}
    response = render(request, "embed/approve.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response
