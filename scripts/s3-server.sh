#!/usr/bin/env bash
# s3kit's local S3 server: a single-node Ceph cluster (1 mon, 1 OSD) with radosgw on 127.0.0.1,
# from Debian's packages. Used by the test harness (vitest globalSetup), `npm run demo` and the
# benchmarks. Nothing listens outside loopback.
#
#   bash scripts/s3-server.sh install   # apt-get the Ceph packages when missing (Debian, as root)
#   bash scripts/s3-server.sh start     # install if needed, start, print "endpoint=... access_key=... secret_key=..."
#   bash scripts/s3-server.sh stop      # stop the daemons started from $S3KIT_CEPH_DIR (by PID) and remove it
#
# Environment:
#   S3KIT_CEPH_DIR   working directory (config, mon store, OSD, logs, pids)  default /tmp/s3kit-ceph
#   S3KIT_RGW_PORT   S3 endpoint port http://127.0.0.1:PORT                  default 7480
#   S3KIT_MON_PORT   monitor port (distinct per cluster run side by side)    default 6789
#   S3KIT_OSD_STORE  memstore (RAM) or bluestore (sparse file)               default memstore
#   S3KIT_STORE_SIZE memstore RAM budget or bluestore file size              default 4G / 20G
#   S3KIT_ACCESS_KEY / S3KIT_SECRET_KEY                                      default s3kit / s3kitsecret
#   S3KIT_OTHER_ACCESS_KEY / S3KIT_OTHER_SECRET_KEY  a second user, who owns nothing (access-denied tests)
#                                                                            default other / othersecret
#
# Facts this script depends on (Ceph 16 on Debian 12):
# - `auth none` between the daemons keeps set-up short; S3 requests are still SigV4-checked by radosgw.
# - With auth none the OSD may send its start-up crush commands before it has the monmap and exit
#   with "wrong fsid"; so `osd crush update on start = false` and the OSD is placed by hand.
# - A mon port other than 6789 must be given as v1 explicitly (`--addv a [v1:IP:PORT]`), or v1
#   clients hang; msgr2 is disabled altogether.
# - Storage classes other than STANDARD must be added to the placement target, or a PUT with
#   x-amz-storage-class: STANDARD_IA answers 400.
# - SSE-KMS uses the "testing" backend with a static key, allowed over plain HTTP (tests only).
set -Eeuo pipefail

DIR=${S3KIT_CEPH_DIR:-/tmp/s3kit-ceph}
RGW_PORT=${S3KIT_RGW_PORT:-7480}
MON_PORT=${S3KIT_MON_PORT:-6789}
STORE=${S3KIT_OSD_STORE:-memstore}
ACCESS_KEY=${S3KIT_ACCESS_KEY:-s3kit}
SECRET_KEY=${S3KIT_SECRET_KEY:-s3kitsecret}
OTHER_ACCESS_KEY=${S3KIT_OTHER_ACCESS_KEY:-other}
OTHER_SECRET_KEY=${S3KIT_OTHER_SECRET_KEY:-othersecret}
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl)
STORAGE_CLASSES=(STANDARD_IA ONEZONE_IA REDUCED_REDUNDANCY INTELLIGENT_TIERING GLACIER GLACIER_IR DEEP_ARCHIVE)
if [[ $STORE == memstore ]]; then STORE_SIZE=${S3KIT_STORE_SIZE:-4G}; else STORE_SIZE=${S3KIT_STORE_SIZE:-20G}; fi

log() { echo "s3-server: $*" >&2; }

install_packages() {
  local missing=0
  for bin in ceph-mon ceph-osd radosgw ceph radosgw-admin uuidgen curl; do command -v "$bin" >/dev/null || missing=1; done
  [[ $missing == 0 ]] && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    log "Ceph is not installed. On Debian/Ubuntu run as root: apt-get install -y --no-install-recommends ${PACKAGES[*]}"
    log "or point the tests at another S3 server with S3KIT_TEST_ENDPOINT (see README)."
    exit 1
  fi
  log "installing ${PACKAGES[*]} (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
}

stop_server() {
  if [[ -f $DIR/pids ]]; then
    tac "$DIR/pids" | while read -r _ pid; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
      local alive=0
      while read -r _ pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$DIR/pids"
      [[ $alive == 0 ]] && break
      sleep 0.2
    done
    while read -r _ pid; do kill -9 "$pid" 2>/dev/null || true; done < "$DIR/pids"
  fi
  rm -rf "$DIR"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
  install_packages
  local started; started=$(date +%s)
  [[ -e $DIR ]] && { log "$DIR exists: run '$0 stop' first (or set S3KIT_CEPH_DIR)"; exit 1; }
  for port in "$MON_PORT" "$RGW_PORT"; do
    port_in_use "$port" && { log "127.0.0.1:$port is already in use: set S3KIT_MON_PORT / S3KIT_RGW_PORT"; exit 1; }
  done
  mkdir -p "$DIR"/{mon,osd,rgw,run,log}
  local fsid; fsid=$(uuidgen)
  local conf=$DIR/ceph.conf
  local C=(-c "$conf")
  cat > "$conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
keyring = $DIR/keyring
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
[mon]
mon data = $DIR/mon
[osd]
osd data = $DIR/osd
osd objectstore = $STORE
memstore device bytes = $(numfmt --from=iec "$STORE_SIZE")
bluestore block path = $DIR/osd-block.img
bluestore block create = true
bluestore block size = $(numfmt --from=iec "$STORE_SIZE")
bluestore cache autotune = false
bluestore cache size = 268435456
osd memory target = 1073741824
osd op num shards = 2
osd op num threads per shard = 2
osd crush update on start = false
osd class update on start = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw thread pool size = 128
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=$(head -c 32 /dev/urandom | base64 -w0)
EOF
  : > "$DIR/pids"
  trap 'log "start failed at line $LINENO; logs in $DIR/log"; tail -n 5 "$DIR"/log/*.log >&2 2>/dev/null || true; tac "$DIR/pids" | while read -r _ pid; do kill "$pid" 2>/dev/null || true; done' ERR
  spawn() { local name=$1; shift; "$@" >> "$DIR/log/$name.out" 2>&1 & echo "$name $!" >> "$DIR/pids"; }
  wait_for() { # what, tries, command...: 0 = up, 2 = gave up for good, else not yet
    local what=$1 tries=$2 rc; shift 2
    for _ in $(seq 1 "$tries"); do
      rc=0; "$@" || rc=$?
      [[ $rc == 0 ]] && return 0
      [[ $rc == 2 ]] && break
      sleep 0.5
    done
    log "$what did not come up"; return 1
  }

  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  spawn mon.a ceph-mon "${C[@]}" -f -i a
  wait_for monitor 60 ceph "${C[@]}" --connect-timeout 2 mon stat >/dev/null 2>&1

  local osd_uuid; osd_uuid=$(uuidgen)
  [[ $(ceph "${C[@]}" --connect-timeout 10 osd new "$osd_uuid") == 0 ]]
  ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >> "$DIR/log/osd.mkfs" 2>&1
  ceph "${C[@]}" --connect-timeout 10 osd crush add osd.0 1.0 host=localhost root=default >/dev/null 2>&1
  spawn osd.0 ceph-osd "${C[@]}" -f -i 0
  osd_up() { ceph "${C[@]}" --connect-timeout 5 osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'; }
  wait_for OSD 120 osd_up

  # Every test makes its own bucket and a full run makes hundreds: past radosgw's default of 1000
  # per user, CreateBucket fails with TooManyBuckets.
  radosgw-admin "${C[@]}" user create --uid=s3kit --display-name="s3kit tests" \
    --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" --max-buckets=100000 >/dev/null
  radosgw-admin "${C[@]}" user create --uid=s3kit-other --display-name="a user without access" \
    --access-key="$OTHER_ACCESS_KEY" --secret="$OTHER_SECRET_KEY" >/dev/null
  for class in "${STORAGE_CLASSES[@]}"; do
    radosgw-admin "${C[@]}" zonegroup placement add --rgw-zonegroup default --placement-id default-placement --storage-class "$class" >/dev/null
    radosgw-admin "${C[@]}" zone placement add --rgw-zone default --placement-id default-placement --storage-class "$class" --data-pool default.rgw.buckets.data >/dev/null
  done

  spawn rgw.a radosgw "${C[@]}" -f -n client.rgw.a
  rgw_up() {
    kill -0 "$(awk '$1=="rgw.a"{print $2}' "$DIR/pids")" 2>/dev/null || { log "radosgw exited"; return 2; }
    curl -s -o /dev/null -m 2 "http://127.0.0.1:$RGW_PORT/"
  }
  wait_for radosgw 240 rgw_up
  trap - ERR
  log "ready in $(( $(date +%s) - started ))s"
  echo "endpoint=http://127.0.0.1:$RGW_PORT access_key=$ACCESS_KEY secret_key=$SECRET_KEY"
}

case "${1:-start}" in
  install) install_packages ;;
  start) start_server ;;
  stop) stop_server ;;
  *) log "usage: $0 install|start|stop"; exit 2 ;;
esac
