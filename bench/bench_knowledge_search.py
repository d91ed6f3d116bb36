"""Knowledge search latency on 100 000 articles.

Fills the database named by DATABASE_URL up to 100k articles (bulk_create in batches of
5 000; the stored tsvector is computed by Postgres on insert), then runs ~50 searches as a
requester through `knowledge.selectors.article_search` (the portal's code path): common
words, rare words, words that match nothing (the GIN trap of DESIGN §9) and typos (the
trigram fallback). Prints median and p95 per kind and overall, in milliseconds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_kb .venv/bin/python bench/bench_knowledge_search.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from itsm.accounts.roles import Role  # noqa: E402
from knowledge.models import Article  # noqa: E402
from knowledge.selectors import article_search  # noqa: E402

TARGET = int(os.environ.get("BENCH_KB_ARTICLES", "100000"))
BATCH = 5000
RARE_WORDS = ["zebracorn", "quokkafax", "plinthwise", "marzipanel", "vortigaunt"]

SUBJECTS = [
    "vpn",
    "password",
    "printer",
    "laptop",
    "email",
    "mailbox",
    "calendar",
    "wifi",
    "wireless",
    "monitor",
    "docking",
    "keyboard",
    "headset",
    "teams",
    "outlook",
    "onedrive",
    "sharepoint",
    "excel",
    "word",
    "browser",
    "certificate",
    "phishing",
    "account",
    "badge",
    "payroll",
    "payslip",
    "expenses",
    "timesheet",
    "erp",
    "crm",
    "database",
    "backup",
    "restore",
    "folder",
    "drive",
    "license",
    "software",
    "update",
    "driver",
    "battery",
    "charger",
    "phone",
    "sim",
    "mfa",
    "authenticator",
    "token",
]
VERBS = [
    "reset",
    "install",
    "configure",
    "connect",
    "unlock",
    "request",
    "restore",
    "sync",
    "share",
    "order",
    "replace",
    "update",
    "repair",
    "enable",
    "disable",
    "remove",
    "migrate",
    "troubleshoot",
]
FILLER = [
    "the",
    "a",
    "your",
    "when",
    "after",
    "before",
    "with",
    "without",
    "from",
    "into",
    "on",
    "for",
    "if",
    "it",
    "is",
    "not",
    "does",
    "stops",
    "works",
    "again",
    "slowly",
    "error",
    "message",
    "screen",
    "button",
    "settings",
    "menu",
    "open",
    "close",
    "click",
    "select",
    "sign",
    "in",
    "out",
    "restart",
    "check",
    "confirm",
    "contact",
    "service",
    "desk",
    "ticket",
    "today",
    "week",
    "office",
    "home",
    "remote",
    "network",
    "cable",
    "port",
    "light",
    "green",
    "red",
    "blue",
    "file",
    "report",
    "colleague",
    "manager",
    "team",
]


def _sentence(rng: random.Random, words: int) -> str:
    picks = [rng.choice(FILLER) for _ in range(words)]
    picks[rng.randrange(words)] = rng.choice(SUBJECTS)
    picks[rng.randrange(words)] = rng.choice(VERBS)
    return " ".join(picks).capitalize() + "."


def _article(rng: random.Random, number: str, index: int) -> Article:
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    body = " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(4, 9)))
    if index % 20000 < len(RARE_WORDS) * 4:  # a handful of articles carry each rare word
        body += f" See also {RARE_WORDS[index % len(RARE_WORDS)]}."
    return Article(
        number=number,
        title=f"How to {verb} your {subject} {rng.choice(['at home', 'in the office', 'on a phone', 'after an update', ''])}".strip(),
        summary=_sentence(rng, rng.randint(8, 14)),
        body=body,
        status="published" if rng.random() < 0.9 else rng.choice(["draft", "review", "retired"]),
        audience="public" if rng.random() < 0.8 else "internal",
        tags=[subject],
    )


def fill() -> None:
    have = Article.objects.count()
    missing = TARGET - have
    if missing <= 0:
        print(f"{have} articles present; no generation needed.")
        return
    print(f"{have} articles present; generating {missing} …", flush=True)
    rng = random.Random(42)
    started = time.perf_counter()
    done = 0
    while done < missing:
        size = min(BATCH, missing - done)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                [Article.NUMBER_SEQUENCE, size],
            )
            numbers = [f"{Article.NUMBER_PREFIX}{value:07d}" for (value,) in cursor.fetchall()]
        Article.objects.bulk_create(
            [_article(rng, number, have + done + i) for i, number in enumerate(numbers)]
        )
        done += size
        print(f"  {done}/{missing}", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_article")
    print(f"\nGenerated {missing} articles in {time.perf_counter() - started:.1f} s.")


def requester() -> User:
    user, created = User.objects.get_or_create(
        email="bench-requester@example.com", defaults={"display_name": "Bench Requester"}
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.REQUESTER))
    return user


def queries() -> list[tuple[str, str]]:
    common = ["password", "printer", "vpn", "email", "laptop reset", "restart", "office",
              "share calendar", "install driver", "update software", "sign in", "battery",
              "wifi", "teams headset", '"docking station"'][:15]  # fmt: skip
    rare = [*RARE_WORDS, "zebracorn printer", "quokkafax OR vortigaunt", "plinthwise -vpn",
            "marzipanel office", "vortigaunt"][:12]  # fmt: skip
    no_match = ["xylophone", "kangaroo", "quantum entanglement", "nonexistentword",
                "flibbertigibbet", "antidisestablishmentarianism", "zzzzqqq", "ozymandias",
                "snorkel", "trombone"]  # fmt: skip
    typos = ["pasword", "printr", "laptpo", "calender", "keybord", "outlok", "certficate",
             "phising", "onedrvie", "authentcator", "headst", "timesheeet", "payslp"]  # fmt: skip
    return (
        [("common", q) for q in common]
        + [("rare", q) for q in rare]
        + [("no-match", q) for q in no_match]
        + [("typo", q) for q in typos]
    )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    fill()
    user = requester()
    plan = queries()
    for _kind, query in plan:  # warm the caches once, as a running server would be
        article_search(user=user, query=query)
    timings: dict[str, list[float]] = {}
    hits: dict[str, list[int]] = {}
    for _round in range(3):
        for kind, query in plan:
            started = time.perf_counter()
            results = article_search(user=user, query=query, limit=10)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            hits.setdefault(kind, []).append(len(results))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{Article.objects.count()} articles, {len(plan)} queries × 3 rounds, limit 10")
    print(f"  machine load average (1/5/15 min): {load} on {os.cpu_count()} CPUs")
    everything = []
    for kind, values in timings.items():
        everything += values
        print(
            f"  {kind:<9} n={len(values):<3} median {statistics.median(values):6.1f} ms  "
            f"p95 {p95(values):6.1f} ms  (avg hits {statistics.mean(hits[kind]):.1f})"
        )
    print(
        f"  {'all':<9} n={len(everything):<3} median {statistics.median(everything):6.1f} ms  "
        f"p95 {p95(everything):6.1f} ms"
    )


if __name__ == "__main__":
    main()
