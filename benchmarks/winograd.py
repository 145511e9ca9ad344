"""Does Winograd F(2×2, 3×3) pay for 3×3 stride-1 convolutions in NumPy? A measurement.

    uv run python benchmarks/winograd.py [--repeats 7] [--iterations 3] [--threads 2 1]

The question (issue 16): Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast
Algorithms for Convolutional Neural Networks", 2016) computes each 2×2 block of outputs
from a 4×4 input tile with 16 multiplies instead of 36: 2.25× fewer. glassnet's ``Conv2d``
does im2col + one GEMM. Does the saving survive NumPy's extra passes over memory at the
sizes we train (the reference CNN at batch 128, ResNet-like 64 and 128 channels)?

The experiment, in three parts, for stride 1, padding 1, float32, NCHW-shaped input:
1. ``winograd_forward`` / ``winograd_backward`` below (readable NumPy, nothing from glassnet).
2. Agreement with ``glassnet.nn.functional.conv2d`` in float64 (forward, input gradient,
   weight gradient, bias gradient) and the float32 error of both against PyTorch's float64.
3. Times of glassnet's conv, this Winograd conv and PyTorch's ``conv2d``, forward and
   forward + backward, interleaved per repetition across cases and thread counts in one
   process; median and range of the repetitions, and the per-repetition ratio
   glassnet time / Winograd time (> 1: Winograd is faster).

Layout: channels-last throughout. The input tiles are transformed into V of shape
(16, P, C), P = N·⌈H/2⌉·⌈W/2⌉ tiles, so each of the 16 GEMMs is a contiguous
(P × C) @ (C × Co) product whose result is already channels-last, and the output
transform writes an (N, H, W, Co) array returned as an NCHW-shaped view, exactly as
glassnet's conv returns its output. Inputs are given as glassnet's own layers produce them
(NCHW-shaped views of NHWC memory); PyTorch gets contiguous NCHW, its native layout.

Backward: the exact adjoint of the forward. The output gradient is transformed once
(A·dY·Aᵀ per 2×2 tile, 4×4 out) and feeds both gradients:
    weight: dU_ξ = V_ξᵀ @ dM_ξ for the 16 transform elements ξ, then dW = Gᵀ·dU·G;
    input:  dV_ξ = dM_ξ @ U_ξᵀ, then B·dV·Bᵀ per tile, overlapping tiles added back.
The input-gradient half equals the Winograd convolution of dY with the flipped, transposed
kernel (the adjoint of a convolution is that convolution); written as the adjoint it shares
dM with the weight gradient and reuses U, so it needs no second input transform.
"""

import argparse
import os
import statistics

import numpy as np
from layers import median_seconds

import glassnet as gn
import glassnet.nn.functional as F

# F(2×2, 3×3) matrices (Lavin & Gray, eq. 7): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A.
# NOTE: Bᵀ and Aᵀ hold only 0 and ±1, so their products are written out below as adds and
# subtracts of strided slices (_combine_b, _combine_a and their adjoints); G goes to einsum.
B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


# ----- the Winograd convolution -------------------------------------------------------------


def filter_transform(weight: np.ndarray) -> np.ndarray:
    """U = G g Gᵀ for every (out, in) channel pair, as (16, C, Co): one GEMM operand per ξ."""
    U = np.einsum("ai,ocij,bj->abco", G, weight, G)
    return np.ascontiguousarray(U.reshape(16, *U.shape[2:]), dtype=weight.dtype)


def input_transform(x: np.ndarray) -> np.ndarray:
    """V = Bᵀ d B over the 4×4 tiles (stride 2) of the zero-padded input, as (16, P, C).

    Bᵀ combines the 4 rows of a tile as (r0 − r2, r1 + r2, r2 − r1, r1 − r3); applied with
    strided slices of the whole padded image, first to rows, then to columns, so every pass
    is an element-wise op over all tiles at once and the channels stay innermost.
    """
    N, C, H, W = x.shape
    th, tw = -(-H // 2), -(-W // 2)
    padded = np.zeros((N, 2 * th + 2, 2 * tw + 2, C), dtype=x.dtype)
    padded[:, 1 : H + 1, 1 : W + 1] = x.transpose(0, 2, 3, 1)
    rows = [padded[:, k : k + 2 * th : 2] for k in range(4)]  # (N, th, Wp, C) each
    T = np.empty((4, *rows[0].shape), dtype=x.dtype)
    _combine_b(rows, T)
    cols = [T[:, :, :, k : k + 2 * tw : 2] for k in range(4)]  # (4, N, th, tw, C) each
    V = np.empty((4, 4, N, th, tw, C), dtype=x.dtype)
    _combine_b(cols, V.swapaxes(0, 1))
    return V.reshape(16, N * th * tw, C)


def _combine_b(d: list, out: np.ndarray) -> None:
    """out[k] = (Bᵀ d)[k] for the four slices d[0..3]."""
    np.subtract(d[0], d[2], out=out[0])
    np.add(d[1], d[2], out=out[1])
    np.subtract(d[2], d[1], out=out[2])
    np.subtract(d[1], d[3], out=out[3])


def output_transform(M: np.ndarray, N: int, H: int, W: int) -> np.ndarray:
    """Y = Aᵀ m A per tile, from M (16, P, Co) to a channels-last (N, H, W, Co) array."""
    th, tw, Co = -(-H // 2), -(-W // 2), M.shape[-1]
    m = M.reshape(4, 4, N, th, tw, Co)
    S = np.empty((2, 4, N, th, tw, Co), dtype=M.dtype)
    _combine_a(m, S)  # rows
    out = np.empty((N, th, 2, tw, 2, Co), dtype=M.dtype)
    _combine_a(S.swapaxes(0, 1), out.transpose(4, 2, 0, 1, 3, 5))  # columns, into place
    return out.reshape(N, 2 * th, 2 * tw, Co)[:, :H, :W]


def _combine_a(m: np.ndarray, out: np.ndarray) -> None:
    """out[0] = m0 + m1 + m2, out[1] = m1 − m2 − m3: Aᵀ applied along the first axis."""
    np.add(m[0], m[1], out=out[0])
    out[0] += m[2]
    np.subtract(m[1], m[2], out=out[1])
    out[1] -= m[3]


# Bytes of V (the transformed input) per batch block: the three stages run block by block so
# V and M stay in cache between them. Measured at 1 thread: 1.5-1.8x faster than
# one pass over the whole batch (e.g. 64->64 56x56 N=32: 160 -> 87 ms); 256 KiB-1 MiB
# were alike, 4 MiB slower. 0: the whole batch in one block.
BLOCK_BYTES = 1 << 20


def batch_blocks(x: np.ndarray, block_bytes: int):
    """Slices of the batch axis whose V (4 numbers per input number) fills ~block_bytes."""
    N = len(x)
    size = N if block_bytes <= 0 else max(1, min(N, block_bytes // (4 * x[:1].nbytes)))
    return [slice(start, min(start + size, N)) for start in range(0, N, size)]


def winograd_forward(x: np.ndarray, weight: np.ndarray, bias=None, *,
                     block_bytes: int = BLOCK_BYTES):
    """3×3 convolution, stride 1, padding 1: y (N, Co, H, W) as an NCHW view of NHWC memory.

    Returns (y, saved) where ``saved`` holds what the backward reuses: U and each batch
    block's V.
    """
    N, _, H, W = x.shape
    U = filter_transform(weight)
    y = np.empty((N, H, W, weight.shape[0]), dtype=np.result_type(x, weight))
    blocks = []
    for block in batch_blocks(x, block_bytes):
        V = input_transform(x[block])
        M = np.matmul(V, U)  # 16 GEMMs (P × C) @ (C × Co)
        y[block] = output_transform(M, block.stop - block.start, H, W)
        blocks.append((block, V))
    if bias is not None:
        y += bias
    return y.transpose(0, 3, 1, 2), (blocks, U, x.shape)


def grad_output_transform(grad_y: np.ndarray) -> np.ndarray:
    """dM = A dY Aᵀ per 2×2 tile of the output gradient, as (16, P, Co): the adjoint of
    ``output_transform``. A's rows combine a tile's two rows as (g0, g0 + g1, g0 − g1, −g1).
    """
    N, Co, H, W = grad_y.shape
    th, tw = -(-H // 2), -(-W // 2)
    if H % 2 == 0 and W % 2 == 0:  # a view when grad_y lies channels-last, else one copy
        g = grad_y.transpose(0, 2, 3, 1).reshape(N, th, 2, tw, 2, Co)
    else:  # zeros complete the last row or column of partial tiles
        g = np.zeros((N, th, 2, tw, 2, Co), dtype=grad_y.dtype)
        g.reshape(N, 2 * th, 2 * tw, Co)[:, :H, :W] = grad_y.transpose(0, 2, 3, 1)
    S = np.empty((4, N, th, tw, 2, Co), dtype=grad_y.dtype)
    _combine_a_adjoint(g[:, :, 0], g[:, :, 1], S)  # rows
    dM = np.empty((4, 4, N, th, tw, Co), dtype=grad_y.dtype)
    _combine_a_adjoint(S[..., 0, :], S[..., 1, :], dM.swapaxes(0, 1))  # columns
    return dM.reshape(16, N * th * tw, Co)


def _combine_a_adjoint(g0: np.ndarray, g1: np.ndarray, out: np.ndarray) -> None:
    out[0] = g0
    np.add(g0, g1, out=out[1])
    np.subtract(g0, g1, out=out[2])
    np.negative(g1, out=out[3])


def winograd_backward(grad_y: np.ndarray, saved, *, need_input_grad: bool = True):
    """(grad_x, grad_weight, grad_bias) of ``winograd_forward``, block by block as the
    forward; grad_x is None when not needed (the first layer's image), as glassnet's conv.
    """
    blocks, U, (N, C, H, W) = saved
    dU = np.zeros(U.shape, dtype=grad_y.dtype)
    th, tw = -(-H // 2), -(-W // 2)
    grad_padded = np.zeros((N, 2 * th + 2, 2 * tw + 2, C), dtype=grad_y.dtype)
    for block, V in blocks:
        dM = grad_output_transform(grad_y[block])
        dU += np.matmul(V.transpose(0, 2, 1), dM)  # 16 GEMMs (C × P) @ (P × Co)
        if need_input_grad:
            dV = np.matmul(dM, U.transpose(0, 2, 1))  # 16 GEMMs (P × Co) @ (Co × C)
            input_transform_adjoint(dV, grad_padded[block])
    grad_weight = np.einsum("ai,abco,bj->ocij", G, dU.reshape(4, 4, *dU.shape[1:]), G)
    grad_weight = np.ascontiguousarray(grad_weight, dtype=grad_y.dtype)
    grad_bias = grad_y.sum(axis=(0, 2, 3))
    grad_x = grad_padded[:, 1 : H + 1, 1 : W + 1].transpose(0, 3, 1, 2)
    return (grad_x if need_input_grad else None), grad_weight, grad_bias


def input_transform_adjoint(dV: np.ndarray, grad_padded: np.ndarray) -> None:
    """grad_padded += B dV Bᵀ per tile, each tile's 4×4 added back where ``input_transform``
    read it (neighbouring tiles overlap by 2 rows or columns); ``grad_padded`` is the
    (N, 2·th + 2, 2·tw + 2, C) gradient of the zero-padded input.
    """
    N, Hp, Wp, C = grad_padded.shape
    th, tw = (Hp - 2) // 2, (Wp - 2) // 2
    dV = dV.reshape(4, 4, N, th, tw, C)
    dT = np.zeros((4, N, th, Wp, C), dtype=dV.dtype)
    _scatter_b_adjoint(dV.swapaxes(0, 1), [dT[:, :, :, k : k + 2 * tw : 2] for k in range(4)])
    _scatter_b_adjoint(dT, [grad_padded[:, k : k + 2 * th : 2] for k in range(4)])


def _scatter_b_adjoint(dt: np.ndarray, d: list) -> None:
    """d[k] += (B dt)[k]: the adjoint of ``_combine_b``, added onto the slices it read."""
    d[0] += dt[0]
    d[1] += dt[1]
    d[1] -= dt[2]
    d[1] += dt[3]
    d[2] += dt[1]
    d[2] += dt[2]
    d[2] -= dt[0]
    d[3] -= dt[3]


# ----- agreement and precision ---------------------------------------------------------------


def glassnet_conv(x, weight, bias, grad_y, *, need_input_grad=True):
    """glassnet's forward and gradients as arrays, through the public functional API."""
    xt = gn.Tensor._wrap(x, requires_grad=need_input_grad)
    wt = gn.Tensor._wrap(weight, requires_grad=True)
    bt = gn.Tensor._wrap(bias, requires_grad=True)
    y = F.conv2d(xt, wt, bt, padding=1)
    y.backward(grad_y)
    return y.data, (xt.grad.data if need_input_grad else None), wt.grad.data, bt.grad.data


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max |b|: the error on the scale of the result."""
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / np.max(np.abs(b)))


def check_agreement(shape, weight_shape, rng, torch) -> dict:
    """Float64 errors against glassnet, float32 errors (Winograd and glassnet) against
    PyTorch in float64, for the forward and each gradient."""
    x = rng.standard_normal((shape[0], shape[2], shape[3], shape[1])).transpose(0, 3, 1, 2)
    weight = rng.standard_normal(weight_shape) * np.sqrt(2 / np.prod(weight_shape[1:]))
    bias = rng.standard_normal(weight_shape[0]) * 0.1
    grad_y = rng.standard_normal((shape[0], weight_shape[0], *shape[2:]))
    names = ("y", "grad_x", "grad_w", "grad_b")

    y, saved = winograd_forward(x, weight, bias)
    ours = (y, *winograd_backward(grad_y, saved))
    ref = glassnet_conv(x, weight, bias, grad_y)
    f64 = {n: relative_error(o, r) for n, o, r in zip(names, ours, ref)}

    xt, wt, bt = (torch.tensor(np.ascontiguousarray(a), requires_grad=True)
                  for a in (x, weight, bias))
    torch.nn.functional.conv2d(xt, wt, bt, padding=1).backward(torch.tensor(grad_y))
    with torch.no_grad():
        exact_y = torch.nn.functional.conv2d(xt, wt, bt, padding=1).numpy()
    exact = (exact_y, xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())

    x32, w32, b32, g32 = (a.astype(np.float32) for a in (x, weight, bias, grad_y))
    y32, saved32 = winograd_forward(x32, w32, b32)
    wino32 = (y32, *winograd_backward(g32, saved32))
    glass32 = glassnet_conv(x32, w32, b32, g32)
    return {
        "float64 vs glassnet": f64,
        "float32 Winograd vs PyTorch float64": {
            n: relative_error(o, e) for n, o, e in zip(names, wino32, exact)},
        "float32 glassnet vs PyTorch float64": {
            n: relative_error(o, e) for n, o, e in zip(names, glass32, exact)},
    }


# ----- timing --------------------------------------------------------------------------------

# name: (input shape (N, C, H, W), weight shape); all 3×3, stride 1, padding 1.
CASES = {
    "CNN conv1 1->32 28x28 N=128": ((128, 1, 28, 28), (32, 1, 3, 3)),
    "CNN conv2 32->64 14x14 N=128": ((128, 32, 14, 14), (64, 32, 3, 3)),
    "ResNet 64->64 32x32 N=32": ((32, 64, 32, 32), (64, 64, 3, 3)),
    "ResNet 64->64 56x56 N=32": ((32, 64, 56, 56), (64, 64, 3, 3)),
    "ResNet 128->128 28x28 N=32": ((32, 128, 28, 28), (128, 128, 3, 3)),
}
VARIANTS = ("glassnet fwd", "winograd fwd", "torch fwd",
            "glassnet fwd+bwd", "winograd fwd+bwd", "torch fwd+bwd")


def make_runs(shape, weight_shape, rng, torch, block_bytes: int) -> dict:
    """The six timed callables of one case. The first layer (C = 1, the image) needs no
    input gradient, so none of the three computes one there."""
    N, C, H, W = shape
    need_x = C > 1
    x = rng.standard_normal((N, H, W, C)).astype(np.float32).transpose(0, 3, 1, 2)
    weight = (rng.standard_normal(weight_shape) * np.sqrt(2 / (9 * C))).astype(np.float32)
    bias = np.zeros(weight_shape[0], np.float32)
    grad_y = np.empty((N, H, W, weight_shape[0]), np.float32).transpose(0, 3, 1, 2)
    grad_y[...] = rng.standard_normal(grad_y.shape)  # channels-last, as glassnet's output

    xg = gn.Tensor._wrap(x, requires_grad=need_x)
    wg, bg = gn.Tensor._wrap(weight, requires_grad=True), gn.Tensor._wrap(bias, True)
    xt = torch.tensor(np.ascontiguousarray(x), requires_grad=need_x)
    wt, bt = torch.tensor(weight, requires_grad=True), torch.tensor(bias, requires_grad=True)
    gt = torch.tensor(np.ascontiguousarray(grad_y))

    def glassnet_fwd():
        with gn.no_grad():
            F.conv2d(xg, wg, bg, padding=1)

    def glassnet_fwd_bwd():
        xg.grad = wg.grad = bg.grad = None
        F.conv2d(xg, wg, bg, padding=1).backward(grad_y)

    def winograd_fwd():
        winograd_forward(x, weight, bias, block_bytes=block_bytes)

    def winograd_fwd_bwd():
        _, saved = winograd_forward(x, weight, bias, block_bytes=block_bytes)
        winograd_backward(grad_y, saved, need_input_grad=need_x)

    def torch_fwd():
        with torch.no_grad():
            torch.nn.functional.conv2d(xt, wt, bt, padding=1)

    def torch_fwd_bwd():
        xt.grad = wt.grad = bt.grad = None
        torch.nn.functional.conv2d(xt, wt, bt, padding=1).backward(gt)

    return dict(zip(VARIANTS, (glassnet_fwd, winograd_fwd, torch_fwd,
                               glassnet_fwd_bwd, winograd_fwd_bwd, torch_fwd_bwd)))


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def spread(values: list, scale: float = 1.0, digits: int = 1) -> str:
    """'median (min–max)' of the repetitions."""
    v = [scale * x for x in values]
    return f"{statistics.median(v):.{digits}f} ({min(v):.{digits}f}–{max(v):.{digits}f})"


def time_cases(args, torch) -> dict:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    runs = {name: make_runs(*case, rng, torch, args.block_bytes) for name, case in CASES.items()}
    times = {(name, t, v): [] for name in CASES for t in args.threads for v in VARIANTS}
    for repeat in range(args.repeats + 1):  # repetition 0 is the warm-up, not recorded
        print(f"repetition {repeat}{' (warm-up)' if repeat == 0 else ''}: {load()}",
              flush=True)
        for threads in args.threads:
            torch.set_num_threads(threads)
            with threadpool_limits(threads, user_api="blas"):
                for name, case_runs in runs.items():
                    for variant, fn in case_runs.items():
                        seconds = median_seconds(fn, args.iterations)
                        if repeat:
                            times[name, threads, variant].append(seconds)
    return times


def print_table(times: dict, args) -> None:
    print("\nms per call, median (min–max) of the repetitions; ratio = glassnet / Winograd "
          "per repetition (> 1: Winograd faster)\n")
    print("| case | threads | glassnet fwd | Winograd fwd | PyTorch fwd | fwd ratio "
          "| glassnet fwd+bwd | Winograd fwd+bwd | PyTorch fwd+bwd | fwd+bwd ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in CASES:
        for threads in args.threads:
            t = {v: times[name, threads, v] for v in VARIANTS}
            ratio = {k: [g / w for g, w in zip(t[f"glassnet {k}"], t[f"winograd {k}"])]
                     for k in ("fwd", "fwd+bwd")}
            print(f"| {name} | {threads} | " + " | ".join(
                spread(t[v], 1e3) for v in VARIANTS[:3]) + f" | {spread(ratio['fwd'], 1, 2)} | "
                + " | ".join(spread(t[v], 1e3) for v in VARIANTS[3:])
                + f" | {spread(ratio['fwd+bwd'], 1, 2)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repetitions")
    parser.add_argument("--iterations", type=int, default=3, help="calls per measurement")
    parser.add_argument("--threads", type=int, nargs="+", default=[2, 1],
                        help="thread counts for BLAS and PyTorch, interleaved")
    parser.add_argument("--block-bytes", type=int, default=BLOCK_BYTES,
                        help="bytes of V per batch block (0: the whole batch at once)")
    parser.add_argument("--skip-timing", action="store_true", help="only the precision check")
    args = parser.parse_args()
    import torch

    print(f"NumPy {np.__version__}, PyTorch {torch.__version__}; start: {load()}")
    rng = np.random.default_rng(1)
    for shape, weight_shape in [((4, 3, 9, 7), (5, 3, 3, 3)),  # odd sizes: partial tiles
                                ((8, 32, 14, 14), (64, 32, 3, 3)),
                                ((2, 128, 28, 28), (128, 128, 3, 3))]:
        errors = check_agreement(shape, weight_shape, rng, torch)
        print(f"\nrelative error max|a − b| / max|b|, x {shape}, weight {weight_shape}")
        for what, by_output in errors.items():
            print(f"  {what:38}" + "  ".join(f"{n} {e:.1e}" for n, e in by_output.items()))
        worst = max(errors["float64 vs glassnet"].values())
        if worst > 1e-10:
            raise SystemExit(f"Winograd disagrees with glassnet in float64: {worst:.1e} > 1e-10")
    if not args.skip_timing:
        print_table(time_cases(args, torch), args)
        print(f"end: {load()}")


if __name__ == "__main__":
    main()
