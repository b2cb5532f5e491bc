#!/bin/sh
# Installs the Debian packages that building and testing mores needs, when
# they are missing. Safe to run again: it only installs what is absent.
set -eu

packages="build-essential pkg-config git
libgit2-dev libyaml-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libsqlite3-dev libstemmer-dev libjansson-dev libcurl4-openssl-dev
libmicrohttpd-dev check valgrind wdutch"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

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
