from django.urls import re_path

from api import problems
from api.main import api


def not_found(request, rest=""):
    return problems.response(404, detail="No such address in this API.")


# The API's own addresses, then a problem+json 404 for anything else under /api/v1/.
app_name = "api"
urlpatterns = [*api.urls[0], re_path(r"^(?P<rest>.*)$", not_found)]
