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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
# "path:line: error: message  [code]"; notes and the summary line are not errors.
ERROR_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")
# The same floor as the strict overrides in pyproject.toml, by file name.
STRICT_PATH = re.compile(r"(^|/)(services|selectors|workflow)(\.py$|/)")
NL = "\n  "
HEADER = (
    "# mypy errors outside the strict modules that predate mypy in CI, without line numbers.\n"
    "# It may only shrink: scripts/mypy_baseline.py --shrink drops what was fixed.\n"
)


@dataclass
class Verdict:
    found: Counter[str] = field(default_factory=Counter)
    new: list[str] = field(default_factory=list)  # mypy's lines, with line numbers
    gone: Counter[str] = field(default_factory=Counter)
    strict_listed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.new or self.gone or self.strict_listed)


def is_strict(path: str) -> bool:
    return bool(STRICT_PATH.search(path))


def judge(mypy_output: list[str], baseline: Counter[str]) -> Verdict:
    """Compare mypy's output with the baseline (keys are "path: message  [code]")."""
    verdict = Verdict()
    verdict.strict_listed = sorted(key for key in baseline if is_strict(key.split(":", 1)[0]))
    allowed = Counter(baseline)
    for line in mypy_output:
        match = ERROR_LINE.match(line)
        if match is None:
            continue
        key = f"{match['path']}: {match['message']}"
        verdict.found[key] += 1
        if allowed[key] > 0 and not is_strict(match["path"]):
            allowed[key] -= 1
        else:
            verdict.new.append(line)
    verdict.gone = baseline - verdict.found
    return verdict


def run_mypy(args: list[str]) -> list[str]:
    command = [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(result.returncode)
    return result.stdout.splitlines()


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text().splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def write_baseline(keys: Counter[str]) -> None:
    BASELINE.write_text(HEADER + "".join(f"{key}\n" for key in sorted(keys.elements())))


def main(argv: list[str]) -> int:
    shrink = "--shrink" in argv
    baseline = read_baseline()
    verdict = judge(run_mypy([arg for arg in argv if arg != "--shrink"]), baseline)

    if verdict.strict_listed:
        print("mypy-baseline.txt lists errors of strict modules:", *verdict.strict_listed, sep=NL)
    if verdict.new:
        print(f"mypy: {len(verdict.new)} error(s) not in mypy-baseline.txt:", *verdict.new, sep=NL)
    if verdict.gone and shrink:
        write_baseline(baseline - verdict.gone)
        print(f"mypy-baseline.txt: dropped {verdict.gone.total()} fixed error(s).")
        verdict.gone = Counter()
    elif verdict.gone:
        print(
            f"mypy: {verdict.gone.total()} baselined error(s) are fixed; run "
            "`.venv/bin/python scripts/mypy_baseline.py --shrink` and commit mypy-baseline.txt:",
            *sorted(verdict.gone.elements()),
            sep=NL,
        )
    if not verdict.failed:
        print(f"mypy: no new errors ({verdict.found.total()} baselined outside strict modules).")
    return 1 if verdict.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
