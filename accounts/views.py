from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import DeleteAccountForm, MailPreferencesForm, ProfileForm
from accounts.models import Profile
from avatars.forms import AvatarForm
from comments.models import Comment
from notifications.models import Preferences, Subscription
from notifications.services import unsubscribe_link

COMMENTS_PER_PAGE = 20


def profile(request, username):
    """A member's public page: name, website, bio, and their approved comments, newest first."""
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    comments = Comment.objects.approved_by(member)
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"member": member, "profile": Profile.of(member), "page": page}
    return render(request, "accounts/profile.html", context)


@require_POST
def set_language(request):
    """The footer's language switcher (#27): Django's ``set_language`` keeps the choice in a
    cookie; a member's is kept on their profile too, for the mail we send them."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_language(request.user, language)
    return response


@login_required
def edit_profile(request):
    form = ProfileForm(request.POST or None, instance=Profile.of(request.user))
    mail_form = MailPreferencesForm(
        request.POST or None, instance=Preferences.of(request.user), prefix="mail"
    )
    avatar_form = AvatarForm(
        request.POST or None, request.FILES or None, user=request.user, prefix="avatar"
    )
    if all([form.is_valid(), mail_form.is_valid(), avatar_form.is_valid()]):
        form.save()
        mail_form.save()
        avatar_form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect(form.instance)
    subscriptions = [
        (s, unsubscribe_link({"s": s.pk}))
        for s in Subscription.objects.filter(user=request.user).order_by("-created_at")
    ]
    context = {
        "form": form, "mail_form": mail_form, "avatar_form": avatar_form,
        "subscriptions": subscriptions,
    }  # fmt: skip
    return render(request, "accounts/profile_form.html", context)


@login_required
def my_comments(request):
    """Every comment of the member's, whatever its status, newest first."""
    comments = Comment.objects.filter(user=request.user).select_related("article")
    page = Paginator(comments.order_by("-created_at", "-pk"), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/my_comments.html", {"page": page})


@never_cache
@login_required
def my_data(request):
    """Everything the site keeps about the member, as a JSON download (GDPR art. 15 and 20)."""
    response = JsonResponse(services.member_data(request.user), json_dumps_params={"indent": 2})
    name = request.user.get_username()
    response["Content-Disposition"] = f'attachment; filename="forum-{name}.json"'
    return response


@login_required
def delete_account(request):
    """Delete the account for good, after the password and a choice about the comments."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if form.is_valid():
        keep = form.cleaned_data["comments"] == DeleteAccountForm.KEEP
        services.delete_account(request.user, keep_comments=keep)
        logout(request)
        messages.success(request, _("Your account is deleted."))
        return redirect("articles:index")
    status = 400 if form.errors else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)
