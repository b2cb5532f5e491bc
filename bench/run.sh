#!/bin/sh
# run.sh: the side-by-side benchmarks of issue 5, and the report.
#
#   sh bench/run.sh            what `make bench` runs
#   BENCH_N=1000 BENCH_BIG=0 BENCH_RUNS=3 sh bench/run.sh   `make bench-quick`
#
# Settings (environment):
#   BENCH_N     dossiers of the corpus for every comparison (10000)
#   BENCH_BIG   a second, larger corpus for the index, command-line search
#               and case registration figures; 0 skips it (100000)
#   BENCH_RUNS  repeated runs per figure (5); the slow ones (a full index
#               rebuild of BENCH_BIG) run once
#   BENCH_WORK  where corpora and outputs go (/tmp/mores-bench); corpora
#               are kept there and reused while bench/gen.c is unchanged
#   BENCH_OUT   the report (BENCHMARKS.md in the source tree)
#
# Every figure comes from bench/timing (wall time and peak memory of one
# process, fork to wait4), repeated; the report gives the median, the
# minimum and maximum (or p50 and p95 for latencies) and the ratio to the
# other tool measured in the same run. The machines are shared and noisy:
# only figures from one run are compared. A figure never fails the run; a
# command that fails does (a broken harness).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-10000}
BIG=${BENCH_BIG:-100000}
RUNS=${BENCH_RUNS:-5}
WORK=${BENCH_WORK:-/tmp/mores-bench}
OUT=${BENCH_OUT:-$root/BENCHMARKS.md}
MORES=$root/mores
TIMING=$root/bench/timing
PAGEFIND=$root/bench/node_modules/.bin/pagefind
export MORES_AUTHOR="Benchmark <bench@example.org>"
export GIT_AUTHOR_NAME=Benchmark GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Benchmark GIT_COMMITTER_EMAIL=bench@example.org
unset MORES_ARCHIVE

mkdir -p "$WORK"
R=$WORK/results
rm -rf "$R"
mkdir -p "$R"

say() { echo "bench: $*" >&2; }

# ---- figures ---------------------------------------------------------------

# stats FILE: "median min max p95 peak_kib" of the samples (ms, KiB).
stats() {
	sort -n "$1" | awk '
		{ t[NR] = $1; if ($2 > mem) mem = $2 }
		END {
			if (NR == 0) { print "0 0 0 0 0"; exit }
			med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			k = int(NR * 0.95); if (k < NR * 0.95) k++
			printf "%.3f %.3f %.3f %.3f %d\n", med, t[1], t[NR], t[k], mem
		}'
}
field() { echo "$1" | awk -v k="$2" '{ print $k }'; }
# Human units: milliseconds under 10 s, else seconds.
dur() { awk -v v="$1" 'BEGIN { if (v < 10) printf "%.1f ms", v; else if (v < 10000) printf "%.0f ms", v; else printf "%.1f s", v / 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.0f MiB", v / 1024 }'; }
bytes() { awk -v v="$1" 'BEGIN { if (v < 10240) printf "%d B", v; else if (v < 10485760) printf "%.0f KiB", v / 1024; else printf "%.1f MiB", v / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else if (a / b >= 10) printf "%.0fx\n", a / b; else if (a / b >= 0.1) printf "%.2fx\n", a / b; else printf "%.3fx\n", a / b }'; }
num() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }

# time_runs NAME COUNT [-C DIR] -- CMD...: appends COUNT samples to $R/NAME.
time_runs() {
	name=$1 count=$2
	shift 2
	"$TIMING" -n "$count" "$@" >>"$R/$name"
}

# A row "| what | median | min | max | peak |".
row_mmm() {
	s=$(stats "$R/$2")
	echo "| $1 | $(dur "$(field "$s" 1)") | $(dur "$(field "$s" 2)") | $(dur "$(field "$s" 3)") | $(mib "$(field "$s" 5)") |"
}

# ---- corpora ---------------------------------------------------------------

# corpus COUNT: makes (once) $WORK/cCOUNT/archive and .../hugo.
corpus() {
	dir=$WORK/c$1
	key=$(cat "$root/bench/gen.c" "$root/bench/make-corpus.sh" | cksum | cut -d' ' -f1)
	if [ -f "$dir/ready" ] && [ "$(cat "$dir/ready")" = "$key" ]; then
		# a kept corpus: drop what earlier runs committed on top of it
		git -C "$dir/archive" reset -q --hard corpus
		git -C "$dir/archive" clean -q -fd dossiers
		rm -rf "$dir/archive/.mores"
		git -C "$dir/hugo" checkout -q -- content 2>/dev/null || true
		return
	fi
	say "generating the corpus of $1 dossiers"
	rm -rf "$dir"
	mkdir -p "$dir"
	sh "$root/bench/make-corpus.sh" "$1" "$dir/archive" --hugo "$dir/hugo" >"$dir/make-corpus.log"
	git -C "$dir/archive" tag corpus
	# the Hugo content is a git repository too, so a run can undo its edit
	git -C "$dir/hugo" init -q
	git -C "$dir/hugo" add content
	git -C "$dir/hugo" commit -q -m corpus
	echo "$key" >"$dir/ready"
}

# A public dossier to change: the first of the Hugo content.
public_id() {
	ls "$WORK/c$1/hugo/content/reflecties" | head -n 1 | sed 's/\.md$//'
}

# change_dossier ARCHIVE ID I: commits a changed advice text.
change_dossier() {
	y=$(echo "$2" | cut -c1-4)
	git -C "$1" show "HEAD:dossiers/$y/$2/advies.md" >"$WORK/advies.md"
	printf '\nDe commissie vulde dit advies aan (wijziging %s).\n' "$3" >>"$WORK/advies.md"
	"$MORES" -C "$1" advice put "$2" "$WORK/advies.md" >/dev/null
}

# ---- the run -----------------------------------------------------------------

start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
corpus "$N"
A=$WORK/c$N/archive
H=$WORK/c$N/hugo
cp -r "$root/bench/hugo/." "$H/"
pub=$(find "$H/content/reflecties" -name '*.md' | wc -l)

say "index at $N"
time_runs index_n "$RUNS" -- "$MORES" -C "$A" index --rebuild

# ---- site build -----------------------------------------------------------------
# A cold build starts from the archive and its search index alone: what
# earlier builds kept in the derived folder (site-model.bin and
# site-postings.bin) is removed first. A warm one builds into an empty
# folder too, with those kept.
say "site build at $N: mores (cold and warm) and Hugo, $RUNS runs each"
derived=$A/.mores
i=0
while [ "$i" -lt "$RUNS" ]; do
	rm -rf "$WORK/site.$i" "$WORK/public.$i" "$derived"/site-*.bin
	time_runs site_mores 1 -- "$MORES" -C "$A" site build --out "$WORK/site.$i"
	rm -rf "$WORK/site.$i"
	time_runs site_warm 1 -- "$MORES" -C "$A" site build --out "$WORK/site.$i"
	time_runs site_hugo 1 -- hugo --quiet -s "$H" --destination "$WORK/public.$i"
	i=$((i + 1))
done
pages_mores=$(find "$WORK/site.0" -name '*.html' | wc -l)
files_mores=$(find "$WORK/site.0" -type f | wc -l)
pages_hugo=$(find "$WORK/public.0" -name '*.html' | wc -l)
files_hugo=$(find "$WORK/public.0" -type f | wc -l)
i=1
while [ "$i" -lt "$RUNS" ]; do
	rm -rf "$WORK/site.$i" "$WORK/public.$i"
	i=$((i + 1))
done
rm -rf "$WORK/site" "$WORK/public"
mv "$WORK/site.0" "$WORK/site"
mv "$WORK/public.0" "$WORK/public"

say "one-dossier changes at $N"
id=$(public_id "$N")
y=$(echo "$id" | cut -c1-4)
i=0
while [ "$i" -lt "$RUNS" ]; do
	change_dossier "$A" "$id" "$i"
	time_runs update_n 1 -- "$MORES" -C "$A" index
	time_runs rebuild_mores 1 -- "$MORES" -C "$A" site build --out "$WORK/site"
	printf '\nDe commissie vulde dit advies aan (wijziging %s).\n' "$i" >>"$H/content/reflecties/$id.md"
	time_runs rebuild_hugo 1 -- hugo --quiet -s "$H" --destination "$WORK/public"
	i=$((i + 1))
done

# ---- search in the browser ---------------------------------------------------
say "Pagefind over the built site"
rm -rf "$WORK/pfsite"
cp -r "$WORK/site" "$WORK/pfsite"
i=0
while [ "$i" -lt "$RUNS" ]; do
	rm -rf "$WORK/pfsite/pagefind"
	time_runs pagefind "1" -- "$PAGEFIND" --site "$WORK/pfsite" --glob 'reflecties/*/index.html' --quiet
	i=$((i + 1))
done
shard_bytes=$(($(du -sb "$WORK/site/zoeken" | cut -f1) + $(wc -c <"$WORK/site/assets/zoeken.js")))
shard_files=$(($(find "$WORK/site/zoeken" -type f | wc -l) + 1))
pf_bytes=$(du -sb "$WORK/pfsite/pagefind" | cut -f1)
pf_files=$(find "$WORK/pfsite/pagefind" -type f | wc -l)

Q1="sensoren"
Q3="camera's openbare ruimte"
say "browser: '$Q1' and '$Q3'"
node "$root/bench/browser.mjs" "$WORK/site" "$WORK/pfsite" "$RUNS" "$Q1" "$Q3" >"$R/browser.jsonl"
# browser_stat TOOL QUERY KEY: the median of KEY over the runs.
browser_stat() {
	node -e '
		const [tool, query, key] = process.argv.slice(1);
		const v = require("fs").readFileSync(process.argv[4], "utf8").trim().split("\n")
			.map(JSON.parse).filter((r) => r.tool === tool && r.query === query)
			.map((r) => r[key]).sort((a, b) => a - b);
		const m = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
		console.log(key === "min" ? v[0] : m);
	' "$1" "$2" "$3" "$R/browser.jsonl"
}

# ---- search on the command line ----------------------------------------------
QUERIES="sensoren|camera's|gezichtsherkenning|toezicht|camera's openbare ruimte|drones privacy|algoritme transparantie inwoners|locatiegegevens bewaartermijn"

# cli_search ARCHIVE TAG: every query, RUNS times, for mores, rg and git grep.
cli_search() {
	old_ifs=$IFS
	IFS='|'
	for q in $QUERIES; do
		IFS=$old_ifs
		time_runs "search_mores_$2" "$RUNS" -w 1 -- "$MORES" -C "$1" search --limit 20 "$q"
		time_runs "search_rg_$2" "$RUNS" -w 1 -e 1 -C "$1" -- rg -i -l -F -e "$q" dossiers
		time_runs "search_gitgrep_$2" "$RUNS" -w 1 -e 1 -C "$1" -- git grep -i -l -F -e "$q"
		IFS='|'
	done
	IFS=$old_ifs
	time_runs "floor_$2" "$RUNS" -w 1 -- "$MORES" --help
}
# The greps exit 1 when no file holds the literal phrase; that is no
# failure (timing -e 1).
say "command-line search at $N"
cli_search "$A" n

# ---- registering a case ------------------------------------------------------
# case_runs ARCHIVE TAG: mores case new in the archive, in a bare clone of
# it, and the git command line's write, add and commit.
case_runs() {
	rm -rf "$WORK/bare-$2"
	git clone -q --bare "$1" "$WORK/bare-$2"
	time_runs "case_mores_$2" "$((RUNS * 4))" -w 1 -- "$MORES" -C "$1" case new --kind unasked --title "Proef met sensoren in de wijk"
	time_runs "case_bare_$2" "$((RUNS * 4))" -w 1 -- "$MORES" -C "$WORK/bare-$2" case new --kind unasked --title "Proef met sensoren in de wijk"
	time_runs "case_git_$2" "$((RUNS * 4))" -w 1 -C "$1" -- sh -c '
		d=dossiers/2026/git-$$
		mkdir -p "$d"
		printf "%s\n" "---" "title: Proef met sensoren in de wijk" "kind: unasked" "status: registered" "---" >"$d/dossier.md"
		git add "$d/dossier.md"
		git commit -q -m "Dossier $d geregistreerd"'
	rm -rf "$WORK/bare-$2"
}
say "case registration at 1000"
if [ "$N" -ne 1000 ]; then
	corpus 1000
fi
case_runs "$WORK/c1000/archive" 1k

# ---- the larger corpus ---------------------------------------------------------
if [ "$BIG" -gt 0 ]; then
	corpus "$BIG"
	B=$WORK/c$BIG/archive
	say "index --rebuild at $BIG (once)"
	time_runs index_big 1 -- "$MORES" -C "$B" index --rebuild
	say "command-line search at $BIG"
	cli_search "$B" big
	bid=$(public_id "$BIG")
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		change_dossier "$B" "$bid" "$i"
		time_runs update_big 1 -- "$MORES" -C "$B" index
		i=$((i + 1))
	done
	say "case registration at $BIG"
	case_runs "$B" big
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
say "writing $OUT"

# ---- the report --------------------------------------------------------------------

site_m=$(stats "$R/site_mores")
site_w=$(stats "$R/site_warm")
site_h=$(stats "$R/site_hugo")
reb_m=$(stats "$R/rebuild_mores")
reb_h=$(stats "$R/rebuild_hugo")
pps_m=$(awk -v p="$pages_mores" -v t="$(field "$site_m" 1)" 'BEGIN { printf "%.0f", p / t * 1000 }')
pps_h=$(awk -v p="$pages_hugo" -v t="$(field "$site_h" 1)" 'BEGIN { printf "%.0f", p / t * 1000 }')
pps_w=$(awk -v p="$pages_mores" -v t="$(field "$site_w" 1)" 'BEGIN { printf "%.0f", p / t * 1000 }')
pf=$(stats "$R/pagefind")
ix=$(stats "$R/index_n")

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
ver_mores=$("$MORES" --version | sed -n 1p)
ver_commit=${BENCH_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}
ver_hugo=$(hugo version | awk '{ print $2 }')
ver_pf=$("$PAGEFIND" --version | awk '{ print $2 }')
ver_rg=$(rg --version | awk 'NR == 1 { print $2 }')
ver_git=$(git --version | awk '{ print $3 }')
ver_chromium=$(chromium --version 2>/dev/null | awk '{ print $2 }')
ver_node=$(node --version)

{
	cat <<EOF
# Benchmarks

Written by \`make bench\` (bench/run.sh) on $start; do not edit by hand:
the notes at the end come from bench/notes.md. Every ratio compares two
figures of this one run. Medians of $RUNS runs unless said otherwise;
latencies give p50 and p95 over all runs of all queries.

| machine | |
|---|---|
| CPU | $cpu, $(nproc) cores |
| memory | $mem |
| system | $os, Linux $(uname -r) |
| load average (1, 5, 15 min) | $load_start at the start, $load_end at the end (shared machine) |
| mores | $ver_mores, commit $ver_commit |
| other tools | Hugo $ver_hugo, Pagefind $ver_pf, ripgrep $ver_rg, git $ver_git, Chromium $ver_chromium, Node $ver_node |
| corpus | $N dossiers (bench/gen, seed 1), $pub of them public reflections |

## Site build: mores against Hugo, $N dossiers

Both build the $pub public reflections into an empty folder: mores with
\`mores site build\` (pages, listings per value, method and year, yearly
reports, feed, sitemap, data export and the search shards; the search
index is built before and not counted), Hugo with the minimal theme in
bench/hugo (a page per reflection, listings per value, method and year,
a feed, a sitemap). Pages per second count the HTML pages each wrote.
A cold mores build has nothing but the archive and its index; a warm one
also has what the previous build kept in the derived folder (the public
view of every dossier and the postings of the search shards), as every
build after the first has.

| | mores, cold | mores, warm | Hugo | cold / Hugo | warm / Hugo |
|---|---|---|---|---|---|
| wall time, median | $(dur "$(field "$site_m" 1)") | $(dur "$(field "$site_w" 1)") | $(dur "$(field "$site_h" 1)") | $(ratio "$(field "$site_m" 1)" "$(field "$site_h" 1)") | $(ratio "$(field "$site_w" 1)" "$(field "$site_h" 1)") |
| wall time, min - max | $(dur "$(field "$site_m" 2)") - $(dur "$(field "$site_m" 3)") | $(dur "$(field "$site_w" 2)") - $(dur "$(field "$site_w" 3)") | $(dur "$(field "$site_h" 2)") - $(dur "$(field "$site_h" 3)") | | |
| HTML pages (all files) | $pages_mores ($files_mores) | | $pages_hugo ($files_hugo) | | |
| pages per second | $pps_m | $pps_w | $pps_h | $(ratio "$pps_m" "$pps_h") | $(ratio "$pps_w" "$pps_h") |
| peak memory | $(mib "$(field "$site_m" 5)") | $(mib "$(field "$site_w" 5)") | $(mib "$(field "$site_h" 5)") | $(ratio "$(field "$site_m" 5)" "$(field "$site_h" 5)") | $(ratio "$(field "$site_w" 5)" "$(field "$site_h" 5)") |
| rebuild after one dossier changed, median | $(dur "$(field "$reb_m" 1)") | | $(dur "$(field "$reb_h" 1)") | $(ratio "$(field "$reb_m" 1)" "$(field "$reb_h" 1)") | |
| rebuild, min - max | $(dur "$(field "$reb_m" 2)") - $(dur "$(field "$reb_m" 3)") | | $(dur "$(field "$reb_h" 2)") - $(dur "$(field "$reb_h" 3)") | | |
| rebuild / cold full build | $(ratio "$(field "$reb_m" 1)" "$(field "$site_m" 1)") | | $(ratio "$(field "$reb_h" 1)" "$(field "$site_h" 1)") | | |

The change is a commit to one public dossier's advice (\`mores advice
put\`, then \`mores index\`, timed below) for mores and an edit of the same
content file for Hugo, which has no incremental build outside its server.

## Search in the browser: mores's shards against Pagefind, $N dossiers

Pagefind indexes the reflection pages of the same built site
(\`pagefind --site --glob 'reflecties/*/index.html'\`). The browser figures
come from headless Chromium (bench/browser.mjs): a fresh context per run,
nothing cached, the search page opened with the query; bytes are counted
by the local server. Index bytes are the search machinery alone (mores:
zoeken.js and zoeken/; Pagefind: pagefind/); page bytes add the HTML,
styles and scripts of the search page (mores's page carries the NL Design
System styles, the Pagefind page none). Both show the 20 best results.

| | mores | Pagefind | mores / Pagefind |
|---|---|---|---|
| index build, median (min - max) | $(dur "$(field "$ix" 1)") ($(dur "$(field "$ix" 2)") - $(dur "$(field "$ix" 3)")) | $(dur "$(field "$pf" 1)") ($(dur "$(field "$pf" 2)") - $(dur "$(field "$pf" 3)")) | $(ratio "$(field "$ix" 1)" "$(field "$pf" 1)") |
| index size on disk (files) | $(bytes "$shard_bytes") ($shard_files) | $(bytes "$pf_bytes") ($pf_files) | $(ratio "$shard_bytes" "$pf_bytes") |
EOF
	for q in "$Q1" "$Q3"; do
		mi=$(browser_stat mores "$q" index)
		pi=$(browser_stat pagefind "$q" index)
		mt=$(browser_stat mores "$q" total)
		pt=$(browser_stat pagefind "$q" total)
		mm=$(browser_stat mores "$q" ms)
		pm=$(browser_stat pagefind "$q" ms)
		echo "| '$q': index bytes fetched | $(bytes "$mi") | $(bytes "$pi") | $(ratio "$mi" "$pi") |"
		echo "| '$q': page bytes fetched | $(bytes "$mt") | $(bytes "$pt") | $(ratio "$mt" "$pt") |"
		echo "| '$q': time to first result, median | $(dur "$mm") | $(dur "$pm") | $(ratio "$mm" "$pm") |"
	done
	cat <<EOF

mores's index build is \`mores index --rebuild\` (the full-text index the
shards are read from); the shards themselves are written by the site
build above. Pagefind's is its whole run over the built HTML.

## Search on the command line, $N dossiers

\`mores search --limit 20 QUERY\` (stemmed, ranked, with snippets) against
\`rg -i -l -F\` and \`git grep -i -l -F\` looking for the query as one
literal string in the archive's files (no stemming, no ranking: the
least work a grep can do). Queries: $(echo "$QUERIES" | sed "s/|/, /g").
One warm-up run per query, then $RUNS runs each.

EOF
	cli_table() {
		sm=$(stats "$R/search_mores_$1")
		sr=$(stats "$R/search_rg_$1")
		sg=$(stats "$R/search_gitgrep_$1")
		fl=$(stats "$R/floor_$1")
		echo "| | p50 | p95 | min | max | p95 against mores |"
		echo "|---|---|---|---|---|---|"
		echo "| mores search | $(dur "$(field "$sm" 1)") | $(dur "$(field "$sm" 4)") | $(dur "$(field "$sm" 2)") | $(dur "$(field "$sm" 3)") | 1x |"
		echo "| rg -i | $(dur "$(field "$sr" 1)") | $(dur "$(field "$sr" 4)") | $(dur "$(field "$sr" 2)") | $(dur "$(field "$sr" 3)") | $(ratio "$(field "$sr" 4)" "$(field "$sm" 4)") |"
		echo "| git grep -i | $(dur "$(field "$sg" 1)") | $(dur "$(field "$sg" 4)") | $(dur "$(field "$sg" 2)") | $(dur "$(field "$sg" 3)") | $(ratio "$(field "$sg" 4)" "$(field "$sm" 4)") |"
		echo "| mores --help (starting the program) | $(dur "$(field "$fl" 1)") | $(dur "$(field "$fl" 4)") | $(dur "$(field "$fl" 2)") | $(dur "$(field "$fl" 3)") | |"
	}
	cli_table n
	up=$(stats "$R/update_n")
	cat <<EOF

| index | median | min | max | peak memory |
|---|---|---|---|---|
$(row_mmm "\`mores index --rebuild\`, $N dossiers" index_n)
$(row_mmm "\`mores index\` after one dossier changed" update_n)
EOF
	if [ "$BIG" -gt 0 ]; then
		cat <<EOF

### The same at $BIG dossiers

EOF
		cli_table big
		cat <<EOF

| index | median | min | max | peak memory |
|---|---|---|---|---|
$(row_mmm "\`mores index --rebuild\`, $BIG dossiers (one run)" index_big)
$(row_mmm "\`mores index\` after one dossier changed" update_big)
EOF
	fi
	cat <<EOF

## Registering a case

\`mores case new --kind unasked --title ...\` in the archive with its work
tree, in a bare clone of it, and the git command line doing the same job
in the work tree (write dossier.md, \`git add\`, \`git commit\`).
$((RUNS * 4)) runs after one warm-up.

| history | tool | p50 | p95 | min | max | p95 against git |
|---|---|---|---|---|---|---|
EOF
	for tag in 1k big; do
		[ -s "$R/case_mores_$tag" ] || continue
		size=1000
		[ "$tag" = big ] && size=$BIG
		cg=$(stats "$R/case_git_$tag")
		for t in mores bare git; do
			s=$(stats "$R/case_${t}_$tag")
			case $t in
			mores) label="mores case new (work tree)" ;;
			bare) label="mores case new (bare archive)" ;;
			git) label="git: write, add, commit" ;;
			esac
			echo "| $size | $label | $(dur "$(field "$s" 1)") | $(dur "$(field "$s" 4)") | $(dur "$(field "$s" 2)") | $(dur "$(field "$s" 3)") | $(ratio "$(field "$s" 4)" "$(field "$cg" 4)") |"
		done
	done

	# ---- targets ----
	target() { # what figure goal met
		if [ "$3" = 1 ]; then m=met; else m="**missed**"; fi
		echo "| $1 | $2 | $m |"
	}
	yes_if() { awk "BEGIN { exit !($1) }" && echo 1 || echo 0; }
	cat <<EOF

## Targets

| target | this run | |
|---|---|---|
EOF
	target "site build at least 2x Hugo's pages per second ($N dossiers, cold)" \
		"$pps_m against $pps_h pages/s ($(ratio "$pps_m" "$pps_h"))" \
		"$(yes_if "$pps_m >= 2 * $pps_h")"
	target "site build at least 2x Hugo's pages per second ($N dossiers, warm)" \
		"$pps_w against $pps_h pages/s ($(ratio "$pps_w" "$pps_h"))" \
		"$(yes_if "$pps_w >= 2 * $pps_h")"
	target "site build peak memory no more than Hugo's" \
		"$(mib "$(field "$site_m" 5)") against $(mib "$(field "$site_h" 5)")" \
		"$(yes_if "$(field "$site_m" 5) <= $(field "$site_h" 5)")"
	target "one-dossier rebuild at most 1/50 of a (cold) full build" \
		"$(dur "$(field "$reb_m" 1)") against $(dur "$(field "$site_m" 1)") (1/$(awk -v a="$(field "$site_m" 1)" -v b="$(field "$reb_m" 1)" 'BEGIN { printf (a / b < 10 ? "%.1f" : "%.0f"), a / b }'))" \
		"$(yes_if "$(field "$reb_m" 1) * 50 <= $(field "$site_m" 1)")"
	for q in "$Q1" "$Q3"; do
		mi=$(browser_stat mores "$q" index)
		pi=$(browser_stat pagefind "$q" index)
		target "bytes fetched for '$q' no more than Pagefind's" \
			"$(bytes "$mi") against $(bytes "$pi")" "$(yes_if "$mi <= $pi")"
	done
	tag=n
	size=$N
	if [ "$BIG" -gt 0 ]; then
		tag=big
		size=$BIG
	fi
	sm=$(stats "$R/search_mores_$tag")
	sr=$(stats "$R/search_rg_$tag")
	target "command-line query p95 within 10 ms ($size dossiers)" \
		"$(dur "$(field "$sm" 4)")" "$(yes_if "$(field "$sm" 4) <= 10")"
	target "command-line query at least 100x faster than rg (p95, $size dossiers)" \
		"$(ratio "$(field "$sr" 4)" "$(field "$sm" 4)")" \
		"$(yes_if "$(field "$sr" 4) >= 100 * $(field "$sm" 4)")"
	c1=$(stats "$R/case_mores_1k")
	target "case registration p95 within 20 ms (1000 dossiers, work tree)" \
		"$(dur "$(field "$c1" 4)")" "$(yes_if "$(field "$c1" 4) <= 20")"
	if [ "$BIG" -gt 0 ]; then
		cb=$(stats "$R/case_mores_big")
		bb=$(stats "$R/case_bare_big")
		b1=$(stats "$R/case_bare_1k")
		target "case registration p95 within 20 ms ($BIG dossiers, work tree)" \
			"$(dur "$(field "$cb" 4)")" "$(yes_if "$(field "$cb" 4) <= 20")"
		target "case registration flat from 1000 to $BIG (p95 within 1.5x, work tree)" \
			"$(dur "$(field "$c1" 4)") to $(dur "$(field "$cb" 4)")" \
			"$(yes_if "$(field "$cb" 4) <= 1.5 * $(field "$c1" 4)")"
		target "case registration flat from 1000 to $BIG (p95 within 1.5x, bare)" \
			"$(dur "$(field "$b1" 4)") to $(dur "$(field "$bb" 4)")" \
			"$(yes_if "$(field "$bb" 4) <= 1.5 * $(field "$b1" 4)")"
	fi
	echo
	if [ -f "$root/bench/notes.md" ]; then
		cat "$root/bench/notes.md"
	fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "done: $OUT"
