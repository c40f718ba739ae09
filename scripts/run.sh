#!/usr/bin/env bash
# One command for a newcomer on a fresh Debian bookworm machine: installs what is needed,
# builds Toolmark, makes sure the default database exists (filled with the shared real
# scans when ../shared/scans is beside the checkout and the database is still empty),
# and starts the application on it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build

cli=build/src/cli/toolmark-cli
"$cli" init
count=$("$cli" list --json | grep -c '"id"' || true)
if [ "$count" -eq 0 ] && [ -d ../shared/scans ]; then
  echo "Importing the shared real scans into the default database…"
  find ../shared/scans -name '*.x3p' -print0 | sort -z |
    xargs -0 "$cli" import --manifest ../shared/scans/truth.csv --kind test-fire --calibre 9mm >/dev/null
fi

# The settings schema compiled in the build tree (what `meson devenv` sets): without it
# the uninstalled app would start with no preferences and no scheduled sync.
export GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec build/src/app/toolmark "$@"
