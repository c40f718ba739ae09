#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-translations.sh SRCDIR — fails when a language in po/LINGUAS does not translate
# every message of the application, so a new or changed string without a translation
# fails CI instead of showing up in English on a Spanish or French workstation.
#
# The template is extracted afresh from po/POTFILES.in with the same xgettext call as
# meson's i18n.gettext(preset: 'glib') (`ninja toolmark-pot`), into a temporary folder so
# the tree is left alone. Each LL.po is merged with it without fuzzy matching, so a new
# or changed string counts as untranslated rather than as a guess. The merged catalogue
# must have no untranslated and no fuzzy message, and both the shipped LL.po and the
# merged one must pass `msgfmt --check` (format directives, plural forms, header).
set -eu

srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir"

for tool in xgettext msgmerge msgattrib msgfmt; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool not found: install gettext to check the translations"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Keep in step with the glib preset of meson's i18n module (mesonbuild/modules/i18n.py).
if ! xgettext --package-name=toolmark -p "$work" -f po/POTFILES.in -D "$PWD" -k_ \
       -o toolmark.pot --from-code=UTF-8 --add-comments \
       --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
       --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
       --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
       --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
       --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
       --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
       --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
       --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
       --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
       2>"$work/xgettext.log"; then
  cat "$work/xgettext.log"
  echo "po/POTFILES.in: xgettext could not extract the template (see above)"
  exit 1
fi
pot="$work/toolmark.pot"
total=$(($(grep -c '^msgid ' "$pot") - 1))

languages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' po/LINGUAS)
if [ -z "$languages" ]; then
  echo "po/LINGUAS: no language listed"
  exit 1
fi

status=0
for lang in $languages; do
  po="po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "$po: listed in po/LINGUAS but missing"
    status=1
    continue
  fi
  if ! msgfmt --check -o /dev/null "$po"; then
    echo "$po: msgfmt --check fails (see above)"
    status=1
    continue
  fi

  merged="$work/$lang.po"
  msgmerge --quiet --no-fuzzy-matching "$po" "$pot" -o "$merged"

  untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$merged" |
                   grep -E '^(#:|msgctxt |msgid )' | grep -v '^msgid ""$' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$merged" |
            grep -E '^(#:|msgctxt |msgid )' | grep -v '^msgid ""$' || true)
  n_untranslated=$(printf '%s\n' "$untranslated" | grep -c '^msgid ' || true)
  n_fuzzy=$(printf '%s\n' "$fuzzy" | grep -c '^msgid ' || true)

  if [ "$n_untranslated" -gt 0 ]; then
    echo "$po: $n_untranslated of $total messages have no translation:"
    printf '%s\n' "$untranslated" | sed 's/^/  /'
    status=1
  fi
  if [ "$n_fuzzy" -gt 0 ]; then
    echo "$po: $n_fuzzy of $total messages are marked fuzzy (a guess still to review):"
    printf '%s\n' "$fuzzy" | sed 's/^/  /'
    status=1
  fi
  if ! msgfmt --check -o /dev/null "$merged"; then
    echo "$po: merged with the current template, msgfmt --check fails (see above)"
    status=1
  fi
  if [ "$n_untranslated" -eq 0 ] && [ "$n_fuzzy" -eq 0 ]; then
    echo "$po: all $total messages translated"
  fi
done

if [ "$status" -ne 0 ]; then
  echo
  echo "Update the catalogues with 'ninja -C BUILDDIR toolmark-update-po', translate the"
  echo "messages named above (and clear their fuzzy flags), then run this test again."
fi
exit $status
