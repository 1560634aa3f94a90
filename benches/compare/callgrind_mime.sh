#!/bin/sh
# Counts the instructions of one pass of each side of benches/mime.rs with callgrind: the
# message set's tree + ENVELOPE + BODYSTRUCTURE, ours next to mailparse and mail-parser, no
# timing noise. Prints "<side> <instructions>".
#
#   sh benches/compare/callgrind_mime.sh          # the counts
#   KEEP=out.callgrind sh benches/compare/callgrind_mime.sh   # keep the profile for
#                                                 # callgrind_annotate --inclusive=yes
set -eu
cd "$(dirname "$0")"
cargo bench --bench mime --no-run 2>/dev/null
bin=$(ls -t target/release/deps/mime-* | grep -v '\.d$' | head -1)
out=${KEEP:-$(mktemp)}
sides="ours mailparse mail_parser"
toggles=""
for l in $sides; do toggles="$toggles --toggle-collect=mime::callgrind::$l"; done
# shellcheck disable=SC2086
MAIL_COMPARE_ONCE=1 valgrind --tool=callgrind --collect-atstart=no $toggles \
    --callgrind-out-file="$out" "$bin" >/dev/null 2>&1
for l in $sides; do
    # The first line naming the function is its inclusive total (the list is sorted).
    n=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null \
        | grep -E "mime::callgrind::$l( |\$)" | head -1 | awk '{gsub(",", "", $1); print $1}')
    printf '%-12s %s\n' "$l" "$n"
done
[ -n "${KEEP:-}" ] || rm -f "$out"
