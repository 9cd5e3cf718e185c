#!/usr/bin/env python3
"""Real-client steps for the mail gateway's integration tests (stdlib only: smtplib, imaplib, sockets).

Each subcommand prints one JSON object on stdout and exits 0 when the step did what it should, 1 otherwise.
  send HOST PORT USER PASSWORD FROM TO SUBJECT          smtplib: AUTH, 8-bit body, a line starting with a dot
  idle HOST PORT USER PASSWORD SUBJECT TIMEOUT          imaplib login, then raw IDLE until EXISTS; then fetch subject
  wait HOST PORT USER PASSWORD SUBJECT TIMEOUT [MAILBOX]
                                                        poll with imaplib until a message with SUBJECT is in MAILBOX
                                                        (INBOX by default)
  imap-session HOST PORT USER PASSWORD                  CAPABILITY, LIST, APPEND (APPENDUID), SELECT, UID SEARCH/FETCH,
                                                         UID STORE, UID MOVE, EXPUNGE, STATUS — Thunderbird's commands
  bad-input HOST IMAP_PORT SMTP_PORT USER PASSWORD      4 GB literal, 1 MB line, command flood, wrong passwords, ../x
"""
import imaplib
import json
import re
import smtplib
import socket
import sys
import time


def out(ok, **fields):
    fields["ok"] = bool(ok)
    print(json.dumps(fields))
    sys.exit(0 if ok else 1)


def send(host, port, user, password, sender, recipient, subject):
    body = (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Grüße über das Overlay.\r\n.a line that starts with a dot\r\n").encode()
    start = time.monotonic()
    with smtplib.SMTP(host, int(port), timeout=30) as smtp:
        smtp.ehlo("[127.0.0.1]")
        smtp.login(user, password)
        refused = smtp.sendmail(sender, [recipient], body)
    out(not refused, refused=str(refused), ms=round((time.monotonic() - start) * 1000))


def login(host, port, user, password):
    imap = imaplib.IMAP4(host, int(port), timeout=30)
    imap.login(user, password)
    return imap


def subjects(imap, mailbox="INBOX"):
    imap.select(mailbox, readonly=True)
    typ, data = imap.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    found = []
    for uid in uids:
        typ, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        for part in fetched:
            if isinstance(part, tuple):
                match = re.search(rb"Subject: (.*?)\r\n", part[1])
                if match:
                    found.append(match.group(1).decode())
    return found


def wait(host, port, user, password, subject, timeout, mailbox="INBOX"):
    deadline = time.monotonic() + float(timeout)
    start = time.monotonic()
    last = []
    while time.monotonic() < deadline:
        try:
            imap = login(host, port, user, password)
            last = subjects(imap, mailbox)
            imap.logout()
            if subject in last:
                out(True, subjects=last, ms=round((time.monotonic() - start) * 1000))
        except (OSError, imaplib.IMAP4.error) as error:
            last = [f"error: {error}"]
        time.sleep(0.2)
    out(False, subjects=last)


def idle(host, port, user, password, subject, timeout):
    sock = socket.create_connection((host, int(port)), timeout=float(timeout))
    reader = sock.makefile("rb")
    def command(line):
        sock.sendall(line.encode() + b"\r\n")
    def until(prefix):
        lines = []
        while True:
            line = reader.readline()
            if not line:
                raise OSError("connection closed")
            lines.append(line)
            if line.startswith(prefix):
                return lines
    until(b"* OK")
    command(f'a LOGIN "{user}" "{password}"')
    assert until(b"a ")[-1].startswith(b"a OK")
    command("b SELECT INBOX")
    selected = until(b"b ")
    exists = max([int(m.group(1)) for l in selected for m in [re.match(rb"\* (\d+) EXISTS", l)] if m] + [0])
    command("c IDLE")
    until(b"+ ")
    print(json.dumps({"idling": True, "exists": exists}), flush=True)
    start = time.monotonic()
    pushed = None
    while pushed is None:
        line = reader.readline()
        if not line:
            out(False, error="connection closed during IDLE")
        match = re.match(rb"\* (\d+) EXISTS", line)
        if match and int(match.group(1)) > exists:
            pushed = int(match.group(1))
    waited = round((time.monotonic() - start) * 1000)
    command("DONE")
    until(b"c ")
    command(f"d FETCH {pushed} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    fetched = b"".join(until(b"d "))
    command("e LOGOUT")
    out(subject.encode() in fetched, exists=pushed, waitedMs=waited, fetched=fetched.decode(errors="replace"))


def imap_session(host, port, user, password):
    imap = login(host, port, user, password)
    steps = {}
    typ, caps = imap.capability()
    steps["capability"] = caps[0].decode()
    typ, boxes = imap.list()
    steps["list"] = [b.decode() for b in boxes]
    message = b"From: a@b\r\nSubject: appended\r\n\r\nbody\r\n"
    typ, data = imap.append("Drafts", r"(\Seen)", None, message)
    steps["append"] = data[0].decode()
    typ, data = imap.select("Drafts")
    steps["select"] = data[0].decode()
    typ, data = imap.uid("SEARCH", None, "SUBJECT", "appended")
    uid = data[0].split()[-1].decode()
    typ, data = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
    steps["fetch"] = data[0][1] == message and b"\\Seen" in data[0][0]
    typ, data = imap.uid("STORE", uid, "+FLAGS", r"(\Flagged)")
    steps["store"] = data[0].decode()
    typ, data = imap.uid("MOVE", uid, "Archive")
    steps["move"] = typ
    typ, data = imap.status("Archive", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
    steps["status"] = data[0].decode()
    typ, data = imap.select("Drafts")
    steps["drafts_after_move"] = data[0].decode()
    imap.logout()
    ok = ("APPENDUID" in steps["append"] and steps["fetch"] and steps["move"] == "OK"
          and "MESSAGES 1" in steps["status"] and steps["drafts_after_move"] == "0"
          and any("\\Sent" in b for b in steps["list"]) and "IDLE" in steps["capability"])
    out(ok, **steps)


def bad_input(host, imap_port, smtp_port, user, password):
    results = {}
    def raw(port, lines, read_for=1.0, greeting=True):
        sock = socket.create_connection((host, int(port)), timeout=10)
        received = b""
        if greeting:
            received += sock.recv(65536)
        for line in lines:
            sock.sendall(line)
            deadline = time.monotonic() + read_for
            sock.settimeout(0.2)
            while time.monotonic() < deadline:
                try:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                except socket.timeout:
                    pass
        sock.close()
        return received.decode(errors="replace")
    # IMAP: a 4 GB literal announced for APPEND: refused without a continuation, nothing read.
    r = raw(imap_port, [f'a LOGIN "{user}" "{password}"\r\n'.encode(), b"b APPEND INBOX {4294967296}\r\n"])
    results["imap_4gb_literal"] = r.splitlines()[-1] if r else ""
    ok_4gb = re.search(r"^b (NO|BAD)", r, re.M) is not None and re.search(r"^\+ ", r, re.M) is None
    # IMAP: a 1 MB line.
    r = raw(imap_port, [b"c " + b"X" * (1 << 20) + b"\r\n", b"d NOOP\r\n"])
    results["imap_1mb_line"] = [l[:80] for l in r.splitlines()[-2:]]
    ok_line = "BAD" in r and re.search(r"^d OK", r, re.M) is not None
    # IMAP: a command flood of garbage: BYE and close, server stays up.
    r = raw(imap_port, [b"".join(b"%d GARBAGE\r\n" % i for i in range(200))], read_for=2.0)
    results["imap_flood"] = [l for l in r.splitlines() if l.startswith("* BYE")][:1]
    ok_flood = "* BYE" in r
    # IMAP: a path-like mailbox name.
    r = raw(imap_port, [f'a LOGIN "{user}" "{password}"\r\n'.encode(), b'b CREATE "../x"\r\n', b'c SELECT "../x"\r\n'])
    results["imap_dotdot"] = [l for l in r.splitlines() if l[:2] in ("b ", "c ")]
    ok_dotdot = re.search(r"^b NO", r, re.M) is not None and re.search(r"^c NO", r, re.M) is not None
    # IMAP: wrong passwords are answered late (rate-limited).
    start = time.monotonic()
    r = raw(imap_port, [b"a LOGIN %s wrong1\r\n" % user.encode(), b"b LOGIN %s wrong2\r\n" % user.encode(),
                        b"c LOGIN %s wrong3\r\n" % user.encode()], read_for=5.0)
    slow = time.monotonic() - start
    results["imap_wrong_passwords"] = [l for l in r.splitlines() if l[:2] in ("a ", "b ", "c ")]
    ok_wrong = len(re.findall(r"^[abc] NO", r, re.M)) == 3
    # SMTP: a 1 MB line, then the session still works; wrong password rate-limited; flood closes.
    r = raw(smtp_port, [b"EHLO x\r\n", b"X" * (1 << 20) + b"\r\n", b"NOOP\r\n"])
    results["smtp_1mb_line"] = [l[:60] for l in r.splitlines()[-2:]]
    ok_smtp_line = "500 5.5.2" in r and r.rstrip().endswith("250 2.0.0 OK") or r.rstrip().splitlines()[-1].startswith("250")
    r = raw(smtp_port, [b"EHLO x\r\n", b"AUTH PLAIN AHRlc3QAd3Jvbmc=\r\n"], read_for=12.0)
    results["smtp_wrong_password"] = r.splitlines()[-1] if r else ""
    ok_smtp_auth = "535" in r
    r = raw(smtp_port, [b"".join(b"BOGUS %d\r\n" % i for i in range(100))], read_for=2.0)
    ok_smtp_flood = "421" in r
    results["smtp_flood"] = [l for l in r.splitlines() if l.startswith("421")][:1]
    # Still up: a normal login works.
    imap = login(host, imap_port, user, password)
    imap.logout()
    checks = dict(imap_4gb_literal=ok_4gb, imap_1mb_line=ok_line, imap_flood=ok_flood, imap_dotdot=ok_dotdot,
                  imap_wrong_passwords=ok_wrong, smtp_1mb_line=ok_smtp_line, smtp_wrong_password=ok_smtp_auth,
                  smtp_flood=ok_smtp_flood)
    out(all(checks.values()), checks=checks, wrongPasswordSeconds=round(slow, 2), **results)


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"send": send, "idle": idle, "wait": wait, "imap-session": imap_session, "bad-input": bad_input}[command](*arguments)
