#!/usr/bin/env python3
"""Data-plane benchmark: plain IPv6 vs. mycelium vs. yggdrasil, in network namespaces on this machine.

One run measures, on the same namespace topologies (pair A-B, line A-B-C, triangle A-B-C-A):
TCP throughput (1 and 4 streams), ping RTT, daemon CPU seconds per GB and, on the triangle, the failover gap
after the direct link is silently cut; on the pair and the line also a 10 MiB TCP transfer and, for mycelium, its
message bus (1 KiB message rates, one 10 MiB message) through the HTTP API. Prints one table to stdout, progress to
stderr, and writes JSON.

No traffic leaves the machine: every address lives on veth pairs between namespaces this script creates,
daemons only peer with the static addresses given here, and multicast/link-local discovery is switched off.
Standard library only; must run as root. See Benchmarks/README.md.
"""

import argparse
import atexit
import datetime
import ipaddress
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mail_bench  # noqa: E402 - the mail rows (Benchmarks/mail_bench.py)
import bench_process  # noqa: E402
from bench_process import cpu_seconds, stop_process, tail  # noqa: E402,F401

# ----------------------------------------------------------------------------------------------------------------------
# Constants

SYSTEMS = ("raw", "mycelium", "yggdrasil")
TOPOLOGIES = ("pair", "line", "triangle")
MYCELIUM_PORT = 9651
YGGDRASIL_PORT = 9652
IPERF_PORT = 5201
MYCELIUM_TUN = "myc0"
YGGDRASIL_TUN = "ygg0"

# Links of each topology: (first node, second node). Link k (1-based) uses fd00:k::/64, first node ::1, second ::2.
# Overlay daemons peer along the links (the first node dials the second).
LINKS = {
    "pair": [("a", "b")],
    "line": [("a", "b"), ("b", "c")],
    "triangle": [("a", "b"), ("b", "c"), ("a", "c")],
}
# Overlay hops from A to the last node (for "added RTT per hop").
HOPS = {"pair": 1, "line": 2}


def log(message):
    bench_process.log(message)


class BenchError(Exception):
    pass


class Unreachable(BenchError):
    """The system under test never carried traffic between the end nodes (measurements reported as n/a)."""


# ----------------------------------------------------------------------------------------------------------------------
# Processes and cleanup

_LABS = []
_CLEANED = False


def run(args, timeout=30, check=True, capture=True, input_text=None):
    """Runs a command with a timeout; returns CompletedProcess. Raises BenchError on failure when check."""
    try:
        result = subprocess.run(
            args,
            input=input_text,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"timed out after {timeout}s: {' '.join(args)}") from error
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()
        raise BenchError(f"failed ({result.returncode}): {' '.join(args)}: {detail}")
    return result


def cleanup_all():
    global _CLEANED
    if _CLEANED:
        return
    _CLEANED = True
    mail_bench.cleanup()
    for lab in list(_LABS):
        try:
            lab.destroy()
        except Exception as error:  # noqa: BLE001 - cleanup must go on
            log(f"cleanup problem: {error}")


_SIGNALLED = False


def _on_signal(signum, _frame):
    # The first signal unwinds into the cleanup code; later ones must not interrupt the cleanup (every step of it
    # has its own timeout, so it cannot hang).
    global _SIGNALLED
    if _SIGNALLED:
        log("cleaning up, please wait")
        return
    _SIGNALLED = True
    raise KeyboardInterrupt(f"signal {signum}")


class Lab:
    """Namespaces, veths and daemons of one run; everything is removed by destroy()."""

    def __init__(self, prefix, workdir):
        self.prefix = prefix
        self.workdir = workdir
        self.namespaces = []
        self.processes = []  # (label, Popen, log path)
        self.destroyed = False
        _LABS.append(self)

    # --- namespaces -------------------------------------------------------------------------------------------------

    def ns(self, node):
        return f"{self.prefix}-{node}"

    def add_namespace(self, node):
        name = self.ns(node)
        run(["ip", "netns", "add", name], timeout=10)
        self.namespaces.append(name)
        for key in ("all", "default"):
            self.sysctl(node, f"net.ipv6.conf.{key}.accept_dad", "0")
            self.sysctl(node, f"net.ipv6.conf.{key}.dad_transmits", "0")
            # Nothing in here should ever solicit or accept router advertisements.
            self.sysctl(node, f"net.ipv6.conf.{key}.accept_ra", "0")
        self.exec(node, ["ip", "link", "set", "lo", "up"], timeout=10)

    def sysctl(self, node, key, value):
        self.exec(node, ["sysctl", "-q", "-w", f"{key}={value}"], timeout=10)

    def exec(self, node, args, timeout=30, check=True, capture=True):
        return run(["ip", "netns", "exec", self.ns(node)] + list(args), timeout=timeout, check=check, capture=capture)

    def build(self, topology):
        """Creates the namespaces and veths of a topology (removing whatever a previous topology left)."""
        self.teardown_network()
        links = LINKS[topology]
        nodes = sorted({node for link in links for node in link})
        for node in nodes:
            self.add_namespace(node)
        for index, (first, second) in enumerate(links, start=1):
            # Created directly inside the namespaces, so the names never clash in the root namespace.
            run([
                "ip", "link", "add", veth(first, second), "netns", self.ns(first), "type", "veth",
                "peer", "name", veth(second, first), "netns", self.ns(second),
            ], timeout=10)
            for node, other, host in ((first, second, 1), (second, first, 2)):
                self.exec(node, ["ip", "addr", "add", f"fd00:{index}::{host}/64", "dev", veth(node, other), "nodad"])
                self.exec(node, ["ip", "link", "set", veth(node, other), "up"])
        return nodes

    def teardown_network(self):
        self.stop_processes()
        for name in list(self.namespaces):
            run(["ip", "netns", "delete", name], timeout=15, check=False)
            self.namespaces.remove(name)

    # --- processes --------------------------------------------------------------------------------------------------

    def spawn(self, label, node, args, log_name):
        log_path = os.path.join(self.workdir, log_name)
        log_file = open(log_path, "ab")
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(node)] + list(args),
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True,
        )
        log_file.close()
        self.processes.append((label, proc, log_path))
        return proc

    def stop_processes(self):
        for _label, proc, _log in self.processes:
            stop_process(proc)
        self.processes = []

    def check_alive(self):
        """Raises BenchError (with the log tail) if one of the daemons died."""
        for label, proc, log_path in self.processes:
            if proc.poll() is not None:
                raise BenchError(f"{label} exited with status {proc.returncode}; last log lines:\n{tail(log_path)}")

    def destroy(self):
        if self.destroyed:
            return
        self.destroyed = True
        self.teardown_network()
        # Safety net: anything with our prefix (e.g. from an interrupted `ip netns add`).
        listing = run(["ip", "netns", "list"], timeout=10, check=False).stdout or ""
        for line in listing.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(self.prefix + "-"):
                run(["ip", "netns", "delete", name], timeout=15, check=False)


def veth(node, other):
    return f"v-{node}{other}"


def link_address(topology, node, other):
    """Address of `node` on its link to `other`."""
    for index, (first, second) in enumerate(LINKS[topology], start=1):
        if (first, second) == (node, other):
            return f"fd00:{index}::1"
        if (second, first) == (node, other):
            return f"fd00:{index}::2"
    raise KeyError((topology, node, other))


# ----------------------------------------------------------------------------------------------------------------------
# Systems under test. Each sets itself up on a built topology and answers `target(node)` = the address to reach `node`.

class RawSystem:
    name = "raw"
    daemon_pids = None  # no daemons: no CPU figure

    def __init__(self, lab, topology, args):
        self.lab, self.topology, self.args = lab, topology, args

    def start(self):
        if self.topology == "line":
            self.lab.sysctl("b", "net.ipv6.conf.all.forwarding", "1")
            self.lab.exec("a", ["ip", "-6", "route", "add", "fd00:2::/64", "via", "fd00:1::2"])
            self.lab.exec("c", ["ip", "-6", "route", "add", "fd00:1::/64", "via", "fd00:2::1"])

    def stop(self):
        if self.topology == "line":
            self.lab.exec("a", ["ip", "-6", "route", "del", "fd00:2::/64"], check=False)
            self.lab.exec("c", ["ip", "-6", "route", "del", "fd00:1::/64"], check=False)
            self.lab.sysctl("b", "net.ipv6.conf.all.forwarding", "0")

    def target(self, node):
        # The address of `node` on its last link (for the line, C on B-C).
        links = LINKS[self.topology]
        for first, second in reversed(links):
            if node in (first, second):
                return link_address(self.topology, node, second if node == first else first)
        raise KeyError(node)

    def describe_path(self):
        return None


class OverlaySystem:
    name = "?"
    port = 0

    link_down = None  # regex of a daemon log line saying a peer link went down
    link_reason = None  # regex whose group 1 is the reason given on such a line (or a warning just before it)

    def __init__(self, lab, topology, args):
        self.lab, self.topology, self.args = lab, topology, args
        self.nodes = sorted({node for link in LINKS[topology] for node in link})
        self.addresses = {}
        self.procs = {}
        self.log_paths = {}

    def link_drops(self):
        """(number of peer-link-down lines in all daemon logs so far, distinct reasons seen)."""
        count, reasons = 0, []
        for path in self.log_paths.values():
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except OSError:
                continue
            for line in text.splitlines():
                if re.search(self.link_down, line):
                    count += 1
                match = re.search(self.link_reason, line)
                if match and match.group(1).strip() not in reasons:
                    reasons.append(match.group(1).strip())
        return count, reasons

    def peers_of(self, node):
        return [
            f"tcp://[{link_address(self.topology, second, first)}]:{self.port}"
            for first, second in LINKS[self.topology] if first == node
        ]

    def daemon_pids(self):
        return [proc.pid for proc in self.procs.values()]

    def start_order(self):
        """Nodes in an order where every node's peers (the nodes it dials) are already listening: a dialer whose
        first attempt is refused may wait a long time before retrying (yggdrasil 0.4: a minute)."""
        return sorted(self.nodes, reverse=True)

    def wait_listening(self, node, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.lab.check_alive()
            output = self.lab.exec(node, ["ss", "-Hltn", f"sport = :{self.port}"], timeout=10, check=False).stdout
            if output.strip():
                return
            time.sleep(0.05)
        raise BenchError(f"{self.name} in {self.lab.ns(node)} is not listening on TCP port {self.port}")

    def tun_mtu(self, node="a"):
        result = self.lab.exec(node, ["ip", "-j", "link", "show", "dev", self.tun], timeout=10, check=False)
        try:
            return json.loads(result.stdout)[0].get("mtu")
        except (ValueError, IndexError, AttributeError):
            return None

    def wait_peered(self, timeout):
        """Waits until every link of the topology carries an established peer connection."""
        deadline = time.monotonic() + timeout
        while True:
            self.lab.check_alive()
            missing = []
            for first, second in LINKS[self.topology]:
                remote = f"[{link_address(self.topology, second, first)}]:{self.port}"
                output = self.lab.exec(first, ["ss", "-Htn", "state", "established"], timeout=10, check=False).stdout
                if remote not in output:
                    missing.append(f"{first.upper()}-{second.upper()}")
            if not missing:
                return
            if time.monotonic() > deadline:
                raise Unreachable(f"{self.name} peer links not established after {timeout:.0f} s: {', '.join(missing)}")
            time.sleep(0.1)

    def target(self, node):
        return self.addresses[node]

    def stop(self):
        for proc in self.procs.values():
            stop_process(proc)
        self.lab.processes = [entry for entry in self.lab.processes if entry[1] not in self.procs.values()]
        self.procs = {}


class MyceliumSystem(OverlaySystem):
    name = "mycelium"
    port = MYCELIUM_PORT
    tun = MYCELIUM_TUN
    link_down = r"peer link down"
    link_reason = r" (?:warning|error) .*\] (.*(?:link|peer).*)$"

    def start(self):
        binary = self.args.mycelium
        empty = os.path.join(self.lab.workdir, "empty.toml")
        open(empty, "w").close()
        for node in self.start_order():
            directory = os.path.join(self.lab.workdir, f"mycelium-{self.topology}-{node}")
            os.makedirs(directory, exist_ok=True)
            key = os.path.join(directory, "key.bin")
            if not os.path.exists(key):
                run([binary, "-k", key, "generate-keys"], timeout=20)
                os.chmod(key, 0o600)
            info = json.loads(run([binary, "-k", key, "inspect", "--json"], timeout=20).stdout)
            self.addresses[node] = info["address"]
            command = [
                binary, "-c", empty, "-k", key, "-t", str(self.port),
                "--api-addr", "127.0.0.1:8989", "--jsonrpc-addr", "127.0.0.1:8990",
                "--disable-peer-discovery", "--disable-quic", "--tun-name", MYCELIUM_TUN,
                "--state-dir", os.path.join(directory, "state"),
            ]
            peers = self.peers_of(node)
            if peers:
                command += ["--peers"] + peers
            self.procs[node] = self.lab.spawn(
                f"mycelium in {self.lab.ns(node)}", node, command, f"mycelium-{self.topology}-{node}.log"
            )
            self.log_paths[node] = os.path.join(self.lab.workdir, f"mycelium-{self.topology}-{node}.log")
            self.wait_listening(node)
        log("mycelium addresses: " + ", ".join(f"{n.upper()}={a}" for n, a in sorted(self.addresses.items())))

    def api(self, node, path):
        code = (
            "import sys, urllib.request\n"
            "print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())\n"
        )
        result = self.lab.exec(node, ["python3", "-c", code, f"http://127.0.0.1:8989{path}"], timeout=10, check=False)
        if result.returncode != 0:
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            return None

    def describe_path(self):
        """The route A holds for C's subnet (from the admin API), or None."""
        routes = self.api("a", "/api/v1/admin/routes/selected")
        if not isinstance(routes, list):
            return None
        target = ipaddress.ip_address(self.addresses["c"])
        for route in routes:
            try:
                if isinstance(route, dict) and target in ipaddress.ip_network(route.get("subnet", ""), strict=False):
                    return {key: route.get(key) for key in ("subnet", "nextHop", "metric")}
            except ValueError:
                continue
        return None

    def unreachable_reason(self):
        reasons = []
        for _label, proc, log_path in self.lab.processes:
            if proc in self.procs.values():
                try:
                    with open(log_path, "rb") as handle:
                        text = handle.read().decode("utf-8", "replace")
                except OSError:
                    text = ""
                if "not implemented" in text:
                    reasons.append("the TUN data plane is not implemented yet (daemon log)")
        return reasons[0] if reasons else None


class YggdrasilSystem(OverlaySystem):
    name = "yggdrasil"
    port = YGGDRASIL_PORT
    tun = YGGDRASIL_TUN
    link_down = r"Disconnected (?:in|out)bound"
    link_reason = r"Disconnected .*; error: .*?: ([^:]*)$"

    def start(self):
        for node in self.start_order():
            path = os.path.join(self.lab.workdir, f"yggdrasil-{self.topology}-{node}.json")
            if not os.path.exists(path):
                config = json.loads(run(["yggdrasil", "-genconf", "-json"], timeout=20).stdout)
                config["Peers"] = self.peers_of(node)
                config["InterfacePeers"] = {}
                config["Listen"] = [f"tcp://[::]:{self.port}"]
                config["AdminListen"] = "none"
                config["MulticastInterfaces"] = []
                config["IfName"] = YGGDRASIL_TUN
                config["NodeInfo"] = None
                with open(path, "w") as handle:
                    json.dump(config, handle, indent=2)
                os.chmod(path, 0o600)
            self.addresses[node] = run(["yggdrasil", "-useconffile", path, "-address"], timeout=20).stdout.strip()
            log_path = os.path.join(self.lab.workdir, f"yggdrasil-{self.topology}-{node}.log")
            self.log_paths[node] = log_path
            self.procs[node] = self.lab.spawn(
                f"yggdrasil in {self.lab.ns(node)}", node,
                ["yggdrasil", "-useconffile", path, "-logto", log_path],
                f"yggdrasil-{self.topology}-{node}.stdout",
            )
            self.wait_listening(node)
        log("yggdrasil addresses: " + ", ".join(f"{n.upper()}={a}" for n, a in sorted(self.addresses.items())))

    def describe_path(self):
        return None

    def unreachable_reason(self):
        return None


SYSTEM_CLASSES = {"raw": RawSystem, "mycelium": MyceliumSystem, "yggdrasil": YggdrasilSystem}


# ----------------------------------------------------------------------------------------------------------------------
# Measurements

PING_SUMMARY = re.compile(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")
PING_REPLY = re.compile(r"^\[(\d+\.\d+)\] .*icmp_seq=(\d+)")


def ping_once(lab, node, address, wait=1):
    result = lab.exec(node, ["ping", "-6", "-n", "-c", "1", "-W", str(wait), address], timeout=wait + 10, check=False)
    return result.returncode == 0


def wait_reachable(lab, system, source, destination, timeout):
    """Pings until the destination answers; raises Unreachable after `timeout` seconds."""
    if hasattr(system, "wait_peered"):
        system.wait_peered(timeout)
    address = system.target(destination)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lab.check_alive()
        if ping_once(lab, source, address):
            return
        time.sleep(0.2)
    reason = getattr(system, "unreachable_reason", lambda: None)()
    raise Unreachable(
        f"{source.upper()} cannot reach {destination.upper()} ({address}) after {timeout:.0f} s"
        + (f": {reason}" if reason else "")
    )


def ping_rtt(lab, source, address, count):
    """Average RTT in ms over `count` pings 5 ms apart (after 5 warm-up pings)."""
    lab.exec(source, ["ping", "-6", "-n", "-c", "5", "-i", "0.05", "-W", "1", address], timeout=20, check=False)
    result = lab.exec(
        source, ["ping", "-6", "-n", "-c", str(count), "-i", "0.005", "-W", "1", "-q", address],
        timeout=count * 0.05 + 30, check=False,
    )
    match = PING_SUMMARY.search(result.stdout)
    if not match:
        raise BenchError(f"ping {address} from {source.upper()} gave no RTT summary: {result.stdout.strip()[-300:]}")
    return float(match.group(2))


def iperf(lab, system, client, server, streams, duration):
    """One iperf3 run; returns (bits per second, bytes received, daemon CPU seconds during the run or None)."""
    address = system.target(server)
    server_proc = lab.spawn(
        f"iperf3 server in {lab.ns(server)}", server,
        ["iperf3", "-s", "-1", "-p", str(IPERF_PORT)], f"iperf3-server-{server}.log",
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            listening = lab.exec(server, ["ss", "-Hltn", f"sport = :{IPERF_PORT}"], timeout=10, check=False).stdout
            if listening.strip():
                break
            if server_proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError("iperf3 server did not start")
            time.sleep(0.05)
        pids = system.daemon_pids() if callable(system.daemon_pids) else None
        cpu_before = sum(cpu_seconds(pid) for pid in pids) if pids else None
        result = lab.exec(
            client,
            ["iperf3", "-c", address, "-p", str(IPERF_PORT), "-t", str(duration), "-P", str(streams), "-J",
             "--connect-timeout", "5000"],
            timeout=duration + 40, check=False,
        )
        cpu_after = sum(cpu_seconds(pid) for pid in pids) if pids else None
        try:
            report = json.loads(result.stdout)
        except ValueError:
            raise BenchError(f"iperf3 gave no JSON: {(result.stdout + result.stderr).strip()[-300:]}") from None
        if report.get("error"):
            raise BenchError(f"iperf3: {report['error']}")
        received = report["end"]["sum_received"]
        cpu = (cpu_after - cpu_before) if pids else None
        retransmits = report["end"].get("sum_sent", {}).get("retransmits")
        return float(received["bits_per_second"]), int(received["bytes"]), cpu, retransmits
    finally:
        stop_process(server_proc, grace=2)
        lab.processes = [entry for entry in lab.processes if entry[1] is not server_proc]


def interface_tx_bytes(lab, node):
    result = lab.exec(node, ["ip", "-j", "-s", "link", "show"], timeout=10, check=False)
    try:
        links = json.loads(result.stdout)
    except ValueError:
        return {}
    return {link["ifname"]: link.get("stats64", {}).get("tx", {}).get("bytes", 0) for link in links}


def failover(lab, system, cap, settle=2.0, warmup=3.0):
    """Pings A->C every 10 ms, cuts the A-C veth (C's end down) and returns the longest gap between replies."""
    address = system.target("c")
    tx_before = interface_tx_bytes(lab, "a")
    route_before = system.describe_path()
    proc = subprocess.Popen(
        ["ip", "netns", "exec", lab.ns("a"), "ping", "-6", "-n", "-D", "-i", "0.01", "-W", "1", address],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        start_new_session=True,
    )
    replies = []  # (receive time, seq)
    cut_time = None
    tx_at_cut = None
    buffer = ""
    try:
        start = time.time()
        os.set_blocking(proc.stdout.fileno(), False)
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 0.1)
            if ready:
                chunk = proc.stdout.read()
                if chunk:
                    buffer += chunk
                    *lines, buffer = buffer.split("\n")
                    for line in lines:
                        match = PING_REPLY.match(line)
                        if match:
                            replies.append((float(match.group(1)), int(match.group(2))))
            if proc.poll() is not None:
                raise BenchError("failover ping exited early")
            now = time.time()
            if cut_time is None:
                if now - start >= warmup:
                    if not replies:
                        raise Unreachable("no replies before the cut")
                    tx_at_cut = interface_tx_bytes(lab, "a")
                    lab.exec("c", ["ip", "link", "set", veth("c", "a"), "down"])
                    cut_time = time.time()
                    log(f"  {system.name}: cut link A-C (down {veth('c', 'a')} in {lab.ns('c')})")
                continue
            after = [t for t, _ in replies if t > cut_time]
            if after:
                gap, gap_end = longest_gap(replies, cut_time, now)
                if gap_end is not None and now - gap_end >= settle and now - cut_time >= settle:
                    break
            if now - cut_time > cap + settle:
                break
    finally:
        stop_process(proc, grace=2)
    now = time.time()
    gap, gap_end = longest_gap(replies, cut_time, now)
    resumed = any(t > cut_time for t, _ in replies) and gap_end is not None and gap <= cap
    seqs = sorted({seq for t, seq in replies if t > cut_time - 1})
    lost = (seqs[-1] - seqs[0] + 1 - len(seqs)) if seqs and resumed else None
    path = None
    if tx_before and tx_at_cut:
        direct = tx_at_cut.get(veth("a", "c"), 0) - tx_before.get(veth("a", "c"), 0)
        via_b = tx_at_cut.get(veth("a", "b"), 0) - tx_before.get(veth("a", "b"), 0)
        path = {"bytes_sent_direct": direct, "bytes_sent_via_b": via_b,
                "direct": direct > via_b}
    return {
        "gap_s": gap if resumed else None,
        "resumed": resumed,
        "cap_s": cap,
        "lost_pings": lost,
        "path_before_cut": path,
        "route_before_cut": route_before,
        "route_after": system.describe_path(),
    }


def longest_gap(replies, cut_time, now):
    """Longest interval between consecutive replies that ends after the cut; an ongoing silence counts up to now.
    Returns (gap seconds, end time of that gap or None if the gap is still ongoing)."""
    times = sorted(t for t, _ in replies)
    best, best_end = 0.0, None
    for previous, current in zip(times, times[1:]):
        if current > cut_time and current - previous > best:
            best, best_end = current - previous, current
    if times:
        ongoing = now - max(times[-1], cut_time - 0.01)
        if ongoing > best and ongoing > 1.0:
            return ongoing, None
    return best, best_end


# ----------------------------------------------------------------------------------------------------------------------
# Message bus and 10 MiB transfers. The clients run as a helper script (BUS_HELPER, written to the work directory)
# inside the namespaces: they talk to the daemon's HTTP API on 127.0.0.1:8989 of their own namespace, or open TCP
# connections to an overlay (or veth) address. Times are CLOCK_MONOTONIC readings, which every process on the machine
# shares, so the sender's and the receiver's readings can be subtracted.

TRANSFER_PORT = 5202
API_PORT = 8989

BUS_HELPER = r'''
import base64, hashlib, http.client, json, random, resource, socket, sys, threading, time

API = ("127.0.0.1", %(api_port)d)
JSON_HEADERS = {"Content-Type": "application/json"}


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def connection(timeout):
    return http.client.HTTPConnection(*API, timeout=timeout)


def blob(seed, size):
    """The same pseudo-random bytes in every process for the same seed (bus and TCP send identical data)."""
    return random.Random(seed).randbytes(size)


def small_payload(seed, index, size):
    head = seed.to_bytes(8, "big") + index.to_bytes(8, "big")
    return head + hashlib.shake_128(head).digest(size - len(head))


def drain():
    """Pops whatever an earlier (failed) run left in the inbox; returns how many."""
    conn, count = connection(10), 0
    while True:
        conn.request("GET", "/api/v1/messages?timeout=0&peek=false")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            return count
        count += 1


def recv_many(expected, seed, size, threads, source_pk, poll, deadline_s):
    """Drains with `threads` concurrent long polls until `expected` distinct messages came (the expected count can be
    lowered through stdin when the sender had refusals); verifies every payload."""
    leftover = drain()
    state = {"target": expected, "seen": set(), "indices": set(), "times": [], "duplicates": 0, "bad": 0,
             "errors": [], "polls": 0, "empty_polls": 0}
    lock, done = threading.Lock(), threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            line = line.strip()
            if line.isdigit():
                with lock:
                    state["target"] = int(line)
                    if len(state["seen"]) >= state["target"]:
                        done.set()

    def worker():
        conn = connection(poll + 30)
        while not done.is_set():
            try:
                conn.request("GET", "/api/v1/messages?timeout=%%d&peek=false" %% poll)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    state["errors"].append("GET: %%r" %% error)
                conn.close()
                conn = connection(poll + 30)
                time.sleep(0.05)
                continue
            now = time.monotonic()
            with lock:
                state["polls"] += 1
            if response.status == 204:
                with lock:
                    state["empty_polls"] += 1
                continue
            if response.status != 200:
                with lock:
                    state["errors"].append("GET %%d: %%s" %% (response.status, data[:200].decode("utf-8", "replace")))
                time.sleep(0.05)
                continue
            message = json.loads(data)
            payload = base64.b64decode(message["payload"])
            index = int.from_bytes(payload[8:16], "big") if len(payload) >= 16 else -1
            good = (len(payload) == size and int.from_bytes(payload[:8], "big") == seed and 0 <= index < expected
                    and payload == small_payload(seed, index, size) and message.get("srcPk") == source_pk)
            with lock:
                if message["id"] in state["seen"]:
                    state["duplicates"] += 1
                    continue
                state["seen"].add(message["id"])
                state["times"].append(now)
                if good and index not in state["indices"]:
                    state["indices"].add(index)
                else:
                    state["bad"] += 1
                if len(state["seen"]) >= state["target"]:
                    done.set()
        conn.close()

    threading.Thread(target=watch_stdin, daemon=True).start()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    say({"ready": True, "leftover": leftover})
    cpu_start = cpu()
    for thread in workers:
        thread.start()
    done.wait(deadline_s)
    timed_out = not done.is_set()
    done.set()
    for thread in workers:
        thread.join(poll + 35)
    times = sorted(state["times"])
    say({"received": len(state["seen"]), "valid": len(state["indices"]), "duplicates": state["duplicates"],
         "bad": state["bad"], "errors": state["errors"][:20], "error_count": len(state["errors"]),
         "polls": state["polls"], "empty_polls": state["empty_polls"], "timed_out": timed_out,
         "first": times[0] if times else None, "last": times[-1] if times else None, "leftover": leftover,
         "cpu_s": cpu() - cpu_start})


def send_many(destination_pk, count, seed, size, threads, topic):
    topic64 = base64.b64encode(topic.encode()).decode()
    bodies = [json.dumps({"dst": {"pk": destination_pk}, "topic": topic64,
                          "payload": base64.b64encode(small_payload(seed, index, size)).decode()}).encode()
              for index in range(count)]
    ids, errors, accept_times = [None] * count, [], []
    lock, counter = threading.Lock(), iter(range(count))

    def worker():
        conn = connection(60)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            try:
                conn.request("POST", "/api/v1/messages", body=bodies[index], headers=JSON_HEADERS)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append("POST: %%r" %% error)
                conn.close()
                conn = connection(60)
                continue
            now = time.monotonic()
            with lock:
                if response.status == 201:
                    ids[index] = json.loads(data)["id"]
                    accept_times.append(now)
                else:
                    errors.append("POST %%d: %%s" %% (response.status, data[:200].decode("utf-8", "replace")))
        conn.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    cpu_start = cpu()
    start = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    accepted = [value for value in ids if value]
    say({"start": start, "last_accept": max(accept_times) if accept_times else None, "accepted": len(accepted),
         "errors": errors[:20], "error_count": len(errors), "cpu_s": cpu() - cpu_start})
    # The orchestrator says when the receiver is done; then the sender's view of every message.
    sys.stdin.readline()
    states, lock2, queue = {}, threading.Lock(), iter(accepted)

    def status_worker():
        conn = connection(30)
        while True:
            with lock2:
                message_id = next(queue, None)
            if message_id is None:
                break
            try:
                conn.request("GET", "/api/v1/messages/status/" + message_id)
                response = conn.getresponse()
                data = response.read()
                state = json.loads(data).get("state") if response.status == 200 else "http %%d" %% response.status
            except (OSError, http.client.HTTPException, ValueError) as error:
                state = "error %%r" %% error
                conn.close()
                conn = connection(30)
            key = state if isinstance(state, str) else next(iter(state), "?")
            with lock2:
                states[key] = states.get(key, 0) + 1
        conn.close()

    checkers = [threading.Thread(target=status_worker) for _ in range(min(threads, 4))]
    for thread in checkers:
        thread.start()
    for thread in checkers:
        thread.join()
    say({"states": states})


def recv_one(poll, deadline_s):
    leftover = drain()
    say({"ready": True, "leftover": leftover})
    conn = connection(poll + 30)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        conn.request("GET", "/api/v1/messages?timeout=%%d&peek=false" %% poll)
        response = conn.getresponse()
        data = response.read()
        now = time.monotonic()
        if response.status == 204:
            continue
        if response.status != 200:
            say({"error": "GET %%d: %%s" %% (response.status, data[:200].decode("utf-8", "replace"))})
            return
        message = json.loads(data)
        payload = base64.b64decode(message["payload"])
        say({"delivered": now, "id": message["id"], "size": len(payload),
             "sha256": hashlib.sha256(payload).hexdigest(), "srcPk": message.get("srcPk")})
        return
    say({"error": "nothing received within %%.0f s" %% deadline_s})


def send_one(destination_pk, size, seed, deadline_s):
    payload = blob(seed, size)
    body = json.dumps({"dst": {"pk": destination_pk}, "topic": base64.b64encode(b"bench-big").decode(),
                       "payload": base64.b64encode(payload).decode()}).encode()
    digest = hashlib.sha256(payload).hexdigest()
    conn = connection(deadline_s)
    start = time.monotonic()
    conn.request("POST", "/api/v1/messages", body=body, headers=JSON_HEADERS)
    response = conn.getresponse()
    data = response.read()
    accepted = time.monotonic()
    if response.status != 201:
        say({"error": "POST %%d: %%s" %% (response.status, data[:200].decode("utf-8", "replace"))})
        return
    message_id = json.loads(data)["id"]
    polls, last = 0, None
    deadline = start + deadline_s
    while time.monotonic() < deadline:
        conn.request("GET", "/api/v1/messages/status/" + message_id)
        response = conn.getresponse()
        data = response.read()
        now = time.monotonic()
        polls += 1
        if response.status == 200:
            last = json.loads(data)
            state = last.get("state")
            if state in ("received", "read", "aborted"):
                say({"start": start, "accepted": accepted, "acknowledged": now, "state": state, "id": message_id,
                     "sha256": digest, "status_polls": polls})
                return
        time.sleep(0.02)
    say({"error": "status not received within %%.0f s (last: %%s)" %% (deadline_s, json.dumps(last)),
         "start": start, "accepted": accepted, "id": message_id, "sha256": digest})


def tcp_server(address, port, deadline_s):
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port))
    server.listen(1)
    server.settimeout(deadline_s)
    say({"ready": True})
    conn, _ = server.accept()
    conn.settimeout(deadline_s)
    digest, total, first = hashlib.sha256(), 0, None
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        if first is None:
            first = time.monotonic()
        digest.update(data)
        total += len(data)
    eof = time.monotonic()
    conn.sendall(digest.digest())
    conn.close()
    server.close()
    say({"bytes": total, "sha256": digest.hexdigest(), "first_byte": first, "eof": eof})


def tcp_client(address, port, size, seed, deadline_s):
    payload = blob(seed, size)
    client = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    client.settimeout(deadline_s)
    start = time.monotonic()
    client.connect((address, port))
    connected = time.monotonic()
    client.sendall(payload)
    client.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        data = client.recv(64)
        if not data:
            break
        answer += data
    done = time.monotonic()
    client.close()
    say({"start": start, "connected": connected, "done": done, "answer": answer.hex(),
         "sha256": hashlib.sha256(payload).hexdigest()})


if __name__ == "__main__":
    mode, arguments = sys.argv[1], json.loads(sys.argv[2])
    {"recv-many": recv_many, "send-many": send_many, "recv-one": recv_one, "send-one": send_one,
     "tcp-server": tcp_server, "tcp-client": tcp_client}[mode](**arguments)
''' % {"api_port": API_PORT}


class Helper:
    """One BUS_HELPER process in a namespace; talks JSON lines on stdout, takes lines on stdin."""

    def __init__(self, lab, node, mode, arguments, label):
        path = os.path.join(lab.workdir, "bus_helper.py")
        if not os.path.exists(path):
            with open(path, "w") as handle:
                handle.write(BUS_HELPER)
        self.label = label
        self.lab = lab
        self.stderr_path = os.path.join(lab.workdir, f"helper-{mode}-{node}.stderr")
        stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", lab.ns(node), sys.executable, path, mode, json.dumps(arguments)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=lab.workdir, start_new_session=True,
        )
        stderr.close()
        lab.processes.append((label, self.proc, self.stderr_path))
        self.buffer = b""

    def read(self, timeout):
        """The next JSON line; raises BenchError on timeout or exit."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.label}: no answer within {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.proc.wait(timeout=5)
                    raise BenchError(f"{self.label} exited ({self.proc.returncode}) without an answer:\n"
                                     f"{tail(self.stderr_path)}")
                self.buffer += chunk
            else:
                self.lab.check_alive()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def write(self, text):
        try:
            self.proc.stdin.write(text.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close(self):
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass
        stop_process(self.proc, grace=3)
        self.lab.processes = [entry for entry in self.lab.processes if entry[1] is not self.proc]


def daemon_cpu(system):
    """CPU seconds consumed so far by each daemon of an overlay system ({node: seconds}), {} for raw."""
    procs = getattr(system, "procs", {}) or {}
    return {node: cpu_seconds(proc.pid) for node, proc in procs.items()}


def cpu_delta(before, after):
    return {node: round(after.get(node, 0.0) - before.get(node, 0.0), 3) for node in after}


def tcp_transfer(lab, system, client, server, size, seed, deadline):
    """Seconds from connect() to the server's SHA-256 of all `size` bytes arriving back (after it saw EOF)."""
    address = system.target(server)
    receiver = Helper(lab, server, "tcp-server", {"address": address, "port": TRANSFER_PORT, "deadline_s": deadline},
                      f"TCP receiver in {lab.ns(server)}")
    sender = None
    try:
        receiver.read(15)
        cpu_before = daemon_cpu(system)
        sender = Helper(lab, client, "tcp-client", {"address": address, "port": TRANSFER_PORT, "size": size,
                                                    "seed": seed, "deadline_s": deadline},
                        f"TCP sender in {lab.ns(client)}")
        sent = sender.read(deadline + 30)
        got = receiver.read(15)
        cpu = cpu_delta(cpu_before, daemon_cpu(system))
    finally:
        for helper in (sender, receiver):
            if helper:
                helper.close()
    if got["bytes"] != size or got["sha256"] != sent["sha256"] or sent["answer"] != sent["sha256"]:
        raise BenchError(f"TCP transfer corrupted: sent {size} bytes sha256 {sent['sha256'][:16]}…, server got "
                         f"{got['bytes']} bytes sha256 {got['sha256'][:16]}…")
    return {"seconds": sent["done"] - sent["start"], "connect_s": sent["connected"] - sent["start"],
            "server_eof_s": got["eof"] - sent["start"], "daemon_cpu_s": cpu}


def bus_pubkey(system, node):
    info = system.api(node, "/api/v1/admin")
    if not isinstance(info, dict) or not info.get("nodePubkey"):
        raise BenchError(f"GET /api/v1/admin in {system.lab.ns(node)} gave no nodePubkey: {info!r}")
    return info["nodePubkey"]


def bus_big(lab, system, client, server, destination_pk, size, seed, deadline):
    """One `size`-byte message client -> server: times from the POST's start to 201, to the receiver's long-poll
    returning it (SHA-256 checked), and to the sender's status saying received/read."""
    receiver = Helper(lab, server, "recv-one", {"poll": 30, "deadline_s": deadline},
                      f"bus receiver in {lab.ns(server)}")
    sender = None
    try:
        ready = receiver.read(30)
        cpu_before = daemon_cpu(system)
        sender = Helper(lab, client, "send-one", {"destination_pk": destination_pk, "size": size, "seed": seed,
                                                  "deadline_s": deadline}, f"bus sender in {lab.ns(client)}")
        sent = sender.read(deadline + 60)
        got = receiver.read(deadline + 60)
        cpu = cpu_delta(cpu_before, daemon_cpu(system))
    finally:
        for helper in (sender, receiver):
            if helper:
                helper.close()
    if "error" in sent:
        raise BenchError(f"bus {size}-byte message: sender: {sent['error']}")
    if "error" in got:
        raise BenchError(f"bus {size}-byte message: receiver: {got['error']}")
    if got["size"] != size or got["sha256"] != sent["sha256"] or got["id"] != sent["id"]:
        raise BenchError(f"bus {size}-byte message corrupted: sent id {sent['id']} sha256 {sent['sha256'][:16]}…, "
                         f"got id {got['id']} {got['size']} bytes sha256 {got['sha256'][:16]}…")
    return {"accepted_s": sent["accepted"] - sent["start"], "delivered_s": got["delivered"] - sent["start"],
            "acknowledged_s": sent["acknowledged"] - sent["start"], "final_state": sent["state"],
            "status_polls": sent["status_polls"], "leftover_in_inbox": ready.get("leftover"), "daemon_cpu_s": cpu}


def bus_small(lab, system, client, server, source_pk, destination_pk, args, seed):
    """args.bus_messages messages of args.bus_message_size bytes, posted by args.bus_senders concurrent keep-alive
    clients and drained by args.bus_receivers concurrent long polls."""
    count, size = args.bus_messages, args.bus_message_size
    receiver = Helper(lab, server, "recv-many", {
        "expected": count, "seed": seed, "size": size, "threads": args.bus_receivers, "source_pk": source_pk,
        "poll": 1, "deadline_s": args.bus_timeout,
    }, f"bus receivers in {lab.ns(server)}")
    sender = None
    try:
        ready = receiver.read(30)
        cpu_before = daemon_cpu(system)
        sender = Helper(lab, client, "send-many", {
            "destination_pk": destination_pk, "count": count, "seed": seed, "size": size,
            "threads": args.bus_senders, "topic": f"bench-{seed}",
        }, f"bus senders in {lab.ns(client)}")
        sent = sender.read(args.bus_timeout + 30)
        if sent["accepted"] < count:
            receiver.write(str(sent["accepted"]))
        got = receiver.read(args.bus_timeout + 60)
        cpu = cpu_delta(cpu_before, daemon_cpu(system))
        time.sleep(0.5)  # let the last READ notifications reach the sender
        sender.write("status")
        states = sender.read(120)["states"]
    finally:
        for helper in (sender, receiver):
            if helper:
                helper.close()
    outcome = {
        "accepted": sent["accepted"], "post_errors": sent["error_count"], "post_error_samples": sent["errors"][:5],
        "received": got["received"], "valid": got["valid"], "duplicates": got["duplicates"], "bad": got["bad"],
        "get_errors": got["error_count"], "get_error_samples": got["errors"][:5], "timed_out": got["timed_out"],
        "long_polls": got["polls"], "empty_long_polls": got["empty_polls"],
        "leftover_in_inbox": ready.get("leftover"), "sender_states": states, "daemon_cpu_s": cpu,
        "client_cpu_s": {"senders": round(sent["cpu_s"], 3), "receivers": round(got["cpu_s"], 3)},
        "accept_s": None if sent["last_accept"] is None else sent["last_accept"] - sent["start"],
        "deliver_s": None if got["last"] is None else got["last"] - sent["start"],
    }
    outcome["accept_per_s"] = (sent["accepted"] / outcome["accept_s"]) if outcome["accept_s"] else None
    complete = got["received"] == count and got["valid"] == count and not got["timed_out"]
    outcome["deliver_per_s"] = (count / outcome["deliver_s"]) if complete and outcome["deliver_s"] else None
    outcome["cpu_s_per_1000"] = sum(cpu.values()) / count * 1000 if complete and cpu else None
    problems = []
    if sent["error_count"]:
        problems.append(f"{sent['error_count']} POSTs refused or failed (e.g. {sent['errors'][0]})")
    if got["duplicates"]:
        problems.append(f"{got['duplicates']} duplicate deliveries")
    if got["bad"]:
        problems.append(f"{got['bad']} payloads failed verification")
    if got["timed_out"]:
        problems.append(f"only {got['received']} of {sent['accepted']} accepted messages arrived within "
                        f"{args.bus_timeout:.0f} s")
    if got["error_count"]:
        problems.append(f"{got['error_count']} long-poll errors (e.g. {got['errors'][0]})")
    outcome["problems"] = problems
    return outcome


def measure_transfers(lab, system, topology, last, args, entry, repetition):
    """The 10 MiB TCP transfer (every system) and, for mycelium, the bus measurements; one repetition."""
    samples = entry["samples"]
    seed = repetition * 1000 + len(topology)
    tcp = tcp_transfer(lab, system, "a", last, args.bus_transfer_size, seed, args.bus_timeout)
    samples["tcp_big_s"].append(tcp["seconds"])
    entry.setdefault("transfer_runs", []).append({"tcp": tcp})
    cpu = sum(tcp["daemon_cpu_s"].values())
    log(f"{topology}/{system.name} #{repetition}: TCP {args.bus_transfer_size / 2**20:g} MiB in "
        f"{tcp['seconds']:.3f} s" + (f" (daemon CPU {cpu:.2f} s)" if tcp["daemon_cpu_s"] else ""))
    if system.name != "mycelium":
        return
    run_ = entry["transfer_runs"][-1]
    destination_pk = entry.get("bus_pubkeys", {}).get(last) or bus_pubkey(system, last)
    source_pk = entry.get("bus_pubkeys", {}).get("a") or bus_pubkey(system, "a")
    entry["bus_pubkeys"] = {"a": source_pk, last: destination_pk}
    big = bus_big(lab, system, "a", last, destination_pk, args.bus_transfer_size, seed, args.bus_timeout)
    run_["bus_big"] = big
    samples["bus_big_accepted_s"].append(big["accepted_s"])
    samples["bus_big_delivered_s"].append(big["delivered_s"])
    samples["bus_big_acknowledged_s"].append(big["acknowledged_s"])
    log(f"{topology}/mycelium #{repetition}: bus {args.bus_transfer_size / 2**20:g} MiB: POST answered after "
        f"{big['accepted_s']:.3f} s, delivered after {big['delivered_s']:.3f} s, status {big['final_state']} after "
        f"{big['acknowledged_s']:.3f} s (daemon CPU "
        + ", ".join(f"{node.upper()} {value:.2f} s" for node, value in sorted(big["daemon_cpu_s"].items())) + ")"
        + (f"; {big['leftover_in_inbox']} stale messages drained first" if big["leftover_in_inbox"] else ""))
    small = bus_small(lab, system, "a", last, source_pk, destination_pk, args, seed)
    run_["bus_small"] = small
    samples["bus_accept_per_s"].append(small["accept_per_s"])
    samples["bus_deliver_per_s"].append(small["deliver_per_s"])
    samples["bus_cpu_s_per_1000"].append(small["cpu_s_per_1000"])
    accept = "n/a" if small["accept_per_s"] is None else f"{small['accept_per_s']:,.0f}/s"
    deliver = "n/a" if small["deliver_per_s"] is None else f"{small['deliver_per_s']:,.0f}/s"
    log(f"{topology}/mycelium #{repetition}: bus {args.bus_messages} × {args.bus_message_size} B: accepted "
        f"{small['accepted']} at {accept}, delivered {small['valid']} at {deliver} (daemon CPU "
        + ", ".join(f"{node.upper()} {value:.2f} s" for node, value in sorted(small["daemon_cpu_s"].items()))
        + f"; clients: senders {small['client_cpu_s']['senders']:.2f} s, receivers "
        f"{small['client_cpu_s']['receivers']:.2f} s); sender's states afterwards {small['sender_states']}"
        + (f"; {small['leftover_in_inbox']} stale messages drained first" if small["leftover_in_inbox"] else ""))
    if small["problems"]:
        entry.setdefault("bus_problems", []).extend(small["problems"])
        raise BenchError("bus: " + "; ".join(small["problems"]))


# ----------------------------------------------------------------------------------------------------------------------
# Orchestration

def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def measure_topology(lab, topology, systems, args, results):
    last = "b" if topology == "pair" else "c"
    lab.build(topology)
    log(f"topology {topology}: namespaces {', '.join(lab.namespaces)}")
    for name in systems:
        system = SYSTEM_CLASSES[name](lab, topology, args)
        entry = results.setdefault(name, {}).setdefault(topology, {})
        entry.update({"samples": {"tcp_1": [], "tcp_4": [], "rtt_ms": [], "cpu_s_per_gb": [], "bytes_1": [],
                                 "retransmits_1": [], "retransmits_4": [], "tcp_big_s": [],
                                 "bus_big_accepted_s": [], "bus_big_delivered_s": [], "bus_big_acknowledged_s": [],
                                 "bus_accept_per_s": [], "bus_deliver_per_s": [], "bus_cpu_s_per_1000": []}})
        log(f"{topology}/{name}: starting")
        try:
            system.start()
            wait_reachable(lab, system, "a", last, args.converge_timeout if name != "raw" else 10)
            if hasattr(system, "tun_mtu"):
                entry["tun_mtu"] = system.tun_mtu()
            log(f"{topology}/{name}: A reaches {last.upper()} at {system.target(last)}"
                + (f" (TUN MTU {entry['tun_mtu']})" if entry.get("tun_mtu") else ""))
            samples = entry["samples"]
            for repetition in range(1, (0 if args.bus_only else args.repetitions) + 1):
                lab.check_alive()
                bps, received, cpu, retransmits = iperf(lab, system, "a", last, 1, args.duration)
                samples["tcp_1"].append(bps)
                samples["bytes_1"].append(received)
                samples["retransmits_1"].append(retransmits)
                if cpu is not None and received:
                    samples["cpu_s_per_gb"].append(cpu / (received / 1e9))
                bps4, _received4, _cpu4, retransmits4 = iperf(lab, system, "a", last, 4, args.duration)
                samples["tcp_4"].append(bps4)
                samples["retransmits_4"].append(retransmits4)
                rtt = ping_rtt(lab, "a", system.target(last), args.ping_count)
                samples["rtt_ms"].append(rtt)
                cpu_text = f", {samples['cpu_s_per_gb'][-1]:.2f} CPU s/GB" if cpu is not None and received else ""
                log(f"{topology}/{name} #{repetition}: 1 stream {bps / 1e6:.0f} Mbit/s{cpu_text} "
                    f"({retransmits} retransmits), 4 streams {bps4 / 1e6:.0f} Mbit/s ({retransmits4} retransmits), "
                    f"RTT {rtt * 1000:.0f} µs")
            entry["status"] = "ok"
            if not args.skip_bus:
                # Its own status: a failing bus measurement must not hide the figures above.
                try:
                    for repetition in range(1, args.repetitions + 1):
                        lab.check_alive()
                        measure_transfers(lab, system, topology, last, args, entry, repetition)
                    entry["transfer_status"] = "ok"
                except BenchError as error:
                    entry["transfer_status"] = f"error: {error}"
                    log(f"{topology}/{name}: transfer/bus ERROR — {error}")
        except Unreachable as error:
            entry["status"] = f"n/a: {error}"
            log(f"{topology}/{name}: NOT REACHABLE — {error}")
        except BenchError as error:
            entry["status"] = f"error: {error}"
            log(f"{topology}/{name}: ERROR — {error}")
        finally:
            if hasattr(system, "link_drops"):
                # Counted before stopping: shutting down closes the links too.
                drops, reasons = system.link_drops()
                entry["peer_link_drops"] = drops
                entry["peer_link_drop_reasons"] = reasons
                if drops:
                    log(f"{topology}/{name}: peer links went down {drops} times while measuring"
                        + (f" ({'; '.join(reasons)})" if reasons else ""))
            system.stop()
        samples = entry["samples"]
        entry["median"] = {
            "tcp_1_mbit_s": scale(median(samples["tcp_1"]), 1e-6),
            "tcp_4_mbit_s": scale(median(samples["tcp_4"]), 1e-6),
            "rtt_ms": median(samples["rtt_ms"]),
            "cpu_s_per_gb": median(samples["cpu_s_per_gb"]),
            "tcp_big_s": median(samples["tcp_big_s"]),
        }
        if name == "mycelium" and not args.skip_bus:
            entry["median"].update({
                "bus_accept_per_s": median(samples["bus_accept_per_s"]),
                "bus_deliver_per_s": median(samples["bus_deliver_per_s"]),
                "bus_cpu_s_per_1000": median(samples["bus_cpu_s_per_1000"]),
                "bus_big_accepted_s": median(samples["bus_big_accepted_s"]),
                "bus_big_delivered_s": median(samples["bus_big_delivered_s"]),
                "bus_big_acknowledged_s": median(samples["bus_big_acknowledged_s"]),
            })
            delivered, tcp = entry["median"]["bus_big_delivered_s"], entry["median"]["tcp_big_s"]
            entry["median"]["bus_big_over_tcp"] = None if delivered is None or not tcp else delivered / tcp


def measure_failover(lab, systems, args, results):
    for name in systems:
        if name == "raw":
            continue
        entry = results.setdefault(name, {}).setdefault("triangle", {"runs": []})
        for repetition in range(1, args.failover_repetitions + 1):
            lab.build("triangle")
            system = SYSTEM_CLASSES[name](lab, "triangle", args)
            log(f"triangle/{name} #{repetition}: starting")
            try:
                system.start()
                wait_reachable(lab, system, "a", "c", args.converge_timeout)
                # Give the routing a moment to settle on the best (direct) route before measuring.
                time.sleep(2)
                outcome = failover(lab, system, args.failover_cap)
                entry["runs"].append(outcome)
                gap = f"{outcome['gap_s']:.2f} s" if outcome["resumed"] else f"> {args.failover_cap:.0f} s"
                path = outcome["path_before_cut"]
                where = "?" if path is None else ("direct A-C" if path["direct"] else "via B")
                route = outcome["route_before_cut"]
                log(f"triangle/{name} #{repetition}: gap {gap}, lost {outcome['lost_pings']} pings, "
                    f"path before cut: {where}" + (f", route {route}" if route else "")
                    + (f", route after {outcome['route_after']}" if outcome["route_after"] else ""))
                entry["status"] = "ok"
            except Unreachable as error:
                entry["status"] = f"n/a: {error}"
                log(f"triangle/{name}: NOT REACHABLE — {error}")
                break
            except BenchError as error:
                entry["status"] = f"error: {error}"
                log(f"triangle/{name}: ERROR — {error}")
                break
            finally:
                system.stop()
        runs = entry["runs"]
        if runs:
            resumed = [run_["gap_s"] for run_ in runs if run_["resumed"]]
            # A run that never resumed counts as +infinity for the median.
            values = sorted(resumed + [float("inf")] * (len(runs) - len(resumed)))
            middle = statistics.median_high(values) if len(values) % 2 == 0 else statistics.median(values)
            entry["median_gap_s"] = None if middle == float("inf") else middle
            entry["never_resumed"] = middle == float("inf")
            entry["direct_before_cut"] = [
                None if run_["path_before_cut"] is None else run_["path_before_cut"]["direct"] for run_ in runs
            ]


def scale(value, factor):
    return None if value is None else value * factor


# ----------------------------------------------------------------------------------------------------------------------
# Report

def fmt(value, kind):
    if value is None:
        return "n/a"
    if kind == "mbit":
        return f"{value:,.0f} Mbit/s"
    if kind == "us":
        return f"{value * 1000:,.0f} µs"
    if kind == "cpu":
        return f"{value:.2f} s/GB"
    if kind == "s":
        return f"{value:.2f} s"
    if kind == "ms":
        return f"{value * 1000:,.1f} ms" if value < 0.1 else f"{value * 1000:,.0f} ms"
    if kind == "rate":
        return f"{value:,.0f} msg/s"
    if kind == "times":
        return f"{value:.2f}×"
    return str(value)


def size_text(size):
    for unit, factor in (("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return "—"
    return f"{numerator / denominator:.2f}×"


def build_table(results, systems, topologies, args):
    def get(system, topology, key):
        if system not in systems:
            return None
        return results.get(system, {}).get(topology, {}).get("median", {}).get(key)

    def status_cell(system, topology, value, kind):
        if system not in systems:
            return "(skipped)"
        if value is None:
            status = results.get(system, {}).get(topology, {}).get("status", "")
            return "n/a" if status.startswith("n/a") or not status.startswith("error") else "error"
        return fmt(value, kind)

    def transfer_cell(system, topology, value, kind):
        if system not in systems:
            return "(skipped)"
        if value is None:
            entry = results.get(system, {}).get(topology, {})
            failed = str(entry.get("transfer_status", "")).startswith("error") or \
                str(entry.get("status", "")).startswith("error")
            return "error" if failed else "n/a"
        return fmt(value, kind)

    rows = []
    metrics = [] if args.bus_only else [
        ("TCP 1 stream", "tcp_1_mbit_s", "mbit"),
        ("TCP 4 streams", "tcp_4_mbit_s", "mbit"),
        ("ping RTT", "rtt_ms", "us"),
        ("daemon CPU per GB (1 stream)", "cpu_s_per_gb", "cpu"),
    ]
    for label, key, kind in metrics:
        for topology in ("pair", "line"):
            if topology not in topologies:
                continue
            raw = get("raw", topology, key)
            myc = get("mycelium", topology, key)
            ygg = get("yggdrasil", topology, key)
            raw_cell = "—" if key == "cpu_s_per_gb" else status_cell("raw", topology, raw, kind)
            rows.append([f"{label}, {topology}", raw_cell,
                         status_cell("mycelium", topology, myc, kind), status_cell("yggdrasil", topology, ygg, kind),
                         ratio(myc, raw), ratio(myc, ygg)])
    for topology in ("pair", "line"):
        if topology not in topologies or args.bus_only:
            continue
        raw = get("raw", topology, "rtt_ms")
        added = {}
        for system in ("mycelium", "yggdrasil"):
            overlay = get(system, topology, "rtt_ms")
            added[system] = None if overlay is None or raw is None else (overlay - raw) / HOPS[topology]
            results.setdefault(system, {}).setdefault(topology, {})["added_rtt_per_hop_ms"] = added[system]
        rows.append([f"added RTT per overlay hop, {topology}", "—",
                     fmt(added["mycelium"], "us") if "mycelium" in systems else "(skipped)",
                     fmt(added["yggdrasil"], "us") if "yggdrasil" in systems else "(skipped)",
                     "—", ratio(added["mycelium"], added["yggdrasil"])])
    if not args.skip_bus:
        big, small = size_text(args.bus_transfer_size), size_text(args.bus_message_size)
        for topology in ("pair", "line"):
            if topology not in topologies:
                continue
            tcp = {system: get(system, topology, "tcp_big_s") for system in SYSTEMS}
            rows.append([f"TCP {big}, one connection, {topology} (raw: veth)",
                         transfer_cell("raw", topology, tcp["raw"], "ms"),
                         transfer_cell("mycelium", topology, tcp["mycelium"], "ms"),
                         transfer_cell("yggdrasil", topology, tcp["yggdrasil"], "ms"),
                         ratio(tcp["mycelium"], tcp["raw"]), ratio(tcp["mycelium"], tcp["yggdrasil"])])
            bus_rows = [
                (f"bus: {big} message, POST answered", "bus_big_accepted_s", "ms"),
                (f"bus: {big} message, delivered to B's GET", "bus_big_delivered_s", "ms"),
                (f"bus: {big} message, A's status received", "bus_big_acknowledged_s", "ms"),
                (f"bus {big} delivered ÷ TCP {big} over mycelium", "bus_big_over_tcp", "times"),
                (f"bus: {small} messages accepted (201)", "bus_accept_per_s", "rate"),
                (f"bus: {small} messages delivered", "bus_deliver_per_s", "rate"),
                ("bus: daemon CPU per 1,000 messages", "bus_cpu_s_per_1000", "s"),
            ]
            for label, key, kind in bus_rows:
                if topology == "line":
                    label = label.replace("B's", "C's")
                rows.append([f"{label}, {topology}", "—",
                             transfer_cell("mycelium", topology, get("mycelium", topology, key), kind),
                             "—", "—", "—"])
    if "triangle" in topologies and not args.bus_only:
        cells = {}
        values = {}
        for system in ("mycelium", "yggdrasil"):
            entry = results.get(system, {}).get("triangle", {})
            if system not in systems:
                cells[system] = "(skipped)"
            elif entry.get("never_resumed"):
                cells[system] = f"> {args.failover_cap:.0f} s"
            elif entry.get("median_gap_s") is not None:
                values[system] = entry["median_gap_s"]
                cells[system] = fmt(entry["median_gap_s"], "s")
                if not all(entry.get("direct_before_cut") or [False]):
                    cells[system] += " *"
            else:
                cells[system] = "n/a"
        rows.append(["failover gap (A-C cut), triangle", "—", cells["mycelium"], cells["yggdrasil"], "—",
                     ratio(values.get("mycelium"), values.get("yggdrasil"))])

    mail_notes = []
    if "mail" in results:
        # Mail rows: the `raw` column is the reference server (Dovecot), mycelium/raw = ours ÷ Dovecot.
        mail_rows, mail_notes = mail_bench.table_rows(results["mail"])
        for label, dovecot, ours, quotient in mail_rows:
            rows.append([label, dovecot, ours, "—", quotient, "—"])
        mail_notes.insert(0, "mail rows: the raw column is Dovecot, mycelium/raw = ours ÷ Dovecot")

    header = ["metric (median)", "raw", "mycelium", "yggdrasil", "mycelium/raw", "mycelium/yggdrasil"]
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    lines = []
    lines.append("  ".join(header[i].ljust(widths[i]) if i == 0 else header[i].rjust(widths[i])
                           for i in range(len(header))))
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i])
                               for i in range(len(row))))
    notes = []
    for system in systems:
        for topology, entry in results.get(system, {}).items():
            status = entry.get("status", "")
            if status and status != "ok":
                notes.append(f"{system}/{topology}: {status.splitlines()[0]}")
    for system in systems:
        for topology in ("pair", "line"):
            status = results.get(system, {}).get(topology, {}).get("transfer_status", "")
            if status and status != "ok":
                notes.append(f"{system}/{topology} transfers/bus: {status.splitlines()[0]}")
    for system in systems:
        for topology in ("pair", "line"):
            entry = results.get(system, {}).get(topology, {})
            if entry.get("peer_link_drops"):
                reasons = entry.get("peer_link_drop_reasons") or []
                notes.append(f"{system}/{topology}: peer links went down {entry['peer_link_drops']} times (counted "
                             f"on both ends) during the measurements"
                             + (f": {'; '.join(reasons)}" if reasons else ""))
    mtus = []
    for system in ("mycelium", "yggdrasil"):
        found = sorted({entry.get("tun_mtu") for entry in results.get(system, {}).values() if entry.get("tun_mtu")})
        if found:
            mtus.append(f"{system} {'/'.join(str(mtu) for mtu in found)}")
    if mtus:
        notes.append("TUN MTU: " + ", ".join(mtus) + " (veths: 1500)")
    if args.loadavg_start > 1.0:
        notes.append(f"other work was running (1-minute load average {args.loadavg_start:.1f} at the start): "
                     "the figures are noisy, compare the per-run samples in the JSON")
    if any(cell.endswith(" *") for row in rows for cell in row):
        notes.append("* in at least one run the A->C traffic did not use the direct link before the cut")
    notes += mail_notes
    return "\n".join(lines), notes


# ----------------------------------------------------------------------------------------------------------------------
# Main

def versions(args, systems):
    found = {"kernel": platform.release()}
    if "mycelium" in systems:
        found["mycelium"] = run([args.mycelium, "--version"], timeout=10, check=False).stdout.strip()
    if "yggdrasil" in systems:
        output = run(["yggdrasil", "-version"], timeout=10, check=False).stdout
        found["yggdrasil"] = " ".join(output.split())
        package = run(["dpkg-query", "-W", "-f", "${Version}", "yggdrasil"], timeout=10, check=False).stdout
        found["yggdrasil_package"] = package.strip()
    if systems:
        found["iperf3"] = (run(["iperf3", "--version"], timeout=10, check=False).stdout.splitlines() or [""])[0]
    if not args.skip_mail:
        if "mycelium" in args.mail_server_list and "mycelium" not in found:
            found["mycelium"] = run([args.mycelium, "--version"], timeout=10, check=False).stdout.strip()
        if "dovecot" in args.mail_server_list and shutil.which("dovecot"):
            found["dovecot"] = run(["dovecot", "--version"], timeout=10, check=False).stdout.strip()
            package = run(["dpkg-query", "-W", "-f", "${Version}", "dovecot-imapd"], timeout=10, check=False).stdout
            found["dovecot_package"] = package.strip()
    return found


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mycelium", default=".build/release/mycelium", help="path of the mycelium binary")
    parser.add_argument("--only", default=",".join(SYSTEMS), help="systems to measure: raw,mycelium,yggdrasil")
    parser.add_argument("--topologies", default=",".join(TOPOLOGIES), help="pair,line,triangle")
    parser.add_argument("--repetitions", type=int, default=3, help="runs per metric (median reported)")
    parser.add_argument("--failover-repetitions", type=int, default=None, help="failover runs (default: repetitions)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per iperf3 run")
    parser.add_argument("--ping-count", type=int, default=200, help="pings per RTT sample (5 ms apart)")
    parser.add_argument("--failover-cap", type=float, default=60.0, help="give up on failover after this many s")
    parser.add_argument("--converge-timeout", type=float, default=15.0,
                        help="seconds to wait for an overlay to carry the first ping")
    parser.add_argument("--json", default=os.path.join(here, "results", "latest.json"), help="JSON output file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory with daemon logs")
    bus = parser.add_argument_group("message bus and 10 MiB transfers (pair and line)")
    which = bus.add_mutually_exclusive_group()
    which.add_argument("--bus-only", action="store_true",
                       help="measure only the bus and the 10 MiB TCP transfers (no iperf3, ping or failover)")
    which.add_argument("--skip-bus", action="store_true", help="skip the bus and the 10 MiB TCP transfers")
    bus.add_argument("--bus-messages", type=int, default=2000, help="small messages per rate sample")
    bus.add_argument("--bus-message-size", type=int, default=1024, help="bytes per small message (at least 16)")
    bus.add_argument("--bus-transfer-size", type=int, default=10 * 2**20,
                     help="bytes of the big bus message and of the TCP transfer")
    bus.add_argument("--bus-senders", type=int, default=8, help="concurrent HTTP clients posting small messages")
    bus.add_argument("--bus-receivers", type=int, default=4, help="concurrent long polls draining them")
    bus.add_argument("--bus-timeout", type=float, default=120.0,
                     help="seconds each bus phase or transfer may take before it counts as failed")
    mail = mail_bench.add_arguments(parser)
    which_mail = mail.add_mutually_exclusive_group()
    which_mail.add_argument("--mail-only", action="store_true",
                            help="measure only the mail gateway beside Dovecot (no namespaces, iperf3, ping or bus)")
    which_mail.add_argument("--skip-mail", action="store_true", help="skip the mail gateway and Dovecot rows")
    args = parser.parse_args(argv)
    mail_bench.check_arguments(parser, args)
    if args.mail_only and (args.bus_only or args.skip_bus):
        parser.error("--mail-only cannot be combined with --bus-only or --skip-bus")
    systems = [item.strip() for item in args.only.split(",") if item.strip()]
    topologies = [item.strip() for item in args.topologies.split(",") if item.strip()]
    for item in systems:
        if item not in SYSTEMS:
            parser.error(f"unknown system {item!r} (choose from {', '.join(SYSTEMS)})")
    for item in topologies:
        if item not in TOPOLOGIES:
            parser.error(f"unknown topology {item!r} (choose from {', '.join(TOPOLOGIES)})")
    if args.repetitions < 1 or args.duration < 1:
        parser.error("--repetitions and --duration must be at least 1")
    if args.bus_messages < 1 or args.bus_message_size < 16 or args.bus_transfer_size < 1:
        parser.error("--bus-messages must be at least 1, --bus-message-size at least 16, --bus-transfer-size at least 1")
    if args.bus_senders < 1 or args.bus_receivers < 1:
        parser.error("--bus-senders and --bus-receivers must be at least 1")
    if args.failover_repetitions is None:
        args.failover_repetitions = args.repetitions
    # Keep the order of the tables fixed, whatever order was given.
    args.systems = [name for name in SYSTEMS if name in systems]
    args.topology_list = [name for name in TOPOLOGIES if name in topologies]
    if args.mail_only:
        # Only the mail rows: no data-plane system, topology or bus.
        args.systems, args.topology_list, args.skip_bus = [], [], True
    return args


def preflight(args):
    if os.geteuid() != 0:
        print("bench.py must run as root (it creates network namespaces and TUN devices): "
              "sudo make bench", file=sys.stderr)
        sys.exit(1)
    needed = ["ip", "ping", "iperf3", "ss", "sysctl"] if args.systems else []
    if "yggdrasil" in args.systems:
        needed.append("yggdrasil")
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if "mycelium" in args.systems or (not args.skip_mail and "mycelium" in args.mail_server_list):
        if not (os.path.isfile(args.mycelium) and os.access(args.mycelium, os.X_OK)):
            missing.append(args.mycelium)
        else:
            args.mycelium = os.path.abspath(args.mycelium)
    if missing:
        print(f"bench.py: missing: {', '.join(missing)}", file=sys.stderr)
        sys.exit(1)


def main(argv):
    args = parse_args(argv)
    preflight(args)
    args.loadavg_start = os.getloadavg()[0]
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    atexit.register(cleanup_all)

    workdir = tempfile.mkdtemp(prefix="mbench-")
    os.chmod(workdir, 0o700)
    lab = Lab(f"mbench-{os.getpid()}", workdir)
    results = {}
    started = time.time()
    meta = {
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "loadavg_start": args.loadavg_start,
        "cpus": os.cpu_count(),
        "versions": versions(args, args.systems),
        "settings": {
            "systems": args.systems, "topologies": args.topology_list, "repetitions": args.repetitions,
            "failover_repetitions": args.failover_repetitions, "duration_s": args.duration,
            "ping_count": args.ping_count, "failover_cap_s": args.failover_cap,
            "bus_only": args.bus_only, "skip_bus": args.skip_bus, "bus_messages": args.bus_messages,
            "bus_message_size": args.bus_message_size, "bus_transfer_size": args.bus_transfer_size,
            "bus_senders": args.bus_senders, "bus_receivers": args.bus_receivers, "bus_timeout_s": args.bus_timeout,
            "mail_only": args.mail_only, "skip_mail": args.skip_mail,
            "mail": None if args.skip_mail else mail_bench.settings(args),
        },
    }
    if args.systems:
        log(f"systems {', '.join(args.systems)}; topologies {', '.join(args.topology_list)}; "
            f"{args.repetitions} repetitions of {args.duration} s; logs in {workdir}")
    if not args.skip_mail:
        log(f"mail: {', '.join(args.mail_server_list)}; {args.mail_messages:,} messages")
    interrupted = False
    try:
        for topology in ("pair", "line"):
            if topology in args.topology_list:
                measure_topology(lab, topology, args.systems, args, results)
        if "triangle" in args.topology_list and not args.bus_only:
            measure_failover(lab, args.systems, args, results)
        if not args.skip_mail:
            results["mail"] = mail_bench.run(args, keep_logs=args.keep_logs)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted; cleaning up")
    finally:
        lab.destroy()
        cleanup_all()
        if args.keep_logs or interrupted:
            log(f"daemon logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if interrupted:
        return 130

    table, notes = build_table(results, args.systems, args.topology_list, args)
    meta["elapsed_s"] = round(time.time() - started, 1)
    print()
    described = [f"kernel {meta['versions']['kernel']}", f"{meta['cpus']} CPUs"]
    if "mycelium" in args.systems or (not args.skip_mail and "mycelium" in args.mail_server_list):
        described.insert(0, f"mycelium: {meta['versions'].get('mycelium') or '?'}")
    if "yggdrasil" in args.systems:
        described.insert(0 if "mycelium" not in args.systems else 1,
                         f"yggdrasil {meta['versions'].get('yggdrasil_package') or '?'}")
    if "dovecot" in meta["versions"]:
        described.insert(len(described) - 2, f"dovecot {meta['versions'].get('dovecot_package') or '?'}")
    parts = []
    if not args.mail_only:
        parts.append(f"median of {args.repetitions} runs")
        if not args.bus_only:
            parts.append(f"iperf3 {args.duration} s, {args.ping_count} pings per RTT sample")
        if not args.skip_bus:
            parts.append(f"bus {args.bus_messages} × {size_text(args.bus_message_size)} ({args.bus_senders} "
                         f"senders, {args.bus_receivers} long polls) and {size_text(args.bus_transfer_size)}")
    if not args.skip_mail:
        parts.append(f"mail {args.mail_messages:,} messages (FETCH median of {args.mail_repetitions}), "
                     f"{args.mail_smtp_clients} × {args.mail_smtp_messages} × {size_text(args.mail_smtp_size)} "
                     "SMTP/LMTP")
    title = "Mail benchmark" if args.mail_only else "Data-plane benchmark"
    print(f"{title} ({', '.join(described)}); {', '.join(parts)}")
    print(table)
    for note in notes:
        print(f"  note: {note}")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump({"meta": meta, "results": results, "table": table.splitlines(), "notes": notes}, handle, indent=2)
    log(f"results written to {args.json} ({meta['elapsed_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
