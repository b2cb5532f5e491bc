#!/bin/sh
# Installs the Debian packages that building and testing mores needs, when
# they are missing. Safe to run again: it only installs what is absent.
set -eu

packages="build-essential pkg-config git
libgit2-dev libyaml-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libsqlite3-dev libstemmer-dev libjansson-dev libcurl4-openssl-dev libssl-dev
libmicrohttpd-dev zlib1g-dev check valgrind wdutch
python3 libxml2-utils curl nodejs chromium
clang libclang-rt-14-dev python3-aiosmtpd openssl"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
# npm may come with nodejs (from another source than Debian's); only ask
# for Debian's package when the command is absent.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

# The site's design system CSS comes from the npm registry, pinned by
# site-gen/package-lock.json.
npm_ci() {
	dir=$1
	[ -f "$dir/package-lock.json" ] || return 0
	if [ ! -d "$dir/node_modules" ] ||
	   [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
		echo "install-deps: npm ci in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --silent) && touch "$dir/node_modules"
	fi
}

here=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "$missing" ]; then
	npm_ci "$here/site-gen"
	npm_ci "$here/tests/browser"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: missing packages:$missing; run as root or install sudo" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
npm_ci "$here/site-gen"
npm_ci "$here/tests/browser"
