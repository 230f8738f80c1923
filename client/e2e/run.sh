#!/usr/bin/env bash
# The extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by headless
# Chromium. Installs what it needs, packages the .vsix, installs it with --install-extension,
# opens a copy of examples/ (plus a file for the quick fix) and checks what a user sees, in
# Python files and in examples/notebook.ipynb's notebook editor (see drive.mjs). The counts that
# are not written in the examples come from torch (the model built, the notebook's cells run).
# Screenshots and result.json go
# to $E2E_OUT (default client/e2e/out). Exits non-zero when a check fails. Every process it
# starts runs in one process group, killed on exit.
#
#   E2E_PYTHON   the interpreter setting given to the extension (default: a venv made here from
#                python3, without pip and without paramlens, so that the server that runs is
#                the one bundled in the .vsix; libcst, which the bundle leaves out, is put into it
#                from PyPI for the quick fix)
#   E2E_EXPECT   counts (default) | install-hint (no Python at all: no interpreter setting, and
#                code-server runs with a PATH that holds node and nothing else; the extension
#                must say what to install) | pip-hint (E2E_IMPORT_STRATEGY=fromEnvironment with a
#                Python that lacks paramlens: the extension must give the pip command)
#   E2E_IMPORT_STRATEGY   the paramlens.importStrategy setting (default useBundled)
#   E2E_CACHE    where code-server is installed once (default client/e2e/.cache)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENT=$(dirname "$HERE")
ROOT=$(dirname "$CLIENT")
OUT=${E2E_OUT:-$HERE/out}
CACHE=${E2E_CACHE:-$HERE/.cache}
PYTHON=${E2E_PYTHON:-}
EXPECT=${E2E_EXPECT:-counts}
STRATEGY=${E2E_IMPORT_STRATEGY:-useBundled}
LIBCST_VERSION=1.9.0  # for the quick fix: the bundle holds pure-Python packages only
CODE_SERVER_VERSION=4.100.3  # later releases need Node 22+
mkdir -p "$OUT" "$CACHE"
log() { echo "[e2e] $*" >&2; }

# 1. System packages: Chromium to drive, and what code-server's native modules build with.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
command -v g++ >/dev/null || missing+=(build-essential)
command -v pkg-config >/dev/null || missing+=(pkg-config)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The extension's own dependencies, then the .vsix (offline: vsce packages from disk).
log "packaging the extension"
(cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent package >&2)
VSIX=$(ls "$CLIENT"/paramlens-*.vsix | head -n 1)

# 3. code-server, once. Its ripgrep dependency asks GitHub for a binary: hand it Debian's.
SERVER_BIN="$CACHE/code-server/node_modules/.bin/code-server"
if [ ! -x "$SERVER_BIN" ]; then
  log "installing code-server $CODE_SERVER_VERSION (once, about two minutes)"
  export TMPDIR=${TMPDIR:-/tmp}
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11"
  tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" \
    -C "$(dirname "$(command -v rg)")" rg
  # npm 11 skips dependencies' install scripts unless allowed; code-server builds native modules
  # (node-pty, argon2, kerberos) in them, and in the nested install its postinstall runs.
  npm_config_yes=true npm_config_unsafe_perm=true npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund \
    --loglevel=error --prefix "$CACHE/code-server" "code-server@$CODE_SERVER_VERSION" >&2
fi

# 4. A fresh profile: user data, extensions, settings; nothing written to ~ or /tmp.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/paramlens-e2e.XXXXXX")
PGID=""
DRIVER=""
cleanup() {
  local group alive
  for group in $DRIVER $PGID; do kill -TERM -- "-$group" 2>/dev/null || true; done
  for _ in $(seq 1 50); do  # give them 5 s to go, then make sure
    alive=0
    for group in $DRIVER $PGID; do kill -0 -- "-$group" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for group in $DRIVER $PGID; do kill -KILL -- "-$group" 2>/dev/null || true; done
  rm -rf "$RUN"
}
trap cleanup EXIT
mkdir -p "$RUN/data/User" "$RUN/ext" "$RUN/cfg" "$RUN/tmp"
# The workspace: a copy of examples/ plus a model with a channel mismatch for the quick fix (kept
# out of examples/, whose `paramlens check` must pass).
cp -r "$ROOT/examples" "$RUN/workspace"
cat > "$RUN/workspace/quick_fix.py" <<'PY'
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, 3),  # stem
    nn.ReLU(),
    nn.Conv2d(32, 8, 3),  # head
)
PY
# What the summary panel must show for TinyResNet, from torch itself (the model built for real),
# never from paramlens: its children as named_children() gives them, and parameters() counts.
TORCH_SUMMARY=""
if [ "$EXPECT" = "counts" ]; then
  TORCH_SUMMARY=$(python3 - "$RUN/workspace/torch_resnet_block.py" <<'PY'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("torch_resnet_block", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.TinyResNet()
count = lambda m: sum(p.numel() for p in m.parameters())
print(json.dumps({"children": [[n, type(m).__name__, count(m)] for n, m in model.named_children()],
                  "total": count(model)}))
PY
  ) || { log "torch could not build TinyResNet: the summary panel cannot be checked"; exit 1; }
fi
# What the notebook's last cell must show: its layers' counts with the cells run for real by torch
# (channels from an earlier cell), never from paramlens.
TORCH_NOTEBOOK=""
if [ "$EXPECT" = "counts" ]; then
  TORCH_NOTEBOOK=$(python3 "$HERE/torch_notebook.py" "$RUN/workspace/notebook.ipynb") ||
    { log "torch could not run notebook.ipynb's cells: the notebook cannot be checked"; exit 1; }
fi
# Nothing from the caller's Python may reach the extension host: a PYTHONPATH that finds
# paramlens would hide whether the bundled copy is the one that runs.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONUSERBASE
SERVER_PATH=$PATH
if [ "$EXPECT" = "install-hint" ]; then
  # No Python at all: no interpreter setting, and a PATH with node alone (code-server's launcher
  # is `#!/usr/bin/env node`); the python3 and python the extension looks for are not there.
  PYTHON=""
  mkdir -p "$RUN/bin-without-python"
  ln -s "$(command -v node)" "$RUN/bin-without-python/node"
  SERVER_PATH="$RUN/bin-without-python"
elif [ -z "$PYTHON" ]; then
  # A Python without paramlens (and without pip): the bundled server must run with it.
  python3 -m venv --without-pip "$RUN/python"
  PYTHON="$RUN/python/bin/python"
  if [ "$EXPECT" = "counts" ]; then
    site=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --only-binary=:all: \
      --target "$site" "libcst==$LIBCST_VERSION" >&2
  fi
fi
if [ -n "$PYTHON" ] && "$PYTHON" -c 'import paramlens' 2>/dev/null && [ -z "${E2E_PYTHON:-}" ]; then
  log "$PYTHON has paramlens: it cannot show that the bundled server runs"
  exit 1
fi
INTERPRETER_SETTING=""
[ -n "$PYTHON" ] && INTERPRETER_SETTING="\"paramlens.interpreter\": \"$PYTHON\","
cat > "$RUN/data/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "editor.hover.delay": 100,
  "editor.inlayHints.enabled": "on",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  $INTERPRETER_SETTING
  "paramlens.importStrategy": "$STRATEGY"
}
JSON
# A key for paramlens.restart, so that the test can ask for restarts faster than a user could.
echo '[{"key": "ctrl+alt+shift+f9", "command": "paramlens.restart"}]' > "$RUN/data/User/keybindings.json"
log "installing $(basename "$VSIX") into code-server"
XDG_CONFIG_HOME="$RUN/cfg" TMPDIR="$RUN/tmp" "$SERVER_BIN" --user-data-dir "$RUN/data" \
  --extensions-dir "$RUN/ext" --install-extension "$VSIX" >&2

# 5. Start code-server in a process group of its own and wait until it answers. VSCODE_CLI=1:
# the extension host keeps this environment, not one read from a login shell (which would put
# back the PATH taken away for the no-Python case).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
XDG_CONFIG_HOME="$RUN/cfg" TMPDIR="$RUN/tmp" setsid env PATH="$SERVER_PATH" VSCODE_CLI=1 "$SERVER_BIN" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --bind-addr "127.0.0.1:$PORT" --user-data-dir "$RUN/data" \
  --extensions-dir "$RUN/ext" "$RUN/workspace" >"$OUT/code-server.log" 2>&1 &
PGID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

# 6. Drive it.
log "driving VS Code (expecting: $EXPECT, interpreter: ${PYTHON:-none}, importStrategy: $STRATEGY)"
status=0
# Its own process group too, so that Chromium goes with it whatever happens.
cd "$CLIENT"
PORT=$PORT E2E_OUT=$OUT E2E_EXPECT=$EXPECT E2E_WORKSPACE="$RUN/workspace" E2E_EXTENSIONS="$RUN/ext" \
  E2E_INTERPRETER="$PYTHON" E2E_TORCH_SUMMARY="$TORCH_SUMMARY" E2E_TORCH_NOTEBOOK="$TORCH_NOTEBOOK" \
  setsid node "$HERE/drive.mjs" &
DRIVER=$!
wait "$DRIVER" || status=$?
log "screenshots and result.json in $OUT"
exit $status
