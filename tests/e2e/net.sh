# net.sh: the commands that reach the network, against real servers on
# 127.0.0.1 only: a misbehaving HTTP server (tests/net/httpd.py), an
# SMTP server that records what it receives (tests/net/smtpd.py, with
# Debian's python3-aiosmtpd), and another committee's site served by
# `mores site serve`. Link checks, notify digests by e-mail and webhook,
# harvesting, and every bad network and bad peer the issue names.
# Addresses outside 127.0.0.1 appear only as names that cannot resolve
# (host.invalid).
. "$(dirname "$0")/lib.sh"

netdir=$e2e_dir/../net
smtp_python=/usr/bin/python3
MORES_NET_TIMEOUT=1.5
export MORES_NET_TIMEOUT
unset MORES_SMTP_PASSWORD MORES_WEBHOOK_TOKEN MORES_WEBHOOK_URL MORES_CA_FILE \
	MORES_NET_PARALLEL MORES_NET_PER_HOST

pids=""
net_stop() {
	local p

	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=""
}
trap 'rc=$?; net_stop; (exit $rc); e2e_finish' EXIT

# wait_file FILE: waits up to 10 s for a server to write its port.
wait_file() {
	for _ in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	die "no port in $1"
}

python3 "$netdir/httpd.py" "$tmp/http.port" "$tmp/http.log" \
	2>"$tmp/http.err" &
pids="$pids $!"
$smtp_python "$netdir/smtpd.py" "$tmp/smtp.port" "$tmp/mail" \
	2>"$tmp/smtp.err" &
pids="$pids $!"
wait_file "$tmp/http.port"
wait_file "$tmp/smtp.port"
H=http://127.0.0.1:$(cat "$tmp/http.port")
S=$(cat "$tmp/smtp.port")
: >"$tmp/http.log"

arch=$tmp/arch
expect_ok mores init "$arch" --name "Ethische Commissie Toets" --code ECT ||
	die "init failed"
cd "$arch" || die "no archive"

# settings: mores.yml plus what follows, committed as another writer would
settings() {
	{
		printf 'name: Ethische Commissie Toets\ncode: ECT\n'
		printf 'site:\n  title: Toets\n  base_url: https://toets.example.org/\n'
		cat
	} >"$arch/mores.yml"
	git -C "$arch" -c user.name=Beheer -c user.email=beheer@example.org \
		commit -qm "Instellingen" mores.yml || die "cannot commit mores.yml"
}

# ---- links check -----------------------------------------------------------
pub=$(mores case new --kind unasked --title "Slimme lantaarnpalen") ||
	die "case new failed"
cat >"$tmp/advies.md" <<EOF
---
summary: "Lantaarnpalen met sensoren vragen om terughoudendheid."
---
# Advies

Zie [de bron]($H/ok) en het rapport op $H/missing.
Verhuisd: <$H/moved>; alleen GET: ($H/nohead).
Een lus: $H/loop
Traag: $H/slow
Onbekend: https://host.invalid/pagina
Dicht: http://127.0.0.1:1/niets
Weg: $H/gone.

<!-- intern -->
Alleen intern: $H/error
<!-- /intern -->
EOF
for i in 1 2 3 4 5 6; do echo "Bron $i: $H/slowish/$i" >>"$tmp/advies.md"; done
expect_ok mores advice put "$pub" "$tmp/advies.md"
for status in intake deliberation draft adopted published; do
	expect_ok mores case move "$pub" "$status"
done
draft=$(mores case new --kind unasked --title "Nog geheim") || die "case new"
printf 'Concept met %s/error en %s/ok.\n' "$H" "$H" >"$tmp/concept.md"
expect_ok mores advice put "$draft" "$tmp/concept.md"
padv=dossiers/2026/$pub/advies.md
dadv=dossiers/2026/$draft/advies.md
# line PATH TEXT: the line of the committed file that holds TEXT
line() {
	git -C "$arch" show "HEAD:$1" | grep -n -F -e "$2" | head -1 | cut -d: -f1
}

: >"$tmp/http.log"
expect_exit 1 mores links check
expect_out "^$padv:$(line "$padv" /missing): broken: $H/missing (HTTP 404)"
expect_out "^$padv:$(line "$padv" /moved): redirected: $H/moved -> $H/ok"
expect_out "^$padv:$(line "$padv" /loop): broken: $H/loop (redirect loop"
expect_out "^$padv:$(line "$padv" /slow): unreachable: $H/slow (.*timeout)"
expect_out "^$padv:$(line "$padv" host.invalid): unreachable: https://host.invalid/pagina (host not found (DNS)"
expect_out "^$padv:$(line "$padv" 127.0.0.1:1/): unreachable: http://127.0.0.1:1/niets (cannot connect"
expect_out "^$padv:$(line "$padv" /gone): broken: $H/gone (HTTP 410)"
expect_out "^$padv:$(line "$padv" /error): broken: $H/error (HTTP 500)"
expect_out "^$dadv:[0-9]*: broken: $H/error"
expect_no_out "/ok\b.*broken"
expect_no_out "nohead"
expect_out "^18 links (16 addresses: 16 checked, 0 from the cache): 9 ok, 1 redirected, 5 broken, 3 unreachable$"
# HEAD first with mores's own User-Agent; GET where HEAD is refused
e2e_count
grep -q "^HEAD /ok mores/[0-9]" "$tmp/http.log" || fail "no HEAD with User-Agent mores/VERSION"
e2e_count
grep -q "^GET /nohead mores/" "$tmp/http.log" || fail "no GET after a refused HEAD"
# six slow links on one host: in parallel, never more than two at once
e2e_count
[ "$(cat "$tmp/http.log.max")" = 2 ] ||
	fail "at most 2 requests at once to one host, and 2 in parallel; saw $(cat "$tmp/http.log.max")"

# --json: file, line and state for each link
expect_exit 1 mores links check --json
expect_json 'len(j) == 18 and all(k in r for r in j for k in ("file", "line", "url", "state", "http", "final_url", "checked", "cached"))'
expect_json '[r["line"] for r in j if r["url"].endswith("/missing")] == ['"$(line "$padv" /missing)"']'
expect_json 'all(r["cached"] for r in j)'
expect_json '[r["final_url"] for r in j if r["state"] == "redirected"] == ["'"$H"'/ok"]'

# a second run asks the network nothing: every result is fresh
: >"$tmp/http.log"
expect_exit 1 mores links check
expect_out "16 addresses: 0 checked, 16 from the cache"
e2e_count
[ ! -s "$tmp/http.log" ] || fail "a fresh cache still asked the server: $(head -3 "$tmp/http.log")"
# a week later the results are stale and checked again
expect_exit 1 env MORES_TODAY=2026-12-01 "$MORES_BIN" links check
expect_out "16 addresses: 16 checked, 0 from the cache"
# the day after, bad results are stale, good ones still fresh
expect_exit 1 env MORES_TODAY=2026-12-02 "$MORES_BIN" links check
expect_out "16 addresses: 7 checked, 9 from the cache"

# --public: only published reflections, without internal passages
expect_exit 1 mores links check --public --json
expect_json 'all(r["file"] == "'"$padv"'" for r in j)'
expect_json 'not any(r["url"].endswith("/error") for r in j)'
expect_json 'len(j) == 15'
expect_clean "$arch"
expect_exit 2 mores links check --nergens
expect_usage_err

# ---- settings: one clear line naming the field --------------------------
bad_setting() {
	local want=$1 cmd=$2

	settings
	expect_refused 1 "$arch" mores "$cmd"
	expect_err "^mores: mores.yml: $want"
}
settings <<EOF
notify:
  smtp:
    url: ftp://127.0.0.1:$S
    from: secretariaat@example.org
    to: leden@example.org
EOF
expect_refused 1 "$arch" mores notify
expect_err "^mores: mores.yml: notify.smtp.url: 'ftp://127.0.0.1:$S' is not an smtp:// or smtps:// address"
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat@example.org
    to: leden@example.org
    user: secretariaat
    password: geheim
EOF
expect_refused 1 "$arch" mores notify
expect_err "^mores: mores.yml: notify.smtp.password: secrets do not belong in the archive; set \$MORES_SMTP_PASSWORD"
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat
    to: [leden@example.org]
EOF
expect_refused 1 "$arch" mores notify --dry-run
expect_err "^mores: mores.yml: notify.smtp.from: 'secretariaat' is not an e-mail address"
settings <<EOF
notify:
  webhook:
    url: javascript:alert(1)
EOF
expect_refused 1 "$arch" mores notify
expect_err "^mores: mores.yml: notify.webhook.url: "
settings <<EOF
harvest:
  - name: Ergens
    url: file:///etc/passwd
EOF
expect_refused 1 "$arch" mores harvest
expect_err "^mores: mores.yml: harvest\[1\].url: 'file:///etc/passwd' is not an http(s) address"
settings <<EOF
harvest:
  name: Ergens
EOF
expect_refused 1 "$arch" mores harvest
expect_err "^mores: mores.yml: harvest: must be a list"
# mores check reports the same
expect_exit 1 mores check
expect_out "^mores.yml: harvest: must be a list"
settings </dev/null
expect_refused 1 "$arch" mores notify
expect_err "^mores: mores.yml: notify: missing"

# ---- notify -----------------------------------------------------------------
expect_ok mores case set "$draft" deadline=2026-11-30
settings <<EOF
notify:
  within: 14
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat@example.org
    to: [leden@example.org, voorzitter@example.org]
  webhook:
    url: $H/hook
EOF
# the first run announces what was adopted within the window
expect_ok mores notify --dry-run
expect_out "^--- e-mail via smtp://127.0.0.1:$S ---"
expect_out "^Subject: \[ECT\] 1 punt op termijn, 1 nieuwe reflectie"
expect_out "2026-11-30  deadline  $draft  Nog geheim (over 7 dagen)"
expect_out "ECT:2026:1  Slimme lantaarnpalen"
expect_out "^--- webhook POST to $H/hook ---"
e2e_count
[ ! -e "$tmp/mail/1.eml" ] && [ ! -e "$tmp/http.log.hook" ] ||
	fail "--dry-run sent something"
expect_ok env MORES_WEBHOOK_TOKEN=t0ken "$MORES_BIN" notify
expect_out "^smtp://127.0.0.1:$S: sent 1 due, 1 published"
expect_out "^$H/hook: sent 1 due, 1 published"
e2e_count
grep -q "^Subject: \[ECT\] 1 punt op termijn, 1 nieuwe reflectie" "$tmp/mail/1.eml" &&
	grep -q "Nog geheim" "$tmp/mail/1.eml" &&
	grep -q "https://toets.example.org/reflecties/$pub/" "$tmp/mail/1.eml" ||
	fail "the e-mail lacks the digest"
e2e_count
[ "$(grep -c '^to ' "$tmp/mail/1.env")" = 2 ] || fail "not sent to both recipients"
e2e_count
python3 - "$tmp/http.log.hook" <<'EOF' || fail "the webhook did not get the digest as JSON"
import json, sys
lines = open(sys.argv[1]).read().split("\n", 1)
assert lines[0] == "Bearer t0ken", lines[0]
j = json.loads(lines[1])
assert j["code"] == "ECT" and j["due"][0]["title"] == "Nog geheim"
assert j["published"][0]["citation"] == "ECT:2026:1"
EOF
# sent once: a second run repeats nothing
expect_ok mores notify
expect_out_is "Nothing new to send."
e2e_count
[ ! -e "$tmp/mail/2.eml" ] || fail "a second run sent the digest again"
# something new is sent, and only that
expect_ok mores case set "$draft" follow_up=2026-11-28
expect_ok mores notify
e2e_count
grep -q "vervolg   $draft" "$tmp/mail/2.eml" && ! grep -q "deadline" "$tmp/mail/2.eml" ||
	fail "the second digest is not just the new item"
# two runs at once (two cron jobs) still send a new item once
expect_ok mores case set "$draft" follow_up=2026-11-26
mores notify >"$tmp/n1.out" 2>&1 &
n1=$!
mores notify >"$tmp/n2.out" 2>&1
wait "$n1"
e2e_count
[ -e "$tmp/mail/3.eml" ] && [ ! -e "$tmp/mail/4.eml" ] ||
	fail "two notify runs at once did not send exactly one message"
# a failing channel is told, the other still sends, and it catches up
expect_ok mores case set "$draft" deadline=2026-11-29
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat@example.org
    to: leden@example.org
  webhook:
    url: $H/hook-fail
EOF
expect_exit 1 mores notify
expect_err "^mores notify: $H/hook-fail: the webhook answered HTTP 500"
expect_out "^smtp://127.0.0.1:$S: sent 1 due"
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat@example.org
    to: leden@example.org
  webhook:
    url: $H/hook
EOF
expect_ok mores notify
expect_out "^$H/hook: sent 1 due, 0 published"
expect_no_out "^smtp"
# SMTP servers that cannot be reached or will not do what was asked
expect_ok mores case set "$draft" deadline=2026-11-27
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:1
    from: secretariaat@example.org
    to: leden@example.org
EOF
expect_exit 1 mores notify
expect_err "^mores notify: smtp://127.0.0.1:1: cannot connect"
settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$S
    from: secretariaat@example.org
    to: leden@example.org
    starttls: true
EOF
expect_exit 1 mores notify
expect_err "^mores notify: smtp://127.0.0.1:$S: TLS error"
settings <<EOF
notify:
  smtp:
    url: smtps://host.invalid
    from: secretariaat@example.org
    to: leden@example.org
EOF
expect_exit 1 mores notify
expect_err "^mores notify: smtps://host.invalid: host not found (DNS)"

# STARTTLS and login, with a certificate made for 127.0.0.1
if command -v openssl >/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
		-out "$tmp/cert.pem" -days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null; then
	$smtp_python "$netdir/smtpd.py" "$tmp/tls.port" "$tmp/tlsmail" \
		--starttls "$tmp/cert.pem" "$tmp/key.pem" \
		--login secretariaat geheim 2>"$tmp/tls.err" &
	pids="$pids $!"
	wait_file "$tmp/tls.port"
	T=$(cat "$tmp/tls.port")
	settings <<EOF
notify:
  smtp:
    url: smtp://127.0.0.1:$T
    from: secretariaat@example.org
    to: leden@example.org
    user: secretariaat
    starttls: true
EOF
	expect_exit 1 mores notify
	expect_err "MORES_SMTP_PASSWORD is not"
	expect_exit 1 env MORES_SMTP_PASSWORD=geheim "$MORES_BIN" notify
	expect_err "TLS error: .*certificate"
	expect_exit 1 env MORES_CA_FILE="$tmp/cert.pem" \
		MORES_SMTP_PASSWORD=fout "$MORES_BIN" notify
	expect_err "login refused"
	expect_ok env MORES_CA_FILE="$tmp/cert.pem" \
		MORES_SMTP_PASSWORD=geheim "$MORES_BIN" notify
	expect_out "sent 1 due"
	e2e_count
	grep -q "^auth secretariaat" "$tmp/tlsmail/1.env" || fail "no login over STARTTLS"
	# smtps://: TLS from the first byte
	$smtp_python "$netdir/smtpd.py" "$tmp/smtps.port" "$tmp/smtpsmail" \
		--smtps "$tmp/cert.pem" "$tmp/key.pem" \
		--login secretariaat geheim 2>"$tmp/smtps.err" &
	pids="$pids $!"
	wait_file "$tmp/smtps.port"
	expect_ok mores case set "$draft" deadline=2026-11-25
	settings <<EOF
notify:
  smtp:
    url: smtps://127.0.0.1:$(cat "$tmp/smtps.port")
    from: secretariaat@example.org
    to: leden@example.org
    user: secretariaat
EOF
	expect_ok env MORES_CA_FILE="$tmp/cert.pem" \
		MORES_SMTP_PASSWORD=geheim "$MORES_BIN" notify
	expect_out "sent 1 due"
	e2e_count
	grep -q "^auth secretariaat" "$tmp/smtpsmail/1.env" || fail "no login over smtps"
	e2e_count
	! grep -rq "geheim" "$arch/.mores" "$arch/mores.yml" || fail "the password was written down"
fi
expect_clean "$arch"

# ---- harvest -------------------------------------------------------------------
# another committee: the demo archive, its site served by mores itself
peer=$tmp/peer
demo_archive "$peer"
pport=$(free_port)
serve_site "$peer" "$pport" "$tmp/serve.log"
peer_pid=$served
pids="$pids $peer_pid"
P=http://127.0.0.1:$pport

settings <<EOF
harvest:
  - name: Ethische Commissie Voorbeeld
    url: $P/
  - name: Commissie Etag
    url: $H/site/etag
  - name: Commissie Vijandig
    url: $H/site/hostile/
  - name: Commissie Hernummerd
    url: $H/site/renumber/
  - name: Kapotte JSON
    url: $H/site/malformed/
  - name: Geen lijst
    url: $H/site/object/
  - name: Reusachtig
    url: $H/site/huge/
  - name: Traag
    url: $H/site/slow/
  - name: Lus
    url: $H/site/loop/
  - name: Foutmelding
    url: $H/site/error/
  - name: Verdwenen
    url: $H/site/nergens/
  - name: Onbekend
    url: https://host.invalid/commissie/
  - name: Geen TLS
    url: https://127.0.0.1:$(cat "$tmp/http.port")/site/good/
EOF
: >"$tmp/http.log"
expect_exit 1 mores harvest
expect_out "^$P/: 5 reflections (5 new, 0 withdrawn)"
expect_out "^$H/site/etag/: 2 reflections"
expect_out "^$H/site/hostile/: 3 reflections (3 new, 0 withdrawn); 4 left out"
expect_err "^mores harvest: $H/site/malformed/: data/reflecties.json is not valid JSON (line 1: .*); nothing harvested from it yet$"
expect_err "^mores harvest: $H/site/object/: data/reflecties.json is not a list of reflections"
expect_err "^mores harvest: $H/site/huge/: the answer is larger than 16 MB; not read"
expect_err "^mores harvest: $H/site/slow/: no complete answer within 1.5 s (timeout)"
expect_err "^mores harvest: $H/site/loop/: redirect loop"
expect_err "^mores harvest: $H/site/error/: HTTP 500 for $H/site/error/data/reflecties.json"
expect_err "^mores harvest: $H/site/nergens/: HTTP 404"
expect_err "^mores harvest: https://host.invalid/commissie/: host not found (DNS)"
expect_err "^mores harvest: https://127.0.0.1:[0-9]*/site/good/: TLS error"
e2e_count
[ "$(wc -l <"$err")" -eq 9 ] || fail "not one line per failing site"

# searchable, marked with the committee, linking to the page at the source
expect_ok mores search camera --harvested --json
expect_json 'any(r.get("harvested") and r["committee"] == "Ethische Commissie Voorbeeld" and r["url"] == "'"$P"'/reflecties/2022-002/" and r["citation"] == "ECV:2022:2" for r in j)'
expect_ok mores search camera --harvested
expect_out "\[Ethische Commissie Voorbeeld\]"
expect_out "^    $P/reflecties/2022-002/"
expect_ok curl -sS -o /dev/null -w '%{http_code}' "$P/reflecties/2022-002/"
expect_out "^200"
# without --harvested, only the committee's own
expect_ok mores search camera --json
expect_json 'not any(r.get("harvested") for r in j)'
# only what the other committee published: not its confidential dossier
expect_ok mores search Nachtegaal --harvested --json
expect_json 'j == []'
e2e_count
! grep -rq "rapporteur\|Nachtegaal" "$arch/.mores/harvest" || fail "unpublished fields or dossiers were harvested"

# hostile titles stay text: no markup on the site, no escapes on a terminal
expect_ok mores search Vijandig --harvested
e2e_count
! grep -q "$(printf '\033')" "$out" || fail "a control character reached the terminal"
expect_ok mores site build
site=$arch/_site
e2e_count
grep -q "&lt;script&gt;alert" "$site/reflecties/ECX-2025-001-2/index.html" 2>/dev/null ||
	grep -rlq "&lt;script&gt;alert" "$site/reflecties/" || fail "the hostile title is not escaped on its page"
e2e_count
! grep -rq "<script>alert\|<img src=x" "$site" || fail "hostile markup reached the site"
e2e_count
! grep -rq "javascript:" "$site/reflecties" || fail "a peer's own url was used"
# the site's search holds the harvested reflections, with their pages
e2e_count
python3 - "$site" "$P" <<'EOF' || fail "the site's search lacks the harvested reflections"
import json, os, re, sys
site, peer = sys.argv[1], sys.argv[2]
index = json.loads(re.search(r"moresIndex\((.*)\);", open(site + "/zoeken/index.js").read()).group(1))
docs = json.loads(re.search(r"moresDocs\(0,(.*)\);", open(site + "/zoeken/d/0.js").read(), re.S).group(1))
assert index["count"] == len(docs) == 1 + 5 + 2 + 3 + 2, (index["count"], len(docs))
keys = [d[0] for d in docs if d[0].startswith("ECV-")]
assert "ECV-2022-002" in keys, keys
page = open(site + "/reflecties/ECV-2022-002/index.html").read()
assert peer + "/reflecties/2022-002/" in page and "Ethische Commissie Voorbeeld" in page
assert any("(Ethische Commissie Voorbeeld)" in d[1] for d in docs)
shards = "".join(open(os.path.join(site, "zoeken/t", f)).read() for f in os.listdir(site + "/zoeken/t"))
n = docs.index(next(d for d in docs if d[0] == "ECV-2022-002"))
assert '"camera' in shards
EOF

# the committee's own open data stays its own
expect_ok python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [r["citation"] for r in d] == ["ECT:2026:1"], d' "$site/data/reflecties.json"

# conditional requests: the validators go back, 304 keeps the harvest
: >"$tmp/http.log"
expect_exit 1 mores harvest
expect_out "^$H/site/etag/: not modified; 2 reflections"
e2e_count
grep -q "^GET /site/etag/data/reflecties.json mores/[^|]*|\"v1-reflecties\"|Mon, 02 Nov 2026" "$tmp/http.log" ||
	fail "no If-None-Match and If-Modified-Since sent"
# a peer that changes ids: told, and only the current ones kept
expect_out "^$H/site/renumber/: 2 reflections (1 new, 1 withdrawn; id 2025-001 is now 2025-005)"
# a peer that goes away keeps what was harvested
kill "$peer_pid"
wait "$peer_pid" 2>/dev/null
expect_exit 1 mores harvest
expect_err "^mores harvest: $P/: cannot connect.*; kept the 5 reflections harvested on 2026-11-23"
expect_ok mores search camera --harvested --json
expect_json 'any(r.get("committee") == "Ethische Commissie Voorbeeld" for r in j)'
# a site taken off the list is dropped
settings <<EOF
harvest:
  - name: Commissie Etag
    url: $H/site/etag/
EOF
expect_ok mores harvest
expect_ok mores search camera --harvested --json
expect_json 'not any(r.get("harvested") for r in j)'
expect_ok mores search lantaarnpalen --harvested --json
expect_json '{r["committee"] for r in j if r.get("harvested")} == {"Commissie Etag"}'
expect_exit 2 mores harvest extra
expect_usage_err

# libcurl and libmicrohttpd are loaded only by the commands that use them;
# a local command starts without them (the dynamic loader says what it
# opens). Under a wrapper the loader's report would be the wrapper's too.
if [ -z "${MORES_WRAP:-}" ]; then
	expect_ok env LD_DEBUG=files "$MORES_BIN" case list
	e2e_count
	! grep -q "file=lib\(curl\|microhttpd\|gnutls\|ssl\)" "$err" ||
		fail "mores case list loaded a network library"
	expect_exit 1 env LD_DEBUG=files "$MORES_BIN" links check
	expect_err "file=libcurl\.so\.4 .*dynamically loaded"
	# a library by that name that is not the right one (the loader passes
	# over files that are no library at all): one line naming it and the
	# package, nothing written
	mkdir -p "$tmp/badlib"
	other=$(PATH=$PATH:/sbin ldconfig -p | awk '$1 == "libz.so.1" { print $NF; exit }')
	cp "$other" "$tmp/badlib/libcurl.so.4"
	cp "$other" "$tmp/badlib/libmicrohttpd.so.12"
	expect_exit 1 env LD_LIBRARY_PATH="$tmp/badlib" MORES_TODAY=2027-02-01 \
		"$MORES_BIN" links check
	expect_one_line_err
	expect_err "^mores: libcurl\.so\.4 has no function curl_global_init; install the Debian package libcurl4$"
	expect_exit 1 env LD_LIBRARY_PATH="$tmp/badlib" "$MORES_BIN" site serve --port "$(free_port)" --out "$tmp/nosite"
	expect_one_line_err
	expect_err "^mores: libmicrohttpd\.so\.12 has no function MHD_start_daemon_va; install the Debian package libmicrohttpd12$"
	e2e_count
	[ ! -e "$tmp/nosite" ] || fail "site serve built a site it could not serve"
fi
expect_clean "$arch"
fsck_clean "$arch"
