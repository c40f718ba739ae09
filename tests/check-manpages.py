#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-manpages.py SOURCE TOOLMARK_CLI PAGE.1… — the manual pages cannot drift:
#   - every `=command NAME` block of the source (docs/toolmark.man.txt) names a command
#     that `toolmark-cli --help` lists (no text left behind for a removed command);
#   - toolmark-cli.1, as built, documents exactly the commands `toolmark-cli --help` lists,
#     in its order;
#   - each page has NAME, SYNOPSIS and DESCRIPTION, and groff formats it without warnings.

import os
import re
import shutil
import subprocess
import sys


def cli_commands(cli):
    env = dict(os.environ, LC_ALL='C.UTF-8')
    env.pop('LANGUAGE', None)
    out = subprocess.run([cli, '--help'], env=env, stdout=subprocess.PIPE, check=True,
                         timeout=60).stdout.decode('utf-8')
    body = out.split('Commands:', 1)[1] if 'Commands:' in out else ''
    names = []
    for line in body.splitlines()[1:]:
        m = re.match(r'^  (\S+)\s', line)
        if m:
            names.append(m.group(1))
        elif not line.strip():
            break
    return names


def main():
    source, cli, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems = []

    commands = cli_commands(cli)
    if not commands:
        problems.append('%s --help lists no commands' % cli)

    with open(source, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith('=command '):
                name = line.split()[1]
                if name not in commands:
                    problems.append('%s:%d: =command %s, but toolmark-cli --help has no such '
                                    'command (%s)' % (source, lineno, name, ' '.join(commands)))

    for page in pages:
        with open(page, encoding='utf-8') as f:
            text = f.read()
        base = os.path.basename(page)
        for section in ('NAME', 'SYNOPSIS', 'DESCRIPTION'):
            if not re.search(r'^\.SH %s$' % section, text, re.M):
                problems.append('%s: no %s section' % (base, section))
        if base == 'toolmark-cli.1':
            documented = [s.replace('\\-', '-') for s in re.findall(r'^\.SS "([^"]+)"$', text, re.M)]
            if documented != commands:
                problems.append('%s documents the commands %s; toolmark-cli --help lists %s '
                                '(rebuild: the page is generated from --help)'
                                % (base, ' '.join(documented), ' '.join(commands)))
        groff = shutil.which('groff')
        if groff:
            result = subprocess.run([groff, '-man', '-Tutf8', '-ww', '-z', page],
                                    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
            warnings = result.stderr.decode('utf-8', 'replace').strip()
            if result.returncode != 0 or warnings:
                problems.append('%s: groff: %s' % (base, warnings or 'failed'))

    for p in problems:
        print(p)
    if problems:
        return 1
    print('ok: %d pages; toolmark-cli.1 documents all %d commands (%s)'
          % (len(pages), len(commands), ' '.join(commands)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
