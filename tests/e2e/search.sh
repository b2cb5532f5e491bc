# search.sh: precedent search from the command line: Dutch word forms,
# filters, the query language and its errors, --json, the public view,
# similar dossiers and the citations in `case show`, on the demo archive.
. "$(dirname "$0")/lib.sh"

arch=$tmp/arch
demo_archive "$arch"
cd "$arch" || die "no archive"

# The index is built on first use; `mores index` says what it did.
expect_ok mores index --rebuild
expect_out "^rebuilt: 10 dossiers indexed"
expect_ok mores index
expect_out "^updated: 0 dossiers indexed"

# Dutch word forms and compounds find the dossier people mean.
expect_ok mores search camera --json
expect_json '"2022-002" in [r["id"] for r in j]'
expect_json 'all(k in j[0] for k in ("id", "title", "kind", "score", "snippet"))'
expect_ok mores search sensor --json
expect_json '"2021-001" in [r["id"] for r in j[:3]]'
expect_ok mores search satelliet --json
expect_json 'j[0]["id"] == "2021-002"'
expect_ok mores search register --json
expect_json 'j[0]["id"] == "2023-001"'

# On a terminal each result is two lines: the dossier, and its snippet on
# one indented line, however the text around the match was broken.
expect_ok mores search camera
e2e_count
awk 'NR % 2 == 1 && !/^20[0-9][0-9]-[0-9][0-9][0-9]  / ||
	NR % 2 == 0 && !/^    [^ ]/' "$out" | grep -q . &&
	fail "results are not two lines each: $(head -6 "$out")"

# The table of the word list is kept beside the index for the next run;
# a damaged one is made again, and compounds split as before.
e2e_count
[ "$(wc -c <.mores/lexicon.bin)" -gt 1000000 ] ||
	fail "no table of the word list beside the index"
for damage in truncated garbage; do
	case $damage in
	truncated) truncate -s 100 .mores/lexicon.bin ;;
	garbage) head -c 65536 /dev/urandom >.mores/lexicon.bin ;;
	esac
	expect_ok mores index --rebuild
	expect_ok mores search register --json
	expect_json 'j[0]["id"] == "2023-001"'
	expect_ok mores search satelliet --json
	expect_json 'j[0]["id"] == "2021-002"'
	e2e_count
	[ "$(wc -c <.mores/lexicon.bin)" -gt 1000000 ] ||
		fail "$damage table of the word list not made again"
done
expect_ok mores search drones --status adopted --json
expect_json 'j[0]["id"] == "2026-001"'
expect_ok mores search drones --json
expect_json '{"2023-002", "2026-001"} == {r["id"] for r in j[:2]}'

# Filters narrow; words can be left out; phrases and OR work.
expect_ok mores search camera --kind unasked --json
expect_json 'all(r["kind"] == "unasked" for r in j) and len(j) > 0'
expect_ok mores search camera --year 2022 --json
expect_json 'all(r["year"] == 2022 for r in j)'
expect_ok mores search drones OR satelliet --json
expect_json '{"2021-002", "2026-001"} <= {r["id"] for r in j}'
expect_ok mores search camera -politie --json
expect_json '"2024-001" not in [r["id"] for r in j]'
expect_ok mores search '"openbare ruimte"' --limit 2 --json
expect_json 'len(j) <= 2'

# Nothing found is a friendly line, not an error.
expect_ok mores search olifantenpaadje
expect_out "^No dossiers match"

# What FTS5 would reject is told in one line, exit 1.
for q in '"camera' 'camera -' 'NEAR(camera drone)' '(camera)' 'camera*' \
	'OR camera' '-camera'; do
	expect_refused 1 "$arch" mores search "$q"
	expect_err "^mores: search: "
done
expect_refused 1 "$arch" mores search camera --kind gevraagd
expect_refused 1 "$arch" mores search camera --value geluk
expect_refused 2 "$arch" mores search
expect_refused 2 "$arch" mores search camera --nergens
# -- ends the options: what follows is all query
expect_ok mores search -- zeppelinhaven
expect_out "^No dossiers match 'zeppelinhaven'"
expect_refused 1 "$arch" mores search camera --limit nul

# Public search: the confidential dossier and internal passages stay out.
expect_ok mores search Nachtegaal --json
expect_json 'j[0]["id"] == "2024-001"'
expect_ok mores search Nachtegaal --public --json
expect_json 'j == []'
expect_ok mores search gezichtsherkenning --public --json
expect_json '"2024-001" not in [r["id"] for r in j]'

# Search never lags the archive: a new case is found at once.
expect_ok mores case new --kind unasked --title "Zeppelins boven de polder"
expect_ok mores search zeppelin --json
expect_json 'len(j) == 1'

# Similar dossiers say why; case show lists what cites a dossier.
expect_ok mores similar 2022-002 --json
expect_json 'len(j) > 0 and all(r["why"] for r in j)'
expect_ok mores similar 2022-002
expect_out "values: "
expect_refused 1 "$arch" mores similar 2099-001
expect_ok mores case show 2021-001 --json
expect_json 'len(j["cited_by"]) > 0'

# A damaged index is rebuilt, not fatal.
printf 'kapot' >"$arch/.mores/index.sqlite"
expect_ok mores search camera --json
expect_json '"2022-002" in [r["id"] for r in j]'

# Commands that find no index at the same moment (a search and a site
# build started together): one makes it, the others wait for it, none
# fails and all find the same.
for round in 1 2 3; do
	rm -rf "$arch/.mores"
	for i in 1 2 3 4 5 6; do
		(cd "$arch" && $MORES_WRAP "$MORES_BIN" search camera --json \
			>"$tmp/par$i.out" 2>"$tmp/par$i.err"; echo $? >"$tmp/par$i.rc") &
	done
	wait
	for i in 1 2 3 4 5 6; do
		e2e_count
		[ "$(cat "$tmp/par$i.rc")" = 0 ] && [ ! -s "$tmp/par$i.err" ] ||
			fail "round $round, search $i: exit $(cat "$tmp/par$i.rc"): $(head -2 "$tmp/par$i.err")"
		e2e_count
		cmp -s "$tmp/par1.out" "$tmp/par$i.out" ||
			fail "round $round, search $i found other results than search 1"
	done
done
expect_ok mores search camera --json
expect_json '"2022-002" in [r["id"] for r in j]'
expect_clean "$arch"
fsck_clean "$arch"
