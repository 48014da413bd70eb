#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    from django.core.management import execute_from_command_line

    from hub.env import settings_or_exit

    settings_or_exit(sys.argv[1] if len(sys.argv) > 1 else "help")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
