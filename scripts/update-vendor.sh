#!/usr/bin/env bash
# Refresh the browser libraries Shokei ships with, from the npm registry (no CDN at run time, no
# build step): ministry networks are closed, so every asset a page or the API documentation loads
# is served by Shokei itself. Records name, version and SHA-256 of each file in
# src/shokei/web/static/vendor/VERSIONS; tests/web/test_assets.py checks the files still match it.
#
#   scripts/update-vendor.sh                    # re-fetch the versions recorded in VERSIONS
#   scripts/update-vendor.sh htmx.org 2.0.12    # move one package to another version (read its changelog first)
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=src/shokei/web/static/vendor

# package  default version  files taken from the package (path in the tarball:name in vendor/)
declare -A DEFAULT_VERSION=([htmx.org]=2.0.11 [swagger-ui-dist]=5.36.0 [redoc]=2.5.4)
declare -A FILES=(
    [htmx.org]="dist/htmx.min.js:htmx.min.js LICENSE:htmx.LICENSE"
    [swagger-ui-dist]="swagger-ui-bundle.js:swagger-ui-bundle.js swagger-ui.css:swagger-ui.css LICENSE:swagger-ui.LICENSE"
    [redoc]="bundles/redoc.standalone.js:redoc.standalone.js LICENSE:redoc.LICENSE"
)
PACKAGES=(htmx.org swagger-ui-dist redoc)

recorded() { awk -v p="$1" '$1 == p { print $2; exit }' "$vendor/VERSIONS" 2>/dev/null || true; }

declare -A VERSION
for package in "${PACKAGES[@]}"; do
    version=$(recorded "$package")
    VERSION[$package]=${version:-${DEFAULT_VERSION[$package]}}
done
if [ $# -eq 2 ]; then
    [ -n "${FILES[$1]:-}" ] || { echo "unknown package $1 (known: ${PACKAGES[*]})" >&2; exit 2; }
    VERSION[$1]=$2
elif [ $# -ne 0 ]; then
    echo "usage: $0 [PACKAGE VERSION]" >&2; exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
records=()
for package in "${PACKAGES[@]}"; do
    version=${VERSION[$package]}
    mkdir -p "$work/$package"
    # npm pack checks the tarball against the registry's integrity hash before writing it.
    (cd "$work/$package" && npm pack --silent "$package@$version" >/dev/null)
    tar -xzf "$work/$package"/*.tgz -C "$work/$package"
    for pair in ${FILES[$package]}; do
        source=${pair%%:*} name=${pair##*:}
        cp "$work/$package/package/$source" "$vendor/$name"
        case "$name" in *.LICENSE) continue ;; esac
        sha=$(sha256sum "$vendor/$name" | cut -d' ' -f1)
        records+=("$package $version $name $sha")
        echo "$package $version -> $vendor/$name ($sha)"
    done
done

{
    echo "# Browser libraries vendored from the npm registry by scripts/update-vendor.sh; do not edit by hand."
    echo "# package version file sha256"
    printf '%s\n' "${records[@]}"
} > "$vendor/VERSIONS"
