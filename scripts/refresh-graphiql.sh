#!/usr/bin/env bash
# Refresh the GraphiQL assets the gateway serves itself (gateway/graphiql/static/).
#
# The minified files are committed, so building or installing the gateway needs neither
# Node.js nor the network. This script is how they change: it downloads the pinned
# versions below with `npm pack`, refuses any tarball whose sha512 differs from the
# registry's `dist.integrity`, copies only the files the page loads, collects the licences
# of every package bundled into them, and rewrites gateway/graphiql/vendor.json (versions,
# integrity, sha256 of each copied file; a test checks the committed files against it).
#
# Usage: scripts/refresh-graphiql.sh   (needs npm, python3, openssl; run from anywhere)
set -euo pipefail

GRAPHIQL_VERSION=4.1.2 # the newest GraphiQL with a browser (UMD) build; 5.x is ESM + Monaco
REACT_VERSION=18.3.1   # React 19 ships no UMD build
FIRA_CODE_VERSION=5.3.0 # licence only: GraphiQL's CSS embeds Fira Code and Roboto
ROBOTO_VERSION=5.3.0

repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="$repo/gateway/graphiql"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# fetch NAME VERSION: npm pack, check the tarball against the registry's integrity,
# unpack into pkg/NAME; prints the integrity.
fetch() {
    local name="$1" version="$2" expected tarball actual
    expected="$(npm view "$name@$version" dist.integrity 2>/dev/null)"
    [[ "$expected" == sha512-* ]] || { echo "no sha512 integrity for $name@$version" >&2; exit 1; }
    tarball="$(npm pack --silent "$name@$version" 2>/dev/null | tail -n 1)"
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w 0)"
    if [[ "$actual" != "$expected" ]]; then
        echo "integrity mismatch for $name@$version: $actual != $expected" >&2
        exit 1
    fi
    mkdir -p "pkg/$name"
    tar -xzf "$tarball" -C "pkg/$name" --strip-components=1
    echo "$expected"
}

graphiql_integrity="$(fetch graphiql "$GRAPHIQL_VERSION")"
react_integrity="$(fetch react "$REACT_VERSION")"
react_dom_integrity="$(fetch react-dom "$REACT_VERSION")"
fetch @fontsource/fira-code "$FIRA_CODE_VERSION" >/dev/null
fetch @fontsource/roboto "$ROBOTO_VERSION" >/dev/null

static="$dest/static"
licenses="$dest/licenses"
mkdir -p "$static" "$licenses"
cp pkg/graphiql/graphiql.min.js pkg/graphiql/graphiql.min.css "$static/"
cp pkg/react/umd/react.production.min.js "$static/"
cp pkg/react-dom/umd/react-dom.production.min.js "$static/"
cp pkg/graphiql/LICENSE "$licenses/graphiql.LICENSE"
cp pkg/react/LICENSE "$licenses/react.LICENSE"
cp pkg/react-dom/LICENSE "$licenses/react-dom.LICENSE"
cp pkg/@fontsource/fira-code/LICENSE "$licenses/fira-code.LICENSE"
cp pkg/@fontsource/roboto/LICENSE "$licenses/roboto.LICENSE"

# GraphiQL's UMD file bundles its whole dependency tree (CodeMirror, graphql-js, Radix,
# markdown-it, ...) and graphql-ws 5 (an optional peer of @graphiql/toolkit, so named
# here): resolve that tree to collect each licence.
mkdir tree
(
    cd tree
    npm init -y >/dev/null
    npm install --silent --ignore-scripts --omit=dev --no-package-lock \
        "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" \
        "graphql-ws@5" >/dev/null
)

GRAPHIQL_VERSION="$GRAPHIQL_VERSION" REACT_VERSION="$REACT_VERSION" \
GRAPHIQL_INTEGRITY="$graphiql_integrity" REACT_INTEGRITY="$react_integrity" \
REACT_DOM_INTEGRITY="$react_dom_integrity" DEST="$dest" python3 - <<'PY'
import hashlib
import json
import os
from pathlib import Path

dest = Path(os.environ["DEST"])
tree = Path("tree/node_modules")
notices = [
    "Licences of the packages bundled into gateway/graphiql/static/graphiql.min.js, as\n"
    f"resolved from graphiql@{os.environ['GRAPHIQL_VERSION']} by scripts/refresh-graphiql.sh.\n"
    "Fonts embedded in graphiql.min.css: Roboto and Fira Code, SIL Open Font License 1.1\n"
    "(roboto.LICENSE, fira-code.LICENSE).\n"
]
for manifest in sorted(tree.glob("**/package.json")):
    package_dir = manifest.parent
    if package_dir.parent.name != "node_modules" and package_dir.parent.parent.name != "node_modules":
        continue
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    if "name" not in meta or "version" not in meta:
        continue
    texts = sorted(
        p for p in package_dir.iterdir()
        if p.is_file() and p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))
    )
    body = "\n".join(p.read_text(encoding="utf-8", errors="replace").strip() for p in texts)
    notices.append(
        f"\n{'=' * 78}\n{meta['name']}@{meta['version']} ({meta.get('license', 'see text')})\n"
        f"{'=' * 78}\n{body or '(no licence file in the package)'}\n"
    )
(dest / "licenses" / "THIRD_PARTY_LICENSES.txt").write_text("".join(notices), encoding="utf-8")

def sha256(name: str) -> str:
    return hashlib.sha256((dest / "static" / name).read_bytes()).hexdigest()

vendor = {
    "graphiql": {
        "version": os.environ["GRAPHIQL_VERSION"],
        "integrity": os.environ["GRAPHIQL_INTEGRITY"],
        "files": {n: sha256(n) for n in ("graphiql.min.js", "graphiql.min.css")},
    },
    "react": {
        "version": os.environ["REACT_VERSION"],
        "integrity": os.environ["REACT_INTEGRITY"],
        "files": {"react.production.min.js": sha256("react.production.min.js")},
    },
    "react-dom": {
        "version": os.environ["REACT_VERSION"],
        "integrity": os.environ["REACT_DOM_INTEGRITY"],
        "files": {"react-dom.production.min.js": sha256("react-dom.production.min.js")},
    },
}
(dest / "vendor.json").write_text(json.dumps(vendor, indent=2) + "\n", encoding="utf-8")
PY

echo "GraphiQL $GRAPHIQL_VERSION and React $REACT_VERSION vendored into $static"
