#!/usr/bin/env bash
# The manual pages and completions the build renders from glimpse-cli's help table: groff reads the
# pages without a warning, the CLI page documents every command and option that `COMMAND --help`
# shows, and bash completes commands, options and their values from the script.
# Usage: check-docs.sh DOC_DIR GLIMPSE_CLI
set -euo pipefail
doc=$1 cli=$2
for page in glimpse-cli.1 glimpse-photos.1; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l -Tutf8 "$doc/$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || { echo "error: $page: $warnings" >&2; exit 1; }
done
rendered=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$doc/glimpse-cli.1" 2>/dev/null)
for command in $("$cli" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
  grep -q "^   $command\$" <<<"$rendered" || { echo "error: the man page has no section for $command" >&2; exit 1; }
  for option in $("$cli" "$command" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
    grep -q -- "$option" <<<"$rendered" || { echo "error: the man page lacks $command $option" >&2; exit 1; }
  done
done
bash -n "$doc/glimpse-cli.bash"
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _glimpse_cli; echo "${COMPREPLY[*]}"' \
    _ "$doc/glimpse-cli.bash" "$@" 2>/dev/null
}
[ "$(complete_words glimpse-cli capt)" = caption ] || { echo "error: bash does not complete caption" >&2; exit 1; }
[ "$(complete_words glimpse-cli caption --wri)" = --write ] || { echo "error: no --write" >&2; exit 1; }
[ "$(complete_words glimpse-cli caption --write x)" = xmp-sidecar ] || { echo "error: no xmp-sidecar" >&2; exit 1; }
[ "$(complete_words glimpse-cli models re)" = remove ] || { echo "error: no models remove" >&2; exit 1; }
if command -v zsh >/dev/null; then zsh -n "$doc/_glimpse-cli"; fi
if command -v fish >/dev/null; then fish --no-execute "$doc/glimpse-cli.fish"; fi
echo "docs ok"
