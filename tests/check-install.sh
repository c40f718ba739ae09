#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-install.sh BUILDDIR PREFIX APP_ID VERSION — installs the build into a temporary
# DESTDIR and checks that the installed tree is complete and runs from there:
#   - the app, the CLI, the desktop entry, metainfo, schema, MIME type, icons, man pages
#     and the translations of po/LINGUAS are where a desktop looks for them, named by
#     APP_ID (org.toolmark.Toolmark, or ….Devel with -Ddevelopment=true);
#   - the installed toolmark-cli reports VERSION and creates a database;
#   - the installed toolmark, under Xvfb, with XDG_DATA_DIRS and GSETTINGS_SCHEMA_DIR
#     pointing into the DESTDIR only, finds its settings schema and draws its window
#     (--quit-after-startup quits after the first frame).
# Exit 77 (skipped) only when xvfb-run is missing, after every other check has passed.
set -eu

builddir=$1
prefix=$2
app_id=$3
version=$4
srcdir=$(cd "$(dirname "$0")/.." && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
destdir=$tmp/destdir
root=$destdir$prefix
status=0

fail () {
  echo "FAIL: $*"
  status=1
}

# meson's gnome.post_install does not compile schemas or caches under a DESTDIR (that is
# the packager's job), so this does it below, as a package's trigger would.
meson install -C "$builddir" --no-rebuild --quiet --destdir "$destdir" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"
  echo "FAIL: meson install --destdir"
  exit 1
}

for f in \
  bin/toolmark \
  bin/toolmark-cli \
  "share/applications/$app_id.desktop" \
  "share/metainfo/$app_id.metainfo.xml" \
  "share/glib-2.0/schemas/$app_id.gschema.xml" \
  "share/mime/packages/$app_id.xml" \
  "share/icons/hicolor/scalable/apps/$app_id.svg" \
  "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
  share/icons/hicolor/scalable/actions/tm-overlay-blend-symbolic.svg \
  share/man/man1/toolmark.1 \
  share/man/man1/toolmark-cli.1
do
  [ -f "$root/$f" ] || fail "$prefix/$f is not installed"
done

for lang in $(sed -e 's/#.*//' "$srcdir/po/LINGUAS"); do
  [ -f "$root/share/locale/$lang/LC_MESSAGES/toolmark.mo" ] ||
    fail "$prefix/share/locale/$lang/LC_MESSAGES/toolmark.mo is not installed ($lang is in po/LINGUAS)"
done

# The installed data must carry the build's application id.
desktop=$root/share/applications/$app_id.desktop
if [ -f "$desktop" ]; then
  grep -qx "Icon=$app_id" "$desktop" || fail "$app_id.desktop: Icon is not $app_id"
  grep -q '^MimeType=.*application/x-x3p;' "$desktop" || fail "$app_id.desktop: no X3P MIME type"
fi
grep -q "<id>$app_id</id>" "$root/share/metainfo/$app_id.metainfo.xml" 2>/dev/null ||
  fail "$app_id.metainfo.xml: id is not $app_id"
grep -q "<schema id=\"$app_id\"" "$root/share/glib-2.0/schemas/$app_id.gschema.xml" 2>/dev/null ||
  fail "$app_id.gschema.xml: schema id is not $app_id"

if [ "$status" -ne 0 ]; then
  exit 1
fi

glib-compile-schemas --strict "$root/share/glib-2.0/schemas" || fail "installed schema does not compile"

# A private home, so nothing of the user's (settings, database) is read or written.
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/data" XDG_CONFIG_HOME="$tmp/home/config" \
       XDG_CACHE_HOME="$tmp/home/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# Only the DESTDIR's data plus the system's (for Adwaita, fonts, MIME): no build tree.
export XDG_DATA_DIRS="$root/share:/usr/local/share:/usr/share"
export GSETTINGS_SCHEMA_DIR="$root/share/glib-2.0/schemas"
export GSETTINGS_BACKEND=memory
unset LANGUAGE || true
export LC_ALL=C.UTF-8

out=$("$root/bin/toolmark-cli" --version) || fail "installed toolmark-cli --version failed"
[ "$out" = "toolmark-cli $version" ] || fail "installed toolmark-cli --version printed '$out', expected 'toolmark-cli $version'"
"$root/bin/toolmark-cli" --db "$tmp/test.db" init >/dev/null || fail "installed toolmark-cli init failed"
"$root/bin/toolmark-cli" --db "$tmp/test.db" list >/dev/null || fail "installed toolmark-cli list failed"
out=$("$root/bin/toolmark" --version) || fail "installed toolmark --version failed"
[ "$out" = "toolmark $version" ] || fail "installed toolmark --version printed '$out'"

if [ "$status" -ne 0 ]; then
  exit 1
fi

if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "xvfb-run not found: install xvfb to check that the installed app opens its window"
  exit 77
fi

run_session=""
if command -v dbus-run-session >/dev/null 2>&1; then
  run_session="dbus-run-session --"
fi
export GSK_RENDERER=cairo GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1
export G_MESSAGES_DEBUG=tm-application
# shellcheck disable=SC2086
rc=0
timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" $run_session \
  "$root/bin/toolmark" --db "$tmp/test.db" --quit-after-startup >"$tmp/app.out" 2>"$tmp/app.err" || rc=$?
if [ "$rc" -ne 0 ]; then
  fail "installed toolmark exited with status $rc"
fi
grep -q '^toolmark: window drawn$' "$tmp/app.out" || fail "installed toolmark never drew its window"
# GLib prints debug messages on stdout.
if grep -q "schema .* is not installed" "$tmp/app.out" "$tmp/app.err"; then
  fail "installed toolmark did not find its settings schema $app_id"
fi
if grep -E -q -- '-(CRITICAL|WARNING) \*\*' "$tmp/app.err"; then
  fail "installed toolmark printed warnings"
fi
if [ "$status" -ne 0 ]; then
  echo "--- stdout"; cat "$tmp/app.out"
  echo "--- stderr"; grep -v 'DEBUG' "$tmp/app.err" | head -40
  exit 1
fi

echo "ok: installed into $destdir$prefix; toolmark-cli $version runs; toolmark ($app_id) drew its window"
