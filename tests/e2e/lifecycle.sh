#!/bin/bash
# lifecycle.sh: a secretary's whole path through the command line, from an
# empty folder to a published reflection, on a real git repository. Every
# write must be exactly one commit by the acting person, and git must see
# a sound repository with a clean working tree throughout.
. "$(dirname "$0")/lib.sh"

arch=$tmp/commissie
piet="Piet Lid <piet@example.org>"
dossier1=dossiers/2026/2026-001

# ---- init: a new archive is a git repository with one commit ----------
expect_ok mores init "$arch" --name "Ethische Commissie Test" --code ECT
expect_out "Created archive"
expect_commits "$arch" 1
expect_clean "$arch"
e2e_count
grep -q '^code: ECT$' "$arch/mores.yml" || fail "mores.yml lacks code: ECT"
expect_exit 1 mores init "$arch" --name "Nog eens" --code ECT
expect_err "already holds a git repository"
expect_exit 2 mores init "$tmp/elders" --name "Zonder code"
cd "$arch" || die "cannot enter $arch"

# ---- case new: the id on stdout and nothing else ----------------------
expect_write . mores case new --kind asked \
	--title "Slimme camera's op het Stationsplein" \
	--requester "Afdeling Openbare Ruimte" \
	--question "Mogen de camera's ook drukte tellen?" \
	--value privacy --topic camera --deadline 2027-02-01
expect_out_is 2026-001
expect_no_err

# An unasked case numbers in the year it was taken up, and a commit is
# authored by --author when given.
expect_write . mores case new --kind unasked --received 2025-06-01 \
	--title "Algoritmes in het sociaal domein" --author "$piet"
expect_out_is 2025-001
expect_no_err
expect_write . mores case new --kind unasked --title "Drones boven de stad" \
	--deadline 2026-12-10 --confidential
expect_out_is 2026-002
expect_write . mores case new --kind unasked --title "Een vergeten termijn" \
	--deadline 2026-11-01
expect_out_is 2026-003
e2e_count
[ -f "$dossier1/dossier.md" ] || fail "$dossier1/dossier.md not checked out"

# ---- case set: fields and comma-separated lists ------------------------
expect_write . mores case set 2026-001 values=privacy,transparantie \
	topics=camera,sensoren related=2025-001
expect_write . mores case set 2025-001 follow_up=2027-06-01
expect_write . mores case set 2026-002 rapporteur="Anna de Vries"
# an empty value removes a field
expect_write . mores case set 2026-002 rapporteur=
expect_ok mores case show 2026-002 --json
expect_json '"rapporteur" not in j and j["visibility"] == "confidential"'

# ---- case list: oldest first, as a table and as JSON ------------------
expect_ok mores case list
expect_out '^2025-001  *registered  *unasked  *2025-06-01 Algoritmes'
expect_out "^2026-001  *registered  *asked  *2026-11-23 Slimme camera's"
expect_out '^2026-002 .*Drones boven de stad \[vertrouwelijk\]'
e2e_count
[ "$(grep -o '^20[0-9-]*' "$out" | tr '\n' ' ')" = \
	"2025-001 2026-001 2026-002 2026-003 " ] ||
	fail "case list is not oldest first: $(cat "$out")"
expect_ok mores case list --json
expect_json 'len(j) == 4 and [d["id"] for d in j] == ["2025-001", "2026-001", "2026-002", "2026-003"]'
expect_json 'j[1]["citation"] == "ECT:2026:1" and j[1]["kind"] == "asked"'
expect_json 'j[1]["requester"] == "Afdeling Openbare Ruimte" and j[1]["deadline"] == "2027-02-01"'
expect_json 'j[0]["received"] == "2025-06-01" and j[0]["status"] == "registered"'
expect_ok mores case list --kind asked --json
expect_json '[d["id"] for d in j] == ["2026-001"]'
expect_ok mores case list --status closed
expect_out "No dossiers."

# ---- case show: fields, text, and who cites the dossier ---------------
expect_ok mores case show 2026-001
expect_out "^ECT:2026:1  Slimme camera's op het Stationsplein"
expect_out '^values  *privacy, transparantie'
expect_out '^related  *2025-001'
expect_ok mores case show 2025-001
expect_out '^cited by  *2026-001'
expect_ok mores case show 2026-001 --json
expect_json 'j["id"] == "2026-001" and j["citation"] == "ECT:2026:1"'
expect_json 'j["values"] == ["privacy", "transparantie"] and j["topics"] == ["camera", "sensoren"]'
expect_json 'j["related"] == ["2025-001"] and j["question"] == "Mogen de camera'"'"'s ook drukte tellen?"'
expect_json 'j["advice"] is None and j["response"] is None and j["cited_by"] == []'
expect_ok mores case show 2025-001 --json
expect_json 'j["cited_by"] == ["2026-001"]'

# ---- case triage: the ethical check is stored and suggests methods ----
expect_write . mores case triage 2026-001 --phase start --complexity hoog \
	--public-space ja --automated nee --scale veel --parties extern \
	--data persoonsgegevens --impact ja
expect_out "^Suggested instruments for 2026-001"
expect_out '^  dpia .*DPIA'
expect_out '^  begeleidingsethiek '
expect_ok mores case show 2026-001 --json
expect_json 'j["triage"]["data"] == "persoonsgegevens" and j["triage"]["public_space"] == "ja"'
expect_json '"dpia" in j["triage"]["suggested"] and j["triage"]["date"] == "2026-11-23"'
# no personal data: no DPIA
expect_write . mores case triage 2025-001 --json --phase afronding \
	--data geen-persoonsgegevens --public-space nee --scale weinig
expect_json 'isinstance(j, list) and "dpia" not in [s["instrument"] for s in j]'
expect_json 'all(s["reason"] for s in j)'
# without answers and without a terminal there is nobody to ask
expect_exit 2 mores case triage 2026-001 </dev/null

# ---- advice new: the method's template, with the dossier filled in ----
expect_write . mores advice new 2026-001
expect_out "mores advice edit 2026-001"
e2e_count
grep -q "^# Reflectie: Slimme camera's op het Stationsplein$" \
	"$dossier1/advies.md" || fail "advies.md lacks the substituted title"
e2e_count
grep -q '{{' "$dossier1/advies.md" && fail "advies.md keeps a {{placeholder}}"
e2e_count
grep -q 'citeer als ECT:2026:1' "$dossier1/advies.md" ||
	fail "advies.md lacks the citation id"
expect_refused 1 . mores advice new 2026-001
expect_err "already has an advice"
expect_write . mores advice new 2025-001
e2e_count
grep -q '^# Ongevraagd advies: Algoritmes in het sociaal domein$' \
	dossiers/2025/2025-001/advies.md ||
	fail "an unasked case does not start from the ongevraagd template"
expect_refused 1 . mores advice new 2026-003 --template bestaat-niet
expect_err "bestaat-niet"

# ---- advice put: from a file (whole document) and from stdin (text) ---
cat >"$tmp/advies.md" <<'EOF'
---
summary: "De commissie adviseert terughoudendheid met tellende camera's."
actions:
  - what: Evaluatie na een jaar
    owner: Afdeling Openbare Ruimte
    due: 2026-12-01
    done: false
  - what: Bewoners informeren
    owner: Communicatie
    due: 2026-11-30
    done: true
---
# Advies

Tekst uit een bestand.
EOF
expect_write . mores advice put 2026-001 "$tmp/advies.md"
expect_ok mores case show 2026-001 --json
expect_json 'j["advice"]["summary"].startswith("De commissie adviseert")'
expect_json 'len(j["advice"]["actions"]) == 2'
printf '# Advies\n\nTekst van stdin.\n' >"$tmp/body.md"
expect_write . mores advice put 2026-001 - <"$tmp/body.md"
expect_ok mores case show 2026-001 --json
expect_json '"Tekst van stdin." in j["advice"]["body"] and "bestand" not in j["advice"]["body"]'
expect_json 'j["advice"]["summary"].startswith("De commissie adviseert")'
# an advice that cites another dossier in its text is listed by that one
printf '# Advies\n\nZoals in ECT:2026:3 bleek.\n' >"$tmp/cites.md"
expect_write . mores advice put 2026-002 - <"$tmp/cites.md"
expect_ok mores case show 2026-003
expect_out '^cited by  *2026-002 (text)$'
expect_ok mores case show 2026-003 --json
expect_json 'j["cited_by"] == ["2026-002"]'
expect_ok mores case show 2025-001
expect_out '^cited by  *2026-001 (related)$'

# ---- advice edit: the editor's text is validated, then committed ------
cat >"$tmp/editor-good.sh" <<'EOF'
#!/bin/sh
sed -i 's/Tekst van stdin\./Tekst uit de editor./' "$1"
EOF
cat >"$tmp/editor-bad.sh" <<'EOF'
#!/bin/sh
printf -- '---\nsummary: [niet gesloten\n---\nKapotte voorpagina.\n' >"$1"
EOF
chmod +x "$tmp/editor-good.sh" "$tmp/editor-bad.sh"
EDITOR="$tmp/editor-good.sh" expect_write . mores advice edit 2026-001
e2e_count
grep -q '^Tekst uit de editor\.$' "$dossier1/advies.md" ||
	fail "the editor's change is not in advies.md"
# an editor that changes nothing makes no commit
before=$(commits .)
EDITOR=true expect_ok mores advice edit 2026-001
expect_out "No changes"
expect_commits . "$before"
# invalid front matter: nothing committed, the text kept in a named file
EDITOR="$tmp/editor-bad.sh" expect_exit 1 mores advice edit 2026-001
expect_err "nothing was committed"
expect_commits . "$before"
expect_clean .
kept=$(grep -o "$tmp/mores-advies-2026-001-[A-Za-z0-9]*\.md" "$err" | head -1)
e2e_count
if [ -z "$kept" ] || ! grep -q 'Kapotte voorpagina' "$kept"; then
	fail "the rejected text is not kept in the file named: $(cat "$err")"
fi
e2e_count
grep -q '^Tekst uit de editor\.$' "$dossier1/advies.md" ||
	fail "a rejected edit changed advies.md"

# ---- case move: the statuses and their rules ---------------------------
expect_refused 1 . mores case move 2026-001 adopted
expect_err "cannot move from registered to adopted"
for status in intake deliberation draft deliberation draft adopted; do
	expect_write . mores case move 2026-001 "$status"
done
e2e_count
grep -q '^adopted: 2026-11-23$' "$dossier1/advies.md" ||
	fail "adopting does not record the date in advies.md"
# asked advice is delivered before it is published
expect_refused 1 . mores case move 2026-001 published
expect_write . mores case move 2026-001 delivered
# a confidential dossier is never published
expect_write . mores case set 2026-001 visibility=confidential
expect_refused 1 . mores case move 2026-001 published
expect_err "visibility"
expect_write . mores case set 2026-001 visibility=public
expect_write . mores case move 2026-001 published --author "$piet"
expect_refused 1 . mores case move 2026-001 closed --reason "te laat"
expect_ok mores case show 2026-001 --json
expect_json 'j["status"] == "published" and j["advice"]["adopted"] == "2026-11-23"'

# adopting needs an advice text
for status in intake deliberation draft; do
	expect_write . mores case move 2026-003 "$status"
done
expect_refused 1 . mores case move 2026-003 adopted
expect_err "advies"
# unasked advice may be published straight after adoption
for status in intake deliberation draft adopted published; do
	expect_write . mores case move 2025-001 "$status"
done
# closing needs a reason, and the reason is kept
expect_refused 1 . mores case move 2026-003 closed
expect_err "reason"
expect_write . mores case move 2026-003 closed --reason "Ingetrokken door de aanvrager"
expect_ok mores case show 2026-003 --json
expect_json 'j["status"] == "closed" and j["closed_reason"] == "Ingetrokken door de aanvrager"'
expect_refused 1 . mores case move 2026-003 intake

# ---- response put: the executive's response -----------------------------
printf 'De gemeente neemt het advies over.\n' >"$tmp/reactie.md"
expect_write . mores response put 2026-001 - <"$tmp/reactie.md"
expect_ok mores case show 2026-001 --json
expect_json 'j["response"]["from"] == "Afdeling Openbare Ruimte" and j["response"]["received"] == "2026-11-23"'
expect_json '"neemt het advies over" in j["response"]["body"]'
expect_ok mores case show 2026-001
expect_out '^--- reactie.md (Afdeling Openbare Ruimte, 2026-11-23) ---$'

# ---- case log: who changed what, newest first, one line per change -----
expect_ok mores case log 2026-001
e2e_count
changes=$(git log --oneline -- "$dossier1" | wc -l)
[ "$(wc -l <"$out")" -eq "$changes" ] ||
	fail "case log has $(wc -l <"$out") lines for $changes changes"
e2e_count
head -1 "$out" | grep -q 'Sanne Secretaris.*response' ||
	fail "the newest change is not first: $(head -1 "$out")"
e2e_count
tail -1 "$out" | grep -q 'registered' ||
	fail "the registration is not last: $(tail -1 "$out")"
expect_out 'Piet Lid .*published'
expect_ok mores case log 2025-001
e2e_count
tail -1 "$out" | grep -q '^2[0-9-]*T[0-9:]*  Piet Lid' ||
	fail "the log does not name who registered 2025-001: $(tail -1 "$out")"
expect_ok mores case log 2025-001 --json
expect_json 'j[-1]["author"] == "Piet Lid" and j[-1]["email"] == "piet@example.org"'

# ---- due: deadlines, follow-ups and open action points, soonest first --
expect_ok mores due
expect_out '^2026-12-01 .*action .*2026-001 .*Evaluatie na een jaar'
expect_no_out 'Bewoners informeren'
expect_out '^2026-12-10 .*deadline .*2026-002 .*Drones'
expect_out '^2027-06-01 .*follow-up .*2025-001'
expect_ok mores due --within 30
expect_out '2026-12-10'
expect_no_out '2027-06-01'
expect_ok mores due --within 30 --json
expect_json '[(i["date"], i["what"], i["id"]) for i in j] == [("2026-12-01", "action", "2026-001"), ("2026-12-10", "deadline", "2026-002")]'
expect_json 'j[0]["days"] == 8 and j[0]["overdue"] is False and j[0]["owner"] == "Afdeling Openbare Ruimte"'
expect_write . mores case new --kind unasked --title "Te laat" \
	--deadline 2026-11-01
expect_ok mores due --within 0 --json
expect_json '[i["id"] for i in j] == ["2026-004"] and j[0]["overdue"] is True and j[0]["days"] == -22'
expect_exit 2 mores due --within veel

# ---- check and template list -------------------------------------------
expect_ok mores check
expect_no_err
expect_ok mores template list
e2e_count
[ "$(wc -l <"$out")" -eq 5 ] || fail "template list shows $(wc -l <"$out") templates, not 5"
for t in begeleidingsethiek deda moreel-beraad ongevraagd reflectie; do
	expect_out "^$t "
done

# ---- finding the archive: -C, $MORES_ARCHIVE, and from a subfolder -----
cd "$tmp" || die "cannot leave the archive"
expect_ok mores -C "$arch" case show 2026-002
expect_out 'Drones boven de stad'
expect_write "$arch" mores -C "$arch" case set 2026-002 topics=drones
MORES_ARCHIVE=$arch expect_ok mores case list --kind asked
expect_out '^2026-001 '
expect_exit 1 mores case list
expect_err 'no archive here'
cd "$arch/dossiers/2026" || die "cannot enter a subfolder"
expect_ok mores case show 2026-001
expect_out 'ECT:2026:1'
expect_write "$arch" mores case set 2026-002 follow_up=2027-01-15
cd "$arch" || die "cannot enter $arch"

# ---- help, unknown commands and the version ------------------------------
expect_ok mores --help
expect_out '^usage: mores '
expect_out '^  case new '
expect_ok mores help case new
expect_out '^usage: mores case new --kind asked|unasked'
expect_ok mores case new --help
expect_out '^usage: mores case new --kind asked|unasked'
expect_ok mores help due
expect_out '^usage: mores due'
expect_exit 2 mores frobnicate
expect_err "unknown command 'frobnicate'"
expect_exit 2 mores case frobnicate
expect_exit 2 mores help frobnicate
expect_exit 2 mores case new --kind asked --bogus
expect_exit 2 mores
expect_ok mores --version
expect_out '^mores [0-9][0-9.]*$'

# ---- the end: git agrees the archive is sound and the tree is clean ----
fsck_clean "$arch"
expect_clean "$arch"
expect_ok mores check
e2e_count
[ "$(git log --format='%an' | sort -u | tr '\n' ,)" = "Piet Lid,Sanne Secretaris," ] ||
	fail "unexpected commit authors: $(git log --format='%an' | sort -u)"
