#!/bin/sh
# Builds the demo archive in _demo/ from the dossiers in examples/ and shows
# what is in it: the cases, what is due, a check of the whole archive, a
# search, and the public site built from it.
# Run again to start over; the demo archive is an ordinary git repository.
set -eu
cd "$(dirname "$0")/.."
demo=$(pwd)/_demo
author="Secretariaat Voorbeeldregio <secretariaat@example.org>"
mores() { ./mores -C "$demo" --author "$author" "$@"; }

rm -rf "$demo"
./mores --author "$author" init "$demo" \
	--name "Ethische Commissie Data en Technologie Voorbeeldregio" --code ECV
cp -R examples/. "$demo/"
git -C "$demo" add -A
git -C "$demo" -c user.name="Secretariaat Voorbeeldregio" \
	-c user.email=secretariaat@example.org \
	commit -q -m "Voorbeelddossiers 2021-2026 overgenomen"

echo
echo "== mores case list"
mores case list
echo
echo "== mores due --within 90"
mores due --within 90
echo
echo "== mores check"
mores check && echo "no problems found"
echo
echo "== mores search camera's"
mores search "camera's" --limit 3
echo
echo "== mores site build"
mores site build

echo
echo "The demo archive is in $demo (a git repository: try git -C _demo log)."
echo "Try: ./mores -C _demo case show 2022-002"
echo "     ./mores -C _demo similar 2022-002"
echo
echo "The published site is in $demo/_site:"
echo "  open $demo/_site/index.html in a browser (it works from disk), or"
echo "  ./mores -C _demo site serve    and visit http://127.0.0.1:8000/"
