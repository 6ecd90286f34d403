#!/usr/bin/env bash
# Usage: bash bench/ab-restructure.sh (needs the dev servers of TESTING.md and /tmp/ab-old: a build of the old commit).
# A/B of the s3kit CLI before the restructure (5ae2315) and now, alternating, on the dev radosgw.
set -euo pipefail
source /work/dev-s3.env
export AWS_ACCESS_KEY_ID=$S3KIT_TEST_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3KIT_TEST_SECRET_KEY AWS_REGION=us-east-1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
EP=$S3KIT_TEST_ENDPOINT
OLD=/tmp/ab-old/bin/s3kit.js; NEW=/work/main/bin/s3kit.js
D=/tmp/ab/data; mkdir -p $D
BUCKET=ab-$(date +%s)
aws --endpoint-url $EP s3 mb s3://$BUCKET >/dev/null
if [ ! -d $D/small ]; then mkdir -p $D/small; for i in $(seq 1 2000); do head -c 4096 /dev/urandom > $D/small/f$i; done; fi
if [ ! -d $D/many ]; then mkdir -p $D/many; for d in $(seq 1 20); do mkdir -p $D/many/d$d; for i in $(seq 1 1000); do printf "%d-%d" $d $i > $D/many/d$d/f$i; done; done; fi
if [ ! -f $D/big/big.bin ]; then mkdir -p $D/big; head -c 268435456 /dev/urandom > $D/big/big.bin; fi
node $NEW sync $D/many s3://$BUCKET/many --endpoint-url $EP --quiet
node $NEW sync $D/big s3://$BUCKET/big --endpoint-url $EP --quiet
t() { /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1; }
for rep in 1 2 3; do
  for v in old new; do
    BIN=$([ $v = old ] && echo $OLD || echo $NEW)
    r1=$(t node $BIN sync $D/small s3://$BUCKET/small-$v-$rep --endpoint-url $EP --quiet)
    r2=$(t node $BIN sync $D/many s3://$BUCKET/many --endpoint-url $EP --quiet)
    rm -rf /tmp/ab/down; r3=$(t node $BIN sync s3://$BUCKET/big /tmp/ab/down --endpoint-url $EP --quiet)
    r4=$(t node $BIN sync $D/big s3://$BUCKET/big-$v-$rep --endpoint-url $EP --quiet)
    echo "$rep $v upload2000x4KiB: $r1 | noop20000: $r2 | download256MiB: $r3 | upload256MiB: $r4"
  done
done
