#!/usr/bin/env bash
# What the device checks share (scripts/lib/device_check_common.sh): argument parsing, and the
# summary's per-workload and test lines read from a results CSV and logs made up here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/device_check_common.sh
. "$here/../../scripts/lib/device_check_common.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # check NAME CONDITION-RESULT(0/1) DETAIL
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}

device_check_args out --rehearse
check "--rehearse" "$([ "$MODE" = rehearse ] && [ "$OUTDIR" = out ]; echo $?)" "MODE=$MODE OUTDIR=$OUTDIR"
device_check_args --dry-run out2
check "--dry-run before OUTDIR" "$([ "$MODE" = dry-run ] && [ "$OUTDIR" = out2 ]; echo $?)" "MODE=$MODE"
(device_check_args out --bogus) 2>/dev/null
check "an unknown option exits 2" "$([ $? = 2 ]; echo $?)" "exit status"
(device_check_args a b) 2>/dev/null
check "two OUTDIRs exit 2" "$([ $? = 2 ]; echo $?)" "exit status"

cat >"$work/quick.csv" <<'CSV'
workload,config,dtype,library,status,tflops,gbps,pct_peak,peak_source,notes
gemm,8192,bf16,synapse,ok,310.5,,71.9,vendor:x,
gemm,8192,fp8,synapse,unsupported,,,,,e4m3 refused
bert_layer,base-s128-b8,bf16,,failed_verification,,,,,normwise error 0.3
CSV
lines=$(workload_lines "$work/quick.csv")
echo "$lines" | grep -q "^gemm  *ok .*best 310.5 TFLOP/s (8192 bf16 synapse, 72% of vendor:x)  \[1 ok, 0 failed, 1 other\]"
check "an ok workload with its best figure" $? "$lines"
echo "$lines" | grep -q "^bert_layer  *failed" && echo "$lines" | grep -q "failed_verification: base-s128-b8 bf16"
check "a failed workload with its failed row" $? "$lines"

LOGDIR=$work
printf '  gaudi:0    gemm-f32  PASS\n  gaudi:0    permute   PASS\n  gaudi:0    gemm-tf32  SKIP  why\n' >"$work/conformance.log"
printf '50%% tests passed, 1 tests failed out of 2\n\t  7 - gaudi_mock_plans (Failed)\n' >"$work/ctest.log"
lines=$(test_lines gaudi:0)
echo "$lines" | grep -q "conformance on gaudi:0: 2 pass, 0 fail, 1 skip"
check "conformance counts" $? "$lines"
echo "$lines" | grep -q "failed:.*gaudi_mock_plans (Failed)"
check "a failed test named" $? "$lines"

[ $failures = 0 ] && echo "all shared device-check cases pass" || exit 1
