"""Run every benchmark in this folder and print their figures (`make bench`).

Most are plain scripts; the ones written as pytest modules (they need a live Celery worker
fixture) are run through pytest with `-m worker -s` so their figures are printed too.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def command_for(script: Path) -> list[str]:
    if "import pytest" in script.read_text():
        return [sys.executable, "-m", "pytest", str(script), "-m", "worker", "-s", "-q"]
    return [sys.executable, str(script)]


if __name__ == "__main__":
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        subprocess.run(command_for(script), check=False, cwd=HERE.parent)
