#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# take-screenshots.sh BUILDDIR [SCANS] — the translated screenshots of data/screenshots/:
# main-window-LL.png and preferences-LL.png for every language of $LANGUAGES (default
# "es fr"), taken from the INSTALLED application, as a Spanish or French lab would run it.
#
# BUILDDIR must be configured with a private prefix (meson configure BUILDDIR
# -Dprefix=/tmp/toolmark-shots): the programs look for their translations in the
# LOCALEDIR compiled in, so the honest way to show them is to `meson install` into that
# prefix and run from there. SCANS (default ../shared/scans beside the checkout, with its
# truth.csv) is imported into a fresh database. Each language runs in its own Xvfb
# (1600×1000) and D-Bus session with GSK_RENDERER=cairo and settings kept in a temporary
# keyfile (defaults, window filling the screen), so nothing of the user's own settings or
# data leaks in.
#
# LANG is LL_CC.UTF-8 when `locale -a` has it, or when localedef can compile it from
# /usr/share/i18n/locales into a temporary LOCPATH (numbers and dates then follow the
# language: decimal comma, day-month order); otherwise C.UTF-8, under which gettext still
# translates by LANGUAGE.
# OUT=folder writes elsewhere than data/screenshots/.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILDDIR [SCANS]" >&2
  exit 2
fi
builddir=$(cd "$1" && pwd)
scans=${2:-$srcdir/../shared/scans}
out=${OUT:-$srcdir/data/screenshots}
languages=${LANGUAGES:-es fr}

for tool in xvfb-run dbus-run-session import xwininfo gdbus; do
  command -v "$tool" >/dev/null || { echo "$tool not found: install xvfb, dbus, imagemagick, x11-utils" >&2; exit 1; }
done
if [ ! -f "$scans/truth.csv" ]; then
  echo "$scans/truth.csv: missing; give the folder of scans with its truth.csv" >&2
  exit 1
fi

prefix=$(meson introspect --buildoptions "$builddir" |
           python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
case $prefix in
  /usr|/usr/local|/)
    echo "$builddir installs into $prefix; configure a private prefix first:" >&2
    echo "  meson configure $builddir -Dprefix=/tmp/toolmark-shots" >&2
    exit 1 ;;
esac

meson install -C "$builddir" --quiet
glib-compile-schemas "$prefix/share/glib-2.0/schemas"
app_id=$(basename "$(ls "$prefix"/share/applications/org.toolmark.Toolmark*.desktop | head -n1)" .desktop)
object_path=/$(echo "$app_id" | tr . /)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The default database ($XDG_DATA_HOME/toolmark/toolmark.db), not --db: with --db the app
# runs non-unique, without its bus name, and could not be sent app.preferences.
mkdir -p "$tmp/data/toolmark"
db=$tmp/data/toolmark/toolmark.db
cli () { "$prefix/bin/toolmark-cli" --db "$db" "$@" >/dev/null; }
# The shared scans come from public reference sets; give the two largest the case data a
# lab would enter (a casework case and a reference collection of test fires), so the
# shots show cases, agencies and class characteristics. Anything else: as listed.
if [ -d "$scans/wellerProcessed" ] && [ -d "$scans/fadulProcessed" ]; then
  cli import --manifest "$scans/truth.csv" --case 2024-018842 --agency "Metro Police Department" \
    --lab-case L24-0412 --kind crime-scene --calibre "9mm Luger" --firing-pin-type centre-fire \
    "$scans/wellerProcessed"
  cli import --manifest "$scans/truth.csv" --case REF-FADUL-2011 --agency "State Crime Laboratory" \
    --kind test-fire --calibre "9mm Luger" --firing-pin-type centre-fire "$scans/fadulProcessed"
else
  cli import --manifest "$scans/truth.csv"
fi
mkdir -p "$out"

# Settings from a keyfile of our own: the defaults, but a window that fills the screen.
mkdir -p "$tmp/config/glib-2.0/settings"
printf '[org/toolmark/Toolmark]\nwindow-size=(1600, 1000)\n' >"$tmp/config/glib-2.0/settings/keyfile"

# Runs inside Xvfb and a D-Bus session: start the app, wait for its window and its
# thumbnails, grab the window; open Preferences over the bus (app.preferences is an
# application action, exported on D-Bus) and grab that window too.
cat >"$tmp/inside.sh" <<'EOF'
set -eu
lang=$LANGUAGE
"$PREFIX/bin/toolmark" >"$TMPDIR_SHOTS/app-$lang.log" 2>&1 &
app=$!
# Only the app speaks the language: xwininfo's own labels, parsed below, must stay English.
export LC_ALL=C
unset LANGUAGE
# The largest window of that title: GTK also makes a small unmapped leader window.
window_id () {
  xwininfo -root -tree |
    awk -v name="\"$1\"" 'index($0, name) && match($0, / [0-9]+x[0-9]+\+/) {
           split(substr($0, RSTART + 1, RLENGTH - 2), size, "x")
           if (size[1] * size[2] > best) { best = size[1] * size[2]; id = $1 }
         }
         END { if (id != "") print id }'
}
for _ in $(seq 100); do
  [ -n "$(window_id Toolmark)" ] && break
  sleep 0.2
done
win=$(window_id Toolmark)
[ -n "$win" ] || { echo "no Toolmark window appeared; see the app log" >&2; kill "$app"; exit 1; }
# Grab the screen and cut the window out of it: reading a GTK window's own image fails
# with EAGAIN under Xvfb now and then, the root window's never does.
grab () {
  geometry=$(xwininfo -id "$1" | awk '/Absolute upper-left X:/ { x = $4 } /Absolute upper-left Y:/ { y = $4 }
                                       /Width:/ { w = $2 } /Height:/ { h = $2 }
                                       END { printf "%dx%d+%d+%d", w, h, x, y }')
  import -window root -crop "$geometry" +repage "$2"
}
sleep "${SETTLE:-8}"   # thumbnails render in the background
grab "$win" "$OUT/main-window-$lang.png"

gdbus call --session --dest "$APP_ID" --object-path "$OBJECT_PATH" \
  --method org.gtk.Actions.Activate preferences '[]' '{}' >/dev/null
sleep 3
prefs=$(xwininfo -root -tree | awk '/"[^"]*"/ && !/"Toolmark"/ && / [0-9]+x[0-9]+\+/ { print $1 }' |
          while read -r id; do
            geometry=$(xwininfo -id "$id" | awk '/Width:/ { w = $2 } /Height:/ { h = $2 } END { print w * h }')
            echo "$geometry $id"
          done | sort -n | tail -n1 | cut -d' ' -f2)
if [ -n "$prefs" ]; then
  grab "$prefs" "$OUT/preferences-$lang.png"
fi
kill "$app"
wait "$app" 2>/dev/null || true
EOF

for lang in $languages; do
  loc=$(locale -a | grep -i -m1 "^${lang}_.*\.utf-\?8$" || true)
  locpath=${LOCPATH:-}
  if [ -z "$loc" ]; then
    # Not installed: compile LL_LL.UTF-8 from the glibc sources into our own LOCPATH, so
    # numbers and dates follow the language too (decimal comma, day-month order).
    region=$(echo "$lang" | tr '[:lower:]' '[:upper:]')
    mkdir -p "$tmp/locale"
    if command -v localedef >/dev/null && [ -f "/usr/share/i18n/locales/${lang}_$region" ] &&
       localedef -i "${lang}_$region" -f UTF-8 "$tmp/locale/${lang}_$region.UTF-8" 2>/dev/null; then
      loc=${lang}_$region.UTF-8
      locpath=$tmp/locale
    else
      loc=C.UTF-8
    fi
  fi
  echo "$lang: LANGUAGE=$lang LANG=$loc${locpath:+ LOCPATH=$locpath}"
  env -u LC_ALL -u LC_MESSAGES ${locpath:+LOCPATH="$locpath"} \
    LANGUAGE="$lang" LANG="$loc" \
    PREFIX="$prefix" OUT="$out" APP_ID="$app_id" OBJECT_PATH="$object_path" \
    TMPDIR_SHOTS="$tmp" \
    GSK_RENDERER=cairo GSETTINGS_BACKEND=keyfile GTK_A11Y=none NO_AT_BRIDGE=1 \
    GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas" \
    XDG_DATA_DIRS="$prefix/share:/usr/share" \
    XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
    xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- sh "$tmp/inside.sh"
  ls -l "$out"/*-"$lang".png
done
