#!/usr/bin/env bash
# Install the Debian packages that are missing, and only those: `apt-get update` once, then
# `apt-get install -y`. Runs unattended (CI=true, no stdin) as root, or through sudo.
#
#   scripts/debian-packages.sh PACKAGE ...        installed unless dpkg already has it
#   scripts/debian-packages.sh PACKAGE=GLOB ...   installed unless a file matches GLOB
#                                                 (e.g. postgresql='/usr/lib/postgresql/*/bin/pg_ctl')
set -euo pipefail

missing=()
for spec in "$@"; do
    package=${spec%%=*}
    if [[ $spec == *=* ]]; then
        compgen -G "${spec#*=}" >/dev/null && continue
    else
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' && continue
    fi
    missing+=("$package")
done
((${#missing[@]})) || exit 0

sudo=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
        echo "Missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo --non-interactive)
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q </dev/null
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
