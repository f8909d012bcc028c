#!/usr/bin/python3
"""A local SMTP relay for the tests: Debian's python3-aiosmtpd on a loopback port.

Accepted messages are written, as received, into a Maildir (MAILDIR/new), each with an
`X-Sink-Envelope-From` and `X-Sink-Envelope-To` header prepended, and a line
"accepted <Message-ID>" is appended to MAILDIR/../sink.log for every message.

  smtp_sink.py --port N --maildir DIR [--tls-cert C --tls-key K] [--auth USER:PASSWORD]
               [--reject ADDR]... [--defer ADDR]...

--tls-cert/--tls-key  offer STARTTLS and require it before MAIL (RFC 3207)
--auth                require AUTH PLAIN/LOGIN with these credentials (only after STARTTLS)
--reject ADDR         answer RCPT TO:<ADDR> with 550 5.1.1 (a permanent failure)
--defer ADDR          answer RCPT TO:<ADDR> with 451 4.3.0 (a temporary failure)

Prints "ready" on standard output once it accepts connections; runs until killed.
"""
import argparse
import mailbox
import os
import signal
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir, reject, defer):
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.log = os.path.join(os.path.dirname(os.path.abspath(maildir)), "sink.log")
        self.reject = {a.lower() for a in reject}
        self.defer = {a.lower() for a in defer}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 mailbox unavailable"
        if address.lower() in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        head = "X-Sink-Envelope-From: %s\r\nX-Sink-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))
        data = head.encode() + envelope.original_content
        self.maildir.add(data)
        mid = ""
        for line in envelope.original_content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                mid = line.split(b":", 1)[1].strip().decode(errors="replace")
        with open(self.log, "a") as f:
            f.write("accepted %s tls=%s auth=%s\n" % (
                mid, "yes" if session.ssl else "no", "yes" if session.authenticated else "no"))
        return "250 2.0.0 accepted"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--defer", action="append", default=[])
    a = p.parse_args()

    kwargs = {}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.tls_cert))
    controller = Controller(Sink(a.maildir, a.reject, a.defer), hostname="127.0.0.1", port=a.port,
                            **kwargs)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
