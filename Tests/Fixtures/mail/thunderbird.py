#!/usr/bin/env python3
"""Drives a real Thunderbird (headless) against the mail gateway: what a user's Thunderbird does, without a screen.

A fresh profile gets one IMAP account and one SMTP server on 127.0.0.1 (no TLS, normal password — the settings
`mycelium gateway mail autoconfig` prints), with every phone-home feature off and HTTP(S) pointed at a closed local
port, so nothing leaves the machine. Thunderbird is started with `--headless --marionette`, and this script speaks
the Marionette protocol (length-prefixed JSON over TCP, standard library only) to run chrome-privileged JavaScript in
it: set the passwords (a profile cannot be given them in plain text), then

  send     compose a message with Thunderbird's own composer (nsIMsgSend.createAndSendMessage: MIME built by
           Thunderbird), deliver it over SMTP and file the copy in the IMAP Sent folder, as its Send button does;
  receive  open the INBOX over IMAP (Thunderbird's own SELECT/FETCH sequence), wait for a message with the subject,
           print what Thunderbird parsed (subject, author, size) and mark it read (UID STORE +FLAGS (\\Seen)).

Usage:
  thunderbird.py --imap-port P --smtp-port S --user U --password PW --address U@[IPv6:…] \\
      [--send-to RCPT --send-subject SUBJECT] [--receive-subject SUBJECT] [--timeout 60]
Prints one `thunderbird: …` line per step; exits 0 when every step did what it should, 1 otherwise, 77 when no
`thunderbird` binary is installed.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def preferences(args, marionette_port):
    """The profile's user.js: the account, and everything that would reach out to the Internet switched off."""
    server = "127.0.0.1"
    prefs = {
        # The account, as Thunderbird's account wizard writes it from the gateway's autoconfig.
        "mail.accountmanager.accounts": "account1",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.account.account1.server": "server1",
        "mail.account.account1.identities": "id1",
        "mail.server.server1.type": "imap",
        "mail.server.server1.hostname": server,
        "mail.server.server1.port": args.imap_port,
        "mail.server.server1.userName": args.user,
        "mail.server.server1.name": args.address,
        "mail.server.server1.socketType": 0,  # plain
        "mail.server.server1.authMethod": 3,  # normal password
        "mail.server.server1.login_at_startup": False,
        "mail.server.server1.check_new_mail": False,
        "mail.server.server1.use_idle": True,
        "mail.identity.id1.fullName": args.user,
        "mail.identity.id1.useremail": args.address,
        "mail.identity.id1.smtpServer": "smtp1",
        "mail.identity.id1.fcc": True,
        "mail.identity.id1.fcc_folder": f"imap://{args.user}@{server}/Sent",
        "mail.identity.id1.draft_folder": f"imap://{args.user}@{server}/Drafts",
        "mail.identity.id1.compose_html": False,
        "mail.smtpservers": "smtp1",
        "mail.smtp.defaultserver": "smtp1",
        "mail.smtpserver.smtp1.hostname": server,
        "mail.smtpserver.smtp1.port": args.smtp_port,
        "mail.smtpserver.smtp1.username": args.user,
        "mail.smtpserver.smtp1.try_ssl": 0,
        "mail.smtpserver.smtp1.authMethod": 3,
        # Marionette, for this script.
        "marionette.port": marionette_port,
        # No first-run pages, no prompts.
        "mail.provider.enabled": False,
        "mail.shell.checkDefaultClient": False,
        "mailnews.start_page.enabled": False,
        "mail.rights.version": 1,
        "mail.spotlight.firstRunDone": True,
        "mail.winsearch.firstRunDone": True,
        "browser.shell.checkDefaultBrowser": False,
        "signon.rememberSignons": True,
        # Nothing leaves the machine: no updates, telemetry, remote settings, safe browsing, captive-portal or
        # connectivity probes; HTTP(S) goes to a closed local port.
        "app.update.auto": False,
        "app.update.enabled": False,
        "app.update.disabledForTesting": True,
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "datareporting.healthreport.uploadEnabled": False,
        "toolkit.telemetry.enabled": False,
        "toolkit.telemetry.server": "",
        "app.normandy.enabled": False,
        "messaging-system.rsexperimentloader.enabled": False,
        "services.settings.server": "http://127.0.0.1:9/v1",
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "browser.safebrowsing.provider.google4.updateURL": "",
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "network.dns.disablePrefetch": True,
        "network.prefetch-next": False,
        "mail.cloud_files.enabled": False,
        "mailnews.auto_config.fetchFromISP.enabled": False,
        "mailnews.auto_config.guess.enabled": False,
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": 9,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": 9,
        "network.proxy.no_proxies_on": "",
    }
    lines = []
    for key, value in prefs.items():
        lines.append(f"user_pref({json.dumps(key)}, {json.dumps(value)});")
    return "\n".join(lines) + "\n"


class Marionette:
    """The Marionette protocol: `<length>:<json>` frames; commands `[0, id, name, params]`, answers
    `[1, id, error, result]`."""

    def __init__(self, port, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.socket = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.socket.settimeout(timeout + 30)
        self.buffer = b""
        self.next_id = 0
        self.read_frame()  # the greeting: {"applicationType": "gecko", "marionetteProtocol": 3}

    def read_frame(self):
        while b":" not in self.buffer:
            self.fill()
        length, _, rest = self.buffer.partition(b":")
        self.buffer = rest
        size = int(length)
        while len(self.buffer) < size:
            self.fill()
        frame, self.buffer = self.buffer[:size], self.buffer[size:]
        return json.loads(frame)

    def fill(self):
        data = self.socket.recv(65536)
        if not data:
            raise ConnectionError("Marionette closed the connection")
        self.buffer += data

    def command(self, name, params=None):
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.socket.sendall(str(len(body)).encode() + b":" + body)
        while True:
            answer = self.read_frame()
            if isinstance(answer, list) and len(answer) == 4 and answer[1] == self.next_id:
                break
        _, _, error, result = answer
        if error:
            raise RuntimeError(f"{name}: {error.get('error')}: {error.get('message')}")
        return result

    def run(self, script, args, timeout):
        """Runs `script` (an async function body with `args` and `resolve`) in the chrome context."""
        wrapped = (
            "const [args, resolve] = [arguments[0], arguments[arguments.length - 1]];\n"
            "(async () => {\n" + script + "\n})().then(resolve, e => resolve({error: String(e) + '\\n' + e.stack}));"
        )
        result = self.command("WebDriver:ExecuteAsyncScript",
                              {"script": wrapped, "args": [args], "scriptTimeout": int(timeout * 1000)})
        value = result.get("value") if isinstance(result, dict) else result
        if isinstance(value, dict) and value.get("error"):
            raise RuntimeError(value["error"])
        return value


COMMON = r"""
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const account = MailServices.accounts.defaultAccount;
const server = account.incomingServer;
const { setTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");
const sleep = ms => new Promise(r => setTimeout(r, ms));
"""

SET_PASSWORDS = COMMON + r"""
server.password = args.password;
const outgoing = MailServices.outgoingServer ?? MailServices.smtp;
const smtp = outgoing.defaultServer ?? outgoing.servers?.[0];
smtp.password = args.password;
return true;
"""

SEND = COMMON + r"""
const identity = account.defaultIdentity;
const fields = Cc["@mozilla.org/messengercompose/composefields;1"].createInstance(Ci.nsIMsgCompFields);
fields.from = identity.fullName + " <" + identity.email + ">";
fields.to = args.to;
fields.subject = args.subject;
fields.body = args.body;
const send = Cc["@mozilla.org/messengercompose/send;1"].createInstance(Ci.nsIMsgSend);
const done = new Promise((resolve, reject) => {
  const listener = {
    QueryInterface: ChromeUtils.generateQI(["nsIMsgSendListener", "nsIMsgCopyServiceListener"]),
    onStartSending() {}, onSendProgress() {}, onProgress() {}, onStatus() {},
    onGetDraftFolderURI() {}, onTransportSecurityError() {},
    onSendNotPerformed(id, status) { reject(new Error("send not performed: " + status)); },
    onStopSending(id, status, message) {
      if (!Components.isSuccessCode(status)) reject(new Error("SMTP failed: 0x" + (status >>> 0).toString(16) + " " + message));
      else this.sent = id;
    },
    onStartCopy() {}, onProgressCopy() {}, setMessageKey() {}, getMessageId() { return null; },
    onStopCopy(status) {
      if (!Components.isSuccessCode(status)) reject(new Error("copy to Sent failed: 0x" + (status >>> 0).toString(16)));
      else resolve(this.sent ?? "");
    },
  };
  send.createAndSendMessage(
    null, identity, account.key, fields, false, false, Ci.nsIMsgSend.nsMsgDeliverNow, null,
    "text/plain", args.body, null, null, listener, args.password, "", Ci.nsIMsgCompType.New);
});
const timeout = sleep(args.timeout * 1000).then(() => { throw new Error("no answer from Thunderbird's send within " + args.timeout + " s"); });
const messageID = await Promise.race([done, timeout]);
return {messageID};
"""

RECEIVE = COMMON + r"""
const deadline = Date.now() + args.timeout * 1000;
// Folder discovery (LIST) happens on the first connection; wait for the INBOX folder to exist.
let inbox = null;
server.performExpand(null);
while (!(inbox = server.rootFolder.getFolderWithFlags(Ci.nsMsgFolderFlags.Inbox))) {
  if (Date.now() > deadline) throw new Error("Thunderbird found no INBOX");
  await sleep(200);
}
const find = () => {
  for (const header of inbox.messages) {
    if (header.mime2DecodedSubject === args.subject) return header;
  }
  return null;
};
let header = null;
while (true) {
  await new Promise(resolve => {
    const listener = { OnStartRunningUrl() {}, OnStopRunningUrl() { resolve(); } };
    try { inbox.updateFolderWithListener(null, listener); } catch (e) { resolve(); }
  });
  header = find();
  if (header || Date.now() > deadline) break;
  await sleep(500);
}
if (!header) throw new Error("no message with subject " + JSON.stringify(args.subject) + " in Thunderbird's INBOX (" + inbox.getTotalMessages(false) + " messages)");
const folders = [];
for (const folder of server.rootFolder.subFolders) folders.push(folder.prettyName || folder.name || folder.URI);
inbox.markMessagesRead([header], true);
await sleep(1000); // the STORE goes out on Thunderbird's own schedule; give it a moment before the check
return {subject: header.mime2DecodedSubject, author: header.mime2DecodedAuthor, size: header.messageSize,
        total: inbox.getTotalMessages(false), folders: folders.sort()};
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--imap-port", type=int, required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--send-to")
    parser.add_argument("--send-subject")
    parser.add_argument("--receive-subject")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--binary", default=shutil.which("thunderbird"))
    args = parser.parse_args()
    if not args.binary:
        print("thunderbird: not installed (apt-get install thunderbird)")
        return 77
    profile = tempfile.mkdtemp(prefix="thunderbird-profile-")
    marionette_port = free_port()
    with open(os.path.join(profile, "user.js"), "w") as handle:
        handle.write(preferences(args, marionette_port))
    log_path = os.path.join(profile, "thunderbird.log")
    environment = dict(os.environ, MOZ_HEADLESS="1", MOZ_DISABLE_AUTO_SAFE_MODE="1", HOME=profile)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [args.binary, "--headless", "--marionette", "--remote-allow-system-access", "--no-remote", "--profile", profile],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
            start_new_session=True)
    status = 1
    try:
        marionette = Marionette(marionette_port, timeout=args.timeout)
        marionette.command("WebDriver:NewSession", {"capabilities": {}})
        marionette.command("Marionette:SetContext", {"value": "chrome"})
        marionette.run(SET_PASSWORDS, {"password": args.password}, args.timeout)
        if args.send_to:
            start = time.monotonic()
            sent = marionette.run(SEND, {"to": args.send_to, "subject": args.send_subject,
                                         "body": "Sent by Thunderbird through the mail gateway.\r\n",
                                         "password": args.password, "timeout": args.timeout}, args.timeout + 10)
            print(f"thunderbird: sent {args.send_subject!r} to {args.send_to} (Message-ID {sent.get('messageID')}), "
                  f"copy filed in Sent, in {(time.monotonic() - start) * 1000:.0f} ms", flush=True)
        if args.receive_subject:
            start = time.monotonic()
            got = marionette.run(RECEIVE, {"subject": args.receive_subject, "timeout": args.timeout},
                                 args.timeout + 10)
            print(f"thunderbird: INBOX shows {got['subject']!r} from {got['author']} ({got['size']} B, "
                  f"{got['total']} messages) after {(time.monotonic() - start) * 1000:.0f} ms; marked read; "
                  f"folders {', '.join(got['folders'])}", flush=True)
        status = 0
    except Exception as error:  # noqa: BLE001 - reported, with Thunderbird's log
        print(f"thunderbird: failed: {error}", flush=True)
        with open(log_path, "rb") as log:
            tail = log.read()[-3000:].decode("utf-8", "replace")
        print("thunderbird log (end):\n" + tail, flush=True)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(profile, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
