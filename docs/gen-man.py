#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gen-man.py SOURCE PAGE OUTPUT --version V [--program EXE] [--cli TOOLMARK_CLI]
#
# Writes the roff manual page PAGE (toolmark or toolmark-cli) from docs/toolmark.man.txt,
# the one source of both pages (its header explains the format). Options and the command
# list are read from the built programs' --help, so the pages cannot drift from the code:
#   =options   the options of --program (its --help, "Application Options")
#   =commands  every command of `--cli --help`, each with its own --help
# Only the Python standard library: the build and CI need nothing beyond meson's python3.

import argparse
import datetime
import os
import re
import subprocess
import sys


def load_pages(path):
    """{page name: {'section': str, 'lines': [directive or text lines]}}"""
    pages = {}
    current = None
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.startswith('#'):
                continue
            if line.startswith('=page '):
                name, section = line.split()[1:3]
                current = pages.setdefault(name, {'section': section, 'lines': []})
                continue
            if current is None:
                if line.strip():
                    sys.exit('%s: text before the first =page: %r' % (path, line))
                continue
            current['lines'].append(line)
    return pages


def command_blocks(lines):
    """The =command NAME blocks of a page: {name: [text lines]}."""
    blocks = {}
    name = None
    for line in lines:
        if line.startswith('=command '):
            name = line.split(None, 1)[1].strip()
            blocks[name] = []
        elif line.startswith('='):
            name = None
        elif name is not None:
            blocks[name].append(line)
    return blocks


def run_help(argv):
    # Untranslated, UTF-8 output: the pages are English, and option help uses µ and ….
    env = dict(os.environ, LC_ALL='C.UTF-8', LANG='C.UTF-8')
    env.pop('LANGUAGE', None)
    env.pop('DISPLAY', None)
    env.pop('WAYLAND_DISPLAY', None)
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=60)
    if result.returncode != 0:
        sys.exit('%s: exit status %d: %s' % (' '.join(argv), result.returncode,
                                             result.stderr.decode('utf-8', 'replace')))
    return result.stdout.decode('utf-8')


def cli_commands(cli):
    """[(name, summary)] from `toolmark-cli --help`, in its order."""
    out = run_help([cli, '--help'])
    commands = []
    in_list = False
    for line in out.splitlines():
        if line.strip() == 'Commands:':
            in_list = True
            continue
        if in_list:
            m = re.match(r'^  (\S+)\s+(.*\S)\s*$', line)
            if m:
                commands.append((m.group(1), m.group(2)))
            elif line.strip() == '':
                break
    if not commands:
        sys.exit('%s --help lists no commands' % cli)
    return commands


def parse_goption_help(out, name):
    """(parameters, description, [(option, help)]) of a GOptionContext --help."""
    lines = out.splitlines()
    params = ''
    description = []
    options = []
    state = 'start'
    for line in lines:
        if state == 'start':
            m = re.match(r'^\s+\S+ \[OPTION[^\]]*\]\s*(.*)$', line)
            if m:
                rest = m.group(1).strip()
                # The CLI names the command again in its parameter string.
                if rest == name or rest.startswith(name + ' '):
                    rest = rest[len(name):].strip()
                params = rest
                state = 'description'
        elif state == 'description':
            if re.match(r'^[A-Z][A-Za-z ]*Options:$', line):
                state = 'skip' if line.startswith('Help') else 'options'
            elif line.strip():
                description.append(line.strip())
        else:
            if re.match(r'^[A-Z][A-Za-z ]*Options:$', line):
                state = 'skip' if line.startswith('Help') else 'options'
                continue
            if state != 'options':
                continue
            m = re.match(r'^  (-\S.*?)(?:\s{2,}(.*))?$', line)
            if m:
                options.append([m.group(1).strip(), (m.group(2) or '').strip()])
            elif line.strip() and options:
                options[-1][1] = (options[-1][1] + ' ' + line.strip()).strip()
    return params, ' '.join(description), options


# --- roff output -------------------------------------------------------------------

def escape(text):
    text = text.replace('\\', '\\e').replace('-', '\\-')
    for a, b in (('…', '...'), ('—', '\\(em'), ('–', '\\(en'), ('×', '\\(mu'),
                 ('µ', '\\(mc'), ('≥', '\\(>='), ('≤', '\\(<='), ('’', "'")):
        text = text.replace(a, b)
    return text


def inline(text):
    text = escape(text)
    text = re.sub(r'\*\*(.+?)\*\*', r'\\fB\1\\fR', text)
    text = re.sub(r'__(.+?)__', r'\\fI\1\\fR', text)
    return text


def line_out(out, text):
    # A line starting with . or ' would be a roff request.
    if text[:1] in ('.', "'"):
        text = '\\&' + text
    out.append(text)


def paragraphs(out, lines):
    """Plain text lines, blank-line separated, as .PP paragraphs."""
    para = []
    for line in lines + ['']:
        if line.strip():
            para.append(inline(line.strip()))
        elif para:
            out.append('.PP')
            for p in para:
                line_out(out, p)
            para = []


def option_items(out, options):
    for opt, help_text in options:
        out.append('.TP')
        line_out(out, '\\fB' + escape(opt).replace('=', '\\fR=\\fI', 1) + '\\fR'
                 if '=' in opt else '\\fB' + escape(opt) + '\\fR')
        line_out(out, escape(help_text) if help_text else '')


def render(page_name, page, args):
    out = []
    lines = page['lines']
    date = datetime.datetime.fromtimestamp(
        int(os.environ.get('SOURCE_DATE_EPOCH', os.path.getmtime(args.source))),
        tz=datetime.timezone.utc).strftime('%Y-%m-%d')
    out.append('.\\" Generated by docs/gen-man.py from docs/toolmark.man.txt; do not edit.')
    out.append('.TH "%s" "%s" "%s" "Toolmark %s" "Toolmark Manual"'
               % (page_name.upper(), page['section'], date, args.version))

    extra = command_blocks(lines)
    pending = []          # text lines of the current block
    item = None           # current =item term

    def flush():
        nonlocal pending, item
        if item is not None:
            out.append('.TP')
            line_out(out, '\\fB' + escape(item) + '\\fR')
            text = [inline(l.strip()) for l in pending if l.strip()]
            for t in text:
                line_out(out, t)
        else:
            paragraphs(out, pending)
        pending = []
        item = None

    synopsis = [l[len('=synopsis '):] for l in lines if l.startswith('=synopsis ')]
    name_line = next((l[len('=name '):] for l in lines if l.startswith('=name ')), None)
    if name_line is None:
        sys.exit('%s: page %s has no =name' % (args.source, page_name))
    out.append('.SH NAME')
    line_out(out, escape(name_line))
    if synopsis:
        out.append('.SH SYNOPSIS')
        for i, s in enumerate(synopsis):
            if i:
                out.append('.br')
            line_out(out, inline(s))

    in_command = False
    for line in lines:
        if line.startswith(('=name ', '=synopsis ', '=page ')):
            continue
        if line.startswith('=command '):
            flush()
            in_command = True   # printed under its command by =commands
            continue
        if in_command and not line.startswith('='):
            continue
        if line.startswith('='):
            in_command = False
            flush()
            directive, _, rest = line.partition(' ')
            if directive == '=section':
                out.append('.SH ' + escape(rest.strip().upper()))
            elif directive == '=item':
                item = rest.strip()
            elif directive == '=options':
                if not args.program:
                    sys.exit('%s: page %s uses =options but no --program was given'
                             % (args.source, page_name))
                _, _, options = parse_goption_help(run_help([args.program, '--help']),
                                                   os.path.basename(args.program))
                option_items(out, options)
            elif directive == '=commands':
                if not args.cli:
                    sys.exit('%s: page %s uses =commands but no --cli was given'
                             % (args.source, page_name))
                for name, summary in cli_commands(args.cli):
                    params, description, options = parse_goption_help(
                        run_help([args.cli, name, '--help']), name)
                    out.append('.SS "%s"' % escape(name))
                    line_out(out, '\\fBtoolmark\\-cli %s\\fR [\\fIOPTIONS\\fR...]%s'
                             % (escape(name), (' ' + escape(params)) if params else ''))
                    out.append('.PP')
                    line_out(out, escape(description or summary))
                    if name in extra:
                        paragraphs(out, extra[name])
                    if options:
                        out.append('.RS')
                        option_items(out, options)
                        out.append('.RE')
            else:
                sys.exit('%s: unknown directive %s' % (args.source, directive))
            continue
        pending.append(line)
    flush()
    return '\n'.join(out) + '\n'


def main():
    parser = argparse.ArgumentParser(description='Generate a Toolmark manual page.')
    parser.add_argument('source')
    parser.add_argument('page')
    parser.add_argument('output')
    parser.add_argument('--version', required=True)
    parser.add_argument('--program', help='the program whose --help gives =options')
    parser.add_argument('--cli', help='toolmark-cli, whose --help gives =commands')
    args = parser.parse_args()

    pages = load_pages(args.source)
    if args.page not in pages:
        sys.exit('%s: no page %s' % (args.source, args.page))
    text = render(args.page, pages[args.page], args)
    with open(args.output, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()
