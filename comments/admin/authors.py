"""One author in the admin (#4, #15, #26): their history, a ban behind a confirmation that lists
what it removes, and their personal data (export, erasure). "The author" is the rule
``same_author``: their account or their email address, never an IP address people share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments import services
from comments.models import Comment

Status = Comment.Status


class AuthorViews:
    """Views of a CommentAdmin about the author of one comment."""

    def author_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/author/", view(self.history_by_author),
                 name="comments_comment_history_by_author"),
            path("<int:pk>/author/ban/", view(self.ban_author), name="comments_comment_ban_author"),
            path("<int:pk>/author/export/", view(self.export_author),
                 name="comments_comment_export_author"),
            path("<int:pk>/author/erase/", view(self.erase_author),
                 name="comments_comment_erase_author"),
        ]  # fmt: skip

    def author_context(self, request, comment, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "comment": comment,
        }

    def history_by_author(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("user"), pk=pk)
        same = services.authors_comments(comment)
        counts = same.aggregate(
            total=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
        )
        context = {
            **self.author_context(
                request, comment, _("Comments by %(name)s") % {"name": comment.author_name}
            ),
            "counts": [(label, counts[value]) for value, label in Status.choices],
            "total": counts["total"],
            "comments": same.select_related("article").order_by("-created_at")[:200],
            "can_ban": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/comments/author_history.html", context)

    def ban_author(self, request, pk):
        """GET: what a ban would do, with a form to confirm; POST: ban and remove."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("user"), pk=pk)
        if request.method != "POST":
            removing = services.authors_comments(comment).exclude(status=Status.REMOVED)
            context = {
                **self.author_context(request, comment, _("Ban this author?")),
                "removing": removing.select_related("article").order_by("-created_at")[:200],
                "removing_count": removing.count(),
            }
            return TemplateResponse(request, "admin/comments/ban_confirm.html", context)
        reason = request.POST.get("reason", "").strip()[:200]
        ban, removed = services.ban_author(comment, by=request.user, reason=reason)
        self.message_user(request, ngettext(
            "Banned %(ban)s and removed %(n)d comment.",
            "Banned %(ban)s and removed %(n)d comments.", removed,
        ) % {"ban": ban, "n": removed}, messages.SUCCESS)  # fmt: skip
        return HttpResponseRedirect(reverse("admin:comments_comment_history_by_author", args=[pk]))

    def export_author(self, request, pk):
        """Every comment with this comment's email address, as a JSON download (GDPR art. 15)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.exclude(author_email=""), pk=pk)
        data = services.comments_data(Comment.objects.filter(author_email=comment.author_email))
        response = JsonResponse({"email": comment.author_email, "comments": data},
                                json_dumps_params={"indent": 2})  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="comments-{pk}.json"'
        return response

    def erase_author(self, request, pk):
        """Erase everything by this email address (GDPR art. 17): texts, names, addresses."""
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:comments_comment_history_by_author", args=[pk])
            )
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.exclude(author_email=""), pk=pk)
        comments = Comment.objects.filter(author_email=comment.author_email)
        n = services.erase_writer(comments, remove=True, by=request.user)
        self.message_user(request, ngettext(
            "Erased %(n)d comment and who wrote it.", "Erased %(n)d comments and who wrote them.", n
        ) % {"n": n})  # fmt: skip
        return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[pk]))
