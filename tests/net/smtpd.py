#!/usr/bin/python3
"""smtpd.py: an SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) that
records every message it receives, for the tests of `mores notify`.
Usage: smtpd.py PORTFILE MAILDIR [--starttls|--smtps CERT KEY --login USER PASS]

It binds a free port and writes the number to PORTFILE. Each message is
stored as MAILDIR/N.eml with the envelope in MAILDIR/N.env ("from" and
one "to" per line, and "auth USER" when the client logged in). With
--starttls, STARTTLS is offered and required before login, and login
(USER, PASS) is required before mail; with --smtps, the connection is
TLS from the start (implicit TLS) and login is required likewise.
"""
import asyncio
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

portfile, maildir = sys.argv[1], sys.argv[2]
tls = "--starttls" in sys.argv or "--smtps" in sys.argv
implicit = "--smtps" in sys.argv
os.makedirs(maildir, exist_ok=True)
count = [0]


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        base = os.path.join(maildir, str(count[0]))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write("from %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("to %s\n" % r)
            login = getattr(session, "mores_login", None)
            if login:
                f.write("auth %s\n" % login)
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


kwargs = {}
if tls:
    i = sys.argv.index("--smtps" if implicit else "--starttls")
    cert, key = sys.argv[i + 1], sys.argv[i + 2]
    j = sys.argv.index("--login")
    user, password = sys.argv[j + 1].encode(), sys.argv[j + 2].encode()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == user and auth_data.password == password)
        if ok:
            session.mores_login = user.decode()
        return AuthResult(success=ok, handled=False)

    if implicit:
        kwargs = dict(ssl_context=ctx, auth_required=True,
                      authenticator=authenticator, auth_require_tls=False)
    else:
        kwargs = dict(tls_context=ctx, require_starttls=True,
                      auth_required=True, authenticator=authenticator,
                      auth_require_tls=True)

port = free_port()
controller = Controller(Recorder(), hostname="127.0.0.1", port=port,
                        **kwargs)
controller.start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(port))
os.rename(portfile + ".tmp", portfile)
try:
    asyncio.get_event_loop().run_forever()
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
