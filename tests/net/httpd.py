#!/usr/bin/env python3
"""httpd.py: an HTTP server on 127.0.0.1 that misbehaves on purpose, for
the network tests of mores. Usage: httpd.py PORTFILE [LOG]. It binds a
free port, writes the port number to PORTFILE, and logs one line per
request to LOG ("METHOD PATH USER-AGENT|IF-NONE-MATCH|IF-MODIFIED-SINCE");
LOG.max holds the most /slowish requests it ever served at once.

Paths:
  /ok, /ok/N             200 with a short page
  /slow                  waits 5 s before answering
  /slowish, /slowish/N   waits 0.3 s, then 200 (for timing runs)
  /missing               404
  /gone                  410
  /error                 500
  /nohead                405 to HEAD, 200 to GET
  /moved                 301 to /ok
  /loop                  302 to itself, forever
  /huge                  a 40 MB body without Content-Length
  /site/SCENARIO/data/reflecties.json   a peer's export: good (3
                         reflections), etag and lastmod (answer 304 to
                         the validators they sent), malformed, notjson,
                         object, hostile (markup, bad and repeated ids),
                         renumber (ids change on the second fetch),
                         huge, slow, loop, error; others 404
  /hook                  records the POST body to LOG.hook, answers 204
  /hook-fail             500 to a POST
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile = sys.argv[1]
log = sys.argv[2] if len(sys.argv) > 2 else None
state = {"changed": 0, "active": 0, "max": 0}
lock = threading.Lock()


def reflection(i, title=None, code="ECX", year=2025):
    return {
        "id": "%d-%03d" % (year, i),
        "citation": "%s:%d:%d" % (code, year, i),
        "title": title or "Reflectie %d over slimme lantaarnpalen" % i,
        "kind": "unasked",
        "received": "%d-01-10" % year,
        "adopted": "%d-03-01" % year,
        "summary": "Lantaarnpalen met sensoren in wijk %d." % i,
        "values": ["privacy"],
        "topics": ["sensoren"],
    }


ETAG = '"v1-reflecties"'
LASTMOD = "Mon, 02 Nov 2026 10:00:00 GMT"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self):
        if log:
            with open(log, "a") as f:
                f.write("%s %s %s|%s|%s\n" % (
                    self.command, self.path,
                    self.headers.get("User-Agent", ""),
                    self.headers.get("If-None-Match", ""),
                    self.headers.get("If-Modified-Since", "")))

    def send(self, code, body=b"", ctype="text/html; charset=utf-8",
             headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.counted()

    def do_GET(self):
        self.counted()

    def counted(self):
        """Counts the /slowish requests in flight; LOG.max holds the most
        there ever were at once (all come from one host, 127.0.0.1)."""
        if not self.path.startswith("/slowish"):
            return self.route()
        with lock:
            state["active"] += 1
            state["max"] = max(state["max"], state["active"])
            if log:
                with open(log + ".max", "w") as f:
                    f.write(str(state["max"]))
        try:
            self.route()
        finally:
            with lock:
                state["active"] -= 1

    def do_POST(self):
        self.note()
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path == "/hook" and log:
            with open(log + ".hook", "ab") as f:
                f.write(self.headers.get("Authorization", "").encode() +
                        b"\n" + body + b"\n")
            self.send(204)
        else:
            self.send(500, b"kapot")

    def site(self, scenario):
        if scenario == "good":
            data = [reflection(i) for i in range(1, 4)]
            return self.send(200, json.dumps(data).encode(),
                             "application/json")
        if scenario == "etag":
            if self.headers.get("If-None-Match") == ETAG:
                return self.send(304, b"", headers=[("ETag", ETAG)])
            data = [reflection(i) for i in range(1, 3)]
            return self.send(200, json.dumps(data).encode(),
                             "application/json",
                             [("ETag", ETAG), ("Last-Modified", LASTMOD)])
        if scenario == "lastmod":
            if self.headers.get("If-Modified-Since") == LASTMOD:
                return self.send(304, b"")
            data = [reflection(7)]
            return self.send(200, json.dumps(data).encode(),
                             "application/json",
                             [("Last-Modified", LASTMOD)])
        if scenario == "malformed":
            return self.send(200, b'[{"id": "2025-001", "title": ',
                             "application/json")
        if scenario == "hostile":
            data = [reflection(1, '<script>alert("x")</script>Vijandig'
                               '\u001b[31m'),
                    reflection(2, '<img src=x onerror=alert(1)>Beeld'),
                    {"id": "../../etc", "citation": "ECX:1:1",
                     "title": "pad"},
                    {"id": "2025-009", "citation": "ECX:2025:10",
                     "title": "klopt niet"},
                    reflection(1, "dubbel"),
                    "geen object",
                    reflection(3)]
            data[-1]["url"] = "javascript:alert(1)"
            return self.send(200, json.dumps(data).encode(),
                             "application/json")
        if scenario == "renumber":
            state["changed"] += 1
            if state["changed"] == 1:
                data = [reflection(1, "Vaste titel"), reflection(2)]
            else:
                data = [reflection(5, "Vaste titel"), reflection(2)]
            return self.send(200, json.dumps(data).encode(),
                             "application/json")
        if scenario == "huge":
            return self.huge()
        if scenario == "slow":
            time.sleep(5)
            return self.send(200, b"[]", "application/json")
        if scenario == "loop":
            return self.send(302, b"", headers=[("Location", self.path)])
        if scenario == "error":
            return self.send(500, b"kapot")
        if scenario == "notjson":
            return self.send(200, b"<html>geen data</html>")
        if scenario == "object":
            return self.send(200, b'{"id": "2025-001"}', "application/json")
        self.send(404, b"niet gevonden")

    def route(self):
        self.note()
        p = self.path
        if p == "/ok" or p.startswith("/ok/"):
            return self.send(200, b"<p>goed</p>")
        if p == "/slowish" or p.startswith("/slowish/"):
            time.sleep(0.3)
            return self.send(200, b"<p>traag maar goed</p>")
        if p == "/slow":
            time.sleep(5)
            return self.send(200, b"<p>te laat</p>")
        if p == "/missing":
            return self.send(404, b"niet gevonden")
        if p == "/gone":
            return self.send(410, b"weg")
        if p == "/error":
            return self.send(500, b"kapot")
        if p == "/nohead":
            if self.command == "HEAD":
                return self.send(405, b"", headers=[("Allow", "GET")])
            return self.send(200, b"<p>alleen GET</p>")
        if p == "/moved":
            return self.send(301, b"", headers=[("Location", "/ok")])
        if p == "/loop":
            return self.send(302, b"", headers=[("Location", "/loop")])
        if p == "/huge":
            return self.huge()
        if p.startswith("/site/") and p.endswith("/data/reflecties.json"):
            return self.site(p.split("/")[2])
        self.send(404, b"niet gevonden")

    def huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        chunk = b"[" + b" " * 65535
        try:
            for _ in range(640):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
