#!/bin/sh
# Writes test/fixtures/lm/kjv-genesis.txt: the Book of Genesis, King James Version (1611;
# public domain — its copyright expired centuries ago, as Debian's bible-kjv-text package's
# copyright file states), one chapter per line, verse numbers removed.
# Source: Debian's bible-kjv package (`apt-get install bible-kjv`, version 4.38 was used), the
# text of the Bible Retrieval System by Chip Chapin ("Users may copy, modify or distribute
# this file at will"). Deterministic: the same package version gives the same file.
set -eu
out="${1:-$(dirname "$0")/../../test/fixtures/lm/kjv-genesis.txt}"
command -v bible >/dev/null || { echo "needs the bible command: apt-get install bible-kjv" >&2; exit 1; }
: >"$out"
for chapter in $(seq 1 50); do
  # -l10000: one verse per line; verse lines start with spaces and the verse number.
  bible -l10000 "gen$chapter:1-$chapter:200" |
    sed -n -E 's/^ +[0-9]+ (.*[^ ]) *$/\1/p' |
    tr '\n' ' ' | sed -E 's/ +$//' >>"$out"
  printf '\n' >>"$out"
done
echo "wrote $out: $(wc -l <"$out") chapters, $(wc -c <"$out") bytes"
