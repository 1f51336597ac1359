#!/usr/bin/env bash
# Fetches the course's NIST36 files (and the sample photos) into data/,
# where `gradink train` looks by default (data/nist36/nist36_{train,valid,test}.mat).
# Needs internet access; without these files every command reads the
# stand-in shipped in data/nist36_standin, or copy the three .mat files into
# data/nist36/ by hand.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="http://www.cs.cmu.edu/~lkeselma/16720a_data"
fetch() { # url file
    if command -v curl >/dev/null; then curl -fL --retry 3 -o "$2" "$1"; else wget -O "$2" "$1"; fi
}
unzip_into() { # zip dir
    if command -v unzip >/dev/null; then unzip -o -q "$1" -d "$2"
    else python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; fi
}

mkdir -p "$here/nist36"
if [ ! -f "$here/nist36/nist36_test.mat" ]; then
    echo "downloading $base/data.zip"
    fetch "$base/data.zip" "$here/data.zip"
    tmp="$(mktemp -d)"
    unzip_into "$here/data.zip" "$tmp"
    find "$tmp" -name 'nist36_*.mat' -exec mv {} "$here/nist36/" \;
    rm -rf "$tmp" "$here/data.zip"
fi
for s in train valid test; do
    [ -f "$here/nist36/nist36_$s.mat" ] || { echo "error: nist36_$s.mat not found in data.zip" >&2; exit 1; }
done
echo "NIST36 ready in $here/nist36"

images="$here/../images"
if [ ! -f "$images/04_deep.jpg" ]; then
    echo "downloading $base/images.zip"
    fetch "$base/images.zip" "$here/images.zip"
    tmp="$(mktemp -d)"
    unzip_into "$here/images.zip" "$tmp"
    mkdir -p "$images"
    find "$tmp" -name '0*.jpg' -exec mv {} "$images/" \;
    rm -rf "$tmp" "$here/images.zip"
fi
echo "sample photos ready in $images"
