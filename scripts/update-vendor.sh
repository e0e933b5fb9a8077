#!/usr/bin/env bash
# Refresh the browser libraries the web pages ship with, from the npm registry (no CDN at run
# time, no build step). Records name, version and SHA-256 in src/shokei/web/static/vendor/VERSIONS;
# tests/web/test_assets.py checks the files still match it.
#
#   scripts/update-vendor.sh            # re-fetch the version recorded in VERSIONS
#   scripts/update-vendor.sh 2.0.12     # move htmx to another version (read its changelog first)
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=src/shokei/web/static/vendor
recorded=$(awk '$1 == "htmx.org" { print $2 }' "$vendor/VERSIONS" 2>/dev/null || true)
version=${1:-$recorded}
if [ -z "$version" ]; then echo "usage: $0 VERSION (no version recorded in $vendor/VERSIONS)" >&2; exit 2; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# npm pack checks the tarball against the registry's integrity hash before writing it.
(cd "$work" && npm pack --silent "htmx.org@$version" >/dev/null)
tar -xzf "$work/htmx.org-$version.tgz" -C "$work"
cp "$work/package/dist/htmx.min.js" "$vendor/htmx.min.js"
cp "$work/package/LICENSE" "$vendor/htmx.LICENSE"
sha=$(sha256sum "$vendor/htmx.min.js" | cut -d' ' -f1)

cat > "$vendor/VERSIONS" <<VERSIONS
# Browser libraries vendored from the npm registry by scripts/update-vendor.sh; do not edit by hand.
# package version file sha256
htmx.org $version htmx.min.js $sha
VERSIONS
echo "htmx.org $version -> $vendor/htmx.min.js ($sha)"
