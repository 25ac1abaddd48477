#!/usr/bin/env python3
"""The PyTorch peer of the cuda rows of the ordinary benchmarks (gemm_bench,
toy_train_bench, elementwise_bench): the same shapes, timed the same way.

    python3 benchmarks/peers/torch_cuda_bench.py [--out torch_peer.json] [--iters N]

- CUDA events around each iteration (torch.cuda.Event), a few warm-up iterations first;
- input sets rotate so that together they exceed twice the L2 cache;
- calibration in the same process: an 8192^3 fp32 torch.mm (TF32 off) and a
  1 GiB device-to-device copy (bytes count read + write), best of 5;
- counters as in the benchmarks' cuda rows: flops and bytes per second of GPU time, peak_fraction
  and bandwidth_fraction against the calibration.
The toy step is what a good PyTorch user would write: batched bmm forward,
autograd backward, torch.optim.AdamW(fused=True) on W and b. The JSON is
Google Benchmark's shape (a "benchmarks" list of name / real_time / counters)
so the report tooling can put the two side by side.
"""
import argparse
import json
import math

import torch

WARMUP = 3


def l2_bytes():
    props = torch.cuda.get_device_properties(0)
    return getattr(props, "L2_cache_size", 50 << 20)


def rotations(bytes_per_set):
    r = (2 * l2_bytes() + bytes_per_set - 1) // max(bytes_per_set, 1) + 1
    r = min(r, 64, max(1, (8 << 30) // bytes_per_set))
    return max(r, 2)


def time_it(fn, iters, rot):
    for i in range(WARMUP):
        fn(i % rot)
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    total = 0.0
    best = math.inf
    for i in range(iters):
        start.record()
        fn(i % rot)
        stop.record()
        stop.synchronize()
        t = start.elapsed_time(stop) * 1e-3
        total += t
        best = min(best, t)
    return total, best


def calibrate():
    g = 8192
    a = torch.rand(g, g, device="cuda")
    b = torch.rand(g, g, device="cuda")
    _, best = time_it(lambda i: torch.mm(a, b), 5, 1)
    peak_flops = 2.0 * g ** 3 / best
    n = (1 << 30) // 4
    src = torch.empty(n, device="cuda")
    dst = torch.empty(n, device="cuda")
    _, best = time_it(lambda i: dst.copy_(src), 5, 1)
    return peak_flops, 2.0 * (1 << 30) / best


GEMM_SHAPES = [  # name, m, n, k, trans_a, trans_b (as in tests/testing/shapes.cc)
    ("toy_fwd_b1024_n400_m30", 1024, 30, 400, False, True),
    ("toy_bwd_dW_m30_n400", 30, 400, 1024, True, False),
    ("mlp_in_t4096_d128_f512", 4096, 512, 128, False, True),
    ("mlp_out_t4096_f512_d128", 4096, 128, 512, False, True),
    ("sae_enc_b4096_d512_F4096", 4096, 4096, 512, False, True),
    ("sae_dec_b4096_F4096_d512", 4096, 512, 4096, False, False),
    ("sae_enc_b8192_d512_F16384", 8192, 16384, 512, False, True),
    ("sae_enc_b8192_d512_F131072", 8192, 131072, 512, False, True),
]

TOY_SHAPES = [  # name, n, m, instances, batch
    ("n400_m30_I32_B1024", 400, 30, 32, 1024),
    ("n20_m5_I64_B1024", 20, 5, 64, 1024),
    ("n400_m30_I1024_B1024", 400, 30, 1024, 1024),
    ("n20_m5_I16384_B1024", 20, 5, 16384, 1024),
]


def row(name, iters, total, flops, bytes_, peak_flops, peak_bytes, rot, extra=None):
    counters = {
        "flops": flops * iters / total,
        "bytes": bytes_ * iters / total,
        "peak_fraction": flops * iters / total / peak_flops,
        "bandwidth_fraction": bytes_ * iters / total / peak_bytes,
        "rotations": rot,
    }
    counters.update(extra or {})
    out = {"name": name, "run_type": "iteration", "iterations": iters,
           "real_time": total / iters * 1e6, "time_unit": "us"}
    out.update(counters)
    print(f"{name:55s} {total / iters * 1e6:12.2f} us  "
          f"{counters['flops'] / 1e12:8.2f} TFLOP/s  {counters['bytes'] / 1e9:8.1f} GB/s  "
          f"peak {counters['peak_fraction']:.3f}  bw {counters['bandwidth_fraction']:.3f}")
    return out


def bench_gemm(iters, peak_flops, peak_bytes):
    rows = []
    for name, m, n, k, ta, tb in GEMM_SHAPES:
        rot = rotations(4 * (m * k + k * n))
        As = [torch.rand(k, m, device="cuda") * 2 - 1 if ta else torch.rand(m, k, device="cuda") * 2 - 1
              for _ in range(rot)]
        Bs = [torch.rand(n, k, device="cuda") * 2 - 1 if tb else torch.rand(k, n, device="cuda") * 2 - 1
              for _ in range(rot)]
        c = torch.empty(m, n, device="cuda")

        def fn(i):
            a = As[i].t() if ta else As[i]
            b = Bs[i].t() if tb else Bs[i]
            torch.mm(a, b, out=c)

        total, _ = time_it(fn, iters, rot)
        rows.append(row(f"BM_Gemm/{name}/torch_eager", iters, total, 2.0 * m * n * k,
                        4.0 * (m * k + k * n + m * n), peak_flops, peak_bytes, rot))
        del As, Bs, c
        torch.cuda.empty_cache()
    return rows


def bench_toy(iters, peak_flops, peak_bytes):
    rows = []
    for name, n, m, inst, batch in TOY_SHAPES:
        rot = rotations(4 * inst * batch * n)
        xs = [torch.rand(inst, batch, n, device="cuda") for _ in range(rot)]
        w = (torch.rand(inst, m, n, device="cuda") * 0.2 - 0.1).requires_grad_()
        b = (torch.rand(inst, n, device="cuda") * 0.2 - 0.1).requires_grad_()
        imp = torch.rand(inst, n, device="cuda") * 0.9 + 0.1
        opt = torch.optim.AdamW([w, b], lr=1e-3, fused=True)

        def fn(i):
            x = xs[i]
            h = torch.bmm(x, w.transpose(1, 2))              # [I, B, m]
            y = torch.relu(torch.bmm(h, w) + b[:, None, :])  # [I, B, n]
            loss = ((imp[:, None, :] * (y - x) ** 2).sum(-1).mean(-1)).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        total, _ = time_it(fn, iters, rot)
        params = inst * (m * n + n)
        rows.append(row(f"BM_ToyTrainStep/{name}/torch_eager", iters, total,
                        10.0 * inst * batch * m * n,
                        4.0 * (inst * batch * n + inst * n + inst + 9 * params),
                        peak_flops, peak_bytes, rot, {"steps_per_second": iters / total}))
        del xs, w, b, imp, opt
        torch.cuda.empty_cache()
    return rows


def bench_elementwise(iters, peak_flops, peak_bytes):
    rows = []
    n = 1 << 24
    rot = rotations(28 * n)
    a = [torch.rand(n, device="cuda") * 2 - 1 for _ in range(rot)]
    o = [torch.empty(n, device="cuda") for _ in range(rot)]
    total, _ = time_it(lambda i: torch.clamp_min(a[i], 0, out=o[i]), iters, rot)
    rows.append(row("BM_Elementwise/relu_flat_16M/torch_eager", iters, total, n, 8.0 * n,
                    peak_flops, peak_bytes, rot))
    params = [torch.rand(n, device="cuda").requires_grad_() for _ in range(rot)]
    for p, g in zip(params, a):
        p.grad = g
    opts = [torch.optim.AdamW([p], lr=1e-3, fused=True) for p in params]
    total, _ = time_it(lambda i: opts[i].step(), iters, rot)
    rows.append(row("BM_Elementwise/adamw_flat_16M/torch_eager", iters, total, 16.0 * n, 28.0 * n,
                    peak_flops, peak_bytes, rot))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="torch_peer.json")
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("SKIP torch peer: torch.cuda.is_available() is False")
        return
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 math, as the cuda backend's cuBLAS
    torch.backends.cudnn.allow_tf32 = False
    peak_flops, peak_bytes = calibrate()
    print(f"{torch.cuda.get_device_name(0)}: peak {peak_flops / 1e12:.2f} TFLOP/s fp32, "
          f"{peak_bytes / 1e9:.0f} GB/s copy")
    rows = (bench_gemm(args.iters, peak_flops, peak_bytes)
            + bench_toy(args.iters, peak_flops, peak_bytes)
            + bench_elementwise(args.iters, peak_flops, peak_bytes))
    context = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
               "peak_flops": peak_flops, "peak_bytes_per_second": peak_bytes}
    with open(args.out, "w") as f:
        json.dump({"context": context, "benchmarks": rows}, f, indent=1)


if __name__ == "__main__":
    main()
