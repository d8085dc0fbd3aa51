"""The embed's pages (#30): the frame a host page shows, its form's post, the counts for a
host's lists, and the plain link for readers without JavaScript.

The frame is the site's own discussion (``comments.discussion``), with its links and its form
pointed at the frame's address, in a page of its own that only the page's site may frame
(``frame-ancestors``: the rest of the site keeps ``DENY``). Its form posts through
``comments.views.submit``: every rule of posting holds, and the reader comes back to the frame.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import discussion
from comments import views as comments_views
from comments.models import Comment
from comments.views import place_of, submit
from embed import services
from embed.addresses import style
from embed.forms import CountsForm, FrameForm
from embed.models import EmbeddedPage

COUNTS_SECONDS = 30  # a host's list may show counts this old


def refused(request, message, status):
    """The page a frame shows when it may show nothing else. It holds nothing of anyone's, so
    any page may frame it: the reader sees why, not the browser's blank "refused to connect"."""
    response = render(request, "embed/refused.html", {"message": message}, status=status)
    response._csp_replace = {"frame-ancestors": ["*"]}
    response.xframe_options_exempt = True
    return response


def page_of(request):
    """(EmbeddedPage, form) of the frame or link a host page asks for, or (None, response)."""
    form = FrameForm(request.GET)
    if not form.is_valid():
        messages = [message for errors in form.errors.values() for message in errors]
        return None, refused(request, " ".join(messages), 400)
    site = services.site_for(form.origin)
    if site is None:
        return None, refused(request, _("This site may not show these comments."), 403)
    try:
        page = services.page_for(site, form.cleaned_data["page"], form.cleaned_data["title"])
    except ValidationError as error:
        return None, refused(request, error.messages[0], 429)
    return page, form


@require_GET
def thread(request):
    """``/embed/thread/?page=<url>&title=&theme=&accent=``: what the host's script frames.
    It leads to the frame's own address, whose ``?page=`` is the discussion's (as on the site)."""
    page, form = page_of(request)
    if page is None:
        return form
    data = form.cleaned_data
    response = redirect("embed:frame", page.pk, style(data["theme"], data["accent"]))
    response._csp_replace = {"frame-ancestors": [page.site.origin]}
    response.xframe_options_exempt = True
    return response


def embedded_page(page_id):
    """The page with its site and article, if its site is active and its article published."""
    page = get_object_or_404(
        EmbeddedPage.objects.select_related("site", "article__author"), pk=page_id
    )
    if not (page.site.is_active and page.article.is_published()):
        raise Http404("No such discussion.")
    return page


@require_GET
def frame(request, page_id, look):
    """The frame at its own address: where its links (pages, sorts, replies) lead."""
    page = embedded_page(page_id)
    if request.headers.get("Sec-Fetch-Dest") != "empty":  # not the script's refresh (live)
        services.count_view(page)
    return frame_response(request, page, look)


@require_POST
def post(request, page_id, look):
    """The frame's comment form: posted as on the site, and back to the frame."""
    page = embedded_page(page_id)
    address = reverse("embed:frame", args=[page.pk, look])

    def place(comment):
        found = place_of(request, comment)
        start = comment.article.get_absolute_url()
        if found.startswith(start):  # its page of threads: the same page in the frame
            return address + found.removeprefix(start)
        return f"{address}#comment-{comment.pk}"  # deeper: the frame shows its thread's start

    return submit(
        request, page.article, refused=lambda form: frame_response(request, page, look, form),
        place=place,
    )  # fmt: skip


def frame_context(page, look):
    """What every page inside the frame shows (``embed/base.html``): its look, its host."""
    theme, _dash, accent = look.partition("-")
    return {
        "theme": theme, "accent": accent, "host_origin": page.site.origin,
        "frame_address": reverse("embed:frame", args=[page.pk, look]),
    }  # fmt: skip


def framed(response, page):
    """``response``, which ``page``'s site alone may frame, and no cache may share."""
    response._csp_replace = {"frame-ancestors": [page.site.origin]}
    response.xframe_options_exempt = True
    patch_cache_control(response, private=True, no_cache=True)
    return response


def frame_response(request, page, look, form=None):
    """The frame of ``page`` in the ``look`` ("dark-f60"), for its site alone to frame."""
    context = frame_context(page, look)
    built = discussion.build(
        request, page.article, form=form, address=context["frame_address"],
        post_url=reverse("embed:post", args=[page.pk, look]),
        sign_in_url=reverse("embed:sign_in", args=[page.pk, look]),
        sign_out_url=reverse("embed:sign_out", args=[page.pk, look]),
    )  # fmt: skip
    context |= {
        "article": page.article, "discussion": built, "page": page,
        "forum_url": settings.SITE_URL + page.article.get_absolute_url(),
    }  # fmt: skip
    return framed(render(request, "embed/frame.html", context), page)


def writers_page(request, page_id, look, pk, action):
    """The site's edit or delete page of one's comment (``comments.views``), inside the frame
    and back to it: a guest's comments are known to the frame's own session alone."""
    page = embedded_page(page_id)
    get_object_or_404(Comment.objects.filter(article=page.article), pk=pk)
    context = frame_context(page, look)
    address = context["frame_address"]
    context |= {
        "base": "embed/base.html", "back_url": f"{address}#comment-{pk}",
        "delete_url": reverse("embed:delete", args=[page.pk, look, pk]),
    }  # fmt: skip
    back = {
        "edit": lambda c: f"{address}#comment-{c.pk}",
        "delete": lambda c: f"{address}#comments",
    }
    view = {"edit": comments_views.edit, "delete": comments_views.delete}[action]
    return framed(view(request, pk, context=context, back=back[action]), page)


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, page_id, look, pk):
    return writers_page(request, page_id, look, pk, "edit")


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, page_id, look, pk):
    return writers_page(request, page_id, look, pk, "delete")


@require_GET
def go(request):
    """``/embed/go/?page=<url>``: the page's discussion on this site, for the host's
    ``<noscript>`` link (made on first use, like the frame's)."""
    page, form = page_of(request)
    if page is None:
        return form
    return redirect(page.article)


@require_GET
def counts(request):
    """``/embed/counts/?page=<url>&page=...``: "N comments" for a host's list of pages, in one
    request; readable by the pages' own site alone (CORS)."""
    form = CountsForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.non_field_errors())}, status=400)
    site = services.site_for(form.origin)
    if site is None:
        return JsonResponse({"error": _("This site may not show these comments.")}, status=403)
    found = services.counts(site, sorted({url for _origin, url in form.urls.values()}))
    pages = {}
    for asked, (_origin, url) in form.urls.items():
        n = found[url]
        text = ngettext("%(count)d comment", "%(count)d comments", n) % {"count": n}
        pages[asked] = {"count": n, "text": text}
    response = JsonResponse({"pages": pages})
    if request.headers.get("Origin") == site.origin:
        response["Access-Control-Allow-Origin"] = site.origin
    patch_vary_headers(response, ["Origin"])
    patch_cache_control(response, public=True, max_age=COUNTS_SECONDS)
    return response
