"""Process helpers shared by bench.py and mail_bench.py: logging, stopping a child, log tails, CPU time from /proc."""

import os
import signal
import subprocess
import sys
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message, scope=""):
    """One stamped line on stderr: `[bench HH:MM:SS] scope: message`."""
    stamp = time.strftime("%H:%M:%S")
    prefix = f"{scope}: " if scope else ""
    print(f"[bench {stamp}] {prefix}{message}", file=sys.stderr, flush=True)


def stop_process(proc, grace=5.0):
    """SIGTERM, then SIGKILL after `grace` seconds; a process already gone (or never started) is fine."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    except ProcessLookupError:
        pass


def tail(path, lines=15):
    """The last `lines` lines of a log file, indented, or `(no log)`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()[-20000:].decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in data.splitlines()[-lines:])


def proc_cpu_times():
    """{pid: (parent pid, user+system CPU seconds)} for every process in /proc."""
    result = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            times = _stat(int(entry))
            if times is not None:
                result[int(entry)] = times
    return result


def cpu_seconds(pid):
    """User+system CPU seconds of one process (0.0 if it is gone)."""
    times = _stat(pid)
    return times[1] if times else 0.0


def tree_cpu_seconds(root_pid):
    """User+system CPU seconds of `root_pid` and all its live descendants (Dovecot forks a process per service)."""
    if root_pid is None:
        return None
    table = proc_cpu_times()
    wanted, changed = {root_pid}, True
    while changed:
        changed = False
        for pid, (parent, _) in table.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    return sum(table[pid][1] for pid in wanted if pid in table)


def _stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return None
    # After the command name: field 3 (state) is fields[0]; ppid is field 4, utime and stime are fields 14 and 15.
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
