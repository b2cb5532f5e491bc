#!/bin/bash
# load.sh: one archive under load for LOAD_SECONDS (default 20): writers
# registering cases, moving them and putting advice, while readers list
# and show cases, index, search and build the site, all at once. Every
# command must end (a deadlock is a command still running after two
# minutes), no writer or reader may fail, no id is given twice, nothing
# acknowledged is lost (each dossier ends with the last status and the
# last advice its writer was told were written), and no reader ever sees
# a dossier that is not whole.
. "$(dirname "$0")/lib.sh"

seconds=${LOAD_SECONDS:-20}
writers=${LOAD_WRITERS:-4}
readers=${LOAD_READERS:-2}
arch=$tmp/arch
expect_ok mores init "$arch" --name "Commissie Druk" --code ECD || die "init"
cd "$arch" || die "cannot enter $arch"
end=$((SECONDS + seconds))
mkdir -p "$tmp/log"
: >"$tmp/errors"

# m NAME CMD...: the command under a two-minute limit; a failure, a
# signal or a timeout (exit 124: a deadlock) is written to the errors.
m() {
	local name=$1 rc

	shift
	timeout 120 $MORES_WRAP "$MORES_BIN" "$@" >"$tmp/log/$name.out" \
		2>"$tmp/log/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "$name: exit $rc: mores $* :: $(head -2 "$tmp/log/$name.err")" \
			>>"$tmp/errors"
	fi
	return "$rc"
}

# A writer registers cases, then moves each and puts new advice on it;
# after every acknowledged write it notes what the dossier must now hold.
writer() {
	local w=$1 n=0 id ids=() text st next

	while [ "$SECONDS" -lt "$end" ]; do
		n=$((n + 1))
		if m "w$w" case new --kind asked --title "Zaak $w.$n" \
			--requester "Afdeling $w" --question "Mag $w.$n?" \
			--topic camera; then
			id=$(cat "$tmp/log/w$w.out")
			ids+=("$id")
			echo "$id" >>"$tmp/ids.$w"
			echo "$id registered" >>"$tmp/status.$w"
		fi
		[ "${#ids[@]}" -gt 0 ] || continue
		id=${ids[RANDOM % ${#ids[@]}]}
		st=$(grep "^$id " "$tmp/status.$w" | tail -1 | cut -d' ' -f2)
		case $st in
		registered) next=intake ;;
		intake) next=deliberation ;;
		deliberation) next=draft ;;
		*) next= ;;
		esac
		if [ -n "$next" ] && m "w$w" case move "$id" "$next"; then
			echo "$id $next" >>"$tmp/status.$w"
		fi
		text="Advies $w.$n voor $id: camera's tellen drukte. $(head -c 3000 /dev/zero | tr '\0' x)"
		if printf -- '---\nsummary: Versie %s.\n---\n%s\n' "$w.$n" "$text" |
			m "w$w" advice put "$id" -; then
			echo "$id $w.$n" >>"$tmp/advice.$w"
		fi
	done
}

# A reader shows acknowledged dossiers: each is there and whole, and its
# advice is one that a writer put, never half of one.
reader() {
	local r=$1 id
	while [ "$SECONDS" -lt "$end" ]; do
		m "r$r" case list --json || continue
		python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
bad = [d for d in j if "error" in d or not d.get("status")]
sys.exit(1 if bad else 0)' "$tmp/log/r$r.out" ||
			echo "r$r: case list shows a broken dossier" >>"$tmp/errors"
		id=$(cat "$tmp"/ids.* 2>/dev/null | shuf -n 1)
		[ -n "$id" ] || continue
		m "r$r" case show "$id" --json || continue
		python3 -c 'import json, re, sys
j = json.load(open(sys.argv[1]))
a = j.get("advice")
ok = j.get("id") == sys.argv[2] and j.get("title", "").startswith("Zaak ")
if a:
    s = re.match(r"Versie ([0-9.]+)\.$", a.get("summary") or "")
    ok = ok and s and a["body"].startswith("Advies %s voor" % s.group(1)) \
        and a["body"].rstrip().endswith("x" * 3000)
sys.exit(0 if ok else 1)' "$tmp/log/r$r.out" "$id" ||
			echo "r$r: $id is not whole: $(head -c 300 "$tmp/log/r$r.out")" >>"$tmp/errors"
	done
}

searcher() {
	local id

	while [ "$SECONDS" -lt "$end" ]; do
		m s index
		m s search camera --json &&
			python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
				"$tmp/log/s.out" ||
			echo "search: not JSON" >>"$tmp/errors"
		m s search drukte --public --json
		id=$(cat "$tmp"/ids.* 2>/dev/null | shuf -n 1)
		[ -z "$id" ] || m s similar "$id" --json
	done
}

builder() {
	while [ "$SECONDS" -lt "$end" ]; do
		m b site build --out "$tmp/site"
	done
}

for w in $(seq 1 "$writers"); do
	: >"$tmp/ids.$w"
	: >"$tmp/status.$w"
	: >"$tmp/advice.$w"
	writer "$w" &
done
for r in $(seq 1 "$readers"); do
	reader "$r" &
done
searcher &
builder &
wait

e2e_count
[ ! -s "$tmp/errors" ] || fail "under load: $(head -5 "$tmp/errors")"
e2e_count
total=$(cat "$tmp"/ids.* | wc -l)
[ "$total" -ge "$writers" ] || fail "only $total cases registered in ${seconds}s"
e2e_count
dups=$(cat "$tmp"/ids.* | sort | uniq -d)
[ -z "$dups" ] || fail "ids given twice: $dups"

# nothing acknowledged is lost
expect_ok mores case list --json
cp "$out" "$tmp/list.json"
e2e_count
lost=$(python3 - "$tmp" "$writers" <<'EOF'
import glob, json, os, subprocess, sys
tmp, writers = sys.argv[1], int(sys.argv[2])
listed = {d["id"]: d for d in json.load(open(os.path.join(tmp, "list.json")))}
problems = []
for w in range(1, writers + 1):
    status, advice = {}, {}
    for line in open(os.path.join(tmp, "status.%d" % w)):
        i, s = line.split()
        status[i] = s
    for line in open(os.path.join(tmp, "advice.%d" % w)):
        i, v = line.split()
        advice[i] = v
    for i, s in status.items():
        if i not in listed:
            problems.append("%s missing" % i)
        elif listed[i]["status"] != s:
            problems.append("%s is %s, not %s" % (i, listed[i]["status"], s))
    for i, v in advice.items():
        show = json.loads(subprocess.run(
            [os.environ["MORES_BIN"], "case", "show", i, "--json"],
            capture_output=True, text=True).stdout)
        if not show.get("advice") or show["advice"].get("summary") != "Versie %s." % v:
            problems.append("%s lost advice %s" % (i, v))
print("; ".join(problems[:5]))
EOF
)
[ -z "$lost" ] || fail "lost updates: $lost"
expect_ok mores check
fsck_clean "$arch"
expect_clean "$arch"
# the index and the site catch up with the final state
expect_ok mores index
expect_ok mores search camera --json --limit 10000
expect_json "len(j) == $total"
echo "$e2e_script: $total cases, $(cat "$tmp"/advice.* | wc -l) advice puts in ${seconds}s"
