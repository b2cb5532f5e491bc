# lib.sh: what the end-to-end scripts share. Sourced (bash) by each
# tests/e2e/NAME.sh; tests/run.sh exports MORES_BIN, MORES_DATADIR and
# MORES_WRAP (a valgrind prefix or empty). Each script gets a temporary
# folder $tmp, removed on exit, and runs the real binary through `mores`.
#
# Assertions record a failure and go on, so that one run shows every
# broken promise; `die` stops at once when going on makes no sense. The
# script exits 1 at the end when anything failed.
set -u

e2e_script=$(basename "$0")
e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MORES_BIN:=$e2e_dir/../../mores}"
: "${MORES_DATADIR:=$e2e_dir/../..}"
: "${MORES_WRAP:=}"
export MORES_BIN MORES_DATADIR MORES_WRAP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mores-e2e.XXXXXX") || exit 1
out=$tmp/.stdout
err=$tmp/.stderr
: >"$out"
: >"$err"
e2e_failures=0
e2e_assertions=0

e2e_finish() {
	local rc=$?

	rm -rf "$tmp"
	if [ "$e2e_failures" -gt 0 ]; then
		echo "$e2e_script: $e2e_failures of $e2e_assertions assertions failed"
		exit 1
	fi
	echo "$e2e_script: $e2e_assertions assertions passed"
	exit "$rc"
}
trap e2e_finish EXIT

# Nobody's own identity, archive or editor leaks into a test: a fresh
# HOME without git identity, the system git config ignored (for git; see
# no_system_identity), and a fixed author and date.
HOME=$tmp/home
mkdir -p "$HOME"
GIT_CONFIG_NOSYSTEM=1
TMPDIR=$tmp
MORES_AUTHOR="Sanne Secretaris <secretaris@example.org>"
MORES_TODAY=2026-11-23
export HOME GIT_CONFIG_NOSYSTEM TMPDIR MORES_AUTHOR MORES_TODAY
unset MORES_ARCHIVE VISUAL EDITOR MORES_LOCK_WAIT

# The program under test (MORES_WRAP is deliberately split into words).
mores() {
	$MORES_WRAP "$MORES_BIN" "$@"
}

# The line of the calling script that the current assertion stands on.
e2e_line() {
	local i

	for ((i = 0; i < ${#BASH_SOURCE[@]} - 1; i++)); do
		if [ "${BASH_SOURCE[i + 1]}" != "${BASH_SOURCE[0]}" ]; then
			echo "${BASH_LINENO[i]}"
			return
		fi
	done
	echo "?"
}

# fail MSG: records a failure of the current assertion and goes on.
fail() {
	e2e_failures=$((e2e_failures + 1))
	echo "FAIL: $e2e_script:$(e2e_line): $*"
}

# die MSG: a failure after which the script cannot sensibly go on.
die() {
	fail "$@"
	exit 1
}

# Shows what the last command printed, under a failure.
e2e_show_output() {
	sed -n '1,8s/^/    stdout: /p' "$out"
	sed -n '1,8s/^/    stderr: /p' "$err"
}

e2e_count() {
	e2e_assertions=$((e2e_assertions + 1))
}

# expect_exit N CMD...: runs CMD with stdout in $out and stderr in $err
# and checks its exit status.
expect_exit() {
	local want=$1 rc

	shift
	e2e_count
	"$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, not $want: $*"
		e2e_show_output
		return 1
	fi
	return 0
}

# expect_ok CMD...: expect_exit 0.
expect_ok() {
	expect_exit 0 "$@"
}

# expect_out PATTERN / expect_err PATTERN: the last command's stdout or
# stderr holds a line matching the (basic) regular expression.
expect_out() {
	e2e_count
	grep -q -e "$1" "$out" && return 0
	fail "stdout lacks '$1'"
	e2e_show_output
	return 1
}

expect_err() {
	e2e_count
	grep -q -e "$1" "$err" && return 0
	fail "stderr lacks '$1'"
	e2e_show_output
	return 1
}

# expect_no_out PATTERN: no line of the last stdout matches.
expect_no_out() {
	e2e_count
	grep -q -e "$1" "$out" || return 0
	fail "stdout has '$1'"
	e2e_show_output
	return 1
}

# expect_out_is TEXT: the last stdout is exactly TEXT (plus a newline).
expect_out_is() {
	e2e_count
	[ "$(cat "$out")" = "$1" ] && [ "$(wc -l <"$out")" -eq 1 ] && return 0
	fail "stdout is not exactly '$1'"
	e2e_show_output
	return 1
}

# expect_no_err: the last command printed nothing on stderr.
expect_no_err() {
	e2e_count
	[ ! -s "$err" ] && return 0
	fail "stderr is not empty"
	e2e_show_output
	return 1
}

# expect_one_line_err: the last command's stderr is exactly one line.
expect_one_line_err() {
	local n

	e2e_count
	n=$(awk 'END { print NR }' "$err")
	[ "$n" -eq 1 ] && return 0
	fail "stderr is $n lines, not one"
	e2e_show_output
	return 1
}

# expect_usage_err: bad usage (exit 2) is told in one line, then the
# command's usage as the manual page promises: "usage: mores ..." and
# its continuation lines, nothing else.
expect_usage_err() {
	local extra

	e2e_count
	extra=$(sed -e '1d' -e '/^usage: mores /d' -e '/^      /d' "$err")
	if head -1 "$err" | grep -q '^mores [a-z ]*: ' && [ -z "$extra" ] &&
		[ "$(sed -n 2p "$err" | cut -c1-13)" = "usage: mores " ]; then
		return 0
	fi
	fail "not one line of bad usage and the usage"
	e2e_show_output
	return 1
}

# commits DIR: the number of commits on the branch, counted by git.
commits() {
	git -C "$1" rev-list --count HEAD
}

# expect_commits DIR N: the branch holds N commits.
expect_commits() {
	local n

	e2e_count
	n=$(commits "$1")
	[ "$n" = "$2" ] && return 0
	fail "$1 has $n commits, not $2"
	return 1
}

# fsck_clean DIR: git fsck --strict finds nothing (exit 0, silent stderr).
fsck_clean() {
	local report

	e2e_count
	report=$(git -C "$1" fsck --strict --no-progress 2>&1 >/dev/null)
	if [ $? -eq 0 ] && [ -z "$report" ]; then
		return 0
	fi
	fail "git fsck in $1: $report"
	return 1
}

# expect_clean DIR: the working tree and the index match the branch.
expect_clean() {
	local status

	e2e_count
	status=$(git -C "$1" status --porcelain --untracked-files=all)
	[ -z "$status" ] && return 0
	fail "working tree of $1 is not clean: $(echo "$status" | head -5)"
	return 1
}

# last_author DIR: "Name <mail>" of the newest commit.
last_author() {
	git -C "$1" log -1 --format='%an <%ae>'
}

# expect_write DIR CMD...: CMD succeeds and makes exactly one commit,
# authored by its --author (else $MORES_AUTHOR), and the working tree
# shows that commit.
expect_write() {
	local dir=$1 before after author=$MORES_AUTHOR prev= arg

	shift
	for arg in "$@"; do
		case $arg in --author=*) author=${arg#--author=} ;; esac
		[ "$prev" = --author ] && author=$arg
		prev=$arg
	done
	before=$(commits "$dir")
	expect_ok "$@" || return 1
	after=$(commits "$dir")
	e2e_count
	if [ "$after" -ne $((before + 1)) ]; then
		fail "$((after - before)) new commits, not one: $*"
		return 1
	fi
	e2e_count
	if [ "$(last_author "$dir")" != "$author" ]; then
		fail "commit authored by '$(last_author "$dir")', not '$author': $*"
		return 1
	fi
	expect_clean "$dir"
}

# expect_refused N DIR CMD...: CMD exits N with one line on stderr (for
# bad usage, exit 2, followed by the usage) and writes nothing: no
# commit, the working tree as clean as before.
expect_refused() {
	local want=$1 dir=$2 before

	shift 2
	before=$(commits "$dir")
	expect_exit "$want" "$@" || return 1
	if [ "$want" -eq 2 ]; then
		expect_usage_err
	else
		expect_one_line_err
	fi
	e2e_count
	if [ "$(commits "$dir")" != "$before" ]; then
		fail "a refused command made a commit: $*"
		return 1
	fi
	expect_clean "$dir"
}

# json_get FILE PYTHON-EXPR: evaluates the expression on the JSON in FILE
# (bound to `j`) and prints the result.
json_get() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# expect_json PYTHON-EXPR: the expression holds on the last stdout, parsed
# as JSON (bound to `j`).
expect_json() {
	e2e_count
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$out" "$1" 2>>"$tmp/.json-errors" &&
		return 0
	fail "JSON does not satisfy: $1"
	e2e_show_output
	return 1
}

# demo_archive DIR: a new archive in DIR holding the example dossiers,
# committed as plain git would.
demo_archive() {
	expect_ok mores init "$1" --name "Ethische Commissie Voorbeeld" \
		--code ECV || die "init failed"
	cp -R "$MORES_DATADIR/examples/." "$1/"
	git -C "$1" add -A
	git -C "$1" -c user.name=Demo -c user.email=demo@example.org \
		commit -qm "Voorbeelddossiers" || die "cannot commit the examples"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve_site ARCHIVE PORT LOG: `mores site serve` in the background, its
# pid in $served; returns once it listens (10 s at most).
serve_site() {
	(exec $MORES_WRAP "$MORES_BIN" -C "$1" site serve --port "$2" \
		>"$3" 2>&1) &
	served=$!
	for _ in $(seq 100); do
		grep -q "Serving" "$3" && return 0
		sleep 0.1
	done
	die "the preview server did not start: $(head -3 "$3")"
}
