from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from accounts.forms import ProfileForm
from accounts.models import Profile
from comments.models import Comment

COMMENTS_PER_PAGE = 20


def profile(request, username):
    """A member's public page: name, website, bio, and their approved comments, newest first."""
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    comments = Comment.objects.approved_by(member)
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"member": member, "profile": Profile.of(member), "page": page}
    return render(request, "accounts/profile.html", context)


@login_required
def edit_profile(request):
    form = ProfileForm(request.POST or None, instance=Profile.of(request.user))
    if form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect(form.instance)
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def my_comments(request):
    """Every comment of the member's, whatever its status, newest first."""
    comments = Comment.objects.filter(user=request.user).select_related("article")
    page = Paginator(comments.order_by("-created_at", "-pk"), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/my_comments.html", {"page": page})
