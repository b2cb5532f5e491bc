#!/bin/bash
# install.sh: `make install` gives a mores that works on its own, away from
# the source tree: it finds the value vocabulary and the advice templates
# it ships under PREFIX/share/mores, and `man mores` shows its manual.
. "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$MORES_BIN")" && pwd)
prefix=$tmp/prefix
bin=$prefix/bin/mores

# ---- make install PREFIX=... puts everything in its place ----------------
expect_ok make -s -C "$src" install PREFIX="$prefix"
e2e_count
[ -x "$bin" ] || die "make install did not install $bin"
e2e_count
[ -f "$prefix/share/mores/templates/values.yml" ] ||
	fail "the value vocabulary is not installed"
e2e_count
[ "$(ls "$prefix/share/mores/templates/advice/"*.md | wc -l)" -eq 5 ] ||
	fail "not 5 advice templates installed"
e2e_count
[ -f "$prefix/share/man/man1/mores.1" ] || fail "the manual page is not installed"

# The installed program, run from elsewhere, with nothing pointing it at
# the source tree.
installed() {
	$MORES_WRAP "$bin" "$@"
}
unset MORES_DATADIR
mkdir -p "$tmp/elders"
cd "$tmp/elders" || die "cannot enter $tmp/elders"
arch=$tmp/elders/commissie

# ---- the installed mores keeps an archive -------------------------------
expect_ok installed --version
expect_out '^mores [0-9]'
expect_ok installed init "$arch" --name "Ethische Commissie Test" --code ECT
expect_commits "$arch" 1
# a value from the shipped vocabulary
expect_write "$arch" installed -C "$arch" case new --kind asked \
	--title "Sensoren in het park" --requester "Afdeling Groen" \
	--question "Mogen de sensoren bezoekers tellen?" --value privacy
expect_out_is 2026-001
expect_refused 1 "$arch" installed -C "$arch" case new --kind unasked \
	--title X --value geluk
expect_err "'geluk'"
# the shipped templates
expect_write "$arch" installed -C "$arch" advice new 2026-001
e2e_count
grep -q '^# Reflectie: Sensoren in het park$' \
	"$arch/dossiers/2026/2026-001/advies.md" ||
	fail "advice new did not fill in the shipped template"
expect_write "$arch" installed -C "$arch" case set 2026-001 instruments=deda
expect_ok installed -C "$arch" template list
e2e_count
[ "$(wc -l <"$out")" -eq 5 ] ||
	fail "template list shows $(wc -l <"$out") templates, not 5"
for t in begeleidingsethiek deda moreel-beraad ongevraagd reflectie; do
	expect_out "^$t  *mores "
done
expect_ok installed -C "$arch" check
# the shipped site assets: styles, theme and the search script
expect_ok installed -C "$arch" site build --out "$tmp/site"
for f in nlds.css theme.css mores.css zoeken.js; do
	e2e_count
	[ -s "$tmp/site/assets/$f" ] || fail "the installed mores built no assets/$f"
done
expect_ok installed help case new
expect_out '^usage: mores case new'
fsck_clean "$arch"
expect_clean "$arch"

# ---- without its data files it says what is missing ---------------------
mv "$prefix/share/mores" "$prefix/share/mores.weg"
expect_refused 1 "$arch" installed -C "$arch" case new --kind unasked \
	--title X --value privacy
expect_err "values.yml"
mv "$prefix/share/mores.weg" "$prefix/share/mores"

# ---- the manual page renders -----------------------------------------
if command -v man >/dev/null 2>&1; then
	expect_ok env MANWIDTH=80 MANPAGER=cat man -l "$prefix/share/man/man1/mores.1"
	expect_out 'mores case new'
	expect_out 'EXIT STATUS'
	expect_no_err
else
	echo "$e2e_script: skipped the manual page (no man)"
fi
