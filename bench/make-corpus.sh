#!/bin/sh
# make-corpus.sh: build a benchmark archive of N generated dossiers.
#
#   bench/make-corpus.sh N DIR [--hugo HUGODIR] [gen options...]
#
# Builds bench/gen when needed, creates the git archive in DIR (which must
# not exist yet or be empty), checks out main and prints how long it took
# and how big the result is. Extra options (--seed, --words, --batch) go
# to bench/gen unchanged.
set -eu

usage() {
	echo "usage: bench/make-corpus.sh N DIR [--hugo HUGODIR] [--seed S] [--words MIN-MAX] [--batch B]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
count=$1
dir=$2
shift 2
case $count in
'' | *[!0-9]*) usage ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
gen=$root/bench/gen

if [ ! -x "$gen" ] || [ "$root/bench/gen.c" -nt "$gen" ]; then
	make -C "$root" --no-print-directory bench/gen >/dev/null
fi

if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
	echo "make-corpus.sh: $dir exists and is not empty" >&2
	exit 1
fi

# A clock in milliseconds; date +%N is a GNU extension, fine on Debian.
now() { date +%s%N | cut -c1-13; }

# fast-import as a bulk loader: the generated files are unrelated to each
# other, so delta search (--depth=0 turns it off) only costs time, and
# light compression makes a pack a third larger in a third of the time.
# glibc's allocator would hand fast-import's large buffers back to the
# kernel and fetch them again for every file (brk in a loop, half of the
# time): a large top pad and trim threshold keep them.
start=$(now)
git init -q "$dir"
"$gen" --count "$count" "$@" |
	MALLOC_TOP_PAD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824 \
		git -C "$dir" -c pack.compression=1 fast-import --quiet --depth=0
imported=$(now)
# Point HEAD at main and fill the work tree; unlike `checkout main` this
# also works when init.defaultBranch is already main.
git -C "$dir" symbolic-ref HEAD refs/heads/main
git -C "$dir" reset -q --hard
end=$(now)

ms() { echo "$1" | awk '{ printf "%.2f s", $1 / 1000 }'; }
echo "dossiers:   $count"
echo "generate+import: $(ms $((imported - start)))"
echo "checkout:   $(ms $((end - imported)))"
echo "total:      $(ms $((end - start)))"
echo "git objects: $(du -sh "$dir/.git" | cut -f1)"
echo "work tree:  $(du -sh --exclude=.git "$dir" | cut -f1)"
hugo=
while [ $# -gt 0 ]; do
	[ "$1" = --hugo ] && [ $# -ge 2 ] && hugo=$2
	shift
done
if [ -n "$hugo" ]; then
	echo "hugo files: $(find "$hugo/content/reflecties" -name '*.md' | wc -l)" \
		"($(du -sh "$hugo/content" | cut -f1))"
fi
