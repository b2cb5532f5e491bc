#!/bin/bash
# confidentiality.sh: confidentiality as a property. Random archives (a
# fixed seed here; `make soak` runs SOAK_SEEDS other seeds) mix public
# and confidential dossiers in every status, drafts, embargoes ending
# before and after the build date, internal passages (with LF, CRLF and
# CR line endings), notes, rapporteurs, deadlines, action owners, closed
# reasons and related links across all of them. Every secret carries a
# unique marker (zqx...), every public text one of its own (pbx...).
# After `mores site build`, the public search and the data export, no
# secret marker and no id or citation of a dossier that is not public
# may appear anywhere public; every public marker must.
. "$(dirname "$0")/lib.sh"

seeds=${SOAK_SEEDS:-0}
first_seed=${CONFIDENTIALITY_SEED:-20261123}
archives=2
[ "$seeds" -gt 0 ] && archives=$seeds

# gen.py DIR SEED: writes a random archive's files into DIR (which holds
# a fresh `mores init`) and, in DIR/../truth.json, what is public and
# which markers are secret.
cat >"$tmp/gen.py" <<'EOF'
import json, os, random, sys

root, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
TODAY = "2026-11-23"
CODE = "ECT"
letters = "bcdfghklmnpqrtvwxz"
used = set()

def marker(kind):
    while True:
        m = kind + "".join(rng.choice(letters) for _ in range(9))
        if m not in used:
            used.add(m)
            return m

secret, public = [], []

def s():
    m = marker("zqx")
    secret.append(m)
    return m

eols = ["\n", "\r\n", "\r"]

def intern(text_eol=None):
    eol = text_eol or rng.choice(eols)
    pad = rng.choice(["", " ", "\t", "  "])
    return (eol + pad + "<!-- intern -->" + pad + eol + "Intern: " + s() +
            " en " + s() + eol + rng.choice(["", "- lijst " + s() + eol]) +
            pad + "<!-- /intern -->" + eol)

def quote(v):
    return json.dumps(v, ensure_ascii=False)

values = ["privacy", "autonomie", "transparantie", "inclusie", "veiligheid"]
instruments = ["deda", "iama", "dpia", "moreel-beraad", "waardentabel"]
statuses = ["registered", "intake", "deliberation", "draft", "adopted",
            "delivered", "published", "closed"]
n = rng.randint(12, 30)
dossiers = []
seq = {}
for i in range(n):
    year = rng.choice([2022, 2023, 2024, 2025, 2026])
    seq[year] = seq.get(year, 0) + 1
    did = "%d-%03d" % (year, seq[year])
    month, day = rng.randint(1, 10), rng.randint(1, 28)
    vis = rng.choice(["public", "public", "confidential"])
    status = rng.choice(statuses + ["published"] * 3)
    kind = rng.choice(["asked", "unasked"])
    if kind == "unasked" and status == "delivered":
        status = "adopted"
    embargo = None
    if status == "published" and rng.random() < 0.3:
        embargo = rng.choice(["2026-06-01", "2027-03-01", "2030-01-01",
                              "2026-11-24", "2026-11-23"])
    dossiers.append(dict(id=did, year=year, received="%d-%02d-%02d" % (year, month, day),
                         vis=vis, status=status, kind=kind, embargo=embargo))

def is_public(d):
    return (d["status"] == "published" and d["vis"] == "public" and
            (d["embargo"] is None or d["embargo"] <= TODAY))

for d in dossiers:
    pub = is_public(d)
    m = (lambda: (public.append(marker("pbx")) or public[-1])) if pub else s
    folder = os.path.join(root, "dossiers", str(d["year"]), d["id"])
    os.makedirs(os.path.join(folder, "notities"), exist_ok=True)
    others = [o["id"] for o in dossiers if o is not d]
    related = rng.sample(others, min(len(others), rng.randint(0, 4)))
    fm = ["id: " + d["id"], "title: " + quote("Titel " + m()),
          "kind: " + d["kind"], "received: " + d["received"]]
    if d["kind"] == "asked":
        fm += ["requester: " + quote("Afdeling " + m()),
               "question: " + quote("Mag het " + m() + "?")]
    fm += ["status: " + d["status"], "visibility: " + d["vis"],
           "values: [%s]" % ", ".join(rng.sample(values, rng.randint(1, 3))),
           "instruments: [%s]" % ", ".join(rng.sample(instruments, rng.randint(0, 2))),
           "topics: [camera, sensoren]",
           "rapporteur: " + quote("Lid " + s()),
           "deadline: 2027-0%d-1%d" % (rng.randint(1, 9), rng.randint(0, 9))]
    if related:
        fm.append("related: [%s]" % ", ".join(related))
    if d["embargo"]:
        fm.append("embargo_until: " + d["embargo"])
    if d["status"] == "closed":
        fm.append("closed_reason: " + quote("Gesloten want " + s()))
    probe = s()
    body = "De casus " + probe + " met details." + intern("\n") + "\nMeer " + s() + ".\n"
    open(os.path.join(folder, "dossier.md"), "w", newline="").write(
        "---\n" + "\n".join(fm) + "\n---\n" + body)
    open(os.path.join(folder, "notities", "overleg.md"), "w", newline="").write(
        "# Overleg\n\nNotitie " + s() + " over " + d["id"] + ".\n")
    if d["status"] in ("registered", "intake") and rng.random() < 0.5:
        continue
    eol = rng.choice(eols)
    mention = rng.choice(others) if others else d["id"]
    advice = ("Het advies " + m() + " luidt." + eol + eol +
              intern(eol) + eol + "Zie ook " + m() + "." + eol +
              intern(eol) + eol +
              "Een lijst:" + eol + eol + "- punt " + m() + eol + intern(eol))
    afm = ["summary: " + quote("Samenvatting " + m()),
           "actions:",
           "  - what: " + quote("Actie " + s()),
           "    owner: " + quote("Eigenaar " + s()),
           "    due: 2027-01-01",
           "    done: false"]
    if d["status"] in ("adopted", "delivered", "published"):
        afm.insert(0, "adopted: %d-12-01" % d["year"])
    # an internal passage that names another dossier by citation
    advice += eol + "<!-- intern -->" + eol + "Vergelijk %s:%d:%d." % (
        CODE, int(mention[:4]), int(mention[5:])) + eol + "<!-- /intern -->" + eol
    open(os.path.join(folder, "advies.md"), "w", newline="").write(
        "---\n" + "\n".join(afm) + "\n---\n" + advice)
    if rng.random() < 0.5:
        resp = "Het college " + m() + " reageert." + intern(rng.choice(eols)) + "Slot " + m() + ".\n"
        open(os.path.join(folder, "reactie.md"), "w", newline="").write(
            "---\nreceived: %d-12-20\nfrom: %s\n---\n" % (d["year"], quote("College " + m())) + resp)

json.dump({"secret": secret, "public": public, "probe": probe,
           "hidden_ids": [d["id"] for d in dossiers if not is_public(d)],
           "public_ids": [d["id"] for d in dossiers if is_public(d)]},
          open(os.path.join(root, "..", "truth.json"), "w"))
EOF

# leaks.py TRUTH FILE...: prints every secret marker, and every id or
# citation of a dossier that is not public, found in the files.
cat >"$tmp/leaks.py" <<'EOF'
import json, re, sys

truth = json.load(open(sys.argv[1]))
pats = [re.compile(r"(?<![0-9])%s(?![0-9])" % i) for i in truth["hidden_ids"]]
pats += [re.compile(r"ECT:%d:%d(?![0-9])" % (int(i[:4]), int(i[5:])))
         for i in truth["hidden_ids"]]
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8", errors="replace").read()
    low = text.lower()
    if "zqx" in low:
        i = low.index("zqx")
        print("%s: secret %r" % (path, text[max(0, i - 40):i + 15]))
    for p in pats:
        m = p.search(text)
        if m:
            print("%s: hidden dossier %s in %r" % (path, m.group(0),
                  text[max(0, m.start() - 40):m.end() + 10]))
            break
EOF

for k in $(seq 0 $((archives - 1))); do
	seed=$((first_seed + k))
	arch=$tmp/a$k/arch
	expect_ok mores init "$arch" --name "Commissie $seed" --code ECT ||
		die "init failed"
	python3 "$tmp/gen.py" "$arch" "$seed" || die "seed $seed: generator failed"
	git -C "$arch" add -A
	git -C "$arch" -c user.name=Gen -c user.email=gen@example.org \
		commit -qm "Dossiers (seed $seed)" || die "seed $seed: cannot commit"
	truth=$tmp/a$k/truth.json
	npub=$(json_get "$truth" "len(j['public_ids'])")

	# the site, its search shards and its data export
	expect_ok mores -C "$arch" site build --out "$tmp/a$k/site"
	expect_out ": $npub reflection"
	# staff search finds secrets (the markers are indexed words) ...
	secret1=$(json_get "$truth" "j['probe']")
	expect_ok mores -C "$arch" search "$secret1" --json
	expect_json "len(j) == 1"
	# ... and the public search none, for a sample of them
	: >"$tmp/a$k/public-search"
	for m in $(json_get "$truth" "' '.join(j['secret'][::15])"); do
		expect_ok mores -C "$arch" search "$m" --public --json
		e2e_count
		[ "$(tr -d ' \n' <"$out")" = "[]" ] ||
			fail "seed $seed: public search finds secret $m"
	done
	for q in Titel advies Samenvatting Intern Vergelijk Notitie Eigenaar \
		Actie Lid Gesloten casus college; do
		run_rc=0
		mores -C "$arch" search "$q" --public --json --limit 1000 \
			>>"$tmp/a$k/public-search" 2>"$err" || run_rc=$?
		e2e_count
		[ "$run_rc" -eq 0 ] || fail "seed $seed: search $q --public: exit $run_rc"
	done
	mores -C "$arch" search Titel --public --limit 1000 >>"$tmp/a$k/public-search" 2>&1

	e2e_count
	leaks=$(find "$tmp/a$k/site" -type f -print0 |
		xargs -0 python3 "$tmp/leaks.py" "$truth" "$tmp/a$k/public-search")
	[ -z "$leaks" ] || fail "seed $seed leaks: $(echo "$leaks" | head -5)"

	# every public marker is on the site: the build did publish
	e2e_count
	missing=$(python3 - "$truth" "$tmp/a$k/site" <<'EOF'
import json, os, sys
truth = json.load(open(sys.argv[1]))
text = ""
for d, _, files in os.walk(sys.argv[2]):
    for f in files:
        if f.endswith(".html"):
            text += open(os.path.join(d, f), encoding="utf-8").read()
print(" ".join(m for m in truth["public"] if m not in text)[:300])
EOF
)
	[ -z "$missing" ] || fail "seed $seed: public text missing from the site: $missing"
	e2e_count
	[ "$(json_get "$tmp/a$k/site/data/reflecties.json" "len(j)")" = "$npub" ] ||
		fail "seed $seed: the data export does not hold the $npub public reflections"
done
