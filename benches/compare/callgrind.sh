#!/bin/sh
# Counts the instructions of each loop of benches/captured.rs with callgrind: one pass of each
# parser over its captured corpus, no timing noise. Prints "<loop> <instructions>".
#
#   sh benches/compare/callgrind.sh
set -eu
cd "$(dirname "$0")"
cargo bench --bench captured --no-run 2>/dev/null
bin=$(ls -t target/release/deps/captured-* | grep -v '\.d$' | head -1)
out=$(mktemp)
loops="ours_smtp_commands stalwart_smtp_commands ours_smtp_replies stalwart_smtp_replies ours_ehlo stalwart_ehlo ours_imap_responses codec_imap_responses djc_imap_responses ours_imap_commands codec_imap_commands"
toggles=""
for l in $loops; do toggles="$toggles --toggle-collect=captured::callgrind::$l"; done
# shellcheck disable=SC2086
MAIL_COMPARE_ONCE=1 valgrind --tool=callgrind --collect-atstart=no $toggles \
    --callgrind-out-file="$out" "$bin" >/dev/null 2>&1
for l in $loops; do
    # The first line naming the function is its inclusive total (the list is sorted).
    n=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null \
        | grep -E "captured::callgrind::$l( |\$)" | head -1 | awk '{gsub(",", "", $1); print $1}')
    printf '%-24s %s\n' "$l" "$n"
done
rm -f "$out"
