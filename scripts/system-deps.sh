#!/usr/bin/env bash
# Install the non-Python programs clustergraph and its tests need, when they are missing:
#   java      HermiT (owlready2's reasoner) runs on it
#   chromium  (argument 'chromium', given by `make test`) the browser tests drive Debian's chromium
#   virtuoso  (argument 'virtuoso', given by `make test`) Virtuoso Open Source 7 for the external-engine
#             tests: only its binaries (virtuoso-t, isql-vt), no Debian service and no DBA password prompt;
#             the tests start their own server on free ports with a temporary database
# Uses apt-get (as root, or through sudo when available). Prints what it does; idempotent.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)

for extra in "$@"; do
    case "$extra" in
        chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core) ;;
        virtuoso) command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin) ;;
        *) need+=("$extra") ;;
    esac
done

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "system-deps: missing ${need[*]} and not root; install them with apt-get" >&2
        exit 1
    fi
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
