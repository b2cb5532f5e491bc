#!/bin/sh
# Runs the test suites: the Check unit suites (tests/check_*) and the
# end-to-end scripts (tests/e2e/*.sh) that drive the real mores binary on
# real git repositories. `run.sh unit` or `run.sh e2e` runs one tier.
# MORES_VALGRIND=1 runs every binary under valgrind memcheck; leaks and
# memory errors fail the run.
set -u
cd "$(dirname "$0")/.." || exit 1
tier=${1:-all}
passed=0
failed=0
failures=""

MORES_BIN=$(pwd)/mores
MORES_DATADIR=$(pwd)
export MORES_BIN MORES_DATADIR
MORES_WRAP=""
if [ "${MORES_VALGRIND:-0}" = 1 ]; then
	MORES_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
fi
export MORES_WRAP
# Tests never use the developer's own git identity or archive.
unset MORES_ARCHIVE MORES_AUTHOR MORES_TODAY
GIT_CONFIG_NOSYSTEM=1
HOME=$(mktemp -d)
export GIT_CONFIG_NOSYSTEM HOME
trap 'rm -rf "$HOME"' EXIT

record() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures $2"
	fi
}

if [ "$tier" = all ] || [ "$tier" = unit ]; then
	for t in tests/check_*; do
		case $t in *.c) continue ;; esac
		[ -x "$t" ] || continue
		echo "== $t"
		CK_FORK=no $MORES_WRAP "./$t"
		record $? "$t"
	done
fi

if [ "$tier" = all ] || [ "$tier" = e2e ]; then
	for t in tests/e2e/*.sh; do
		case $t in */lib.sh) continue ;; esac
		echo "== $t"
		bash "$t"
		record $? "$t"
	done
fi

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
