#!/usr/bin/env bash
# Installs everything Toolmark needs to build, run and test on Debian bookworm.
# Runs apt-get as root (directly, or through sudo when started by a normal user).
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc gettext
  # core libraries
  libglib2.0-dev libjson-glib-dev libsqlite3-dev sqlite3 libtiff-dev libzip-dev zip unzip
  libpng-dev libfftw3-dev libgsl-dev libcairo2-dev
  # application
  libgtk-4-dev libadwaita-1-dev adwaita-icon-theme fonts-cantarell
  # validation of data files
  desktop-file-utils appstream libxml2-utils
  # UI tests and screenshots
  xvfb xauth imagemagick
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # reports are checked by rendering them
  poppler-utils
  # hub sync: libpq to build, the server for the private test cluster (scripts/pg-test-cluster.sh)
  libpq-dev postgresql
)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q "${packages[@]}"
