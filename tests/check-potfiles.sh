#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-potfiles.sh SRCDIR — fails when a source file with strings marked for translation
# is missing from po/POTFILES.in, or when POTFILES.in names a file that does not exist
# (xgettext would then fail to make the template).
#
# Marked means: _("…"), N_("…"), C_("…", "…"), NC_("…", "…") in C; translatable="yes"
# in GtkBuilder .ui files; and every desktop entry, metainfo and GSettings schema, which
# always carry translatable text. tests/, bench/ and fuzz/ are not user-visible.
set -eu

srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir"
potfiles=po/POTFILES.in

if [ ! -f "$potfiles" ]; then
  echo "$potfiles: missing"
  exit 1
fi

listed=$(mktemp)
marked=$(mktemp)
trap 'rm -f "$listed" "$marked"' EXIT

# POTFILES.in: one path per line; blank lines and # comments are allowed.
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | sort -u > "$listed"

{
  find src -type f \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null |
    xargs -r grep -l -E '(^|[^A-Za-z0-9_])(N?C?_)[[:space:]]*\([[:space:]]*"' || true
  find ui src -type f -name '*.ui' -print 2>/dev/null |
    xargs -r grep -l 'translatable="yes"' || true
  find data -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
                       -o -name '*.appdata.xml.in' -o -name '*.gschema.xml' \) -print 2>/dev/null
} | sed 's|^\./||' | sort -u > "$marked"

status=0

missing=$(comm -23 "$marked" "$listed")
if [ -n "$missing" ]; then
  echo "$potfiles: these files have strings marked for translation but are not listed;"
  echo "add them (keep the list sorted):"
  echo "$missing" | sed 's/^/  /'
  status=1
fi

for f in $(cat "$listed"); do
  if [ ! -f "$f" ]; then
    echo "$potfiles: lists $f, which does not exist; remove or correct the line"
    status=1
  fi
done

# The template must build from the list: the same keywords as i18n.gettext's glib preset.
if [ "$status" -eq 0 ] && command -v xgettext >/dev/null 2>&1; then
  pot=$(mktemp)
  if ! xgettext --package-name=toolmark --from-code=UTF-8 --add-comments \
         --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
         --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
         -f "$potfiles" -o "$pot"; then
    echo "$potfiles: xgettext could not extract the strings (see above)"
    status=1
  elif [ "$(grep -c '^msgid ' "$pot")" -lt 2 ]; then
    echo "$potfiles: xgettext extracted no strings"
    status=1
  else
    echo "xgettext: $(($(grep -c '^msgid ' "$pot") - 1)) messages"
  fi
  rm -f "$pot"
fi

if [ "$status" -eq 0 ]; then
  echo "ok: $(wc -l < "$listed") files listed, every file with marked strings among them"
fi
exit $status
