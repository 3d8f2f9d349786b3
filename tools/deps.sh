#!/bin/sh
# deps.sh - install the Debian packages in tools/deps.txt that are missing.
# As root it runs apt-get; otherwise through sudo; without either it prints
# the exact command and stops. Usage: tools/deps.sh [CROSS-PREFIX]
set -eu
here=$(dirname "$0")
cross=${1:-}

want=""
while read -r pkg tag; do
    case "$pkg" in ''|'#'*) continue ;; esac
    # A user-supplied cross toolchain replaces Debian's.
    if [ "${tag:-}" = cross ] && [ -n "$cross" ] && [ "$cross" != i686-linux-gnu- ] &&
       command -v "${cross}gcc" >/dev/null 2>&1; then
        continue
    fi
    want="$want $pkg"
done < "$here/deps.txt"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system; make sure these are installed:$want" >&2
    exit 0
fi

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in *" installed") ;; *) missing="$missing $pkg" ;; esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
echo "deps.sh: installing:$missing"
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps.sh: missing packages; run as root:" >&2
    echo "    apt-get update && $cmd" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are absent or a day old.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    $sudo apt-get update -qq
fi
$sudo $cmd -qq
