# browser.sh: the public site in a real browser. Builds the site of the
# example archive, serves it with `mores site serve` on a free port of
# 127.0.0.1, and runs tests/browser/site.test.mjs (Debian's Chromium,
# headless, driven by playwright-core, with axe-core) against the preview
# server and against the folder on disk, both at once. Fails when any
# check of either fails, and at once, saying what to install, when
# node, Chromium or the npm packages are missing.
. "$(dirname "$0")/lib.sh"

browser=$(cd "$e2e_dir/../browser" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM=$chromium

e2e_count
command -v node >/dev/null ||
	die "node is not installed: the browser tests need it (run scripts/install-deps.sh)"
e2e_count
[ -x "$chromium" ] ||
	die "$chromium is not installed: the browser tests need Debian's chromium (run scripts/install-deps.sh)"
for pkg in playwright-core axe-core; do
	e2e_count
	[ -f "$browser/node_modules/$pkg/package.json" ] ||
		die "$browser/node_modules/$pkg is missing: run 'npm ci' in tests/browser (scripts/install-deps.sh does)"
done

# The site of the examples, as tests/e2e/site.sh and scripts/demo.sh
# build it.
arch=$tmp/arch
demo_archive "$arch"
expect_ok mores -C "$arch" site build || die "the site was not built"
expect_out "_site: 5 reflections"
site=$arch/_site

# The preview server on a free port; stopped however the script ends.
server=
stop_server() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null
		wait "$server" 2>/dev/null
		server=
	fi
}
trap 'rc=$?; stop_server; (exit $rc); e2e_finish' EXIT
port=$(free_port)
serve_site "$arch" "$port" "$tmp/serve.log"
server=$served

# Both bases at once, each in a browser of its own; the reports follow
# one after the other.
run_base() {
	node "$browser/site.test.mjs" --site "$site" "$1" >"$2" 2>&1
}
started=$(date +%s)
run_base "http://127.0.0.1:$port/" "$tmp/http.log" &
http_run=$!
run_base "file://$site/" "$tmp/file.log" &
file_run=$!
wait "$http_run"
http_rc=$?
wait "$file_run"
file_rc=$?
stop_server

for base in http file; do
	log=$tmp/$base.log
	rc=$http_rc
	[ "$base" = file ] && rc=$file_rc
	grep -v '^ok ' "$log" | sed "s/^/    /"
	e2e_count
	if [ "$rc" -ne 0 ] || ! grep -q '^browser: [1-9][0-9]* passed, 0 failed$' "$log"; then
		fail "the browser tests over $base failed (exit $rc)"
	fi
done
echo "    browser tests: $(($(date +%s) - started)) s"
