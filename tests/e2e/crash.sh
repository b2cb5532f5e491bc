#!/bin/bash
# crash.sh: a writer killed at any moment (kill -9: power cut, OOM killer,
# a closed laptop) leaves the archive at the old commit or the new one.
# Afterwards git finds a sound repository, every dossier is whole, every
# id that was printed was kept, and nothing stale blocks the next write.
. "$(dirname "$0")/lib.sh"

arch=$tmp/commissie
rounds=30
expect_ok mores init "$arch" --name "Ethische Commissie Test" --code ECT
cd "$arch" || die "cannot enter $arch"

# Job control gives every background loop its own process group, so that
# one kill reaches the loop and the mores it is running.
set -m

# ---- kill -9 a loop of writers at random moments ----------------------
# Each loop registers cases until it is killed; a mores that fails for
# any other reason says so in $tmp/errors.
: >"$tmp/ids"
: >"$tmp/errors"
for round in $(seq 1 "$rounds"); do
	(
		n=0
		while :; do
			n=$((n + 1))
			mores case new --kind unasked --title "Ronde $round.$n" \
				>>"$tmp/ids" 2>>"$tmp/errors" ||
				echo "round $round: case new $n: exit $?" >>"$tmp/errors"
		done
	) &
	sleep "0.$(printf '%03d' $((RANDOM % 300)))"
	kill -9 -- -$! 2>/dev/null
	wait $! 2>/dev/null
done
set +m

# ---- afterwards: git and mores find a sound archive --------------------
e2e_count
[ ! -s "$tmp/errors" ] || fail "writers failed: $(head -3 "$tmp/errors")"
fsck_clean "$arch"
expect_ok mores check
expect_no_err

# ---- every id that was printed is in the archive, whole --------------------
expect_ok mores case list --json
cp "$out" "$tmp/list.json"
e2e_count
missing=$(python3 - "$tmp/list.json" "$tmp/ids" <<'EOF'
import json, sys
listed = {d["id"]: d for d in json.load(open(sys.argv[1]))}
for line in open(sys.argv[2]):
    line = line.strip()
    if line and (line not in listed or "error" in listed[line]):
        print(line)
EOF
)
[ -z "$missing" ] || fail "printed but not kept: $missing"
e2e_count
[ "$(sort "$tmp/ids" | uniq -d)" = "" ] || fail "an id was printed twice"
e2e_count
count=$(json_get "$tmp/list.json" 'len(j)')
[ "$count" -eq $(($(commits "$arch") - 1)) ] ||
	fail "$count dossiers for $(commits "$arch") commits"
e2e_count
[ "$count" -gt 0 ] || fail "no writer got as far as a commit in $rounds rounds"
echo "$e2e_script: $count cases registered, $(wc -l <"$tmp/ids") ids printed"

# ---- nothing stale blocks the next write -------------------------------
# The next writer finishes what a killed one left half done: its lock on
# the branch goes, and the working tree and the index show every commit
# (no dossier looks deleted to the next plain `git commit`).
next=$(printf '2026-%03d' $((count + 1)))
MORES_LOCK_WAIT=10 expect_write "$arch" mores case new --kind unasked \
	--title "Na de crash"
expect_out_is "$next"
e2e_count
[ -f "dossiers/2026/$next/dossier.md" ] ||
	fail "the dossier written after the crash is not in the working tree"
MORES_LOCK_WAIT=10 expect_write "$arch" mores case move "$next" intake
e2e_count
stale=$(find "$arch/.git" -name '*.lock' ! -name mores.lock)
[ -z "$stale" ] || fail "stale git locks: $stale"
e2e_count
[ "$(git ls-files dossiers | wc -l)" -eq $((count + 1)) ] ||
	fail "the index holds $(git ls-files dossiers | wc -l) dossiers, not $((count + 1))"
expect_ok mores case show "$next" --json
expect_json 'j["status"] == "intake" and j["title"] == "Na de crash"'
fsck_clean "$arch"
expect_ok mores check
