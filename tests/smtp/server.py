#!/usr/bin/python3
"""A real SMTP server for Peerdesk's tests: aiosmtpd (Debian's python3-aiosmtpd)
on 127.0.0.1, optionally with STARTTLS (a self-signed certificate it makes with
openssl) and required AUTH. Every accepted message is written to --store as
<n>.eml plus <n>.json (envelope, decoded headers, and the raw header lines as
they arrived, unfolded nothing). Like a strict server it refuses a message with
a line longer than 998 characters (RFC 5322 2.1.1) with 552. Prints
`LISTENING <port>` when ready; stops on SIGTERM or after --max-seconds.

  /usr/bin/python3 tests/smtp/server.py --store DIR [--starttls CERTDIR] [--auth USER:PASS]
      [--reject-rcpt ADDR] [--port N] [--max-seconds S]
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Store:
    def __init__(self, folder, reject):
        self.folder = folder
        self.reject = reject
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.lower() == self.reject.lower():
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        head = raw.split(b"\r\n\r\n", 1)[0]
        if any(len(line) > 998 for line in raw.split(b"\r\n")):
            return "552 5.6.0 message refused: a line is longer than 998 characters"
        with self.lock:
            self.count += 1
            n = self.count
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "headers": {k: str(v) for k, v in msg.items()},
            "header_names": [k for k, _ in msg.items()],
            "raw_header_lines": head.decode("ascii", "replace").split("\r\n"),
            "body": msg.get_body(preferencelist=("plain",)).get_content() if msg.get_body() else "",
        }
        tmp = os.path.join(self.folder, f".{n}.tmp")
        with open(os.path.join(self.folder, f"{n}.eml"), "wb") as f:
            f.write(raw)
        with open(tmp, "w") as f:
            json.dump(meta, f)
        os.replace(tmp, os.path.join(self.folder, f"{n}.json"))
        return "250 Message accepted for delivery"


def make_cert(folder):
    """A private CA (ca.pem, for the client to trust) and a server certificate
    for localhost/127.0.0.1 signed by it; made once per folder."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p = lambda name: os.path.join(folder, name)
    if not os.path.exists(p("cert.pem")):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Peerdesk test CA",
            "-keyout", p("ca-key.pem"), "-out", p("ca.pem"))
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", p("key.pem"), "-out", p("server.csr"))
        with open(p("ext.cnf"), "w") as f:
            f.write("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "extendedKeyUsage=serverAuth\n")
        run("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca-key.pem"),
            "-CAcreateserial", "-days", "2", "-extfile", p("ext.cnf"), "-out", p("cert.pem.tmp"))
        os.replace(p("cert.pem.tmp"), p("cert.pem"))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(p("cert.pem"), p("key.pem"))
    return ctx


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--starttls", metavar="CERTDIR")
    ap.add_argument("--auth", metavar="USER:PASS")
    ap.add_argument("--reject-rcpt")
    ap.add_argument("--max-seconds", type=int, default=300)
    a = ap.parse_args()
    os.makedirs(a.store, exist_ok=True)
    kwargs = {}
    if a.starttls:
        os.makedirs(a.starttls, exist_ok=True)
        kwargs.update(tls_context=make_cert(a.starttls), require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and \
                auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.starttls))
    port = a.port or free_port()
    controller = Controller(Store(a.store, a.reject_rcpt), hostname="127.0.0.1", port=port,
                            ready_timeout=10, **kwargs)
    controller.start()
    print(f"LISTENING {port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait(a.max_seconds)
    controller.stop()


if __name__ == "__main__":
    main()
