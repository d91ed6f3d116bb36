"""scripts/supervise.sh keeps `make run`'s worker and beat up: it restarts a command that
exits, says so, and stops with its command on SIGTERM (honcho stopping, Ctrl-C)."""

import signal
import subprocess
import time

from tests.faults import ROOT, wait_until

SUPERVISE = str(ROOT / "scripts" / "supervise.sh")


def test_a_command_that_exits_is_started_again_with_a_log_line(tmp_path):
    runs = tmp_path / "runs"
    supervisor = subprocess.Popen(
        [SUPERVISE, "demo", "sh", "-c", f"echo run >> {runs}; exit 3"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Back-off 1 s, then 2 s: the third start comes about 3 s after the first.
        assert wait_until(lambda: runs.exists() and len(runs.read_text().split()) >= 3, timeout=10)
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=10)
    assert "supervise: demo exited with status 3; restarting it in 1 s" in supervisor.stderr.read()
    assert supervisor.returncode == 0


def test_sigterm_stops_the_command_and_the_loop(tmp_path):
    pid_file = tmp_path / "pid"
    supervisor = subprocess.Popen(
        [SUPERVISE, "demo", "sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), timeout=10)
    child = int(pid_file.read_text())
    started = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=10) == 0
    assert time.monotonic() - started < 5
    assert subprocess.run(["kill", "-0", str(child)], capture_output=True).returncode != 0
    assert "restarting" not in supervisor.stderr.read()
