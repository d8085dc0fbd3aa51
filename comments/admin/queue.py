"""The moderation queue (#26): held and reported comments, each in full with everything a
moderator needs to decide (its article and parent, why it is held, the spam filter's reasons, the
reports, the author's history in one line), and one-click Approve / Spam / Remove per row. The
buttons are plain form posts, so the queue works without JavaScript; with it (``queue.js``) they
post in the background and the keys j, k, a, s, r moderate without reloading. A bulk action acts
only on rows the moderator saw and ticked that still wait: never on a row that moved up from
the next page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comments.admin.actions import ACTIONS
from comments.models import Comment, Report, add_author_history

PER_PAGE = 20


class Tab:
    def __init__(self, name, label, actions, comments):
        self.name, self.label, self.actions, self.comments = name, label, actions, comments


TABS = {
    # What waits for a person: held comments, and shown ones readers reported.
    "review": Tab("review", _("Needs review"),
                  ["approve", "mark_as_spam", "remove", "dismiss_reports"],
                  lambda: Comment.objects.needing_review()),
    # What the filter stored as spam on its own, to rescue a false positive.
    "spam": Tab("spam", _("Caught as spam"), ["not_spam", "remove"],
                lambda: Comment.objects.filter(status=Comment.Status.SPAM,
                                               spam_score__isnull=False)),
}  # fmt: skip
KEYS = {"approve": "a", "dismiss_reports": "a", "mark_as_spam": "s", "remove": "r", "not_spam": "a"}


def rows(tab):
    """The tab's comments, waiting longest first, with all a row shows but the authors'
    history (``add_author_history``, once the page is cut): four queries a page (count, rows,
    open reports, history)."""
    reports = Report.objects.filter(is_dismissed=False).order_by("created_at")
    return (
        tab.comments()
        .select_related("article", "parent", "user")
        .prefetch_related(Prefetch("reports", queryset=reports, to_attr="open_reports"))
        .order_by("created_at", "pk")
    )


def chosen_ids(request):
    """(action name, ids) the moderator asked for: one row's button, or a bulk button with the
    ticked rows, of which only those shown on their page (``seen``) count."""

    def ids(name):
        return {int(v) for v in request.POST.getlist(name) if v.isdecimal()}

    if "row" in request.POST:
        name, _, pk = request.POST["row"].partition(":")
        return name, {int(pk)} if pk.isdecimal() else set()
    return request.POST.get("bulk", ""), ids("selected") & ids("seen")


class QueueViews:
    """The queue view of a CommentAdmin."""

    def queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        tab = TABS.get(request.GET.get("show") or request.POST.get("show"), TABS["review"])
        if request.method == "POST":
            return self.queue_act(request, tab)
        page = Paginator(rows(tab), PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = add_author_history(list(page.object_list))
        actions = [(name, ACTIONS[name].label, KEYS.get(name, "")) for name in tab.actions]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation queue"),
            "opts": self.model._meta,
            "tab": tab,
            "tabs": TABS.values(),
            "page": page,
            "actions": actions,
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/comments/queue.html", context)

    def queue_act(self, request, tab):
        if not self.has_change_permission(request):
            raise PermissionDenied
        name, ids = chosen_ids(request)
        if name not in tab.actions:
            said = [(messages.ERROR, _("Choose an action for the comments."))]
            done = []
        elif not ids:
            said = [(messages.WARNING, _("Tick the comments to act on first."))]
            done = []
        else:
            waiting = tab.comments().filter(pk__in=ids)
            said = ACTIONS[name].run(waiting, request.user)
            done = sorted(ids - set(tab.comments().filter(pk__in=ids).values_list("pk", flat=True)))
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"done": done, "messages": [message for _, message in said]})
        for level, message in said:
            self.message_user(request, message, level)
        query = {"show": tab.name, "page": request.POST.get("page", "")}
        address = reverse("admin:comments_comment_queue")
        return HttpResponseRedirect(f"{address}?{urlencode({k: v for k, v in query.items() if v})}")
