#!/bin/bash
# The GPU checks of docs/cluster.md in one run, for a machine with CUDA, torch and the package's dependencies:
# the gpu-marked tests, then the reference config's fit loop on the GPU (images/s, TFLOP/s, MFU against the
# table of peaks), eager beside torch.compile; with 2 or more GPUs also 2 DDP ranks beside one.
#
#     bash benchmarks/gpu_check.sh [OUT_DIR]      # writes OUT_DIR/{device,gpu_tests,fit_loop,data_parallel}.txt
#
# Record the figures it prints in docs/cluster.md ("Throughput" and "Data-parallel trials").
set -uo pipefail
out=${1:-gpu_check}
mkdir -p "$out"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH}
python3 - <<'PY' 2>&1 | tee "$out/device.txt"
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "devices", torch.cuda.device_count())
for i in range(torch.cuda.device_count()):
    print(i, torch.cuda.get_device_name(i))
PY
status=0
python3 -m pytest -q -m gpu tests 2>&1 | tee "$out/gpu_tests.txt" || status=1
python3 benchmarks/fit_loop.py --device cuda --backbone resnet34_cifar --resolution 64 --batch 256 --steps 100 \
    --compile 2>&1 | tee "$out/fit_loop.txt" || status=1
if [ "$(python3 -c 'import torch; print(torch.cuda.device_count())')" -ge 2 ]; then
    python3 benchmarks/fit_loop.py --device cuda --backbone resnet34_cifar --resolution 64 --batch 256 --steps 100 \
        --data-parallel 2 2>&1 | tee "$out/data_parallel.txt" || status=1
fi
exit $status
