"""Run mypy and hold it to the baseline: no new error anywhere, none at all in strict modules.

The modules outside the strict floor (pyproject.toml, [tool.mypy] overrides) still carry type
errors from before mypy ran in CI; mypy-baseline.txt lists them without line numbers, so editing
a file does not churn it. This script fails when

- mypy reports an error that the baseline does not list (a new one: fix it, never add it),
- a services, selectors or workflow module has any error (the baseline may not hide them),
- a listed error is gone (the baseline only shrinks: run with --shrink to drop it).

Usage: scripts/mypy_baseline.py [--shrink] [mypy arguments …]
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
# "path:line: error: message  [code]"; notes and the summary line are not errors.
ERROR_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")
# The same floor as the strict overrides in pyproject.toml, by file name.
STRICT_PATH = re.compile(r"(^|/)(services|selectors|workflow)(\.py$|/)")


def run_mypy(args: list[str]) -> tuple[int, list[str]]:
    command = [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(result.returncode)
    return result.returncode, result.stdout.splitlines()


def baseline_key(match: re.Match[str]) -> str:
    return f"{match['path']}: {match['message']}"


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text().splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def write_baseline(keys: Counter[str]) -> None:
    header = (
        "# mypy errors outside the strict modules that predate mypy in CI, without line numbers.\n"
        "# It may only shrink: scripts/mypy_baseline.py --shrink drops what was fixed.\n"
    )
    BASELINE.write_text(header + "".join(f"{key}\n" for key in sorted(keys.elements())))


def main(argv: list[str]) -> int:
    shrink = "--shrink" in argv
    mypy_args = [arg for arg in argv if arg != "--shrink"]
    _, output = run_mypy(mypy_args)
    errors = [(line, match) for line in output if (match := ERROR_LINE.match(line))]
    found = Counter(baseline_key(match) for _, match in errors)
    baseline = read_baseline()

    failed = False
    strict_listed = sorted(key for key in baseline if STRICT_PATH.search(key.split(":", 1)[0]))
    if strict_listed:
        failed = True
        print("mypy-baseline.txt may not list strict modules' errors:", *strict_listed, sep="\n  ")

    allowed = Counter(baseline)
    new = []
    for line, match in errors:
        key = baseline_key(match)
        if allowed[key] > 0 and not STRICT_PATH.search(match["path"]):
            allowed[key] -= 1
        else:
            new.append(line)
    if new:
        failed = True
        print(f"mypy: {len(new)} new error(s) (not in mypy-baseline.txt):", *new, sep="\n")

    gone = baseline - found
    if gone and shrink:
        write_baseline(baseline & found)
        print(f"mypy-baseline.txt: dropped {gone.total()} fixed error(s).")
    elif gone:
        failed = True
        print(
            f"mypy: {gone.total()} baselined error(s) are fixed; run "
            "`.venv/bin/python scripts/mypy_baseline.py --shrink` and commit mypy-baseline.txt:",
            *sorted(gone.elements()),
            sep="\n  ",
        )

    if not failed:
        print(f"mypy: no new errors ({found.total()} baselined outside the strict modules).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
