#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    from django.core.management import execute_from_command_line

    from forum.database import start_if_embedded

    start_if_embedded()  # commands connect; importing the settings starts nothing (#11)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
