import math
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from comments import discussion, readers, services
from comments.forms import CommentForm, EditForm, PreviewForm, ReportForm
from comments.models import DISPLAY_LEVELS, Comment, DiscussionSettings, Sort, Vote
from comments.readers import reader_of
from core.markup import comment_html

MINUTE = timedelta(minutes=1)


@require_http_methods(["GET", "HEAD", "POST"])
def post(request, article_id):
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("author").defer("search_vector"),
        pk=article_id,
    )
    if request.method != "POST":
        # The address of a page that answered a refused comment, reloaded or bookmarked (#24).
        return redirect(f"{article.get_absolute_url()}#respond")

    def refused(form):
        context = {"article": article, "discussion": discussion.build(request, article, form=form)}
        return render(request, "articles/article_detail.html", context)

    return submit(request, article, refused=refused)


def submit(request, article, *, refused, place=None):
    """The comment form posted to ``article``: a redirect to the new comment (``place(comment)``,
    else its permalink), or ``refused(form)``, the page showing the bound form again, as a 400
    (or 429). The site's post view and the embed's (#30) both post through it."""
    form = CommentForm(
        request.POST,
        article=article,
        user=request.user,
        own=lambda: reader_of(request).pending(article),
    )
    if form.is_valid():
        data = form.cleaned_data
        user = request.user if request.user.is_authenticated else None
        try:
            comment = services.post_comment(
                article=article,
                parent=data["parent"],
                user=user,
                author_name=services.display_name(user) if user else data["author_name"],
                author_email=user.email if user else data["author_email"],
                author_url="" if user else data["author_url"],
                body=data["body"],
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                honeypot=data["homepage"],
                seconds_to_write=form.seconds_to_write(),
                subscribe=form.wanted_mail(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            retry_after = (error.params or {}).get("wait") if error.code == "flood" else None
        else:
            return _posted(request, comment, form, place)
    else:
        retry_after = None
    response = refused(form)
    # Too fast is 429, so that clients other than browsers can tell; the page says the same.
    response.status_code = 429 if retry_after else 400
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


CONFIRMING = _(
    "If %(email)s is new to us, we have sent it a mail to confirm it: the mail you asked for "
    "starts once you follow its link."
)


def _posted(request, comment, form, place=None):
    readers.remember_own_comment(request, comment)  # to see it while held, edit, delete
    if comment.user_id is None and form.wanted_mail() and comment.status != Comment.Status.SPAM:
        # Said whether or not a mail went, so that the page tells nobody which addresses are
        # confirmed here (#23); the held comment itself says why it waits (#24).
        messages.info(request, CONFIRMING % {"email": comment.author_email})
    # To the permalink, which finds the comment's page: posting itself never counts threads,
    # so it costs the same in a discussion of any size (#7).
    response = redirect(place(comment) if place else comment)
    if "remember" in form.cleaned_data:  # a guest's form: keep, or forget, who they are
        fields = ("author_name", "author_email", "author_url")
        author = {name: form.cleaned_data[name] for name in fields}
        readers.remember_author(response, author if form.cleaned_data["remember"] else None)
    return response


def permalink(request, pk):
    """/comments/<id>/ leads to the comment's place: its page of threads, or its thread page.
    A comment this reader may not see (held, spam or removed, and not theirs) is a 404: even its
    redirect would tell that it exists and where (#23). Staff are led to any comment, and a
    writer to their own (where a held one shows to them, and a spam one does not)."""
    comment = get_object_or_404(
        Comment.objects.select_related("article").filter(article__in=Article.objects.published()),
        pk=pk,
    )
    shown = comment.status == Comment.Status.APPROVED or reader_of(request).wrote(comment)
    if not (shown or request.user.is_staff):
        raise Http404("No such comment.")
    return redirect(place_of(request, comment))


def place_of(request, comment):
    """The URL that shows ``comment``: its page of threads, or the thread page for deep replies."""
    if comment.level >= DISPLAY_LEVELS:
        # A thread page shows DISPLAY_LEVELS levels, its root included, and continues from the
        # last of them: deep replies are shown on the pages of levels 5, 10, 15... (#5).
        step = DISPLAY_LEVELS - 1
        shown_from = comment.get_ancestors().get(level=(comment.level - 1) // step * step)
        return f"{reverse('comments:thread', args=[shown_from.pk])}#comment-{comment.pk}"
    root = comment if comment.level == 0 else comment.get_root()
    rules = DiscussionSettings.load()
    own = reader_of(request).pending(comment.article)
    earlier = Comment.objects.position_of(root, own=own)
    page = earlier // rules.threads_per_page + 1
    if comment.level:
        limit = discussion.thread_limit(root, page, rules, own=own)
        if limit is not None and Comment.objects.place_in_thread(comment, own=own) > limit:
            # Behind "N more replies" on the page of threads: its thread's page shows it.
            return f"{reverse('comments:thread', args=[root.pk])}#comment-{comment.pk}"
    # Pages are counted in the oldest-first order: say so when the site sorts otherwise.
    params = {"sort": Sort.OLDEST} if rules.default_sort != Sort.OLDEST else {}
    if page > 1:
        params["page"] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


def thread(request, pk):
    """One comment and its replies: where threads deeper than the article page shows continue."""
    comment = get_object_or_404(
        Comment.objects.select_related("article__author").filter(
            article__in=Article.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    own = reader_of(request).pending(comment.article)
    if not Comment.objects.for_article(comment.article, own=own).filter(pk=pk).exists():
        raise Http404("This comment is not available.")
    context = {
        "article": comment.article,
        "comment": comment,
        "canonical_url": settings.SITE_URL + request.path,
        "discussion": discussion.build(request, comment.article, root=comment),
    }
    return render(request, "comments/thread.html", context)


def replies(request, pk):
    """A comment with all its replies, the <li> that "N more replies" under it puts in place of
    the page's shorter one (#17, #24)."""
    comment = get_object_or_404(
        Comment.objects.select_related("article__author").filter(
            article__in=Article.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    markup = discussion.whole_thread(request, comment)
    if markup is None:
        raise Http404("This thread is not available.")
    return HttpResponse(markup)


@never_cache
@require_POST
def preview(request):
    """The comment body rendered as it would be posted; JSON for the Preview button."""
    try:
        key = f"preview:{services.client_key(request)}"
        services.refuse_if_over_limit(key, limit=services.PREVIEWS_PER_MINUTE, seconds=60)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=429)
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["body"])}, status=400)
    return JsonResponse({"html": comment_html(form.cleaned_data["body"])})


def report(request, pk):
    """A reader reports an approved comment: a small form that needs no JavaScript."""
    comment = get_object_or_404(
        Comment.objects.approved()
        .filter(article__in=Article.objects.published())
        .select_related("article"),
        pk=pk,
    )
    form = ReportForm(request.POST or None)
    if form.is_valid():
        try:
            services.report_comment(
                comment,
                reporter=services.reporter_of(
                    user=request.user, ip_address=request.META.get("REMOTE_ADDR")
                ),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for the report. A moderator will look at it."))
            return redirect(place_of(request, comment))
    status = 429 if form.has_error(NON_FIELD_ERRORS, "rate") else 400 if form.errors else 200
    return render(
        request, "comments/report.html", {"comment": comment, "form": form}, status=status
    )


def writers_comment(request, pk):
    """The comment ``pk`` if this reader wrote it and it is not removed; 404 otherwise."""
    comment = get_object_or_404(
        Comment.objects.select_related("article").exclude(status=Comment.Status.REMOVED), pk=pk
    )
    if not reader_of(request).wrote(comment):
        raise Http404("This comment is not yours.")
    return comment


def edit(request, pk, *, context=None, back=None):
    """The writer changes their comment's text, while the Discussion settings allow (#12).

    ``context`` (more for the template: the embed's frame, #30) and ``back(comment)`` (where
    to go once changed; else its permalink) serve the same page inside the embed's frame."""
    comment = writers_comment(request, pk)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if form.is_valid():
        try:
            comment = services.edit_comment(
                comment, body=form.cleaned_data["body"], ip_address=request.META.get("REMOTE_ADDR")
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            held = comment.status != Comment.Status.APPROVED
            messages.success(
                request,
                _("Your comment was changed. A moderator will look at it.")
                if held
                else _("Your comment was changed."),
            )
            return redirect(back(comment) if back else comment)
    rules = DiscussionSettings.load()
    page = {
        "comment": comment,
        "form": form,
        "may_edit": comment.may_be_edited(rules),
        "minutes_left": math.ceil((comment.editable_until(rules) - timezone.now()) / MINUTE),
        "too_late": services.TOO_LATE_TO_EDIT,
        **(context or {}),
    }
    return render(request, "comments/edit.html", page, status=400 if form.errors else 200)


def delete(request, pk, *, context=None, back=None):
    """The writer deletes their comment, after a confirmation that works without JavaScript.
    ``context`` and ``back(comment)``: as for ``edit``."""
    comment = writers_comment(request, pk)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        services.delete_by_writer(comment, by=user)
        messages.success(request, _("Your comment was deleted."))
        if back:
            return redirect(back(comment))
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(request, "comments/delete.html", {"comment": comment, **(context or {})})


def wants_json(request):
    return request.headers.get("Accept", "").startswith("application/json")


@require_POST
def moderate(request):
    """A moderator's "Spam" or "Remove" under a comment on the site (#26): the page's one
    moderation form, whose buttons say "<id>:<move>"; back to where the comment was."""
    if not reader_of(request).moderator:
        raise PermissionDenied
    pk, _, move = request.POST.get("moderate", "").partition(":")
    if not pk.isdecimal() or move not in services.MOVES or move == "approve":
        raise Http404("No such comment or action.")
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=int(pk))
    n = services.moderate(Comment.objects.filter(pk=comment.pk), move, by=request.user)
    done = {"mark_as_spam": "The comment was marked as spam.", "remove": "The comment was removed."}
    messages.success(request, done[move] if n else "The comment had been moderated already.")
    return redirect(place_of(request, comment))


@require_POST
def vote(request):
    """Vote on a comment (#16): the page's one vote form, whose buttons say "<id>:up" or
    "<id>:down"; it needs no JavaScript (back to the comment's place, with a message), and
    answers JSON to the page's script."""
    pk, _colon, direction = request.POST.get("vote", "").partition(":")
    if not pk.isdecimal():
        raise Http404("No such comment.")
    comment = get_object_or_404(
        Comment.objects.select_related("article").filter(article__in=Article.objects.published()),
        pk=int(pk),
    )
    voter, new_voter = readers.guest_voter(request)
    try:
        now, comment = services.vote(
            comment, value={"up": Vote.UP, "down": Vote.DOWN}.get(direction),
            user=request.user, voter=voter, ip_address=request.META.get("REMOTE_ADDR"),
            own=reader_of(request).own(comment.article),
        )  # fmt: skip
    except ValidationError as error:
        status = 429 if error.code == "rate" else 400
        if wants_json(request):
            return JsonResponse({"error": error.messages[0]}, status=status)
        messages.error(request, error.messages[0])
        return redirect(place_of(request, comment))
    if wants_json(request):
        response = JsonResponse({"vote": now, "score": comment.upvotes - comment.downvotes})
    else:
        counted = _("Your vote was counted.") if now else _("Your vote was taken back.")
        messages.success(request, counted)
        response = redirect(place_of(request, comment))
    if new_voter:
        readers.remember_voter(response, voter)
    return response


@never_cache
def my_votes(request, article_id):
    """{comment id: 1 or -1} of this reader's votes on an article, for the page's script to
    show the buttons pressed: the cached page is the same for every reader (#16)."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    votes = services.votes_of(article, user=request.user, voter=readers.voter_of(request))
    return JsonResponse({"votes": votes})


LIVE_SECONDS = 5  # the live count may be this old: one answer serves every reader meanwhile


@cache_control(public=True, max_age=LIVE_SECONDS)
def live(request, article_id):
    """The article's approved comment count and discussion version, from its row: what the
    page's script polls to offer "3 new comments · Show" (#16). The same for every reader."""
    found = (
        Article.objects.published()
        .filter(pk=article_id)
        .values("comment_count", "comments_version")
        .first()
    )
    if found is None:
        raise Http404("No such article.")
    return JsonResponse({"count": found["comment_count"], "version": found["comments_version"]})
