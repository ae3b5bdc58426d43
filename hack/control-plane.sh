#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1 for the integration tests and for trying the chart:
# etcd, kube-apiserver (RBAC, service accounts, admission) and kube-controller-manager (garbage
# collector, namespaces, service-account tokens). No kubelet, scheduler or container runtime: the tests
# bring their own test kubelet.
#
#   hack/control-plane.sh build        build the binaries if they are not cached yet; print their directory
#   hack/control-plane.sh path         print that directory if the binaries are built, else exit 1
#   hack/control-plane.sh up DIR       build if needed, start everything, wait for /readyz; writes
#                                      DIR/kubeconfig (admin), DIR/bin/kubectl, DIR/env, DIR/tokens.csv;
#                                      every request is audited (metadata only) to DIR/logs/audit.log
#   hack/control-plane.sh down DIR     stop exactly the processes 'up DIR' started (DIR/pids/*.pid)
#   hack/control-plane.sh status DIR   print the pids and whether they run
#
# The binaries are built from Go modules (release binaries cannot be downloaded here) by the wrapper
# modules under hack/control-plane/ (their go.mod/go.sum pin every version) into
# ${FEDTT_CONTROL_PLANE_CACHE:-~/.cache/fedtt/control-plane}/<versions>/, once: the build goes to a temp
# directory that is renamed into place, under a lock, so a half-built or concurrent build is never used.
# See docs/development.md.
set -euo pipefail

KUBE_VERSION=v1.35.4   # k8s.io/kubernetes; staging modules at v0.35.4 (hack/control-plane/kubernetes/go.mod)
ETCD_VERSION=v3.5.35   # go.etcd.io/etcd/server/v3 (hack/control-plane/etcd/go.mod)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modules="$here/control-plane"
cache_root="${FEDTT_CONTROL_PLANE_CACHE:-$HOME/.cache/fedtt/control-plane}"
goos="$(go env GOOS 2>/dev/null || uname -s | tr '[:upper:]' '[:lower:]')"
goarch="$(go env GOARCH 2>/dev/null || echo amd64)"
bin_dir="$cache_root/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-$goos-$goarch"
binaries=(etcd kube-apiserver kube-controller-manager kubectl)

log() { echo "control-plane: $*" >&2; }
die() { log "$*"; exit 1; }

have_binaries() {
  local b
  for b in "${binaries[@]}"; do [ -x "$bin_dir/$b" ] || return 1; done
}

check_pins() {
  grep -q "k8s.io/kubernetes $KUBE_VERSION\$" "$modules/kubernetes/go.mod" \
    || die "hack/control-plane/kubernetes/go.mod does not require k8s.io/kubernetes $KUBE_VERSION"
  grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION\$" "$modules/etcd/go.mod" \
    || die "hack/control-plane/etcd/go.mod does not require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
}

build() {
  have_binaries && { echo "$bin_dir"; return 0; }
  command -v go >/dev/null || die "go is not installed: needed once to build the control plane"
  check_pins
  mkdir -p "$cache_root"
  # One build at a time per cache; whoever waited finds the binaries in place.
  exec 9>"$cache_root/.build.lock"
  flock 9
  if have_binaries; then echo "$bin_dir"; exec 9>&-; return 0; fi
  local tmp start minor
  tmp="$(mktemp -d "$cache_root/.build.XXXXXX")"
  # An interrupted build leaves nothing behind (and nothing that counts as built).
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS
  minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  log "building kube-apiserver, kube-controller-manager, kubectl $KUBE_VERSION and etcd $ETCD_VERSION into $bin_dir (first use only; tens of minutes of CPU: over an hour on a busy 2-core machine)"
  # Version stamps as the Kubernetes release build sets them (kubectl version, /version, skew checks).
  local ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  (
    cd "$modules/kubernetes"
    GOFLAGS="-trimpath -buildvcs=false -mod=readonly" CGO_ENABLED=0 nice -n "${FEDTT_BUILD_NICE:-15}" \
      go build -ldflags="$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
  ) || die "building Kubernetes $KUBE_VERSION failed (see above)"
  (
    cd "$modules/etcd"
    GOFLAGS="-trimpath -buildvcs=false -mod=readonly" CGO_ENABLED=0 nice -n "${FEDTT_BUILD_NICE:-15}" \
      go build -ldflags="-s -w" -o "$tmp/etcd" .
  ) || die "building etcd $ETCD_VERSION failed (see above)"
  printf 'kubernetes %s\netcd %s\n%s\nbuilt %s in %ss\n' "$KUBE_VERSION" "$ETCD_VERSION" "$(go version)" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((SECONDS - start))" > "$tmp/VERSIONS"
  rm -rf "$bin_dir"
  mv "$tmp" "$bin_dir"
  trap - EXIT
  exec 9>&-
  log "built in $((SECONDS - start)) s"
  echo "$bin_dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts "$@" detached in its own session, logging to $dir/logs/$name.log; records the pid.
start() {
  local name="$1"; shift
  setsid "$@" >"$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

# True when pid file $1 names a live process started from this DIR (its command line mentions DIR).
ours() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir"
}

stop_all() {
  local name f pid i
  for name in kube-controller-manager kube-apiserver etcd; do
    f="$dir/pids/$name.pid"
    if ours "$f"; then
      pid="$(cat "$f")"
      kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 100); do ours "$f" || break; sleep 0.1; done
      ours "$f" && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

wait_ready() {
  local kubectl="$1" deadline=$((SECONDS + ${FEDTT_CONTROL_PLANE_TIMEOUT:-180}))
  until "$kubectl" --kubeconfig "$dir/kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    for name in etcd kube-apiserver kube-controller-manager; do
      ours "$dir/pids/$name.pid" || { tail -n 30 "$dir/logs/$name.log" >&2; stop_all; die "$name exited during start (log: $dir/logs/$name.log)"; }
    done
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$dir/logs/kube-apiserver.log" >&2
      stop_all
      die "kube-apiserver not ready in ${FEDTT_CONTROL_PLANE_TIMEOUT:-180} s"
    fi
    sleep 0.5
  done
}

certs() {
  local pki="$dir/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=fedtt-test-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > "$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=admin" \
    -keyout "$pki/admin.key" -out "$pki/admin.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$pki/admin.ext"
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/admin.ext" -out "$pki/admin.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  rm -f "$pki"/*.csr "$pki"/*.ext "$pki"/*.srl
}

token() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

up() {
  local bins
  bins="$(build)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  for name in etcd kube-apiserver kube-controller-manager; do
    ours "$dir/pids/$name.pid" && die "already running in $dir (hack/control-plane.sh down $dir)"
  done
  mkdir -p "$dir/pids" "$dir/logs" "$dir/bin"
  rm -rf "$dir/etcd-data"
  certs

  local admin_token cm_token user_token
  admin_token="$(token)"; cm_token="$(token)"; user_token="$(token)"
  # token,user,uid,"groups": the admin (system:masters), the controller manager (its bootstrap RBAC
  # role) and one plain authenticated user with no rights, for tests that bind their own RBAC.
  {
    echo "$admin_token,admin-token,admin-token,\"system:masters\""
    echo "$cm_token,system:kube-controller-manager,system:kube-controller-manager"
    echo "$user_token,fedtt-user,fedtt-user"
  } > "$dir/tokens.csv"
  chmod 600 "$dir/tokens.csv" "$dir/pki/"*.key

  # Metadata of every request (user, verb, resource, response code): tests read it to prove that an
  # identity was never refused (RBAC) and to count requests.
  cat > "$dir/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
EOF

  local etcd_port etcd_peer api_port
  etcd_port="$(free_port)"; etcd_peer="$(free_port)"; api_port="$(free_port)"
  local server="https://127.0.0.1:$api_port"

  start etcd "$bins/etcd" --name fedtt --data-dir "$dir/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "fedtt=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --log-level warn

  start kube-apiserver "$bins/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$dir/pki" --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$dir/pki/ca.crt" --token-auth-file "$dir/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$dir/pki/sa.pub" --service-account-signing-key-file "$dir/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --endpoint-reconciler-type none \
    --audit-policy-file "$dir/audit-policy.yaml" --audit-log-path "$dir/logs/audit.log" \
    --allow-privileged=true --enable-priority-and-fairness=false --storage-media-type application/json \
    --v 0

  # kubeconfigs: admin (client certificate in system:masters), the controller manager (its token).
  local kubectl="$bins/kubectl"
  write_kubeconfig() { # file user credential-args...
    local file="$1" user="$2"; shift 2
    "$kubectl" --kubeconfig "$file" config set-cluster fedtt --server "$server" \
      --certificate-authority "$dir/pki/ca.crt" --embed-certs >/dev/null
    "$kubectl" --kubeconfig "$file" config set-credentials "$user" "$@" >/dev/null
    "$kubectl" --kubeconfig "$file" config set-context fedtt --cluster fedtt --user "$user" >/dev/null
    "$kubectl" --kubeconfig "$file" config use-context fedtt >/dev/null
  }
  rm -f "$dir/kubeconfig" "$dir/controller-manager.kubeconfig"
  write_kubeconfig "$dir/kubeconfig" admin --client-certificate "$dir/pki/admin.crt" \
    --client-key "$dir/pki/admin.key" --embed-certs
  write_kubeconfig "$dir/controller-manager.kubeconfig" system:kube-controller-manager --token "$cm_token"
  chmod 600 "$dir/kubeconfig" "$dir/controller-manager.kubeconfig"

  start kube-controller-manager "$bins/kube-controller-manager" \
    --kubeconfig "$dir/controller-manager.kubeconfig" --use-service-account-credentials \
    --service-account-private-key-file "$dir/pki/sa.key" --root-ca-file "$dir/pki/ca.crt" \
    --cluster-name fedtt --leader-elect=false --secure-port 0 \
    --controllers garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller,clusterrole-aggregation-controller \
    --concurrent-gc-syncs 5 --v 0

  cat > "$dir/bin/kubectl" <<EOF
#!/bin/sh
# kubectl $KUBE_VERSION against the control plane in $dir (admin); --kubeconfig overrides.
exec "$kubectl" --kubeconfig "\${KUBECONFIG:-$dir/kubeconfig}" "\$@"
EOF
  chmod +x "$dir/bin/kubectl"
  {
    echo "KUBECONFIG=$dir/kubeconfig"
    echo "FEDTT_CP_SERVER=$server"
    echo "FEDTT_CP_CA=$dir/pki/ca.crt"
    echo "FEDTT_CP_ADMIN_TOKEN=$admin_token"
    echo "FEDTT_CP_USER_TOKEN=$user_token"
    echo "FEDTT_CP_BIN=$bins"
  } > "$dir/env"
  chmod 600 "$dir/env"

  wait_ready "$kubectl"
  log "ready at $server (KUBECONFIG=$dir/kubeconfig; kubectl: $dir/bin/kubectl; stop: $0 down $dir)"
}

cmd="${1:-}"
case "$cmd" in
  build)
    build ;;
  path)
    have_binaries || exit 1
    echo "$bin_dir" ;;
  up|down|status)
    [ $# -eq 2 ] || die "usage: $0 $cmd DIR"
    dir="$2"
    case "$cmd" in
      up) up ;;
      down)
        [ -d "$dir" ] || exit 0
        dir="$(cd "$dir" && pwd)"
        stop_all
        log "stopped (data kept in $dir)" ;;
      status)
        dir="$(cd "$dir" && pwd)"
        for name in etcd kube-apiserver kube-controller-manager; do
          if ours "$dir/pids/$name.pid"; then echo "$name running (pid $(cat "$dir/pids/$name.pid"))"; else echo "$name stopped"; fi
        done ;;
    esac ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
    exit 2 ;;
esac
