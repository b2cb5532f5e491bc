#!/bin/bash
# faults.sh: mores when the machine misbehaves: a full disk, a read-only
# archive, a damaged or missing git object, a damaged search index, lock
# files left by killed processes and a clock set before the last commit.
# Each ends in one clear error line or a recovery, never a crash (exit
# 1, not a signal), and afterwards git fsck is clean and every change
# mores acknowledged (exit 0) is in the archive.
. "$(dirname "$0")/lib.sh"

# ---- helpers -----------------------------------------------------------

# A mount point for a small tmpfs; empty when this machine cannot mount
# (no root, or a container without the capability).
mounts=()
try_tmpfs() {
	local dir=$1 size=$2

	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] || return 1
	mount -t tmpfs -o "size=$size" tmpfs "$dir" 2>/dev/null || return 1
	mounts+=("$dir")
	return 0
}
cleanup_mounts() {
	local m

	for m in "${mounts[@]}"; do
		umount -l "$m" 2>/dev/null
	done
}
trap 'cleanup_mounts; e2e_finish' EXIT

# expect_clean_failure: the last command failed with exit 1 (not a
# signal, not an assertion) and said so in one line on stderr.
expect_clean_failure() {
	e2e_count
	if [ "$rc" -ne 1 ]; then
		fail "exit $rc, not a clear error (1): $*"
		e2e_show_output
		return 1
	fi
	expect_one_line_err
}

# run CMD...: runs CMD with stdout in $out and stderr in $err; $rc holds
# its exit status. For commands that may succeed or fail cleanly.
run() {
	"$@" >"$out" 2>"$err"
	rc=$?
	return 0
}

# acknowledged FILE ID: the id a write printed is kept in FILE.
# expect_all_present DIR FILE: every id in FILE is a dossier of DIR that
# mores reads back whole.
expect_all_present() {
	local dir=$1 list=$2 id

	e2e_count
	while read -r id; do
		[ -n "$id" ] || continue
		if ! mores -C "$dir" case show "$id" >/dev/null 2>"$tmp/.show"; then
			fail "acknowledged $id is not in $dir: $(head -1 "$tmp/.show")"
			return 1
		fi
	done <"$list"
	return 0
}

# A dossier text with a public advice, for the steps of publication.
publish() {
	local dir=$1 id=$2 text=$3

	mores -C "$dir" case move "$id" intake >/dev/null &&
		printf -- '---\nsummary: %s\n---\n%s\n' "$text" "$text" |
		mores -C "$dir" advice put "$id" - >/dev/null &&
		mores -C "$dir" case move "$id" deliberation >/dev/null &&
		mores -C "$dir" case move "$id" draft >/dev/null &&
		mores -C "$dir" case move "$id" adopted >/dev/null &&
		mores -C "$dir" case move "$id" published >/dev/null
}

# ---- a full disk -------------------------------------------------------
# The archive lives on a 4 MB tmpfs. A filler file takes all free space
# but a little (from nothing to a few blocks); writes then either succeed
# and stay, or fail with one line and leave nothing behind.
disk=$tmp/disk
if try_tmpfs "$disk" 4m; then
	arch=$disk/arch
	expect_ok mores init "$arch" --name "Commissie Vol" --code ECV
	: >"$tmp/acked"
	for i in 1 2 3; do
		expect_ok mores -C "$arch" case new --kind unasked --title "Voor $i"
		cat "$out" >>"$tmp/acked"
	done
	big=$(head -c 60000 /dev/urandom | base64 -w 76)
	for spare in 0 1 2 4 8 16 32 64; do
		rm -f "$disk/filler"
		dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null
		# give back `spare` blocks of 4 kB
		[ "$spare" -gt 0 ] && truncate -s "-$((spare * 4096))" "$disk/filler"
		before=$(commits "$arch")
		run mores -C "$arch" case new --kind unasked --title "Vol $spare"
		if [ "$rc" -eq 0 ]; then
			cat "$out" >>"$tmp/acked"
			id=$(cat "$out")
			e2e_count
			[ "$(commits "$arch")" -eq $((before + 1)) ] ||
				fail "spare $spare: case new succeeded without one commit"
			run mores -C "$arch" advice new "$id"
		fi
		[ "$rc" -eq 0 ] || expect_clean_failure "spare $spare: case new/advice new"
		run mores -C "$arch" advice put "$(head -1 "$tmp/acked")" - <<EOF
---
summary: Een lang advies.
---
$big
EOF
		[ "$rc" -eq 0 ] || expect_clean_failure "spare $spare: advice put"
		run mores -C "$arch" index
		[ "$rc" -eq 0 ] || expect_clean_failure "spare $spare: index"
		run mores -C "$arch" site build
		[ "$rc" -eq 0 ] || expect_clean_failure "spare $spare: site build"
		rm -f "$disk/filler"
		fsck_clean "$arch"
	done
	# with room again, everything works and everything acknowledged is there
	expect_write "$arch" mores -C "$arch" case new --kind unasked --title "Na"
	cat "$out" >>"$tmp/acked"
	expect_all_present "$arch" "$tmp/acked"
	expect_ok mores -C "$arch" check
	expect_ok mores -C "$arch" index
	expect_ok mores -C "$arch" search Voor
	expect_ok mores -C "$arch" site build
	fsck_clean "$arch"
	expect_clean "$arch"
else
	echo "$e2e_script: SKIP disk full: cannot mount a tmpfs here"
fi

# A file size limit (ulimit -f) is a full disk for one process: it needs
# no mount. SIGXFSZ would kill the writer; ignored, writes fail with EFBIG.
arch=$tmp/limit
expect_ok mores init "$arch" --name "Commissie Limiet" --code ECL
expect_ok mores -C "$arch" case new --kind unasked --title "Eerste"
id=$(cat "$out")
: >"$tmp/acked"
echo "$id" >>"$tmp/acked"
head -c 200000 /dev/urandom | base64 -w 76 >"$tmp/big.md"
sed -i '1i ---\nsummary: Groot.\n---' "$tmp/big.md"
before=$(commits "$arch")
run bash -c 'trap "" XFSZ; ulimit -f 64; "$@"' limit $MORES_WRAP "$MORES_BIN" \
	-C "$arch" advice put "$id" "$tmp/big.md"
expect_clean_failure "advice put over the file size limit"
e2e_count
[ "$(commits "$arch")" = "$before" ] || fail "a failed write made a commit"
fsck_clean "$arch"
expect_clean "$arch"
expect_write "$arch" mores -C "$arch" advice put "$id" "$tmp/big.md"
expect_all_present "$arch" "$tmp/acked"

# ---- a read-only archive -----------------------------------------------
# As root, permissions do not stop writes: a read-only mount does.
ro=$tmp/ro
arch=$ro/arch
readonly_ok=0
if try_tmpfs "$ro" 8m; then
	readonly_ok=1
else
	mkdir -p "$ro"
fi
expect_ok mores init "$arch" --name "Commissie Alleen Lezen" --code ECR
expect_ok mores -C "$arch" case new --kind asked --title "Camera's" \
	--requester "Afdeling" --question "Mag het?" --topic camera
id=$(cat "$out")
expect_ok mores -C "$arch" index
if [ "$readonly_ok" = 1 ]; then
	mount -o remount,ro "$ro" 2>/dev/null || readonly_ok=0
fi
if [ "$readonly_ok" = 0 ] && [ "$(id -u)" -ne 0 ]; then
	chmod -R a-w "$arch" && readonly_ok=1
fi
if [ "$readonly_ok" = 1 ]; then
	head_before=$(git -C "$arch" rev-parse HEAD)
	for cmd in "case new --kind unasked --title Nieuw" "case move $id intake" \
		"case set $id title=Anders" "advice new $id" "index --rebuild"; do
		# shellcheck disable=SC2086
		run mores -C "$arch" $cmd
		expect_clean_failure "read-only: $cmd"
	done
	# reading still works: the committed state, the index as it is
	expect_ok mores -C "$arch" case show "$id"
	expect_ok mores -C "$arch" case list
	expect_ok mores -C "$arch" check
	run mores -C "$arch" search camera
	[ "$rc" -eq 0 ] || expect_clean_failure "read-only: search"
	run mores -C "$arch" site build --out "$tmp/ro-site"
	[ "$rc" -eq 0 ] || expect_clean_failure "read-only: site build"
	e2e_count
	[ "$(git -C "$arch" rev-parse HEAD)" = "$head_before" ] ||
		fail "the branch moved on a read-only archive"
	mount -o remount,rw "$ro" 2>/dev/null || chmod -R u+w "$arch"
	expect_write "$arch" mores -C "$arch" case move "$id" intake
	fsck_clean "$arch"
else
	echo "$e2e_script: SKIP read-only archive: no read-only mount here"
fi

# ---- a missing or damaged object in the repository ---------------------
# git keeps every object once; when one is lost, mores says which file it
# cannot read, and a clone (the backup) brings it back.
arch=$tmp/objects
expect_ok mores init "$arch" --name "Commissie Objecten" --code ECO
: >"$tmp/acked"
for t in Een Twee Drie; do
	expect_ok mores -C "$arch" case new --kind unasked --title "$t"
	cat "$out" >>"$tmp/acked"
done
id=$(head -1 "$tmp/acked")
other=$(sed -n 2p "$tmp/acked")
git clone -q --mirror "$arch" "$tmp/backup.git" || die "cannot clone"
blob=$(git -C "$arch" rev-parse "HEAD:dossiers/${id%%-*}/$id/dossier.md")
obj=$arch/.git/objects/${blob:0:2}/${blob:2}
e2e_count
[ -f "$obj" ] || die "the blob of $id is not a loose object"
for damage in missing garbage truncated; do
	cp "$obj" "$tmp/obj.keep"
	chmod u+w "$obj"
	case $damage in
	missing) rm -f "$obj" ;;
	garbage) head -c 100 /dev/urandom >"$obj" ;;
	truncated) truncate -s 20 "$obj" ;;
	esac
	run mores -C "$arch" case show "$id"
	expect_clean_failure "$damage object: case show"
	expect_err "$id\|dossier.md\|object"
	run mores -C "$arch" case list
	[ "$rc" -eq 0 ] || expect_clean_failure "$damage object: case list"
	run mores -C "$arch" check
	e2e_count
	[ "$rc" -eq 1 ] || fail "$damage object: check exit $rc, not 1"
	run mores -C "$arch" index --rebuild
	[ "$rc" -eq 0 ] || expect_clean_failure "$damage object: index"
	run mores -C "$arch" site build
	[ "$rc" -eq 0 ] || expect_clean_failure "$damage object: site build"
	# a write elsewhere succeeds or fails cleanly, and is kept either way
	run mores -C "$arch" case move "$other" intake
	[ "$rc" -eq 0 ] || expect_clean_failure "$damage object: case move"
	run mores -C "$arch" case new --kind unasked --title "Tijdens $damage"
	if [ "$rc" -eq 0 ]; then
		cat "$out" >>"$tmp/acked"
	else
		expect_clean_failure "$damage object: case new"
	fi
	# the backup restores it
	rm -f "$obj"
	git -C "$tmp/backup.git" cat-file blob "$blob" |
		git -C "$arch" hash-object -w --stdin >/dev/null
	fsck_clean "$arch"
	expect_ok mores -C "$arch" case show "$id"
done
expect_all_present "$arch" "$tmp/acked"
expect_ok mores -C "$arch" check

# ---- a damaged search index --------------------------------------------
# The index is derived data: truncated, emptied or overwritten, it is
# rebuilt and answers as before.
arch=$tmp/index
expect_ok mores init "$arch" --name "Commissie Index" --code ECI
expect_ok mores -C "$arch" case new --kind asked --title "Slimme camera's" \
	--requester "Afdeling" --question "Mag tellen?" --topic camera
id=$(cat "$out")
expect_ok mores -C "$arch" search camera --json
expect_json "[r['id'] for r in j] == ['$id']"
db=$arch/.mores/index.sqlite
e2e_count
[ -s "$db" ] || die "no index at $db"
for damage in half header empty garbage; do
	size=$(stat -c %s "$db")
	case $damage in
	half) truncate -s $((size / 2)) "$db" ;;
	header) truncate -s 100 "$db" ;;
	empty) : >"$db" ;;
	garbage) head -c "$size" /dev/urandom >"$db" ;;
	esac
	expect_ok mores -C "$arch" search camera --json
	expect_json "[r['id'] for r in j] == ['$id']"
	expect_ok mores -C "$arch" search camera --public --json
	expect_json "j == []"
	expect_ok mores -C "$arch" index
done
# a stale journal next to a good index does no harm either
expect_ok mores -C "$arch" index --rebuild
head -c 5000 /dev/urandom >"$db-journal"
run mores -C "$arch" search camera --json
e2e_count
[ "$rc" -le 1 ] || fail "search with a stale journal: exit $rc"
expect_ok mores -C "$arch" index --rebuild
expect_ok mores -C "$arch" search camera --json
expect_json "[r['id'] for r in j] == ['$id']"
expect_clean "$arch"

# ---- lock files left by killed processes ---------------------------------
arch=$tmp/locks
expect_ok mores init "$arch" --name "Commissie Slot" --code ECS
: >"$tmp/acked"
expect_ok mores -C "$arch" case new --kind unasked --title "Eerste"
cat "$out" >>"$tmp/acked"
lock_held() {
	[ -e "$arch/.git/mores.lock" ] &&
		! flock -n "$arch/.git/mores.lock" true 2>/dev/null
}
# Another process holds the archive's lock: the next writer waits, then
# says the archive is locked and writes nothing; once the holder is gone,
# writing goes on.
flock "$arch/.git/mores.lock" sleep 60 &
holder=$!
for _ in $(seq 200); do
	lock_held && break
	sleep 0.01
done
before=$(commits "$arch")
run env MORES_LOCK_WAIT=1 $MORES_WRAP "$MORES_BIN" -C "$arch" case new \
	--kind unasked --title "Wacht"
expect_clean_failure "a write while another holds the lock"
expect_err "lock"
expect_commits "$arch" "$before"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
# A writer killed at some moment of its write, the lock perhaps held:
# it is stopped and let run in short slices (caught holding the lock, the
# next writer is refused as above), then killed; the archive stays whole.
(exec $MORES_WRAP "$MORES_BIN" -C "$arch" case new --kind unasked \
	--title "Gestopt" >"$tmp/stopped.out" 2>&1) &
stopped=$!
kill -STOP "$stopped"
for _ in $(seq 100); do
	kill -CONT "$stopped" 2>/dev/null
	sleep 0.02
	kill -STOP "$stopped" 2>/dev/null
	lock_held && break
	[ -e "/proc/$stopped" ] || break
done
if [ -e "/proc/$stopped" ] && lock_held; then
	run env MORES_LOCK_WAIT=1 $MORES_WRAP "$MORES_BIN" -C "$arch" case new \
		--kind unasked --title "Wacht"
	expect_clean_failure "a write while a stopped writer holds the lock"
	expect_err "lock"
fi
kill -KILL "$stopped" 2>/dev/null
wait "$stopped" 2>/dev/null
expect_write "$arch" mores -C "$arch" case new --kind unasked --title "Daarna"
cat "$out" >>"$tmp/acked"
fsck_clean "$arch"
# git's own lock files, left by a killed git or mores: the index lock and
# the branch's ref lock. mores refuses in one line naming the file, or
# cleans up after itself when its note says the lock was its own.
for lock in index.lock refs/heads/main.lock; do
	echo stale >"$arch/.git/$lock"
	before=$(commits "$arch")
	run env MORES_LOCK_WAIT=2 $MORES_WRAP "$MORES_BIN" -C "$arch" case new \
		--kind unasked --title "Met $lock"
	if [ "$rc" -eq 0 ]; then
		cat "$out" >>"$tmp/acked"
	else
		expect_clean_failure "a stale $lock"
		expect_err "lock"
		e2e_count
		[ "$(commits "$arch")" = "$before" ] || fail "$lock: a failed write made a commit"
	fi
	rm -f "$arch/.git/$lock"
	expect_write "$arch" mores -C "$arch" case new --kind unasked --title "Zonder $lock"
	cat "$out" >>"$tmp/acked"
	fsck_clean "$arch"
done
expect_all_present "$arch" "$tmp/acked"
# The index's own lock: a search while another process holds a write
# transaction on the index waits or answers from what is there.
expect_ok mores -C "$arch" index
python3 - "$arch/.mores/index.sqlite" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
time.sleep(2)
db.execute("ROLLBACK")
EOF
holder=$!
sleep 0.5
run mores -C "$arch" search Eerste --json
[ "$rc" -eq 0 ] || expect_clean_failure "search while the index is locked"
wait "$holder"
expect_ok mores -C "$arch" search Eerste --json
expect_json "len(j) == 1"

# ---- a clock before the last commit --------------------------------------
# Today (MORES_TODAY, or the system date) earlier than the newest commit:
# ids follow the date of receipt and never repeat, and an embargo that
# ended "later" is in force again for a build or search "earlier".
arch=$tmp/clock
expect_ok mores init "$arch" --name "Commissie Klok" --code ECK
: >"$tmp/acked"
expect_ok mores -C "$arch" case new --kind unasked --title "Vandaag" --topic drone
id=$(cat "$out")
echo "$id" >>"$tmp/acked"
expect_ok mores -C "$arch" case set "$id" embargo_until=2026-06-01
publish "$arch" "$id" "Drones boven de stad." || fail "cannot publish $id"
expect_ok mores -C "$arch" search drones --public --json
expect_json "[r['id'] for r in j] == ['$id']"
expect_ok mores -C "$arch" site build
expect_out "1 reflection"
for today in 2026-05-31 2020-01-01 1999-12-31; do
	expect_ok env MORES_TODAY=$today $MORES_WRAP "$MORES_BIN" -C "$arch" case new \
		--kind unasked --title "Terug naar $today"
	cat "$out" >>"$tmp/acked"
	expect_ok env MORES_TODAY=$today $MORES_WRAP "$MORES_BIN" -C "$arch" search drones --public --json
	expect_json "j == []"
	expect_ok env MORES_TODAY=$today $MORES_WRAP "$MORES_BIN" -C "$arch" site build
	expect_out "0 reflections"
	e2e_count
	! grep -rq "Drones boven" "$arch/_site" || fail "embargo broken at $today"
	expect_ok env MORES_TODAY=$today $MORES_WRAP "$MORES_BIN" -C "$arch" due --json
	expect_ok env MORES_TODAY=$today $MORES_WRAP "$MORES_BIN" -C "$arch" case log "$id"
done
expect_ok mores -C "$arch" case new --kind unasked --title "Weer vandaag"
cat "$out" >>"$tmp/acked"
e2e_count
[ -z "$(sort "$tmp/acked" | uniq -d)" ] || fail "an id was given twice"
expect_all_present "$arch" "$tmp/acked"
expect_ok mores -C "$arch" search drones --public --json
expect_json "[r['id'] for r in j] == ['$id']"
expect_ok mores -C "$arch" check
fsck_clean "$arch"
expect_clean "$arch"
