#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-flatpak.py SRCDIR — checks flatpak/org.toolmark.Toolmark.json:
#   - it parses as JSON and names the application id, runtime and command;
#   - every archive/file source is pinned (https url + 64-hex-digit sha256); only the
#     application itself is built from the checkout ("type": "dir");
#   - every dependency('…') and find_library('…') in the project's meson.build files is
#     provided either by the GNOME 43 runtime or by a module of the manifest, so a new
#     dependency cannot be added without deciding where the Flatpak gets it;
#   - finish-args stay within what flatpak/README.md explains.
# Prints each problem on its own line and exits 1 when there is any.

import json
import os
import re
import sys

APP_ID = 'org.toolmark.Toolmark'

# What org.gnome.Platform//43 (GNOME 43 on freedesktop SDK 22.08) already carries.
# Keep this short and explicit: add a name only after checking the runtime ships it.
RUNTIME = {
    'glib-2.0', 'gobject-2.0', 'gio-2.0', 'gio-unix-2.0', 'gmodule-2.0', 'gthread-2.0',
    'json-glib-1.0', 'sqlite3', 'libtiff-4', 'libpng', 'zlib', 'libxml-2.0',
    'gtk4', 'libadwaita-1', 'cairo', 'cairo-pdf', 'cairo-png', 'cairo-svg',
    'pango', 'pangocairo', 'gdk-pixbuf-2.0', 'openssl', 'libcrypto',
    # Not pkg-config packages: meson's thread dependency and the C library's libm.
    'threads', 'm',
}

# Dependencies the runtime lacks, and the manifest module that builds each.
MODULES = {
    'gsl': 'gsl',
    'fftw3f': 'fftw3f',
    'fftw3f_threads': 'fftw3f',
    'libzip': 'libzip',
    'libpq': 'libpq',
}

# finish-args the README justifies; anything else must be argued there first.
ALLOWED_FINISH_ARGS = {
    '--share=ipc', '--socket=fallback-x11', '--socket=wayland', '--device=dri',
    '--share=network',
}

DEP_RE = re.compile(r"""\b(?:dependency|find_library)\(\s*['"]([^'"]+)['"]""")


def meson_dependencies(srcdir):
    found = {}
    for root, dirs, files in os.walk(srcdir):
        rel = os.path.relpath(root, srcdir)
        # Build trees, VCS data and the fuzzing targets (clang-only, never packaged).
        dirs[:] = [d for d in dirs
                   if not d.startswith(('build', '.')) and not (rel == '.' and d == 'fuzz')]
        if 'meson.build' not in files:
            continue
        path = os.path.join(root, 'meson.build')
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                code = line.split('#', 1)[0]
                for name in DEP_RE.findall(code):
                    found.setdefault(name, '%s:%d' % (os.path.relpath(path, srcdir), lineno))
    return found


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    manifest_path = os.path.join(srcdir, 'flatpak', APP_ID + '.json')
    problems = []

    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print('%s: %s' % (manifest_path, e))
        return 1

    name = os.path.relpath(manifest_path, srcdir)
    if manifest.get('id', manifest.get('app-id')) != APP_ID:
        problems.append('%s: id is %r, expected %r' % (name, manifest.get('id'), APP_ID))
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append('%s: runtime/sdk must be org.gnome.Platform/org.gnome.Sdk' % name)
    if manifest.get('runtime-version') != '43':
        problems.append('%s: runtime-version is %r; 43 is the GTK 4.8 / libadwaita 1.2 runtime'
                        % (name, manifest.get('runtime-version')))
    if manifest.get('command') != 'toolmark':
        problems.append('%s: command is %r, expected toolmark' % (name, manifest.get('command')))

    for arg in manifest.get('finish-args', []):
        if arg not in ALLOWED_FINISH_ARGS:
            problems.append('%s: finish-arg %s is not justified in flatpak/README.md' % (name, arg))

    modules = {}
    for module in manifest.get('modules', []):
        if isinstance(module, str):
            problems.append('%s: module %s is an external file; keep modules inline' % (name, module))
            continue
        mname = module.get('name', '?')
        modules[mname] = module
        sources = module.get('sources', [])
        if not sources:
            problems.append('%s: module %s has no sources' % (name, mname))
        for source in sources:
            stype = source.get('type')
            if stype == 'dir':
                if mname != 'toolmark':
                    problems.append('%s: module %s is built from a local dir; pin an archive' % (name, mname))
                continue
            if stype in ('archive', 'file'):
                url = source.get('url', '')
                sha = source.get('sha256', '')
                if not url.startswith('https://'):
                    problems.append('%s: module %s: url %r is not https' % (name, mname, url))
                if not re.fullmatch(r'[0-9a-f]{64}', sha):
                    problems.append('%s: module %s: source %s has no valid sha256' % (name, mname, url))
            elif stype == 'git':
                if not re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')):
                    problems.append('%s: module %s: git source not pinned to a commit' % (name, mname))
            else:
                problems.append('%s: module %s: source type %r not checked' % (name, mname, stype))

    if 'toolmark' not in modules:
        problems.append('%s: no toolmark module' % name)
    elif list(modules)[-1] != 'toolmark':
        problems.append('%s: the toolmark module must come last, after what it links' % name)
    else:
        app = modules['toolmark']
        if app.get('buildsystem') != 'meson':
            problems.append('%s: toolmark is not built with meson' % name)
        if '-Dtests=false' not in app.get('config-opts', []):
            problems.append('%s: toolmark module builds the test suite (add -Dtests=false)' % name)

    deps = meson_dependencies(srcdir)
    for dep, where in sorted(deps.items()):
        if dep in RUNTIME:
            continue
        module = MODULES.get(dep)
        if module is None:
            problems.append('%s: %s needs %r, which neither the GNOME 43 runtime list nor a '
                            'manifest module provides (add a module, then map it in '
                            'tests/check-flatpak.py)' % (name, where, dep))
        elif module not in modules:
            problems.append('%s: %s needs %r, provided by module %r, which the manifest lacks'
                            % (name, where, dep, module))

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print('ok: %d modules, %d meson dependencies all provided (%s)'
          % (len(modules), len(deps), ', '.join(sorted(deps))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
