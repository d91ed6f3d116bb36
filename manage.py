#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that need Postgres and Redis up; for them an unreachable service gets one clear line.
COMMANDS_NEEDING_SERVICES = {"runserver", "migrate", "seed_demo", "generate_data", "shell"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS_NEEDING_SERVICES:
        import django

        django.setup()
        from itsm.core.startup import exit_unless_services_reachable

        exit_unless_services_reachable()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
