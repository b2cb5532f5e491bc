#!/bin/sh
# deps.sh: installs the tools the benchmarks compare mores with: Debian's
# hugo and ripgrep, and from npm (bench/package-lock.json) Pagefind and
# playwright-core, which drives Debian's Chromium. Installs only what is
# missing, with sudo when not root.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "bench/deps.sh: needs root or sudo to install packages" >&2
		exit 1
	}
	sudo=sudo
fi

missing=
command -v hugo >/dev/null || missing="$missing hugo"
command -v rg >/dev/null || missing="$missing ripgrep"
command -v chromium >/dev/null || missing="$missing chromium"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
[ -x /usr/bin/time ] || missing="$missing time"
command -v git >/dev/null || missing="$missing git"
if [ -n "$missing" ]; then
	echo "bench/deps.sh: installing$missing" >&2
	$sudo apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing >/dev/null
fi

if [ ! -x "$root/bench/node_modules/.bin/pagefind" ] ||
	[ ! -d "$root/bench/node_modules/playwright-core" ] ||
	[ "$root/bench/package-lock.json" -nt "$root/bench/node_modules" ]; then
	# `npm install --no-save` installs what the lock pins; unlike `npm
	# ci` it accepts a lock without Pagefind's binaries for other systems.
	echo "bench/deps.sh: npm install in bench/" >&2
	(cd "$root/bench" && npm install --no-save --no-audit --no-fund \
		--loglevel=error >/dev/null)
	touch "$root/bench/node_modules"
fi
