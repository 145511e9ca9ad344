"""Mutation check: break the central math on purpose and see whether a test notices.

    uv run python benchmarks/mutation.py            # every mutation (a few minutes)
    uv run python benchmarks/mutation.py adam sgd   # those whose name contains a word
    uv run python benchmarks/mutation.py --list

Each mutation below names a file, an exact snippet of it, its replacement, and the tests
that should notice. The script copies ``src/``, ``tests/`` and ``pyproject.toml`` into a
temporary folder (the working tree is never touched), checks that the chosen tests pass
there unmutated, then for each mutation writes the mutated file, runs its tests (plus the
doctests of the mutated module) with ``-x``, and puts the file back. A mutation is

- killed: a test failed (or the run timed out);
- survived: every test passed: a test is missing;
- not applicable: the snippet is not in the file exactly once (the code has changed since
  the mutation was written; update or drop the mutation).

It is a habit, not a gate: run it after changing a kernel or an optimizer, and when a
mutation survives, write the test that kills it. The exit status is 1 when one survived.
Survivor counts are recorded in benchmarks/README.md.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # relative to src/glassnet/
    original: str
    replacement: str
    tests: tuple  # test paths relative to the repository root


CONV_TESTS = ("tests/ops/fused/test_conv.py", "tests/ops/fused/test_small_cnn.py",
              "tests/nn/test_layers.py", "tests/nn/test_against_torch.py")
POOL_TESTS = ("tests/ops/fused/test_pooling.py", "tests/ops/fused/test_small_cnn.py",
              "tests/nn/test_layers.py", "tests/nn/test_against_torch.py")
BATCH_NORM_TESTS = ("tests/ops/fused/test_batch_norm.py", "tests/nn/test_layers.py",
                    "tests/nn/test_against_torch.py")
LINEAR_TESTS = ("tests/ops/fused/test_linear.py", "tests/nn/test_layers.py",
                "tests/nn/test_against_torch.py")
CROSS_ENTROPY_TESTS = ("tests/ops/test_softmax_cross_entropy.py", "tests/nn/test_loss.py")
OPTIM_TESTS = ("tests/optim",)

MUTATIONS = [
    # ----- convolution and im2col -------------------------------------------------------------
    Mutation("conv: weight columns with kh and kw swapped", "ops/fused/conv.py",
             "reshape(groups, per_group, C_group, kh, kw).transpose(0, 1, 3, 4, 2)",
             "reshape(groups, per_group, C_group, kh, kw).transpose(0, 1, 4, 3, 2)", CONV_TESTS),
    Mutation("conv: weight gradient with kh and kw swapped", "ops/fused/conv.py",
             "grad_w_cols.reshape(Co, kh, kw, C_group).transpose(0, 3, 1, 2)",
             "grad_w_cols.reshape(Co, kw, kh, C_group).transpose(0, 3, 2, 1)", CONV_TESTS),
    Mutation("im2col: output sizes with the paddings swapped", "ops/fused/im2col.py",
             "zip(x_shape[2:], kernel, stride, padding, dilation)",
             "zip(x_shape[2:], kernel, stride, padding[::-1], dilation)", CONV_TESTS),
    Mutation("conv: bias gradient as a mean", "ops/fused/conv.py",
             "grad_bias = row_sums(grad_rows)", "grad_bias = row_sums(grad_rows) / len(grad_rows)",
             CONV_TESTS),
    Mutation("conv1d: padding on the height axis", "ops/fused/conv.py",
             "padding=(0, padding), dilation=(1, dilation)",
             "padding=(padding, padding), dilation=(1, dilation)", CONV_TESTS),
    Mutation("im2col: window elements in (kw, kh) order", "ops/fused/im2col.py",
             "per_group.transpose(3, 0, 1, 2, 5, 6, 4)", "per_group.transpose(3, 0, 1, 2, 6, 5, 4)",
             CONV_TESTS),
    Mutation("im2col: every block copies the first samples", "ops/fused/im2col.py",
             "cols[:, block] = _windows(x[block],",
             "cols[:, block] = _windows(x[: block.stop - block.start],", CONV_TESTS),
    Mutation("col2im: row slices with the width's stride", "ops/fused/im2col.py",
             "rows = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh)",
             "rows = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sw)", CONV_TESTS),
    Mutation("col2im: output size with the strides swapped", "ops/fused/im2col.py",
             "Ho, Wo = output_shape(x_shape, (kh, kw), stride, padding, dilation)",
             "Ho, Wo = output_shape(x_shape, (kh, kw), stride[::-1], padding, dilation)",
             CONV_TESTS),
    Mutation("col2im: kernel offsets with kh and kw swapped", "ops/fused/im2col.py",
             "C_group, kh, kw).transpose(3, 4, 0, 1, 2)",
             "C_group, kh, kw).transpose(4, 3, 0, 1, 2)", CONV_TESTS),
    Mutation("col2im: overwrite instead of accumulate", "ops/fused/im2col.py",
             "padded_block[:, rows, cols, :] += part_block",
             "padded_block[:, rows, cols, :] = part_block", CONV_TESTS),
    Mutation("col2im: every block takes the first samples' gradient", "ops/fused/im2col.py",
             "grad_groups[:, block.start * Ho * Wo : block.stop * Ho * Wo]",
             "grad_groups[:, : (block.stop - block.start) * Ho * Wo]", CONV_TESTS),
    Mutation("col2im: only a block's first sample zeroed", "ops/fused/im2col.py",
             "padded_block.fill(0)", "padded_block[:1].fill(0)", CONV_TESTS),
    # ----- the thread pool --------------------------------------------------------------------
    Mutation("parallel: blocks drop the remainder rows", "ops/parallel.py",
             "bounds = [i * size + min(i, extra) for i in range(parts + 1)]",
             "bounds = [i * size for i in range(parts + 1)]",
             ("tests/ops/test_parallel.py",) + CONV_TESTS),
    Mutation("parallel: only the first block's partial row sum", "ops/parallel.py",
             "return sum(map_blocks(lambda block: rows[block].sum(axis=0), len(rows), "
             "nbytes=rows.nbytes))",
             "return map_blocks(lambda block: rows[block].sum(axis=0), len(rows), "
             "nbytes=rows.nbytes)[0]", CONV_TESTS),
    Mutation("parallel: every row block multiplies the first rows", "ops/parallel.py",
             "np.matmul(a[..., rows, :], b, out=out[..., rows, :])",
             "np.matmul(a[..., : rows.stop - rows.start, :], b, out=out[..., rows, :])",
             ("tests/ops/test_parallel.py",) + CONV_TESTS),
    Mutation("parallel: the first block's partial product only", "ops/parallel.py",
             "return sum(map_blocks(run, a.shape[-1], nbytes=a.nbytes + b.nbytes))",
             "return map_blocks(run, a.shape[-1], nbytes=a.nbytes + b.nbytes)[0]",
             ("tests/ops/test_parallel.py",) + CONV_TESTS),
    Mutation("relu backward: mask from the gradient", "ops/activation.py",
             "np.multiply(grad_z, z > 0, out=out)", "np.multiply(grad_z, grad_z > 0, out=out)",
             ("tests/ops/test_activation.py", "tests/ops/fused/test_relu_max_pool.py")),
    # ----- pooling ----------------------------------------------------------------------------
    Mutation("pooling: window offset k = i·kh + j (the audit's survivor)", "ops/fused/pooling.py",
             "yield i * kw + j,", "yield i * kh + j,", POOL_TESTS),
    Mutation("avg pool: divisor kh·kh", "ops/fused/pooling.py",
             "return self.kernel[0] * self.kernel[1]", "return self.kernel[0] * self.kernel[0]",
             POOL_TESTS),
    Mutation("avg pool backward: divisor kh·kh", "ops/fused/pooling.py",
             "channels_last=layout[1]) / geometry.divisor()",
             "channels_last=layout[1]) / geometry.kernel[0] ** 2", POOL_TESTS),
    Mutation("max pool: ties go to the last maximum", "ops/fused/pooling.py",
             "wins = candidate > out", "wins = candidate >= out", POOL_TESTS),
    Mutation("max pool: every block pools the first samples", "ops/fused/pooling.py",
             "_max_over_offsets(padded[block],",
             "_max_over_offsets(padded[: block.stop - block.start],", POOL_TESTS),
    Mutation("pooling backward: windows overlapping along the width written, not added",
             "ops/fused/pooling.py",
             "for f, s, d in zip(self.kernel, self.stride, self.dilation))",
             "for f, s, d in zip(self.kernel[:1], self.stride[:1], self.dilation[:1]))",
             POOL_TESTS),
    Mutation("pooling backward: a block's padded gradient not zeroed", "ops/fused/pooling.py",
             "target[...] = 0", "target[...] = 1", POOL_TESTS),
    Mutation("pool1d: padding on the height axis", "ops/fused/pooling.py",
             "padding=(0, padding), **options", "padding=(padding, padding), **options",
             POOL_TESTS),
    Mutation("relu + max pool: the ReLU mask skipped in backward", "ops/fused/relu_max_pool.py",
             "return pool.backward(relu.backward(grad_z))", "return pool.backward(grad_z)",
             ("tests/ops/fused/test_relu_max_pool.py", "tests/nn/test_sequential_fusion.py")),
    Mutation("Sequential: ReLU and MaxPool2d fused even when hooked", "nn/container.py",
             "\n            and not any(m._forward_pre_hooks or m._forward_hooks for m in (first, "
             "second)))", ")", ("tests/nn/test_sequential_fusion.py",)),
    # ----- batch norm -------------------------------------------------------------------------
    Mutation("batch norm: unbiased variance when normalizing", "ops/fused/batch_norm.py",
             "return mean, m2 / count", "return mean, m2 / (count - 1)", BATCH_NORM_TESTS),
    Mutation("batch norm: Chan's combination without the δ² term", "ops/fused/batch_norm.py",
             "m2 = m2_a + m2_b + np.square(delta) * (count_a * count_b / count)",
             "m2 = m2_a + m2_b", BATCH_NORM_TESTS),
    Mutation("batch norm: Chan's mean weighted by the other block", "ops/fused/batch_norm.py",
             "mean = mean_a + delta * (count_b / count)",
             "mean = mean_a + delta * (count_a / count)", BATCH_NORM_TESTS),
    Mutation("batch norm: normalized without 1/σ in blocks", "ops/fused/batch_norm.py",
             "x_hat_block *= scale", "x_hat_block *= 1", BATCH_NORM_TESTS),
    Mutation("batch norm: biased running variance", "ops/fused/batch_norm.py",
             "running_var += (momentum * count / (count - 1)) * var",
             "running_var += momentum * var", BATCH_NORM_TESTS),
    Mutation("batch norm: running mean keeps momentum, not 1 − momentum",
             "ops/fused/batch_norm.py", "running_mean *= 1 - momentum",
             "running_mean *= momentum", BATCH_NORM_TESTS),
    Mutation("batch norm backward: sign of the x̂ term", "ops/fused/batch_norm.py",
             "out -= x_hat[block] * mean_grad_x_hat", "out += x_hat[block] * mean_grad_x_hat",
             BATCH_NORM_TESTS),
    Mutation("batch norm backward: γ forgotten", "ops/fused/batch_norm.py",
             "scale = inv_std if weight is None else inv_std * weight", "scale = inv_std",
             BATCH_NORM_TESTS),
    Mutation("batch norm: channels-last sums grouped by the wrong axis",
             "ops/fused/batch_norm.py", ".reshape(N, -1).sum(axis=0).reshape(-1, C).sum(axis=0)",
             ".reshape(N, -1).sum(axis=0).reshape(C, -1).sum(axis=1)", BATCH_NORM_TESTS),
    # ----- linear -----------------------------------------------------------------------------
    Mutation("linear: bias subtracted (in place)", "ops/fused/linear.py",
             "y += bias  # in place", "y -= bias  # in place", LINEAR_TESTS),
    Mutation("linear: bias subtracted (mixed dtypes)", "ops/fused/linear.py",
             "y = y + bias", "y = y - bias", LINEAR_TESTS),
    Mutation("linear: bias gradient as a mean", "ops/fused/linear.py",
             "grad_bias = grad_rows.sum(axis=0)", "grad_bias = grad_rows.mean(axis=0)",
             LINEAR_TESTS),
    Mutation("linear: input rows kept only when x needs a gradient", "ops/fused/linear.py",
             "rows if self.needs_input_grad[1] else None",
             "rows if self.needs_input_grad[0] else None", LINEAR_TESTS),
    # ----- softmax cross-entropy --------------------------------------------------------------
    Mutation("cross-entropy: shift by the row minimum", "ops/fused/softmax_cross_entropy.py",
             "logits - logits.max(axis=1, keepdims=True)",
             "logits - logits.min(axis=1, keepdims=True)", CROSS_ENTROPY_TESTS),
    Mutation("cross-entropy: smoothing spread over C − 1 classes",
             "ops/fused/softmax_cross_entropy.py",
             "losses -= log_probs.sum(axis=1) * (label_smoothing / n_classes)",
             "losses -= log_probs.sum(axis=1) * (label_smoothing / (n_classes - 1))",
             CROSS_ENTROPY_TESTS),
    Mutation("cross-entropy backward: sign of the smoothing term",
             "ops/fused/softmax_cross_entropy.py",
             "grad_logits -= scale * (label_smoothing / n_classes)",
             "grad_logits += scale * (label_smoothing / n_classes)", CROSS_ENTROPY_TESTS),
    Mutation("cross-entropy backward: mean not divided by N",
             "ops/fused/softmax_cross_entropy.py",
             "return grad_loss / n", "return grad_loss", CROSS_ENTROPY_TESTS),
    Mutation("cross-entropy backward: probability targets without 1 − ε",
             "ops/fused/softmax_cross_entropy.py",
             "grad_logits -= targets * (scale * keep)", "grad_logits -= targets * scale",
             CROSS_ENTROPY_TESTS),
    Mutation("cross-entropy backward: target gradient sign", "ops/fused/softmax_cross_entropy.py",
             "grad_targets = log_probs * (scale * -keep)",
             "grad_targets = log_probs * (scale * keep)", CROSS_ENTROPY_TESTS),
    # ----- broadcasting (the property test's tolerance comes from round-off analysis) -----
    Mutation("broadcast backward: mean instead of sum over stretched axes", "ops/_broadcast.py",
             "summed = grad.sum(axis=", "summed = grad.mean(axis=",
             ("tests/ops/test_op_properties.py",)),
    # ----- optimizers -------------------------------------------------------------------------
    Mutation("adam: the optimizer's global step in the bias correction (the audit's survivor)",
             "optim/adam.py", "state.step += 1", "state.step = self.step_count + 1",
             OPTIM_TESTS),
    Mutation("adam: ε before the bias correction", "optim/adam.py",
             "scratch += self.eps * root_c2", "scratch += self.eps", OPTIM_TESTS),
    Mutation("adam: AMSGrad does not keep its maximum", "optim/adam.py",
             "v = np.maximum(state.max_exp_avg_sq, v, out=state.max_exp_avg_sq)",
             "v = np.maximum(state.max_exp_avg_sq, v)", OPTIM_TESTS),
    Mutation("adam: L2 term subtracted", "optim/adam.py",
             "return grad + weight_decay * param.data", "return grad - weight_decay * param.data",
             OPTIM_TESTS),
    Mutation("adamw: decay not scaled by lr", "optim/adam.py",
             "param.data *= 1 - lr * weight_decay", "param.data *= 1 - weight_decay",
             OPTIM_TESTS),
    Mutation("sgd: dampening used as the gradient's weight", "optim/sgd.py",
             "else (1 - self.dampening) * grad", "else self.dampening * grad", OPTIM_TESTS),
    Mutation("sgd: Nesterov without μ", "optim/sgd.py",
             "grad = grad + self.momentum * buffer if self.nesterov",
             "grad = grad + buffer if self.nesterov", OPTIM_TESTS),
    Mutation("sgd: the first buffer aliases the gradient", "optim/sgd.py",
             "np.array(grad, copy=True)", "np.asarray(grad)", OPTIM_TESTS),
    Mutation("sgd: L2 term subtracted", "optim/sgd.py",
             "grad = grad + weight_decay * param.data", "grad = grad - weight_decay * param.data",
             OPTIM_TESTS),
    Mutation("adagrad: the optimizer's global step in the lr decay", "optim/adagrad.py",
             "state.step += 1", "state.step = self.step_count + 1", OPTIM_TESTS),
    Mutation("adagrad: lr decay off by one step", "optim/adagrad.py",
             "lr / (1 + (state.step - 1) * self.lr_decay)",
             "lr / (1 + state.step * self.lr_decay)", OPTIM_TESTS),
    Mutation("adagrad: ε inside the root", "optim/adagrad.py",
             "np.sqrt(state.sum, out=scratch)\n        scratch += self.eps",
             "state.sum += self.eps\n        np.sqrt(state.sum, out=scratch)", OPTIM_TESTS),
    Mutation("rmsprop: centered variance adds the squared mean", "optim/rmsprop.py",
             "np.subtract(state.square_avg, scratch, out=scratch)",
             "np.add(state.square_avg, scratch, out=scratch)", OPTIM_TESTS),
    Mutation("rmsprop: momentum buffer not decayed", "optim/rmsprop.py",
             "state.momentum_buffer *= self.momentum", "state.momentum_buffer *= 1.0",
             OPTIM_TESTS),
    Mutation("rmsprop: decay α on the new gradient", "optim/rmsprop.py",
             "scratch *= 1 - alpha", "scratch *= alpha", OPTIM_TESTS),
    Mutation("optimizer: schedules called with step + 1", "optim/optimizer.py",
             "lr = float(group.lr(self.step_count))", "lr = float(group.lr(self.step_count + 1))",
             OPTIM_TESTS),
    Mutation("optimizer: state is rebuilt on every step", "optim/optimizer.py",
             "state = self.state.get(index)", "state = None", OPTIM_TESTS),
    Mutation("ema: decay and its complement swapped", "optim/ema.py",
             "average *= self.decay\n            average += (1 - self.decay) * param.data",
             "average *= 1 - self.decay\n            average += self.decay * param.data",
             OPTIM_TESTS + ("tests/train/test_callbacks.py",)),
]


def copy_tree(destination: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in ("src", "tests"):
        shutil.copytree(ROOT / name, destination / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", destination / "pyproject.toml")


def run_tests(tree: Path, paths: list) -> tuple[bool, float, str]:
    """(passed, seconds, last lines of output) for ``pytest -x`` over ``paths`` in ``tree``."""
    # PYTHONPATH first: the copy's glassnet, not the editable install of the working tree.
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "--hypothesis-profile", "ci", *paths]
    start = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True,
                                   timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - start, "timed out"
    output = (completed.stdout + completed.stderr).strip().splitlines()
    return completed.returncode == 0, time.perf_counter() - start, "\n".join(output[-3:])


def check_isolation(tree: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    where = subprocess.run([sys.executable, "-c", "import glassnet; print(glassnet.__file__)"],
                           cwd=tree, env=env, capture_output=True, text=True, check=True)
    if not Path(where.stdout.strip()).is_relative_to(tree):
        sys.exit(f"mutation: the copy imports glassnet from {where.stdout.strip()}, not from "
                 f"{tree}; the mutations would not be tested.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="run the mutations whose name has a word")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.words or any(w in m.name for w in args.words)]
    if args.list or not chosen:
        for mutation in chosen or MUTATIONS:
            print(f"{mutation.name}  ({mutation.file})")
        return 0
    try:
        import torch  # noqa: F401  (only to report it: the reference tests need it)

        print("PyTorch is installed: the reference comparisons run.")
    except ModuleNotFoundError:
        print("note: PyTorch is not installed: its reference tests skip, more may survive.")

    results = {"killed": [], "survived": [], "not applicable": []}
    with tempfile.TemporaryDirectory(prefix="glassnet-mutation-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        check_isolation(tree)
        all_tests = sorted({path for m in chosen for path in m.tests})
        passed, seconds, tail = run_tests(tree, all_tests)
        if not passed:
            print(f"the unmutated tests fail in the copy ({seconds:.0f} s):\n{tail}")
            return 2
        print(f"unmutated: the {len(all_tests)} test paths pass ({seconds:.0f} s)")
        for mutation in chosen:
            path = tree / "src" / "glassnet" / mutation.file
            source = path.read_text()
            count = source.count(mutation.original)
            if count != 1:
                outcome, detail = "not applicable", f"snippet found {count} times"
            else:
                path.write_text(source.replace(mutation.original, mutation.replacement))
                try:
                    passed, seconds, tail = run_tests(
                        tree, [*mutation.tests, f"src/glassnet/{mutation.file}"]
                    )
                finally:
                    path.write_text(source)
                outcome = "survived" if passed else "killed"
                detail = f"{seconds:.1f} s"
            results[outcome].append(mutation.name)
            print(f"{outcome:>14}  {mutation.name}  ({mutation.file}; {detail})", flush=True)

    counts = ", ".join(f"{len(names)} {outcome}" for outcome, names in results.items())
    print(f"\n{len(chosen)} mutations: {counts}")
    for name in results["survived"]:
        print(f"  survived: {name}")
    return 1 if results["survived"] else 0


if __name__ == "__main__":
    sys.exit(main())
