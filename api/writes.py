"""Writing (#30): posting and replying, editing and deleting one's own, voting and reporting,
as a guest or a member, through the site's own forms and services, so that every rule of the
site holds: moderation, limits, bans, spam rules, notifications."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from api import rows as rowing
from api.access import caller, retry_after_window, too_many
from api.answers import answer
from api.problems import Problem, field_errors
from api.routers import discussions
from api.schemas import (
    CommentIn,
    CommentOut,
    EditIn,
    Id,
    Posted,
    ReportIn,
    VoteIn,
    VoteOut,
)
from api.schemas import (
    Problem as ProblemOut,
)
from articles.models import Article
from comments import readers, services
from comments.forms import CommentForm, EditForm, ReportForm
from comments.models import Comment, Vote
from comments.readers import guest_voter, reader_of, remember_voter

router = discussions
TAGS = ["writing"]

ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 415, 422, 429), ProblemOut)

# The HTTP status of each rule a service refuses with (its ValidationError's code).
REFUSALS = {
    "flood": 429, "rate": 429, "closed": 403, "banned": 403, "own": 403, "too_late": 403,
    "duplicate": 409, "twice": 409, "address": 409, "not_reportable": 409, "not_shown": 409,
    "parent": 422, "value": 422,
}  # fmt: skip
WINDOWS = {"vote": 3600, "report": 3600}  # the hourly limits of votes and reports (#16, #23)


def refused(error, *, action=""):
    """The Problem for a service's ValidationError: its message, and its status by code."""
    status = REFUSALS.get(error.code, 422)
    detail = " ".join(error.messages)
    kind = (error.code or "rule").replace("_", "-")
    if status == 429:
        wait = (error.params or {}).get("wait") or retry_after_window(WINDOWS.get(action, 60))
        problem = too_many(detail, wait)
        problem.kind = kind
        return problem
    errors = {"parent": [detail]} if error.code == "parent" else None
    return Problem(status, detail, kind=kind, errors=errors)


def writer_row(comment, *, as_writer=True):
    """The comment as its writer sees it: held (and spam, which is never said) is "awaiting
    moderation"."""
    found = rowing.with_author_mark(Comment.objects.filter(pk=comment.pk))
    out = rowing.comment_out(rowing.rows_of(found)[0])
    if as_writer and comment.status == Comment.Status.SPAM:
        out["status"] = "awaiting moderation"
    return out


def client_address(request):
    return request.META.get("REMOTE_ADDR")


@router.post(
    tags=TAGS,
    path="/articles/{article_id}/comments",
    response={201: Posted, **ERRORS},
    url_name="post",
)
def post(request, article_id: Id, payload: CommentIn):
    """Post a comment, or a reply with ``parent``. Guests give ``author_name`` and
    ``author_email`` (and may give ``author_url``); members (a token, or a signed-in browser)
    post under their account. The answer says whether it is published or awaits moderation."""
    token = caller(request, write=True)
    article = Article.objects.visible_to(request.user).filter(pk=article_id).first()
    if article is None:
        raise Problem(404, "No such article.", kind="no-such-article")
    user = request.user if request.user.is_authenticated else None
    data = {**payload.dict(), "parent": payload.parent or ""}
    form = CommentForm(data, article=article, user=request.user,
                       own=lambda: reader_of(request).pending(article))  # fmt: skip
    if not form.is_valid():
        raise Problem(422, "The comment was not posted.", kind="invalid",
                      errors=field_errors(form.errors))  # fmt: skip
    given = form.cleaned_data
    try:
        comment = services.post_comment(
            article=article, parent=given["parent"], user=user,
            author_name=services.display_name(user) if user else given["author_name"],
            author_email=user.email if user else given["author_email"],
            author_url="" if user else given["author_url"], body=given["body"],
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            honeypot="", seconds_to_write=None,  # no web form: no bot traps to read
            subscribe=form.wanted_mail(),
        )  # fmt: skip
    except ValidationError as error:
        raise refused(error) from None
    if token is None:  # a browser: it sees its comment while held, and may edit it
        readers.remember_own_comment(request, comment)
    status = "published" if comment.status == Comment.Status.APPROVED else "awaiting moderation"
    return answer(Posted, {"status": status, "comment": writer_row(comment)}, status=201,
                  headers={"Location": rowing.api_path("comment", comment.pk)})  # fmt: skip


def writers_comment(request, comment_id):
    """The comment if this caller wrote it (their account, or this browser) and it is not
    removed; 404 otherwise, as on the site."""
    comment = (
        Comment.objects.select_related("article")
        .exclude(status=Comment.Status.REMOVED)
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not reader_of(request).wrote(comment):
        raise Problem(404, "No such comment of yours.", kind="no-such-comment")
    return comment


@router.patch(
    tags=TAGS, path="/comments/{comment_id}", response={200: CommentOut, **ERRORS}, url_name="edit"
)
def edit(request, comment_id: Id, payload: EditIn):
    """Change the text of one's own comment, within the edit window and while nobody has
    replied. An edit can send it back to moderation, never past it."""
    caller(request, write=True)
    comment = writers_comment(request, comment_id)
    form = EditForm({"body": payload.body})
    if not form.is_valid():
        raise Problem(422, "The comment was not changed.", kind="invalid",
                      errors=field_errors(form.errors))  # fmt: skip
    try:
        comment = services.edit_comment(
            comment, body=form.cleaned_data["body"], ip_address=client_address(request)
        )
    except ValidationError as error:
        raise refused(error) from None
    return answer(CommentOut, writer_row(comment))


@router.delete(
    tags=TAGS, path="/comments/{comment_id}", response={204: None, **ERRORS}, url_name="delete"
)
def delete(request, comment_id: Id):
    """Delete one's own comment: its text goes; replies keep their place."""
    caller(request, write=True)
    comment = writers_comment(request, comment_id)
    services.delete_by_writer(comment, by=request.user if request.user.is_authenticated else None)
    return HttpResponse(status=204)


def published_comment(comment_id):
    comment = (
        Comment.objects.select_related("article")
        .filter(article__in=Article.objects.published())
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Problem(404, "No such comment.", kind="no-such-comment")
    return comment


@router.post(
    tags=TAGS,
    path="/comments/{comment_id}/vote",
    response={200: VoteOut, **ERRORS},
    url_name="vote",
)
def vote(request, comment_id: Id, payload: VoteIn):
    """Vote on a comment; the same vote again takes it back, the other one changes it."""
    token = caller(request, write=True)
    comment = published_comment(comment_id)
    voter, new_voter = guest_voter(request) if token is None else ("", False)
    try:
        now, comment = services.vote(
            comment, value={"up": Vote.UP, "down": Vote.DOWN}[payload.value], user=request.user,
            voter=voter, ip_address=client_address(request),
            own=reader_of(request).own(comment.article),
        )  # fmt: skip
    except ValidationError as error:
        raise refused(error, action="vote") from None
    response = answer(VoteOut, {"vote": now, "score": comment.upvotes - comment.downvotes})
    if new_voter:  # the site's own guest voter cookie: the same guest on the page and here
        remember_voter(response, voter)
    return response


@router.post(
    tags=TAGS,
    path="/comments/{comment_id}/report",
    response={202: None, **ERRORS},
    url_name="report",
)
def report(request, comment_id: Id, payload: ReportIn):
    """Report a published comment to the moderators (once per reader)."""
    caller(request, write=True)
    comment = published_comment(comment_id)
    if comment.status != Comment.Status.APPROVED:
        raise Problem(404, "No such comment.", kind="no-such-comment")
    form = ReportForm({"reason": payload.reason, "text": payload.text})
    if not form.is_valid():
        raise Problem(422, "The report was not sent.", kind="invalid",
                      errors=field_errors(form.errors))  # fmt: skip
    address = client_address(request)
    try:
        services.report_comment(
            comment, reporter=services.reporter_of(user=request.user, ip_address=address),
            reason=form.cleaned_data["reason"], text=form.cleaned_data["text"], ip_address=address,
        )  # fmt: skip
    except ValidationError as error:
        raise refused(error, action="report") from None
    return HttpResponse(status=202)
