"""gunicorn settings; `gunicorn itsm.wsgi` picks this file up from the working directory."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
accesslog = "-"
timeout = 60


def on_starting(server):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    django.setup()
    from itsm.core.startup import exit_unless_services_reachable

    exit_unless_services_reachable()
