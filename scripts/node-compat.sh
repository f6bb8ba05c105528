#!/usr/bin/env bash
# Runs Nimbus on the other Node.js releases its users have (the README says 22 and 24 work too):
#   bash scripts/node-compat.sh [version …]      (default: the pinned 22 and 24 releases below)
# For each: the official binary, which the npm registry ships as node-<os>-<arch>@<version>
# (headers included); a copy of this tree with node_modules installed by that Node, so
# better-sqlite3 is compiled against its ABI; then, under it, `nimbus --version` from the built
# CLI, the unit tests and the `nimbus up` child-process test (three nodes Ready, a pod running,
# restart, --fresh). Pinned, so a new Node release cannot turn an unrelated change red.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.5 24.22.3)

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "node-compat: no official Node.js package for $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-compat: no official Node.js package for $(uname -m)" >&2; exit 1 ;;
esac

for version in "${versions[@]}"; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-node$version-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "== Node.js $version: fetching node-$os-$arch@$version"
  (cd "$work" && npm pack --silent "node-$os-$arch@$version" >/dev/null && tar xzf node-*.tgz)
  node_home="$work/package"

  # The tree without node_modules and .git; tar keeps the mtimes, so a built dist/ stays fresh.
  mkdir "$work/tree"
  tar -C "$root" --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$work/tree" -xf -

  (
    export PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home"
    cd "$work/tree"
    echo "== $(node -v): npm ci (better-sqlite3 built for this Node)"
    npm ci --no-audit --no-fund --loglevel=error
    node scripts/ensure.js --build
    node bin/nimbus.js --version
    echo "== $(node -v): unit tests"
    npx jest --config jest.config.js --silent --selectProjects unit
    echo "== $(node -v): nimbus up as a child process"
    npx jest --config jest.config.js apps/cli/test/nimbus-up-process.e2e-spec.ts
  )
  rm -rf "$work"
  trap - EXIT
done
echo "== node-compat: Node.js ${versions[*]} pass"
