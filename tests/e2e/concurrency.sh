#!/bin/bash
# concurrency.sh: writes are safe side by side. Secretaries (or scripts)
# registering cases at the same moment never get the same id, never lose
# a commit, and leave a sound repository, with a working tree or bare on a
# server. Concurrent changes to the dossiers are never lost either.
. "$(dirname "$0")/lib.sh"

export MORES_LOCK_WAIT=120
arch=$tmp/commissie
bare=$tmp/bare.git
expect_ok mores init "$arch" --name "Ethische Commissie Test" --code ECT
e2e_count
git clone -q --bare "$arch" "$bare" || die "git clone --bare failed"

# register LABEL DIR: 4 loops side by side, each registering 25 cases in
# DIR; the ids they print go to $tmp/LABEL.ids, anything else they say to
# $tmp/LABEL.errors.
register() {
	local label=$1 dir=$2 w

	for w in 1 2 3 4; do
		(
			for i in $(seq 1 25); do
				mores -C "$dir" case new --kind unasked \
					--title "Dossier $w.$i" ||
					echo "writer $w: case new $i: exit $?" >&2
			done >"$tmp/$label.ids.$w" 2>"$tmp/$label.errors.$w"
		) &
	done
	wait
	cat "$tmp/$label".ids.* >"$tmp/$label.ids"
	cat "$tmp/$label".errors.* >"$tmp/$label.errors"
}

# expect_registered LABEL DIR: the 100 cases got the ids 2026-001 ..
# 2026-100 once each, every title is there, and git sees one commit per
# case on top of the first.
expect_registered() {
	local label=$1 dir=$2

	e2e_count
	[ ! -s "$tmp/$label.errors" ] ||
		fail "$label: writers failed: $(head -3 "$tmp/$label.errors")"
	e2e_count
	[ "$(wc -l <"$tmp/$label.ids")" -eq 100 ] ||
		fail "$label: $(wc -l <"$tmp/$label.ids") ids printed, not 100"
	e2e_count
	sort "$tmp/$label.ids" >"$tmp/$label.sorted"
	printf '2026-%03d\n' $(seq 1 100) | cmp -s - "$tmp/$label.sorted" ||
		fail "$label: the ids are not 2026-001..2026-100 once each: $(sort "$tmp/$label.ids" | uniq -d | head -3)"
	expect_commits "$dir" 101
	fsck_clean "$dir"
	expect_ok mores -C "$dir" check
	expect_ok mores -C "$dir" case list --json
	expect_json 'sorted(d["title"] for d in j) == sorted("Dossier %d.%d" % (w, i) for w in range(1, 5) for i in range(1, 26))'
	expect_json '[d["id"] for d in j] == ["2026-%03d" % n for n in range(1, 101)]'
}

# ---- registering side by side in an archive with a working tree --------
register tree "$arch"
expect_registered tree "$arch"
expect_clean "$arch"
e2e_count
[ "$(ls "$arch/dossiers/2026" | wc -l)" -eq 100 ] ||
	fail "the working tree holds $(ls "$arch/dossiers/2026" | wc -l) dossiers, not 100"

# ---- the same in a bare repository, as on a server ------------------------
register bare "$bare"
expect_registered bare "$bare"
e2e_count
[ "$(git -C "$bare" rev-parse --is-bare-repository)" = true ] ||
	fail "the bare clone grew a working tree"

# ---- plain git writing alongside mores (a push, a script) ----------------
# Neither loses the other's commits: mores moves the branch only by
# compare-and-swap and redoes its change on the newest commit.
git_writer() {
	local i old tree commit

	export GIT_INDEX_FILE=$tmp/git-writer.index
	for i in $(seq 1 20); do
		while :; do
			old=$(git -C "$bare" rev-parse HEAD)
			git -C "$bare" read-tree "$old"
			blob=$(echo "notitie $i" | git -C "$bare" hash-object -w --stdin)
			git -C "$bare" update-index --add \
				--cacheinfo "100644,$blob,notities-git/$i.txt"
			tree=$(git -C "$bare" write-tree)
			commit=$(git -C "$bare" -c user.name="Git Script" \
				-c user.email=script@example.org \
				commit-tree "$tree" -p "$old" -m "notitie $i")
			git -C "$bare" update-ref refs/heads/main "$commit" "$old" \
				2>/dev/null && break
		done
	done
}
git_writer &
for w in 1 2; do
	(
		for i in $(seq 1 10); do
			mores -C "$bare" case new --kind unasked \
				--title "Naast git $w.$i" ||
				echo "writer $w: case new $i: exit $?" >&2
		done >"$tmp/mixed.ids.$w" 2>"$tmp/mixed.errors.$w"
	) &
done
wait
e2e_count
cat "$tmp"/mixed.errors.* >"$tmp/mixed.errors"
[ ! -s "$tmp/mixed.errors" ] || fail "case new failed: $(head -3 "$tmp/mixed.errors")"
e2e_count
cat "$tmp"/mixed.ids.* | sort >"$tmp/mixed.ids"
printf '2026-%03d\n' $(seq 101 120) | cmp -s - "$tmp/mixed.ids" ||
	fail "the ids are not 2026-101..2026-120 once each"
expect_commits "$bare" 141
e2e_count
[ "$(git -C "$bare" ls-tree --name-only HEAD notities-git/ | wc -l)" -eq 20 ] ||
	fail "commits of plain git were lost"
fsck_clean "$bare"
expect_ok mores -C "$bare" check

# ---- changing different dossiers side by side loses nothing -------------
# Each loop gives its 25 dossiers a rapporteur and a topic; afterwards
# every value is there, in the commits and in the working tree.
for w in 1 2 3 4; do
	(
		for i in $(seq 1 25); do
			id=$(printf '2026-%03d' $(((w - 1) * 25 + i)))
			mores -C "$arch" case set "$id" "rapporteur=Lid $w.$i" \
				"topics=onderwerp-$w,nummer-$i" ||
				echo "writer $w: case set $id: exit $?" >&2
		done >"$tmp/set.out.$w" 2>"$tmp/set.errors.$w"
	) &
done
wait
e2e_count
cat "$tmp"/set.errors.* >"$tmp/set.errors"
[ ! -s "$tmp/set.errors" ] || fail "case set failed: $(head -3 "$tmp/set.errors")"
expect_commits "$arch" 201
expect_clean "$arch"
fsck_clean "$arch"
e2e_count
missing=$(cd "$arch" && python3 - <<'EOF'
import re
for w in range(1, 5):
    for i in range(1, 26):
        n = (w - 1) * 25 + i
        path = "dossiers/2026/2026-%03d/dossier.md" % n
        text = open(path, encoding="utf-8").read()
        if ("rapporteur: Lid %d.%d\n" % (w, i) not in text or
                "topics: [onderwerp-%d, nummer-%d]\n" % (w, i) not in text or
                "title: Dossier " not in text):
            print(path)
EOF
)
[ -z "$missing" ] || fail "changes lost in: $(echo "$missing" | head -3)"

# ---- changing different fields of one dossier side by side ---------------
# Every write starts from the newest commit, so no field is overwritten
# with an old value.
for w in 1 2 3 4; do
	(
		for i in $(seq 10 19); do
			case $w in
			1) kv="rapporteur=Rapporteur $i" ;;
			2) kv="deadline=2027-01-$i" ;;
			3) kv="follow_up=2027-02-$i" ;;
			4) kv="topics=thema-$i" ;;
			esac
			mores -C "$arch" case set 2026-001 "$kv" ||
				echo "writer $w: case set $kv: exit $?" >&2
		done 2>"$tmp/one.errors.$w"
	) &
done
wait
e2e_count
cat "$tmp"/one.errors.* >"$tmp/one.errors"
[ ! -s "$tmp/one.errors" ] || fail "case set failed: $(head -3 "$tmp/one.errors")"
expect_commits "$arch" 241
expect_ok mores -C "$arch" case show 2026-001 --json
expect_json 'j["rapporteur"] == "Rapporteur 19" and j["deadline"] == "2027-01-19"'
expect_json 'j["follow_up"] == "2027-02-19" and j["topics"] == ["thema-19"]'
expect_json 'j["title"].startswith("Dossier ")'
expect_clean "$arch"
fsck_clean "$arch"
expect_ok mores -C "$arch" check
