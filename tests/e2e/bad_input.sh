#!/bin/bash
# bad_input.sh: what a user gets for a mistake. Every bad input is refused
# with exit 1 (2 for bad usage) and ONE line on stderr that names the file,
# field or value at fault, and writes nothing: no commit, and the working
# tree as clean as before. `mores check` reports every problem of an
# archive edited by hand, one line each.
. "$(dirname "$0")/lib.sh"

arch=$tmp/commissie
expect_ok mores init "$arch" --name "Ethische Commissie Test" --code ECT
cd "$arch" || die "cannot enter $arch"
expect_write . mores case new --kind unasked --title "Drones boven de stad"
expect_out_is 2026-001

# refused N CMD...: CMD is refused with exit N, one line on stderr,
# nothing written.
refused() {
	expect_refused "$@"
}

# ---- case new: dates, values, kinds and what an asked case needs --------
refused 1 . mores case new --kind unasked --title X --received 2025-02-30
expect_err "^mores: --received: '2025-02-30' is not a real date"
refused 1 . mores case new --kind unasked --title X --deadline 2025-02-30
expect_err "^mores: --deadline: '2025-02-30'"
refused 1 . mores case new --kind unasked --title X --received 26-11-2026
expect_err "'26-11-2026'"
refused 1 . mores case new --kind unasked --title X --value geluk
expect_err "values: 'geluk' is not a value"
refused 1 . mores case new --kind sometimes --title X
expect_err "^mores: --kind: 'sometimes'"
refused 1 . mores case new --kind asked --title X --question "Mag dit?"
expect_err "^mores: --requester: missing"
refused 1 . mores case new --kind asked --title X --requester Wonen
expect_err "^mores: --question: missing"
refused 2 . mores case new --kind unasked
expect_err "^mores case new: --title is required"
refused 2 . mores case new --title X
expect_err "^mores case new: --kind is required"
refused 2 . mores case new --kind unasked --title X --colour red
expect_err "'--colour'"
refused 2 . mores case new --kind unasked --title X extra
expect_err "'extra'"

# ---- case set: unknown keys, the id, the status, bad values ---------------
refused 1 . mores case set 2026-001 kleur=rood
expect_err "dossier.md: kleur: unknown field"
refused 1 . mores case set 2026-001 id=
expect_err "^mores: id: cannot be changed"
refused 1 . mores case set 2026-001 id=2026-002
expect_err "^mores: id:"
refused 1 . mores case set 2026-001 status=published
expect_err "^mores: status: use 'mores case move"
refused 1 . mores case set 2026-001 deadline=2026-13-01
expect_err "deadline: '2026-13-01'"
refused 1 . mores case set 2026-001 values=privacy,geluk
expect_err "values: 'geluk'"
refused 1 . mores case set 2026-001 instruments=tarot
expect_err "instruments: 'tarot' is not an instrument"
refused 1 . mores case set 2026-001 related=2026-077
expect_err "related: '2026-077'"
refused 1 . mores case set 2026-001 visibility=geheim
expect_err "visibility: 'geheim'"
refused 1 . mores case set 2026-001 kind=asked
expect_err "requester"
refused 1 . mores case set 2026-001 title=
expect_err "title"
refused 1 . mores case set 2026-001 zonder-is-teken
expect_err "'zonder-is-teken'"
refused 2 . mores case set 2026-001

# ---- case move: unknown statuses and impossible moves -----------------------
refused 1 . mores case move 2026-001 archived
expect_err "'archived' is not a status"
refused 1 . mores case move 2026-001 published
expect_err "cannot move from registered to published"
refused 2 . mores case move 2026-001
refused 2 . mores case move 2026-001 intake --reason
expect_err "option '--reason' needs a value"

# ---- dossier ids: ones that do not exist and ones that are not ids --------
for cmd in "case show" "case log" "advice new" "case triage --phase start"; do
	# shellcheck disable=SC2086
	refused 1 . mores $cmd 2026-099
	expect_err "2026-099: no such dossier"
done
refused 1 . mores case set 2026-099 title=Nieuw
expect_err "2026-099: no such dossier"
refused 1 . mores case move 2026-099 intake
expect_err "2026-099"
for id in ../etc ../../etc/passwd 2026-1 2026-0001x "2026-001/../2026-002" ""; do
	refused 1 . mores case show "$id"
	expect_err "'$id' is not a dossier id"
	refused 1 . mores case set "$id" title=Nieuw
	expect_err "is not a dossier id"
done
printf '# Advies\n' >"$tmp/advies.md"
refused 1 . mores advice put ../etc "$tmp/advies.md"
expect_err "'../etc' is not a dossier id"
refused 1 . mores response put ../etc "$tmp/advies.md"
expect_err "'../etc' is not a dossier id"
refused 1 . mores advice put 2026-001 "$tmp/er-is-geen-bestand.md"
expect_err "er-is-geen-bestand.md"
e2e_count
[ ! -e "$tmp/etc" ] && [ ! -e "$arch/../etc" ] ||
	fail "a bad id made a folder outside the archive"

# ---- authors: a malformed one, and none at all ----------------------------
refused 1 . mores --author nobody case set 2026-001 title=Nieuw
expect_err "^mores: --author: author 'nobody' is not of the form 'Name <mail>'"
refused 1 . mores case set 2026-001 title=Nieuw --author "Piet <>"
expect_err "--author"
MORES_AUTHOR=nobody refused 1 . mores case set 2026-001 title=Nieuw
expect_err "MORES_AUTHOR"
# No --author, no $MORES_AUTHOR and no git identity (HOME is fresh; a
# system git config with an identity would make this moot).
if git config --file /etc/gitconfig user.name >/dev/null 2>&1; then
	echo "$e2e_script: skipped the no-author case (/etc/gitconfig has user.name)"
else
	unset MORES_AUTHOR
	refused 1 . mores case new --kind unasked --title Anoniem
	expect_err "no author known.*--author"
	export MORES_AUTHOR="Sanne Secretaris <secretaris@example.org>"
fi

# ---- outside any archive ---------------------------------------------------
mkdir -p "$tmp/leeg/sub"
cd "$tmp/leeg/sub" || die "cannot enter $tmp/leeg/sub"
for cmd in "case list" "case show 2026-001" "check" "due" "template list"; do
	# shellcheck disable=SC2086
	expect_exit 1 mores $cmd
	expect_one_line_err
	expect_err "no archive here"
done
expect_exit 1 mores -C "$tmp/leeg" case list
expect_one_line_err
expect_err "$tmp/leeg: not a mores archive"
MORES_ARCHIVE=$tmp/bestaat-niet expect_exit 1 mores case list
expect_one_line_err
expect_err "$tmp/bestaat-niet"
git init -q "$tmp/gewoon"
expect_exit 1 mores -C "$tmp/gewoon" case list
expect_one_line_err
cd "$arch" || die "cannot enter $arch"

# ---- an uncommitted edit of dossier.md is never overwritten ---------------
file=dossiers/2026/2026-001/dossier.md
sed -i 's/^title: .*/title: Drones, half bewerkt/' "$file"
cp "$file" "$tmp/edit"
before=$(commits .)
for cmd in "case set 2026-001 topics=drones" "case move 2026-001 intake" \
	"case triage 2026-001 --phase start"; do
	# shellcheck disable=SC2086
	expect_exit 1 mores $cmd
	expect_one_line_err
	expect_err "$file: has uncommitted changes"
	expect_commits . "$before"
	e2e_count
	cmp -s "$file" "$tmp/edit" || fail "the uncommitted edit was lost: $cmd"
done
# other dossiers can still be written meanwhile, and the edit stays
expect_ok mores case new --kind unasked --title "Een ander dossier"
expect_out_is 2026-002
e2e_count
cmp -s "$file" "$tmp/edit" || fail "the uncommitted edit was lost"
git checkout -q -- "$file"
expect_clean .

# ---- check: an archive edited by hand with plain git ----------------------
# Every problem is reported on its own line 'FILE: field: what', all of
# them (several in one file too), and check exits 1.
expect_write . mores case new --kind unasked --title "Verwijst" \
	--received 2026-03-01
expect_out_is 2026-003
expect_write . mores case new --kind unasked --title "Kapotte tekst"
expect_out_is 2026-004
expect_ok mores check
expect_no_err
d=dossiers/2026
sed -i -e 's/^received: .*/received: 2026-02-30/' \
	-e 's/^visibility: public$/visibility: public\nvalues: [privacy, geluk]\ninstruments: [deda, tarot]/' \
	"$d/2026-001/dossier.md"
sed -i 's/^id: .*/id: 2026-009/' "$d/2026-002/dossier.md"
sed -i 's/^visibility: public$/visibility: public\nrelated: [2026-001, 2026-077]/' \
	"$d/2026-003/dossier.md"
sed -i 's/^title: .*/title: Kapotte \xff tekst/' "$d/2026-004/dossier.md"
git add -A
git -c user.name="Hand Werk" -c user.email=hand@example.org commit -q \
	-m "met de hand bewerkt"
before=$(commits .)
expect_exit 1 mores check
expect_out "^$d/2026-001/dossier.md: received: .*'2026-02-30'"
expect_out "^$d/2026-001/dossier.md: values: .*'geluk'"
expect_out "^$d/2026-001/dossier.md: instruments: .*'tarot'"
expect_out "^$d/2026-002/dossier.md: id: .*'2026-009'.*2026-002"
expect_out "^$d/2026-003/dossier.md: related: .*'2026-077'"
expect_out "^$d/2026-004/dossier.md: title: .*UTF-8"
e2e_count
[ "$(wc -l <"$out")" -eq 6 ] ||
	fail "check reports $(wc -l <"$out") lines for 6 problems"
e2e_count
bad=$(grep -v '^[^ :][^:]*: [a-z_][a-z_ 0-9]*: [^ ]' "$out")
[ -z "$bad" ] || fail "not of the form 'FILE: field: what': $bad"
expect_err "6 problems"
expect_one_line_err
expect_commits . "$before"
# the sound dossiers stay readable, the broken one says what is wrong
expect_ok mores case show 2026-003
expect_exit 1 mores case show 2026-004
expect_one_line_err
expect_err "$d/2026-004/dossier.md"
expect_err "UTF-8"

fsck_clean "$arch"
expect_clean "$arch"
