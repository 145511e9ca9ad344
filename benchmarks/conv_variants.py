"""Speed of the convolution and pooling variants beyond the reference CNN, beside PyTorch.

    uv run python benchmarks/conv_variants.py [--repeats 5] [--iterations 5] [--threads 2]

Forward plus backward (input and parameter gradients) at batch 128, float32, of: a dilated
3×3 convolution, a grouped one, a depthwise 3×3 (MobileNet's, stride 1 and 2) with its
pointwise 1×1, ResNet's stride-2 3×3 convolution and 1×1 projection, and max pooling as
ResNet's stem (3×3/2, padding 1) and with ceil_mode. glassnet's inputs lie channels-last in
memory, as the output of a glassnet convolution does; PyTorch's are contiguous NCHW, its
native layout. Measurements of the two libraries are interleaved ``--repeats`` times; the
ratio is PyTorch time / glassnet time (1.0: as fast as PyTorch), median and range over the
repeats, as in ``layers.py``.
"""

import argparse
import statistics

import numpy as np
from layers import limit_blas_threads, median_seconds

import glassnet as gn
from glassnet.ops import fused

BATCH = 128

# name: (input (C, H, W), weight shape or None for a pool, options)
CASES = {
    "conv 3x3 dilation 2, 32->64, 14x14": ((32, 14, 14), (64, 32, 3, 3),
                                           {"padding": 2, "dilation": 2}),
    "conv 3x3 groups 4, 64->64, 14x14": ((64, 14, 14), (64, 16, 3, 3),
                                         {"padding": 1, "groups": 4}),
    "depthwise 3x3, 32 ch, 28x28": ((32, 28, 28), (32, 1, 3, 3), {"padding": 1, "groups": 32}),
    "depthwise 3x3 stride 2, 64 ch, 28x28": ((64, 28, 28), (64, 1, 3, 3),
                                             {"stride": 2, "padding": 1, "groups": 64}),
    "pointwise 1x1, 32->64, 28x28": ((32, 28, 28), (64, 32, 1, 1), {}),
    "resnet conv 3x3/2, 32->64, 28x28": ((32, 28, 28), (64, 32, 3, 3),
                                         {"stride": 2, "padding": 1}),
    "resnet projection 1x1/2, 32->64, 28x28": ((32, 28, 28), (64, 32, 1, 1), {"stride": 2}),
    "maxpool 3x3/2 pad 1, 32 ch, 28x28": ((32, 28, 28), None,
                                          {"kernel_size": 3, "stride": 2, "padding": 1}),
    "maxpool 3x3/2 ceil_mode, 32 ch, 28x28": ((32, 28, 28), None,
                                              {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
}


def _pair(value):
    return value if isinstance(value, tuple) else (value, value)


def glassnet_case(shape, weight_shape, options, rng):
    x_nhwc = rng.standard_normal((BATCH, shape[1], shape[2], shape[0])).astype(np.float32)
    x = gn.Tensor._wrap(x_nhwc.transpose(0, 3, 1, 2), requires_grad=True)
    if weight_shape is None:
        pool = {k: _pair(v) if k != "ceil_mode" else v for k, v in options.items()}
        pool.setdefault("padding", (0, 0))

        def op():
            return fused.max_pool2d(x, **pool)
        params = [x]
    else:
        w = gn.tensor(rng.standard_normal(weight_shape).astype(np.float32) * 0.1,
                      requires_grad=True)
        b = gn.zeros(weight_shape[0], requires_grad=True)
        conv = {k: _pair(v) if k != "groups" else v for k, v in options.items()}

        def op():
            return fused.conv2d(x, w, b, **conv)
        params = [x, w, b]
    out = op()
    grad = np.empty_like(out.data)  # the memory order of glassnet's output
    grad[...] = rng.standard_normal(out.shape)

    def run():
        for p in params:
            p.grad = None
        op().backward(grad)

    return run


def torch_case(torch, shape, weight_shape, options, rng):
    F = torch.nn.functional
    x = torch.tensor(rng.standard_normal((BATCH, *shape)).astype(np.float32),
                     requires_grad=True)
    if weight_shape is None:
        def op():
            return F.max_pool2d(x, **options)
        params = [x]
    else:
        w = torch.tensor(rng.standard_normal(weight_shape).astype(np.float32) * 0.1,
                         requires_grad=True)
        b = torch.zeros(weight_shape[0], requires_grad=True)

        def op():
            return F.conv2d(x, w, b, **options)
        params = [x, w, b]
    grad = torch.randn_like(op())

    def run():
        for p in params:
            p.grad = None
        op().backward(grad)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--iterations", type=int, default=5, help="calls per measurement")
    parser.add_argument("--threads", type=int, default=2, help="threads for BLAS and PyTorch")
    args = parser.parse_args()
    limit_blas_threads(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    ours = {name: glassnet_case(*case, rng) for name, case in CASES.items()}
    theirs = {name: torch_case(torch, *case, rng) for name, case in CASES.items()}
    for fn in [*ours.values(), *theirs.values()]:
        fn()  # warm-up
    times = {name: ([], []) for name in CASES}
    for _ in range(args.repeats):
        for name in CASES:
            times[name][0].append(median_seconds(ours[name], args.iterations))
            times[name][1].append(median_seconds(theirs[name], args.iterations))
    print(f"batch {BATCH}, float32, NumPy {np.__version__}, PyTorch {torch.__version__}, "
          f"{args.threads} thread(s); forward + backward")
    print(f"{'':40} {'glassnet ms':>12} {'PyTorch ms':>11} {'ratio':>6}  (range)")
    for name, (mine, reference) in times.items():
        ratios = [r / m for r, m in zip(reference, mine)]
        print(f"{name:40} {1e3 * statistics.median(mine):12.2f} "
              f"{1e3 * statistics.median(reference):11.2f} {statistics.median(ratios):6.2f}"
              f"  ({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
