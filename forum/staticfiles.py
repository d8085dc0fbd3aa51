"""The apps' static files, less what no page serves: django-ninja's Redoc bundle (the API's docs
page uses its Swagger UI), 4 MB that every deploy and test server would compress for nothing."""

from django.contrib.staticfiles import finders

UNSERVED = ["redoc.standalone.js*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNSERVED])
