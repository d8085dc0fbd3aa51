"""The page a chat alert's "Approve" or "Mark as spam" link opens (issue #26).

GET only describes; the action is the page's POST button, so link previewers and chat bots that
open every URL moderate nothing. The signed link is the authority, for its one action on its one
comment while the comment keeps the status it had: signing in is not needed.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from alerts import services


@never_cache
def moderate(request, token):
    found = services.read_link(token)
    comment = services.linked_comment(found) if found else None
    if comment is None:
        return render(request, "alerts/moderate.html", {"invalid": True}, status=400)
    label, _, _ = services.ACTIONS[found["a"]]
    done = request.method == "POST"
    if done:
        by = request.user if request.user.is_staff else None
        services.act_on_link(found, by=by)
    context = {"comment": comment, "action": found["a"], "label": label, "done": done}
    return render(request, "alerts/moderate.html", context)
