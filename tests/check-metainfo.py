#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-metainfo.py SRCDIR VERSION — what appstreamcli cannot check offline:
#   - every screenshot the metainfo lists is a PNG in data/screenshots/ of this tree
#     (the metainfo names them by their address in the repository);
#   - the newest <release> is the project's version, so a release is never published
#     with stale release notes.

import os
import re
import sys
import xml.etree.ElementTree as ET

PREFIX = 'https://git.toolmark.org/toolmark/toolmark/raw/branch/main/'


def main():
    srcdir, version = sys.argv[1], sys.argv[2]
    path = os.path.join(srcdir, 'data', 'org.toolmark.Toolmark.metainfo.xml.in')
    root = ET.parse(path).getroot()
    problems = []

    images = [i.text.strip() for i in root.iter('image') if i.text]
    if not images:
        problems.append('%s: no screenshots' % path)
    for url in images:
        if not url.startswith(PREFIX):
            problems.append('%s: screenshot %s is not served from %s' % (path, url, PREFIX))
            continue
        rel = url[len(PREFIX):]
        local = os.path.join(srcdir, rel)
        if not rel.startswith('data/screenshots/') or not os.path.isfile(local):
            problems.append('%s: screenshot %s is missing from the tree' % (path, rel))
            continue
        with open(local, 'rb') as f:
            if f.read(8) != b'\x89PNG\r\n\x1a\n':
                problems.append('%s: %s is not a PNG' % (path, rel))

    releases = [r.get('version') for r in root.iter('release')]
    if not releases or releases[0] != version:
        problems.append('%s: the newest release is %s, the project version is %s'
                        % (path, releases[0] if releases else 'missing', version))

    for p in problems:
        print(p)
    if problems:
        return 1
    print('ok: %d screenshots present, release %s' % (len(images), version))
    return 0


if __name__ == '__main__':
    sys.exit(main())
