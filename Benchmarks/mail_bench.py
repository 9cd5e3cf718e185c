#!/usr/bin/env python3
"""Mail benchmark: this node's mail gateway (SMTP submission + IMAP) beside Dovecot, on 127.0.0.1, in one run.

For each server: a deterministic mailbox (--mail-messages, default 10,000 messages averaging ~4 KiB, some
multipart) is loaded into INBOX with IMAP APPEND (LITERAL+ pipelined when offered, else synchronising literals);
then, each time on a fresh connection (LOGIN, SELECT INBOX), `UID FETCH 1:* (FLAGS)`, `UID FETCH 1:* (BODY.PEEK[])`
and per-message `UID FETCH n (UID RFC822.SIZE BODY.PEEK[])` are timed (median of --mail-repetitions) and the bytes
fetched are checked against the bytes appended (SHA-256); then 4 clients each submit N messages of 10 KiB (SMTP with
AUTH PLAIN to our gateway; Dovecot has no submission-to-mailbox path without an MTA, so its reference is LMTP into the
same user's maildir) and INBOX is checked to have grown by exactly that count.

Dovecot runs as a private instance (`dovecot -F -c <tmp>/dovecot/dovecot.conf`, everything under the temporary
directory; /etc/dovecot is never read or written). Our gateway runs in-process in the `mycelium` binary
(`[gateways.mail]` in a private config). Nothing listens beyond 127.0.0.1.

Standard library only; must run as root. Used by bench.py (`--mail-only`, `--skip-mail`) or on its own:
    python3 Benchmarks/mail_bench.py --mycelium .build/release/mycelium [--mail-messages 1000] [--mail-servers dovecot]
See Benchmarks/README.md, section "Mail".
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_process  # noqa: E402
from bench_process import stop_process, tail, tree_cpu_seconds  # noqa: E402

# ----------------------------------------------------------------------------------------------------------------------
# Constants

MAIL_SERVERS = ("mycelium", "dovecot")
USER = "bench"
PASSWORD = "bench"
RECIPIENT = "bench@localhost"  # our gateway treats `localhost` as local; Dovecot strips the domain (%Ln)
SENDER = "bench@localhost"
MAIL_OWNER = "nobody"  # Dovecot's mail files belong to this user (Dovecot refuses uid 0 for mail access)
SOCKET_TIMEOUT = 300.0
START_TIMEOUT = 30.0
APPEND_WINDOW = 64  # APPENDs per pipelined batch with LITERAL+
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n")
UID_ITEM = re.compile(rb"UID (\d+)")
SIZE_ITEM = re.compile(rb"RFC822\.SIZE (\d+)")
FLAGS_ITEM = re.compile(rb"FLAGS \(([^)]*)\)")
EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.MULTILINE)
STATUS_MESSAGES = re.compile(rb"MESSAGES (\d+)")


def log(message):
    bench_process.log(message, scope="mail")


class MailBenchError(Exception):
    pass


class ServerUnavailable(MailBenchError):
    """The server under test could not be started (its rows are n/a, with this reason in a note)."""

    def __init__(self, reason, log_path=None):
        last = ""
        if log_path:
            lines = [line.strip() for line in tail(log_path, 5).splitlines() if line.strip()]
            last = lines[-1] if lines and lines[-1] != "(no log)" else ""
        super().__init__(reason + (f" — last log line: {last}" if last else ""))
        self.log_tail = tail(log_path) if log_path else None


# ----------------------------------------------------------------------------------------------------------------------
# Processes

_SERVERS = []


def cleanup():
    """Stops every server this module started (idempotent; bench.py calls it from its own cleanup)."""
    for server in list(_SERVERS):
        try:
            server.stop()
        except Exception as error:  # noqa: BLE001 - cleanup must go on
            log(f"cleanup problem: {error}")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_greeting(port, prefix, timeout, proc=None):
    """Waits until 127.0.0.1:port accepts and sends a greeting line starting with `prefix`."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerUnavailable(f"exited with status {proc.returncode} before port {port} came up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                probe.settimeout(5)
                line = probe.recv(512)
                if line.startswith(prefix):
                    return
                last = repr(line[:80])
        except OSError as error:
            last = str(error)
        time.sleep(0.1)
    raise ServerUnavailable(f"127.0.0.1:{port} did not greet within {timeout:.0f} s ({last})")


def stop_system_dovecot(keep):
    """Stops and disables a system-wide Dovecot service (Debian enables it when dovecot-core is installed, even when
    policy-rc.d kept it from starting; with its default configuration it listens on every interface). The bench's
    own instance never uses it, and nothing under /etc/dovecot is touched."""
    if keep:
        return []
    done = []
    if shutil.which("systemctl") and os.path.isdir("/run/systemd/system"):
        for unit in ("dovecot.socket", "dovecot.service"):
            enabled = subprocess.run(["systemctl", "is-enabled", unit], capture_output=True, text=True, timeout=20)
            active = subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True, timeout=20)
            if enabled.stdout.strip() == "enabled" or active.stdout.strip() in ("active", "activating"):
                subprocess.run(["systemctl", "disable", "--now", unit], capture_output=True, timeout=60)
                done.append(f"systemctl disable --now {unit}")
    else:
        try:
            with open("/run/dovecot/master.pid") as handle:
                pid = int(handle.read().strip())
            with open(f"/proc/{pid}/comm") as handle:
                running = handle.read().strip() == "dovecot"
        except (OSError, ValueError):
            running = False
        if running:
            if shutil.which("service"):
                subprocess.run(["service", "dovecot", "stop"], capture_output=True, timeout=60)
                done.append("service dovecot stop")
            else:
                os.kill(pid, signal.SIGTERM)
                done.append(f"SIGTERM to the system dovecot (pid {pid})")
    for action in done:
        log(f"system-wide Dovecot service: {action} (use --keep-system-dovecot to leave it alone)")
    return done


# ----------------------------------------------------------------------------------------------------------------------
# Servers under test: start(), stop(), smtp_port, imap_port, user, password, smtp_mode ("smtp"/"lmtp"), cpu_seconds()

class MailServer:
    """What both servers under test share: their directory and log under the run's temp dir, the bench account, the
    process (stopped with its children's CPU time counted) and the ports `start` picks."""

    name = label = smtp_mode = None

    def __init__(self, workdir):
        self.directory = os.path.join(workdir, self.name)
        self.user, self.password = USER, PASSWORD
        self.proc = None
        self.smtp_port = self.imap_port = None
        self.log_path = os.path.join(self.directory, f"{self.name}.log")
        self.version = None

    def cpu_seconds(self):
        return tree_cpu_seconds(self.proc.pid if self.proc else None)

    def stop(self):
        stop_process(self.proc, grace=10.0)
        if self in _SERVERS:
            _SERVERS.remove(self)


class DovecotServer(MailServer):
    """A private Dovecot instance: IMAP and LMTP on 127.0.0.1, one passwd-file user, maildir under the temp dir."""

    name = "dovecot"
    label = "Dovecot"
    smtp_mode = "lmtp"

    def __init__(self, workdir, fsync="optimized"):
        super().__init__(workdir)
        self.fsync = fsync

    def describe(self):
        return (f"Dovecot {self.version or '?'} (maildir:~/Maildir, mail_fsync = {self.fsync}; "
                f"SMTP row: LMTP delivery)")

    def start(self):
        binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
        if binary is None:
            raise ServerUnavailable("dovecot is not installed (Debian: dovecot-imapd dovecot-lmtpd)")
        if not os.path.exists("/usr/lib/dovecot/lmtp"):
            raise ServerUnavailable("Dovecot's LMTP server is not installed (Debian: dovecot-lmtpd)")
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        try:
            owner = pwd.getpwnam(MAIL_OWNER)
        except KeyError as error:
            raise ServerUnavailable(f"no user {MAIL_OWNER!r} to own the maildir") from error
        home = os.path.join(self.directory, "home", USER)
        os.makedirs(home)
        os.chmod(self.directory, 0o711)
        os.chmod(os.path.dirname(home), 0o711)
        os.chown(home, owner.pw_uid, owner.pw_gid)
        os.chmod(home, 0o700)
        passwd = os.path.join(self.directory, "passwd")
        with open(passwd, "w") as handle:
            # user:password:uid:gid:gecos:home:shell — read by the auth process (user `dovecot`).
            handle.write(f"{USER}:{{PLAIN}}{PASSWORD}:{owner.pw_uid}:{owner.pw_gid}::{home}::\n")
        os.chmod(passwd, 0o644)
        self.imap_port, self.smtp_port = free_port(), free_port()
        config = os.path.join(self.directory, "dovecot.conf")
        with open(config, "w") as handle:
            handle.write(f"""# mail benchmark: private Dovecot instance; everything lives under {self.directory}
instance_name = mailbench-{os.getpid()}
base_dir = {self.directory}/run
state_dir = {self.directory}/state
log_path = {self.log_path}
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# `bench@localhost` (LMTP RCPT) and `bench` (IMAP LOGIN) are the same user.
auth_username_format = %Ln
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {passwd}
}}
mail_location = maildir:~/Maildir
# Dovecot's default: every saved message file is fsync()ed before it is renamed into new/ or cur/ and the
# command/delivery is acknowledged; index files are not synced on every change.
mail_fsync = {self.fsync}
namespace inbox {{
  inbox = yes
}}
service imap-login {{
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    port = {self.smtp_port}
  }}
}}
""")
        log_file = open(os.path.join(self.directory, "stdout.log"), "ab")
        self.proc = subprocess.Popen([binary, "-F", "-c", config], stdin=subprocess.DEVNULL, stdout=log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log_file.close()
        _SERVERS.append(self)
        try:
            wait_greeting(self.imap_port, b"* OK", START_TIMEOUT, self.proc)
            wait_greeting(self.smtp_port, b"220", START_TIMEOUT, self.proc)
        except ServerUnavailable as error:
            self.stop()
            stdout = os.path.join(self.directory, "stdout.log")
            raise ServerUnavailable(f"dovecot: {error}",
                                    stdout if os.path.getsize(stdout) > 0 else self.log_path) from error


class MyceliumServer(MailServer):
    """The `mycelium` binary with the mail gateway in-process ([gateways.mail]), alone on 127.0.0.1."""

    name = "mycelium"
    label = "mycelium"
    smtp_mode = "smtp"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary

    def describe(self):
        return f"mycelium {self.version or '?'}"

    def _run(self, args, input_text=None, timeout=60):
        return subprocess.run([self.binary] + args, input=input_text, capture_output=True, text=True,
                              timeout=timeout)

    def _add_user(self, config, key, state):
        attempts = [
            ["-c", config, "-k", key, "--state-dir", state, "user", "add", USER],
            ["-c", config, "user", "add", USER],
            ["-c", config, "user", "add", USER, "--state-dir", state],
        ]
        problems = []
        for args in attempts:
            result = self._run(args, input_text=f"{PASSWORD}\n")
            if result.returncode == 0:
                return None
            problems.append(f"`mycelium {' '.join(args)}`: {(result.stderr or result.stdout).strip()[:300]}")
        return "; ".join(problems)

    def start(self):
        if not (self.binary and os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)):
            raise ServerUnavailable(f"no mycelium binary at {self.binary!r}")
        self.version = self._run(["--version"], timeout=10).stdout.strip()
        os.makedirs(self.directory)
        os.chmod(self.directory, 0o700)
        key = os.path.join(self.directory, "key.bin")
        state = os.path.join(self.directory, "state")
        os.makedirs(state)
        result = self._run(["-k", key, "generate-keys"], timeout=20)
        if result.returncode != 0:
            raise ServerUnavailable(f"mycelium generate-keys failed: {result.stderr.strip()}")
        self.smtp_port, self.imap_port = free_port(), free_port()
        peer_port, api_port, rpc_port = free_port(), free_port(), free_port()
        config = os.path.join(self.directory, "mycelium.toml")
        with open(config, "w") as handle:
            handle.write(f"""# mail benchmark: a node alone on this machine (no peers, no discovery, no TUN)
peers = []
disable_peer_discovery = true
disable_quic = true
no_tun = true
state_dir = "{state}"

[gateways.mail]
enabled = true
smtp_listen = "127.0.0.1:{self.smtp_port}"
imap_listen = "127.0.0.1:{self.imap_port}"
""")
        # The account first (the daemon may read its accounts at start); if the command needs the running node,
        # it is tried again once the node is up.
        user_problem = self._add_user(config, key, state)
        command = [
            self.binary, "-c", config, "-k", key, "--state-dir", state, "--no-tun", "--disable-peer-discovery",
            "--disable-quic", "-t", str(peer_port),
            "--api-addr", f"127.0.0.1:{api_port}", "--jsonrpc-addr", f"127.0.0.1:{rpc_port}",
        ]
        log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log_file.close()
        _SERVERS.append(self)
        try:
            wait_greeting(self.smtp_port, b"220", START_TIMEOUT, self.proc)
            wait_greeting(self.imap_port, b"* OK", START_TIMEOUT, self.proc)
        except ServerUnavailable as error:
            self.stop()
            raise ServerUnavailable(
                f"the mail gateway's ports (SMTP 127.0.0.1:{self.smtp_port}, IMAP 127.0.0.1:{self.imap_port}) did "
                f"not come up — is [gateways.mail] wired into the node yet? ({error})", self.log_path) from error
        if user_problem is not None:
            if self._add_user(config, key, state) is not None:
                self.stop()
                raise ServerUnavailable(f"could not create the account {USER!r}: {user_problem}", self.log_path)


# ----------------------------------------------------------------------------------------------------------------------
# A small IMAP client on a raw socket: reads whole responses into one buffer and skips literals by their announced
# size, so the client's cost stays far below the servers' (imaplib parses line by line and would dominate).

class IMAPError(MailBenchError):
    pass


class Response:
    """One command's response: `data[:end]` holds every untagged line and literal, then the tagged line."""

    __slots__ = ("data", "end", "literals", "status", "text")

    def __init__(self, data, end, literals, status, text):
        self.data, self.end, self.literals, self.status, self.text = data, end, literals, status, text


class IMAPConnection:
    def __init__(self, port, timeout=SOCKET_TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.counter = 0
        self.capabilities = set()
        greeting = self.read_line()
        if not greeting.startswith(b"* OK"):
            raise IMAPError(f"unexpected greeting {greeting[:100]!r}")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def tag(self):
        self.counter += 1
        return f"A{self.counter:06d}"

    def _fill(self, buffer):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise IMAPError("server closed the connection")
        buffer += chunk

    def read_line(self):
        while True:
            index = self.buffer.find(b"\r\n")
            if index >= 0:
                line = bytes(self.buffer[:index])
                del self.buffer[:index + 2]
                return line
            self._fill(self.buffer)

    def read_response(self, tag):
        """Reads through the tagged line of `tag`; literals are skipped by size and their spans recorded."""
        marker = b"\r\n" + tag.encode() + b" "
        buffer = self.buffer
        literals = []
        position = 0
        at_start = True
        while True:
            match = LITERAL.search(buffer, position)
            limit = match.start() if match else len(buffer)
            found = -1
            if at_start and buffer.startswith(marker[2:]):
                found = 0
            else:
                index = buffer.find(marker, position, limit)
                if index >= 0:
                    found = index + 2
            if found >= 0:
                line_end = buffer.find(b"\r\n", found)
                if line_end < 0:
                    self._fill(buffer)
                    continue
                line = bytes(buffer[found:line_end])
                self.buffer = buffer[line_end + 2:]
                parts = line.split(b" ", 2)
                status = parts[1].decode("ascii", "replace").upper() if len(parts) > 1 else ""
                text = parts[2].decode("utf-8", "replace") if len(parts) > 2 else ""
                return Response(buffer, found, literals, status, text)
            if match:
                size = int(match.group(1))
                start = match.end()
                while len(buffer) < start + size:
                    self._fill(buffer)
                literals.append((start, start + size))
                position = start + size
                at_start = False
                continue
            # Neither yet: keep the last line break in the window (the tagged-line marker starts with it).
            last = buffer.rfind(b"\r\n", position)
            if last >= 0:
                position = last
                at_start = False
            self._fill(buffer)

    def command(self, text, check=True):
        tag = self.tag()
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        response = self.read_response(tag)
        if check and response.status != "OK":
            raise IMAPError(f"{text.split(' ')[0]} failed: {response.status} {response.text}")
        return response

    def login(self, user, password):
        response = self.command(f'LOGIN "{user}" "{password}"')
        found = re.search(r"\[CAPABILITY ([^\]]*)\]", response.text)
        if found:
            self.capabilities = set(found.group(1).upper().split())
        else:
            capability = self.command("CAPABILITY")
            head = bytes(capability.data[:capability.end])
            for line in head.split(b"\r\n"):
                if line.upper().startswith(b"* CAPABILITY "):
                    self.capabilities = set(line[13:].decode().upper().split())

    def select(self, mailbox="INBOX"):
        response = self.command(f"SELECT {mailbox}")
        found = EXISTS.search(bytes(response.data[:response.end]))
        return int(found.group(1)) if found else None

    def logout(self):
        try:
            self.command("LOGOUT", check=False)
        except (OSError, IMAPError):
            pass
        self.close()


def imap_session(server):
    connection = IMAPConnection(server.imap_port)
    connection.login(server.user, server.password)
    return connection


# ----------------------------------------------------------------------------------------------------------------------
# Test data (deterministic from the seed)

FIRST = ("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert Sybil Trent "
         "Victor Walter Zoë Ana Björn Chloé Dmitri Émile Farah Günther Hana Ingrid Jürgen").split()
LAST = ("Smith Jones Müller García Rossi Dubois Novak Kowalski Jensen Silva Tanaka Kim Nguyen Olsen Ivanova "
        "Fischer Martin Costa Lindqvist Horvat").split()
DOMAINS = ("example.org", "example.net", "example.com", "lists.example.org", "mail.example")
WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have an "
         "they you were her she there been one all we their has would when if so no will more can out other into "
         "could time only new some them these may then do first any like now my such make over our even most "
         "meeting project release build report budget schedule review draft invoice server backup network node "
         "peer route packet gateway mailbox message thread reply attachment deadline quarter update agenda notes "
         "minutes proposal contract estimate kernel patch commit branch merge test benchmark latency throughput "
         "please thanks regards tomorrow yesterday monday friday weekend coffee lunch office team customer").split()
UTF8_WORDS = "Grüße café naïve déjà Zoë Ærø smörgåsbord Überprüfung façade coöperation".split()
SUBJECT_UTF8 = "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="


def text_lines(rng, count, utf8=False):
    lines = []
    for _ in range(count):
        words = []
        length = 0
        target = rng.randint(30, 74)
        while length < target:
            word = rng.choice(UTF8_WORDS) if utf8 and rng.random() < 0.05 else rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        line = " ".join(words)
        if rng.random() < 0.1:
            line = "> " + line
        lines.append(line.encode("utf-8"))
    return lines


class LinePool:
    """Pre-built text lines, picked at random to make bodies quickly (no line starts with a dot)."""

    def __init__(self, rng):
        self.ascii = text_lines(rng, 4096)
        self.utf8 = text_lines(rng, 512, utf8=True)

    def text(self, rng, size, utf8=False):
        pool = self.utf8 if utf8 else self.ascii
        out, total = [], 0
        while total < size:
            line = rng.choice(pool) if rng.random() > 0.08 else b""
            out.append(line)
            total += len(line) + 2
        return b"\r\n".join(out) + b"\r\n"


def ascii_fold(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def display_name(text):
    """The name as is when ASCII, else an RFC 2047 encoded-word (as mail clients write it)."""
    if text.isascii():
        return text
    encoded = "".join(c if c.isascii() and c.isalnum() else "_" if c == " " else
                      "".join(f"={byte:02X}" for byte in c.encode()) for c in text)
    return f"=?UTF-8?Q?{encoded}?="


def rfc2822_date(stamp):
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")


def imap_date(stamp):
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%d-%b-%Y %H:%M:%S +0000")


def make_mailbox(count, seed):
    """`count` messages: (bytes, flags, internal date). CRLF line ends, no bare CR/LF, no NUL, ~4 KiB on average."""
    rng = random.Random(f"mail-bench-{seed}")
    pool = LinePool(rng)
    stamp = 1_704_067_200  # 2024-01-01 00:00:00 UTC
    messages = []
    for index in range(count):
        stamp += rng.randint(30, 3600)
        first, last, domain = rng.choice(FIRST), rng.choice(LAST), rng.choice(DOMAINS)
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        subject = " ".join(words).capitalize()
        reply = rng.random() < 0.3
        if reply:
            subject = "Re: " + subject
        if rng.random() < 0.03:
            subject = SUBJECT_UTF8
        message_id = f"<{seed}.{index}.{rng.getrandbits(48):012x}@mail-bench.example>"
        headers = [
            f"Date: {rfc2822_date(stamp)}",
            f"From: {display_name(first + ' ' + last)} <{ascii_fold(first)}.{ascii_fold(last)}@{domain}>",
            "To: Bench User <bench@localhost>",
            f"Subject: {subject}",
            f"Message-ID: {message_id}",
        ]
        if reply:
            parent = f"<{seed}.{rng.randrange(max(index, 1))}.{rng.getrandbits(48):012x}@mail-bench.example>"
            headers += [f"In-Reply-To: {parent}", f"References: {parent}"]
        headers.append("MIME-Version: 1.0")
        # Body sizes: log-normal, median 2.6 KiB, capped at 64 KiB; with the headers ~4 KiB on average.
        size = int(min(max(rng.lognormvariate(7.86, 0.8), 200), 65536))
        kind = rng.random()
        if kind < 0.70:
            headers += ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"]
            body = pool.text(rng, size)
        elif kind < 0.78:
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            body = pool.text(rng, size, utf8=True)
        elif kind < 0.93:
            boundary = f"=_alt_{rng.getrandbits(64):016x}"
            headers += [f'Content-Type: multipart/alternative; boundary="{boundary}"']
            plain = pool.text(rng, size // 2)
            html = b"<html><body><p>" + pool.text(rng, size // 2).replace(b"\r\n\r\n", b"</p>\r\n<p>") + \
                b"</p></body></html>\r\n"
            body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n").encode() + plain + \
                (f"--{boundary}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n").encode() + html + \
                f"--{boundary}--\r\n".encode()
        else:
            boundary = f"=_mix_{rng.getrandbits(64):016x}"
            headers += [f'Content-Type: multipart/mixed; boundary="{boundary}"']
            text = pool.text(rng, max(size // 4, 200))
            attachment = base64.encodebytes(rng.randbytes(max(size * 3 // 4 * 3 // 4, 256))).replace(b"\n", b"\r\n")
            body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n").encode() + text + \
                (f"--{boundary}\r\nContent-Type: application/octet-stream; name=\"data-{index}.bin\"\r\n"
                 f"Content-Disposition: attachment; filename=\"data-{index}.bin\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n").encode() + attachment + \
                f"--{boundary}--\r\n".encode()
        data = ("\r\n".join(headers) + "\r\n\r\n").encode("utf-8") + body
        draw = rng.random()
        flags = "\\Seen" if draw < 0.8 else ""
        if rng.random() < 0.05:
            flags = (flags + " \\Flagged").strip()
        if rng.random() < 0.03:
            flags = (flags + " \\Answered").strip()
        messages.append((data, flags, imap_date(stamp)))
    return messages


def make_smtp_messages(clients, per_client, size, seed):
    """Exactly `size` bytes each (headers included), CRLF, no line starting with a dot; distinct Message-IDs."""
    rng = random.Random(f"mail-bench-smtp-{seed}")
    pool = LinePool(rng)
    batches = []
    for client in range(clients):
        batch = []
        for index in range(per_client):
            head = (f"Date: {rfc2822_date(1_735_689_600 + index)}\r\nFrom: Bench User <{SENDER}>\r\n"
                    f"To: Bench User <{RECIPIENT}>\r\nSubject: SMTP benchmark {client}/{index}\r\n"
                    f"Message-ID: <smtp.{seed}.{client}.{index}@mail-bench.example>\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=us-ascii\r\n\r\n").encode()
            room = size - len(head)
            body = bytearray(pool.text(rng, room + 200)[:room - 2])
            if body.endswith(b"\r"):
                body[-1:] = b"x"
            body += b"\r\n"
            batch.append(bytes(head + body))
        batches.append(batch)
    return batches


# ----------------------------------------------------------------------------------------------------------------------
# Measurements

def load_mailbox(server, messages):
    """APPENDs every message into INBOX (pipelined with LITERAL+ when offered) and checks the count."""
    connection = imap_session(server)
    literal_plus = "LITERAL+" in connection.capabilities
    total = sum(len(data) for data, _flags, _date in messages)
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    started = time.monotonic()
    if literal_plus:
        for first in range(0, len(messages), APPEND_WINDOW):
            batch = messages[first:first + APPEND_WINDOW]
            tags, chunks = [], []
            for data, flags, date in batch:
                tag = connection.tag()
                tags.append(tag)
                chunks.append(f'{tag} APPEND INBOX ({flags}) "{date}" {{{len(data)}+}}\r\n'.encode() + data + b"\r\n")
            connection.sock.sendall(b"".join(chunks))
            for tag in tags:
                response = connection.read_response(tag)
                if response.status != "OK":
                    raise IMAPError(f"APPEND failed: {response.status} {response.text}")
    else:
        for data, flags, date in messages:
            tag = connection.tag()
            connection.sock.sendall(f'{tag} APPEND INBOX ({flags}) "{date}" {{{len(data)}}}\r\n'.encode())
            while True:
                line = connection.read_line()
                if line.startswith(b"+"):
                    break
                if line.startswith(tag.encode() + b" "):
                    raise IMAPError(f"APPEND refused: {line[:200]!r}")
            connection.sock.sendall(data + b"\r\n")
            response = connection.read_response(tag)
            if response.status != "OK":
                raise IMAPError(f"APPEND failed: {response.status} {response.text}")
    elapsed = time.monotonic() - started
    cpu_after, client_after = server.cpu_seconds(), time.process_time()
    connection.logout()
    check = imap_session(server)
    exists = check.select()
    check.logout()
    if exists != len(messages):
        raise IMAPError(f"INBOX has {exists} messages after appending {len(messages)}")
    return {
        "messages": len(messages), "bytes": total, "seconds": elapsed, "literal_plus": literal_plus,
        "messages_per_s": len(messages) / elapsed if elapsed > 0 else None,
        "server_cpu_s": None if cpu_before is None else cpu_after - cpu_before,
        "client_cpu_s": client_after - client_before,
    }


def fetch_items(response):
    """(uid, literal bytes view or None, RFC822.SIZE or None, flags or None) per FETCH response, in order."""
    data, end = response.data, response.end
    view = memoryview(data)
    items = []
    if response.literals:
        previous = 0
        for index, (start, stop) in enumerate(response.literals):
            before = bytes(data[previous:start])
            line_start = before.rfind(b"\r\n* ")
            head = before[line_start + 2:] if line_start >= 0 else before
            following = response.literals[index + 1][0] if index + 1 < len(response.literals) else end
            line_end = data.find(b"\r\n", stop, following)
            after = bytes(data[stop:line_end if line_end >= 0 else following])
            uid = UID_ITEM.search(head) or UID_ITEM.search(after)
            size = SIZE_ITEM.search(head) or SIZE_ITEM.search(after)
            items.append((int(uid.group(1)) if uid else None, view[start:stop],
                          int(size.group(1)) if size else None, None))
            previous = stop
    else:
        for line in bytes(data[:end]).split(b"\r\n"):
            if not line.startswith(b"* ") or b" FETCH " not in line:
                continue
            uid = UID_ITEM.search(line)
            flags = FLAGS_ITEM.search(line)
            items.append((int(uid.group(1)) if uid else None, None, None,
                          frozenset(flags.group(1).decode().lower().split()) - {"\\recent"} if flags else None))
    return items


def expected_digest(messages):
    digest = hashlib.sha256()
    for data, _flags, _date in messages:
        digest.update(data)
    return digest.hexdigest()


def verify_bodies(items, messages, uids, digest_expected):
    if len(items) != len(messages):
        return f"{len(items)} messages fetched, expected {len(messages)}"
    by_uid = {}
    for uid, body, size, _flags in items:
        if uid is None:
            return "a FETCH response without UID"
        if size is not None and size != len(body):
            return f"UID {uid}: RFC822.SIZE {size} but {len(body)} bytes"
        by_uid[uid] = body
    if sorted(by_uid) != uids:
        return "the UIDs fetched differ from the mailbox's"
    digest = hashlib.sha256()
    for uid in uids:
        digest.update(by_uid[uid])
    if digest.hexdigest() != digest_expected:
        for uid, (data, _flags, _date) in zip(uids, messages):
            if bytes(by_uid[uid]) != data:
                return f"SHA-256 differs from the appended bytes (first difference: UID {uid}, {len(by_uid[uid])} " \
                       f"bytes fetched, {len(data)} appended)"
        return "SHA-256 differs from the appended bytes"
    return None


def timed_fetch(server, run_commands):
    """Fresh connection, LOGIN, SELECT INBOX; times `run_commands(connection)` (wall, client and server CPU)."""
    connection = imap_session(server)
    try:
        connection.select()
        cpu_before, client_before = server.cpu_seconds(), time.process_time()
        started = time.monotonic()
        result = run_commands(connection)
        elapsed = time.monotonic() - started
        cpu_after, client_after = server.cpu_seconds(), time.process_time()
    finally:
        connection.logout()
    sample = {"seconds": elapsed, "client_cpu_s": client_after - client_before,
              "server_cpu_s": None if cpu_before is None else cpu_after - cpu_before}
    return sample, result


def measure_fetches(server, messages, repetitions, batch, digest):
    """FLAGS, whole-mailbox BODY.PEEK[] and per-message fetches; every sample checked against the mailbox."""
    results = {}
    expected_flags = [frozenset(flags.lower().split()) for _data, flags, _date in messages]

    def flags_run(connection):
        return [connection.command("UID FETCH 1:* (FLAGS)")]

    samples = []
    uids = None
    for _ in range(repetitions):
        sample, (response,) = timed_fetch(server, flags_run)
        items = fetch_items(response)
        found = sorted((uid, flags) for uid, _body, _size, flags in items if uid is not None)
        if len(items) != len(messages) or len(found) != len(items):
            raise IMAPError(f"UID FETCH 1:* (FLAGS) returned {len(items)} messages, expected {len(messages)}")
        if [flags for _uid, flags in found] != expected_flags:
            raise IMAPError("UID FETCH 1:* (FLAGS) returned other flags than were appended")
        uids = [uid for uid, _flags in found]
        sample["bytes"] = response.end
        samples.append(sample)
    results["fetch_flags"] = summarize(samples)

    def body_run(connection):
        return [connection.command("UID FETCH 1:* (BODY.PEEK[])")]

    samples = []
    for _ in range(repetitions):
        sample, (response,) = timed_fetch(server, body_run)
        problem = verify_bodies(fetch_items(response), messages, uids, digest)
        if problem:
            raise IMAPError(f"UID FETCH 1:* (BODY.PEEK[]): {problem}")
        sample["bytes"] = response.end
        sample["verified"] = True
        samples.append(sample)
        del response
    results["fetch_body"] = summarize(samples)

    def each_run(connection):
        responses = []
        for first in range(0, len(uids), batch):
            tags = []
            chunk = []
            for uid in uids[first:first + batch]:
                tag = connection.tag()
                tags.append(tag)
                chunk.append(f"{tag} UID FETCH {uid} (UID RFC822.SIZE BODY.PEEK[])\r\n".encode())
            connection.sock.sendall(b"".join(chunk))
            for tag in tags:
                response = connection.read_response(tag)
                if response.status != "OK":
                    raise IMAPError(f"UID FETCH n failed: {response.status} {response.text}")
                responses.append(response)
        return responses

    samples = []
    for _ in range(repetitions):
        sample, responses = timed_fetch(server, each_run)
        items = [item for response in responses for item in fetch_items(response)]
        problem = verify_bodies(items, messages, uids, digest)
        if problem:
            raise IMAPError(f"UID FETCH n (UID RFC822.SIZE BODY.PEEK[]): {problem}")
        sample["verified"] = True
        samples.append(sample)
        del responses, items
    results["fetch_each"] = summarize(samples)
    results["fetch_each"]["batch"] = batch
    return results


def summarize(samples):
    seconds = [sample["seconds"] for sample in samples]
    return {"median_s": statistics.median(seconds) if seconds else None, "samples": samples}


class LineClient:
    """SMTP/LMTP client on a raw socket (one command at a time, no pipelining)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def reply(self):
        """Reads one (possibly multi-line) reply: (code, text of the last line)."""
        lines = []
        while True:
            index = self.buffer.find(b"\r\n")
            if index < 0:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise MailBenchError("server closed the connection")
                self.buffer += chunk
                continue
            line = bytes(self.buffer[:index])
            del self.buffer[:index + 2]
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                code = int(line[:3]) if line[:3].isdigit() else 0
                return code, b"\n".join(lines).decode("utf-8", "replace")

    def call(self, line, expect):
        self.sock.sendall(line + b"\r\n")
        code, text = self.reply()
        if code != expect:
            raise MailBenchError(f"{line.split(b' ')[0].decode()} answered {text!r}")
        return text

    def close(self):
        try:
            self.sock.sendall(b"QUIT\r\n")
            self.reply()
        except (OSError, MailBenchError):
            pass
        self.sock.close()


def submit_messages(server, batches):
    """One connection per batch, in parallel threads; messages/s = 250s received ÷ wall time of the sending phase
    (all clients connected, greeted and authenticated before the clock starts)."""
    lmtp = server.smtp_mode == "lmtp"
    barrier = threading.Barrier(len(batches) + 1)
    outcome = [{"accepted": 0, "refused": 0, "error": None, "finished": None} for _ in batches]

    def worker(index, batch):
        state = outcome[index]
        client = None
        try:
            client = LineClient(server.smtp_port)
            code, text = client.reply()
            if code != 220:
                raise MailBenchError(f"greeting {text!r}")
            if lmtp:
                client.call(b"LHLO bench.localhost", 250)
            else:
                client.call(b"EHLO bench.localhost", 250)
                token = base64.b64encode(f"\0{server.user}\0{server.password}".encode())
                client.call(b"AUTH PLAIN " + token, 235)
        except (OSError, MailBenchError) as error:
            state["error"] = f"setup: {error}"
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            state["error"] = state["error"] or "other clients failed to set up"
        if state["error"]:
            if client:
                client.sock.close()
            return
        try:
            for data in batch:
                client.call(f"MAIL FROM:<{SENDER}>".encode(), 250)
                client.call(f"RCPT TO:<{RECIPIENT}>".encode(), 250)
                client.call(b"DATA", 354)
                client.sock.sendall(data + b".\r\n")
                code, text = client.reply()
                if code == 250:
                    state["accepted"] += 1
                else:
                    state["refused"] += 1
                    state["last_refusal"] = text
            state["finished"] = time.monotonic()
        except (OSError, MailBenchError) as error:
            state["error"] = f"after {state['accepted']} messages: {error}"
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(index, batch), daemon=True)
               for index, batch in enumerate(batches)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    ended = max((state["finished"] or time.monotonic()) for state in outcome)
    cpu_after, client_after = server.cpu_seconds(), time.process_time()
    errors = [f"client {index}: {state['error']}" for index, state in enumerate(outcome) if state["error"]]
    accepted = sum(state["accepted"] for state in outcome)
    refused = sum(state["refused"] for state in outcome)
    elapsed = ended - started
    result = {
        "protocol": "LMTP" if lmtp else "SMTP", "clients": len(batches), "per_client": len(batches[0]),
        "message_size": len(batches[0][0]) if batches[0] else 0, "accepted": accepted, "refused": refused,
        "seconds": elapsed, "messages_per_s": accepted / elapsed if elapsed > 0 and not errors else None,
        "server_cpu_s": None if cpu_before is None else cpu_after - cpu_before,
        "client_cpu_s": client_after - client_before, "errors": errors,
        "refusals": [state["last_refusal"] for state in outcome if state.get("last_refusal")],
    }
    if errors:
        raise MailBenchError("; ".join(errors))
    if refused:
        raise MailBenchError(f"{refused} messages refused, e.g. {result['refusals'][0]!r}")
    return result


def measure_server(server, messages, smtp_batches, args):
    """Start, load, fetch, submit, check; returns the result entry (status "ok", "n/a: …" or "error: …")."""
    entry = {"server": server.label, "status": "ok"}
    log(f"{server.label}: starting")
    try:
        server.start()
    except ServerUnavailable as error:
        entry["status"] = f"n/a: {error}"
        entry["log_tail"] = error.log_tail
        log(f"{server.label}: skipped — {error}" + (f"; log:\n{error.log_tail}" if error.log_tail else ""))
        return entry
    entry["version"] = server.version
    entry["description"] = server.describe()
    try:
        digest = expected_digest(messages)
        entry["load"] = load_mailbox(server, messages)
        load = entry["load"]
        log(f"{server.label}: appended {load['messages']:,} messages ({load['bytes'] / 2**20:.1f} MiB) in "
            f"{load['seconds']:.1f} s ({'LITERAL+ pipelined' if load['literal_plus'] else 'synchronising literals'}"
            f"), server CPU {fmt_opt(load['server_cpu_s'])} s")
    except (OSError, MailBenchError) as error:
        entry["status"] = f"error: {error}"
        log(f"{server.label}: error: {error}; last log lines:\n{tail(server.log_path)}")
        server.stop()
        return entry
    errors = []
    try:
        entry.update(measure_fetches(server, messages, args.mail_repetitions, args.mail_fetch_batch, digest))
        for key, what in (("fetch_flags", "UID FETCH 1:* (FLAGS)"), ("fetch_body", "UID FETCH 1:* (BODY.PEEK[])"),
                          ("fetch_each", "UID FETCH n (UID RFC822.SIZE BODY.PEEK[])")):
            samples = entry[key]["samples"]
            log(f"{server.label}: {what}: " + ", ".join(f"{sample['seconds'] * 1000:,.0f} ms" for sample in samples)
                + f" (client CPU {statistics.median(s['client_cpu_s'] for s in samples) * 1000:,.0f} ms, server CPU "
                f"{fmt_opt(median_opt([s['server_cpu_s'] for s in samples]), 1000)} ms; bytes verified)")
    except (OSError, MailBenchError) as error:
        errors.append(f"IMAP FETCH: {error}")
        log(f"{server.label}: IMAP FETCH error: {error}")
    try:
        smtp = submit_messages(server, smtp_batches)
        entry["smtp"] = smtp
        check = imap_session(server)
        status = check.command("STATUS INBOX (MESSAGES)")
        check.logout()
        found = STATUS_MESSAGES.search(bytes(status.data[:status.end]))
        smtp["inbox_after"] = int(found.group(1)) if found else None
        smtp["inbox_expected"] = len(messages) + smtp["accepted"]
        log(f"{server.label}: {smtp['protocol']} {smtp['accepted']:,} × {smtp['message_size']:,} B from "
            f"{smtp['clients']} clients in {smtp['seconds']:.2f} s = {smtp['messages_per_s'] or 0:,.0f} msg/s "
            f"(server CPU {fmt_opt(smtp['server_cpu_s'])} s, client CPU {smtp['client_cpu_s']:.2f} s); INBOX "
            f"{smtp['inbox_after']} (expected {smtp['inbox_expected']})")
        if smtp["inbox_after"] != smtp["inbox_expected"]:
            smtp["messages_per_s"] = None
            raise MailBenchError(f"INBOX has {smtp['inbox_after']} messages after {smtp['protocol']}, expected "
                                 f"{smtp['inbox_expected']}")
    except (OSError, MailBenchError) as error:
        errors.append(f"SMTP: {error}")
        log(f"{server.label}: SMTP error: {error}")
    finally:
        server.stop()
    if errors:
        entry["status"] = "error: " + "; ".join(errors)
        log(f"{server.label}: last log lines:\n{tail(server.log_path)}")
    return entry


def fmt_opt(value, factor=1):
    return "?" if value is None else f"{value * factor:,.2f}" if factor == 1 else f"{value * factor:,.0f}"


def median_opt(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


# ----------------------------------------------------------------------------------------------------------------------
# Entry points for bench.py

def add_arguments(parser):
    """The mail options (shared by bench.py and this script)."""
    group = parser.add_argument_group("mail gateway vs. Dovecot (127.0.0.1)")
    group.add_argument("--mail-servers", default=",".join(MAIL_SERVERS),
                       help="mail servers to measure: mycelium,dovecot")
    group.add_argument("--mail-messages", type=int, default=10_000, help="messages in the IMAP mailbox")
    group.add_argument("--mail-repetitions", type=int, default=5, help="runs per IMAP FETCH figure (median)")
    group.add_argument("--mail-fetch-batch", type=int, default=1,
                       help="per-message UID FETCH commands sent before reading their responses (1 = one at a time)")
    group.add_argument("--mail-smtp-clients", type=int, default=4, help="parallel SMTP/LMTP connections")
    group.add_argument("--mail-smtp-messages", type=int, default=500, help="messages per SMTP/LMTP connection")
    group.add_argument("--mail-smtp-size", type=int, default=10 * 1024, help="bytes per SMTP/LMTP message")
    group.add_argument("--mail-seed", type=int, default=1, help="seed of the generated messages")
    group.add_argument("--dovecot-fsync", default="optimized", choices=("optimized", "always", "never"),
                       help="Dovecot's mail_fsync (its default is optimized)")
    group.add_argument("--keep-system-dovecot", action="store_true",
                       help="do not stop/disable a system-wide dovecot service")
    return group


def check_arguments(parser, args):
    servers = [item.strip() for item in args.mail_servers.split(",") if item.strip()]
    for item in servers:
        if item not in MAIL_SERVERS:
            parser.error(f"unknown mail server {item!r} (choose from {', '.join(MAIL_SERVERS)})")
    args.mail_server_list = [name for name in MAIL_SERVERS if name in servers]
    if args.mail_messages < 1 or args.mail_repetitions < 1 or args.mail_fetch_batch < 1:
        parser.error("--mail-messages, --mail-repetitions and --mail-fetch-batch must be at least 1")
    if args.mail_smtp_clients < 1 or args.mail_smtp_messages < 1 or args.mail_smtp_size < 512:
        parser.error("--mail-smtp-clients and --mail-smtp-messages must be at least 1, --mail-smtp-size at least 512")


def settings(args):
    return {
        "servers": args.mail_server_list, "messages": args.mail_messages, "repetitions": args.mail_repetitions,
        "fetch_batch": args.mail_fetch_batch, "smtp_clients": args.mail_smtp_clients,
        "smtp_messages_per_client": args.mail_smtp_messages, "smtp_message_size": args.mail_smtp_size,
        "seed": args.mail_seed, "dovecot_fsync": args.dovecot_fsync,
    }


def run(args, keep_logs=False):
    """Measures every server of --mail-servers in turn; returns the results (JSON-able) for table_rows()."""
    results = {"settings": settings(args), "notes": []}
    if "dovecot" in args.mail_server_list:
        results["system_dovecot"] = stop_system_dovecot(args.keep_system_dovecot)
    workdir = tempfile.mkdtemp(prefix="mailbench-")
    os.chmod(workdir, 0o711)  # Dovecot's unprivileged processes (auth, imap as `nobody`) must traverse it
    kept = keep_logs
    try:
        log(f"generating {args.mail_messages:,} messages (seed {args.mail_seed}) and "
            f"{args.mail_smtp_clients} × {args.mail_smtp_messages} × {args.mail_smtp_size:,} B for SMTP; "
            f"files in {workdir}")
        messages = make_mailbox(args.mail_messages, args.mail_seed)
        total = sum(len(data) for data, _flags, _date in messages)
        results["mailbox"] = {
            "messages": len(messages), "bytes": total, "average_bytes": total / len(messages),
            "sha256": expected_digest(messages),
            "multipart": sum(1 for data, _f, _d in messages if b"Content-Type: multipart/" in data),
        }
        log(f"mailbox: {len(messages):,} messages, {total / 2**20:.1f} MiB, average {total / len(messages):,.0f} B, "
            f"{results['mailbox']['multipart']:,} multipart")
        batches = make_smtp_messages(args.mail_smtp_clients, args.mail_smtp_messages, args.mail_smtp_size,
                                     args.mail_seed)
        for name in args.mail_server_list:
            server = DovecotServer(workdir, args.dovecot_fsync) if name == "dovecot" else \
                MyceliumServer(workdir, getattr(args, "mycelium", None))
            results[name] = measure_server(server, messages, batches, args)
            if results[name]["status"] != "ok":
                kept = True
    except BaseException:
        kept = True
        raise
    finally:
        cleanup()
        if kept:
            log(f"mail benchmark files kept in {workdir}")
        else:
            log("removing the temporary files (slow on a disk mounted with `discard`)")
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def _fmt(value, kind):
    if value is None:
        return "n/a"
    if kind == "ms":
        return f"{value * 1000:,.1f} ms" if value < 0.1 else f"{value * 1000:,.0f} ms"
    if kind == "s":
        return f"{value:,.2f} s"
    if kind == "rate":
        return f"{value:,.0f} msg/s"
    if kind == "times":
        return f"{value:.2f}×"
    return str(value)


def table_rows(results):
    """Rows (metric, Dovecot cell, mycelium cell, mycelium ÷ Dovecot) and notes for the report."""
    settings_ = results["settings"]
    count = f"{settings_['messages']:,} msgs"
    size = settings_["smtp_message_size"]
    size_text = f"{size // 1024} KiB" if size % 1024 == 0 else f"{size:,} B"

    def value(server, *path):
        entry = results.get(server)
        for key in path:
            if not isinstance(entry, dict):
                return None
            entry = entry.get(key)
        return entry

    def cell(server, number, kind):
        if server not in settings_["servers"]:
            return "(skipped)"
        if number is None:
            status = str(value(server, "status") or "")
            return "error" if status.startswith("error") else "n/a"
        return _fmt(number, kind)

    def ratio(ours, reference):
        if ours is None or reference is None or reference == 0:
            return "—"
        return f"{ours / reference:.2f}×"

    rows = []
    metrics = [
        (f"mail: SMTP accept {size_text}, {settings_['smtp_clients']} clients (Dovecot: LMTP)",
         ("smtp", "messages_per_s"), "rate"),
        (f"mail: IMAP UID FETCH 1:* (FLAGS), {count}", ("fetch_flags", "median_s"), "ms"),
        (f"mail: IMAP UID FETCH 1:* (BODY.PEEK[]), {count}", ("fetch_body", "median_s"), "ms"),
        (f"mail: IMAP UID FETCH n (UID RFC822.SIZE BODY.PEEK[]) × {count}"
         + (f", {settings_['fetch_batch']} pipelined" if settings_["fetch_batch"] > 1 else ", one at a time"),
         ("fetch_each", "median_s"), "ms"),
        (f"mail: IMAP APPEND {count} (load)", ("load", "seconds"), "s"),
    ]
    figures = {}
    for label, path, kind in metrics:
        dovecot, ours = value("dovecot", *path), value("mycelium", *path)
        figures[path[0]] = (ours, dovecot)
        rows.append((label, cell("dovecot", dovecot, kind), cell("mycelium", ours, kind), ratio(ours, dovecot)))
    # The target: within 1.5× of Dovecot, as time per message / per fetch (so lower is better in every row).
    for label, key, invert in (("SMTP time per message", "smtp", True), ("UID FETCH (FLAGS) time", "fetch_flags", False),
                               ("UID FETCH (BODY.PEEK[]) time", "fetch_body", False)):
        ours, dovecot = figures[key]
        slowdown = None
        if ours and dovecot:
            slowdown = dovecot / ours if invert else ours / dovecot
        text = "—" if slowdown is None else f"{slowdown:.2f}× ({'ok' if slowdown <= 1.5 else 'over'})"
        rows.append((f"mail: {label}, ours ÷ Dovecot (target ≤ 1.50×)", "—", text, "—"))
    notes = []
    if "dovecot" in settings_["servers"] and value("dovecot", "description"):
        notes.append(f"mail: the Dovecot column is {value('dovecot', 'description')}")
    mailbox = results.get("mailbox")
    if mailbox:
        notes.append(f"mail: mailbox of {mailbox['messages']:,} messages, {mailbox['bytes'] / 2**20:.1f} MiB "
                     f"(average {mailbox['average_bytes']:,.0f} B, {mailbox['multipart']:,} multipart); every FETCH "
                     "checked against the appended bytes (SHA-256)")
    for server in settings_["servers"]:
        status = str(value(server, "status") or "")
        if status and status != "ok":
            notes.append(f"mail/{server}: {status.splitlines()[0]}")
    for action in results.get("system_dovecot") or []:
        notes.append(f"mail: system-wide Dovecot service: {action}")
    return rows, notes


# ----------------------------------------------------------------------------------------------------------------------
# Standalone

def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mycelium", default=".build/release/mycelium", help="path of the mycelium binary")
    parser.add_argument("--json", default=os.path.join(here, "results", "mail.json"), help="JSON output file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory")
    add_arguments(parser)
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    if os.geteuid() != 0:
        print("mail_bench.py must run as root (Dovecot switches to its mail user)", file=sys.stderr)
        return 1
    args.mycelium = os.path.abspath(args.mycelium)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        results = run(args, keep_logs=args.keep_logs)
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    rows, notes = table_rows(results)
    header = ("metric (median)", "Dovecot", "mycelium", "mycelium/Dovecot")
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    print()
    print("  ".join(header[i].ljust(widths[i]) if i == 0 else header[i].rjust(widths[i]) for i in range(4)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(4)))
    for note in notes:
        print(f"  note: {note}")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump(results, handle, indent=2, default=str)
    log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
