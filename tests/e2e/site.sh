# site.sh: `mores site build` and `site serve` on the demo archive: the
# pages exist, nothing confidential is in them, the feed and sitemap are
# valid, a second build changes nothing, the preview server answers on
# 127.0.0.1 only and says so when its port is taken.
. "$(dirname "$0")/lib.sh"

schemas=$(cd "$(dirname "$0")/../schemas" && pwd)
arch=$tmp/arch
demo_archive "$arch"

expect_ok mores -C "$arch" site build
expect_out "_site: 5 reflections"
site=$arch/_site
for page in index.html reflecties/index.html reflecties/2022-002/index.html \
	gevraagd/index.html ongevraagd/index.html waarden/privacy/index.html \
	instrumenten/deda/index.html jaar/2022/index.html \
	jaarverslag/2022/index.html zoeken/index.html \
	toegankelijkheid/index.html 404.html feed.xml sitemap.xml \
	data/reflecties.json assets/nlds.css assets/theme.css; do
	e2e_count
	[ -s "$site/$page" ] || fail "no $page"
done

# Nothing of the confidential dossier, the draft or internal text.
e2e_count
if grep -rIl -e Nachtegaal -e 2024-001 -e "<!-- intern" "$site"; then
	fail "confidential text in the site"
fi
e2e_count
[ ! -e "$site/reflecties/2025-001" ] || fail "the draft was published"

# The feed is Atom, the sitemap follows the protocol, the data is JSON.
expect_ok xmllint --noout --relaxng "$schemas/atom.rng" "$site/feed.xml"
expect_ok xmllint --noout --relaxng "$schemas/sitemap.rng" "$site/sitemap.xml"
expect_ok python3 -c 'import json, sys; d = json.load(open(sys.argv[1]));
assert len(d) == 5 and all("url" in r and "rapporteur" not in r for r in d)' \
	"$site/data/reflecties.json"
expect_ok xmllint --noout --html "$site/reflecties/2022-002/index.html"

# A second build of the same commit writes nothing.
expect_ok mores -C "$arch" site build
expect_out "0 files written"
# --out puts it elsewhere, byte for byte the same.
expect_ok mores -C "$arch" site build --out "$tmp/elders"
expect_ok diff -r -x .mores-build "$site" "$tmp/elders"
expect_refused 2 "$arch" mores -C "$arch" site build --nu
expect_clean "$arch"

# The preview server: 127.0.0.1 only, real content types.
port=$(free_port)
serve_site "$arch" "$port" "$tmp/serve.log"
server=$served
expect_ok curl -sS -o "$tmp/page.html" -w '%{http_code} %{content_type}' \
	"http://127.0.0.1:$port/reflecties/2022-002/"
expect_out "^200 text/html"
expect_ok curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nergens/"
expect_out "^404"
expect_ok curl -sS -o /dev/null -w '%{http_code}' --path-as-is \
	"http://127.0.0.1:$port/../../mores.yml"
expect_no_out "^200"
# a second server on the same port says which port is taken
expect_refused 1 "$arch" mores -C "$arch" site serve --port "$port"
expect_err "port $port"
kill "$server"
wait "$server" 2>/dev/null
e2e_count
ss -ltn 2>/dev/null | grep -q ":$port " && fail "the server did not stop"
fsck_clean "$arch"
