#!/usr/bin/env bash
# The Windows agent, cross-built on Debian 12 with MinGW-w64 and tested under Wine.
#
#   scripts/windows.sh deps    build the agent's dependencies for x86_64-w64-mingw32 from Debian
#                              source packages (apt-get source, Debian's patches applied), cached
#   scripts/windows.sh build   deps, then build-mingw/agent/tripline-agent.exe (+ the Windows unit
#                              tests) and the zip layout (build-mingw/tripline-agent-<v>-win64.zip)
#   scripts/windows.sh test-env  prints the exports that add the wine tests to a Linux test tree
#                              (scripts/test.sh: windows_agent_test and wine.windows_unit_test run
#                              under wine64 in build-asan's ctest, against the real broker)
#
# The dependencies are static libraries under $TRIPLINE_CACHE/mingw-w64-<key> (default
# ~/.cache/tripline); <key> changes with `recipe` below, the toolchain file or a Debian source
# version, so a stale cache is never reused. Each package is built once; an interrupted build starts over.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}
triple=x86_64-w64-mingw32
jobs=${TRIPLINE_JOBS:-$(nproc)}

# Debian source packages, built in this order (each one's dependencies come before it).
# Bump `recipe` whenever a build step below changes, so that the cache is rebuilt.
recipe=1
sources=(zlib openssl abseil protobuf librdkafka fmtlib spdlog yaml-cpp googletest libevtx)

log() { printf 'windows: %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }

install_tools() {
  local need=(g++-mingw-w64-x86-64-posix mingw-w64-tools dpkg-dev wine wine64 zip
              libboost-dev libcli11-dev nlohmann-json3-dev protobuf-compiler autoconf automake
              libtool pkg-config)
  local missing=() p
  for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # apt-get source needs the deb-src entries, which Debian's images leave out.
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
     ! grep -qs '^deb-src' /etc/apt/sources.list; then
    log "adding Debian's source package index (deb-src)"
    as_root tee /etc/apt/sources.list.d/tripline-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    as_root apt-get update -qq
  fi
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The version apt-get source would fetch now, e.g. "3.21.12-3+deb12u1".
source_version() {
  apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/{print $2}' | sort -V | tail -1
}

cache_key() {
  local v="" s
  for s in "${sources[@]}"; do v+="$s=$(source_version "$s");"; done
  printf '%s%s%s' "$recipe" "$v" "$(cat "$root/cmake/mingw-w64-x86_64.cmake")" | sha256sum |
    cut -c1-12
}

# fetch <source package> -> prints the unpacked folder (Debian's patches applied)
fetch() {
  local pkg=$1 dir="$src/$1"
  if [ ! -f "$dir/.unpacked" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get source -qq "$pkg" >"$dir/fetch.log" 2>&1) ||
      { cat "$dir/fetch.log" >&2; log "apt-get source $pkg failed"; exit 1; }
    touch "$dir/.unpacked"
  fi
  find "$dir" -mindepth 1 -maxdepth 1 -type d | head -1
}

cmake_dep() {
  local srcdir=$1 name=$2; shift 2
  cmake -S "$srcdir" -B "$src/$name-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
    -DTRIPLINE_MINGW_PREFIX="$prefix" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=OFF -DBUILD_SHARED_LIBS=OFF "$@" >"$src/$name.log" 2>&1 ||
    { tail -40 "$src/$name.log" >&2; return 1; }
  cmake --build "$src/$name-build" -j "$jobs" >>"$src/$name.log" 2>&1 ||
    { grep -m5 -A5 -E 'error|Error' "$src/$name.log" >&2; return 1; }
  cmake --install "$src/$name-build" >>"$src/$name.log" 2>&1
}

build_one() {
  local pkg=$1 d
  d=$(fetch "$pkg")
  case $pkg in
    zlib)
      # Debian's zlib source has no Windows makefile: its library is these files.
      local f objs=()
      for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast \
               inflate inftrees trees uncompr zutil; do
        "$triple-gcc-posix" -O2 -c "$d/$f.c" -o "$src/zlib-$f.o"
        objs+=("$src/zlib-$f.o")
      done
      rm -f "$src/libz.a" && "$triple-ar" rcs "$src/libz.a" "${objs[@]}"
      install -D -m644 "$src/libz.a" "$prefix/lib/libz.a"
      install -D -m644 -t "$prefix/include" "$d/zlib.h" "$d/zconf.h" ;;
    openssl)
      (cd "$d" && ./Configure mingw64 no-shared no-tests no-module no-legacy \
          --cross-compile-prefix="$triple-" --prefix="$prefix" --libdir=lib >"$src/openssl.log" 2>&1 &&
        make -j "$jobs" build_libs >>"$src/openssl.log" 2>&1 &&
        make install_dev >>"$src/openssl.log" 2>&1) ||
        { tail -30 "$src/openssl.log" >&2; return 1; } ;;
    abseil)
      cmake_dep "$d" abseil -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON \
        -DBUILD_TESTING=OFF -DABSL_ENABLE_INSTALL=ON ;;
    protobuf)
      cmake_dep "$d" protobuf -Dprotobuf_BUILD_TESTS=OFF -Dprotobuf_BUILD_PROTOC_BINARIES=OFF \
        -Dprotobuf_WITH_ZLIB=OFF -Dprotobuf_BUILD_LIBPROTOC=OFF -Dprotobuf_MSVC_STATIC_RUNTIME=OFF ;;
    librdkafka)
      cmake_dep "$d" librdkafka -DRDKAFKA_BUILD_STATIC=ON -DRDKAFKA_BUILD_EXAMPLES=OFF \
        -DRDKAFKA_BUILD_TESTS=OFF -DWITH_SSL=ON -DWITH_ZLIB=ON -DWITH_ZSTD=OFF -DWITH_SASL=ON \
        -DENABLE_LZ4_EXT=OFF -DWITH_LIBDL=OFF -DWITH_CURL=OFF ;;
    fmtlib)
      cmake_dep "$d" fmtlib -DFMT_TEST=OFF -DFMT_DOC=OFF ;;
    spdlog)
      cmake_dep "$d" spdlog -DSPDLOG_FMT_EXTERNAL=ON -DSPDLOG_BUILD_EXAMPLE=OFF \
        -DSPDLOG_BUILD_TESTS=OFF -DSPDLOG_BUILD_BENCH=OFF ;;
    yaml-cpp)
      cmake_dep "$d" yaml-cpp -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF \
        -DYAML_BUILD_SHARED_LIBS=OFF -DYAML_CPP_BUILD_CONTRIB=OFF ;;
    googletest)
      cmake_dep "$d" googletest -DINSTALL_GTEST=ON -DBUILD_GMOCK=ON ;;
    libevtx)
      # libyal's autotools build: its bundled libyal libraries, no Python bindings or tools.
      # Its sources include Windows headers with capitals (<Synchapi.h>) that MinGW's lower-case
      # headers only match on a case-insensitive file system: forwarders bridge that.
      local shim="$src/libevtx-shim" h
      mkdir -p "$shim"
      for h in Synchapi Processthreadsapi Threadpoolapiset; do
        echo "#include <${h,,}.h>" >"$shim/$h.h"
      done
      (cd "$d" && { [ -x configure ] || autoreconf -fi; } >"$src/libevtx.log" 2>&1 &&
        CPPFLAGS="-I$shim" ./configure --host="$triple" --prefix="$prefix" --enable-static \
          --disable-shared \
          --enable-winapi=yes --without-libfwnt --disable-python --without-libintl-prefix \
          >>"$src/libevtx.log" 2>&1 &&
        make -j "$jobs" -C common >>"$src/libevtx.log" 2>&1 &&
        for sub in libcerror libcthreads libcdata libclocale libcnotify libcsplit libuna \
                   libcfile libcpath libbfio libfcache libfdata libfdatetime libfguid libfvalue \
                   libfwevt libfwnt libregf libexe libwrc libevtx; do
          [ -d "$sub" ] || continue
          make -j "$jobs" -C "$sub" >>"$src/libevtx.log" 2>&1 || exit 1
        done &&
        make -C include install >>"$src/libevtx.log" 2>&1 &&
        make -C libevtx install >>"$src/libevtx.log" 2>&1) ||
        { tail -30 "$src/libevtx.log" >&2; return 1; } ;;
  esac
}

deps() {
  install_tools
  local key; key=$(cache_key)
  prefix="$cache/mingw-w64-$key"
  src="$cache/mingw-w64-src-$key"
  mkdir -p "$prefix" "$src"
  # Header-only libraries: Debian's header packages, seen through their own include folder (the
  # host's /usr/include itself must never be on the Windows include path).
  mkdir -p "$prefix/include"
  local h
  for h in boost CLI nlohmann; do
    [ -e "$prefix/include/$h" ] || ln -s "/usr/include/$h" "$prefix/include/$h"
  done
  local pkg t0
  for pkg in "${sources[@]}"; do
    [ -f "$prefix/.built-$pkg" ] && continue
    t0=$SECONDS
    log "building $pkg $(source_version "$pkg") for $triple"
    # A subshell with errexit of its own: any failing step fails the package.
    set +e
    (set -e; build_one "$pkg")
    local rc=$?
    set -e
    ((rc == 0)) || { log "$pkg failed (log: $src/$pkg.log)"; exit 1; }
    touch "$prefix/.built-$pkg"
    log "$pkg built in $((SECONDS - t0)) s"
  done
  echo "$prefix"
}

# The wine prefix the tests use (created on first use; no Mono or Gecko installers).
wine_env() {
  export WINEPREFIX=${WINEPREFIX:-$cache/wineprefix}
  export WINEDEBUG=${WINEDEBUG:--all}
  export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    log "creating the wine prefix $WINEPREFIX"
    wine wineboot --init >/dev/null 2>&1 || true
    wineserver -w || true
  fi
}

build() {
  deps >/dev/null
  local out=${TRIPLINE_MINGW_BUILD:-$root/build-mingw}
  mkdir -p "$out"
  cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" -DTRIPLINE_MINGW_PREFIX="$prefix" \
    -DCMAKE_CROSSCOMPILING_EMULATOR=wine >"$out/configure.log" 2>&1 ||
    { cat "$out/configure.log" >&2; exit 1; }
  cmake --build "$out" -j "$jobs"
  cpack_zip "$out"
  log "built $out/agent/tripline-agent.exe"
}

# The zip users unpack on the Exchange server: the .exe, sample configs and the README part.
cpack_zip() {
  local out=$1 version stage
  version=$(sed -n 's/^project(tripline VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
  stage="$out/tripline-agent-$version-win64"
  rm -rf "$stage" && mkdir -p "$stage/config"
  "$triple-strip" -o "$stage/tripline-agent.exe" "$out/agent/tripline-agent.exe"
  cp "$root"/config/agent-windows-*.yaml "$stage/config/"
  sed 's/$/\r/' >"$stage/README.txt" <<EOF
Tripline agent $version for Windows (x64; Windows Server 2016 or later, Exchange 2016/2019)

1. Copy tripline-agent.exe to C:\Program Files\Tripline\ and the config for your Exchange
   version to C:\ProgramData\Tripline\agent.yaml; set kafka.brokers (and its TLS) there.
2. Check it:      tripline-agent.exe --check-config -c C:\ProgramData\Tripline\agent.yaml
3. From an elevated prompt:
                  tripline-agent.exe service install --config C:\ProgramData\Tripline\agent.yaml
                  tripline-agent.exe service start
4. Status, reload after a config change, stop, remove:
                  tripline-agent.exe service status | reload | stop | uninstall

Logs: C:\ProgramData\Tripline\logs\agent-service.log. Spool and positions:
C:\ProgramData\Tripline\data. Metrics: http://127.0.0.1:9464/metrics
EOF
  (cd "$out" && rm -f "$stage.zip" && zip -qr "$stage.zip" "$(basename "$stage")")
  log "packaged $stage.zip"
}

case ${1:-} in
  deps) deps ;;
  build) build ;;
  # For the Linux test tree: where the .exe is, and a ready wine prefix (eval its output).
  test-env)
    wine_env
    echo "export TRIPLINE_WINDOWS_AGENT=${TRIPLINE_MINGW_BUILD:-$root/build-mingw}/agent/tripline-agent.exe"
    echo "export TRIPLINE_WINEPREFIX=$WINEPREFIX" ;;
  prefix) key=$(cache_key); echo "$cache/mingw-w64-$key" ;;
  *) echo "usage: $0 deps|build|test-env" >&2; exit 2 ;;
esac
