"""Run every benchmark script in this folder and print their figures."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    if not scripts:
        print("No benchmarks yet.")
    for script in scripts:
        print(f"== {script.name}")
        subprocess.run([sys.executable, str(script)], check=True, cwd=HERE.parent)
