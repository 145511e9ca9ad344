"""Weights travel both ways: a ResNet-18-shaped network and a MobileNet-style
depthwise-separable network built in glassnet and in PyTorch, weights copied glassnet →
safetensors → PyTorch and back, the same logits in train and eval mode and the same batch
norm running statistics. Skipped without PyTorch."""

import numpy as np
import pytest
import safetensors.numpy

import glassnet as gn
from glassnet import models, nn
from glassnet.train.checkpoint import save_checkpoint

torch = pytest.importorskip("torch", reason="PyTorch is the reference for these tests")
tnn = torch.nn
safetensors_torch = pytest.importorskip("safetensors.torch",
                                        reason="safetensors' torch helpers need torch")

# NOTE: float32 through ~20 layers; the bound, relative to the largest logit.
RELATIVE = 1e-4


class TorchBasicBlock(tnn.Module):
    """He et al.'s basic block with torchvision's attribute names, written out here."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(out_channels)
        self.relu = tnn.ReLU()
        self.conv2 = tnn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = tnn.Sequential(
                tnn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                tnn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TorchResNet18(tnn.Module):
    """7×7/2 stem, 3×3/2 max-pool with padding 1, four stages of two blocks (stride-2
    downsampling, 1×1/2 projections), adaptive average pool, FC."""

    def __init__(self, in_channels, num_classes, channels):
        super().__init__()
        self.conv1 = tnn.Conv2d(in_channels, channels[0], 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(channels[0])
        self.relu = tnn.ReLU()
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        width = channels[0]
        for stage, stage_width in enumerate(channels):
            stride = 1 if stage == 0 else 2
            blocks = [TorchBasicBlock(width, stage_width, stride),
                      TorchBasicBlock(stage_width, stage_width, 1)]
            setattr(self, f"layer{stage + 1}", tnn.Sequential(*blocks))
            width = stage_width
        self.avgpool = tnn.AdaptiveAvgPool2d(1)
        self.fc = tnn.Linear(width, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _mobilenet(lib):
    """A stem and two MobileNet (v1) depthwise-separable blocks, the second with stride 2:
    the same Sequential in either library (``lib`` is glassnet.nn or torch.nn)."""

    def separable(channels, out_channels, stride):
        return [
            lib.Conv2d(channels, channels, 3, stride, 1, groups=channels, bias=False),
            lib.BatchNorm2d(channels),
            lib.ReLU(),
            lib.Conv2d(channels, out_channels, 1, bias=False),
            lib.BatchNorm2d(out_channels),
            lib.ReLU(),
        ]

    pool = nn.GlobalAvgPool2d() if lib is nn else tnn.Sequential(tnn.AdaptiveAvgPool2d(1),
                                                                 tnn.Flatten())
    return lib.Sequential(
        lib.Conv2d(3, 8, 3, 2, 1, bias=False), lib.BatchNorm2d(8), lib.ReLU(),
        *separable(8, 16, 1), *separable(16, 24, 2),
        pool, lib.Linear(24, 5),
    )


def _randomize_batch_norm(model, rng):
    """Non-trivial affine parameters and running statistics in every BatchNorm2d."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            size = module.weight.shape
            module.weight.data[...] = rng.uniform(0.5, 1.5, size)
            module.bias.data[...] = rng.normal(0.0, 0.2, size)
            module.running_mean.data[...] = rng.normal(0.0, 0.2, size)
            module.running_var.data[...] = rng.uniform(0.5, 2.0, size)


def _assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy()
    error = np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs))
    assert error <= RELATIVE, f"{what}: relative error {error:.2e}"


def _round_trip(ours, theirs, path_out, path_back, x):
    """glassnet → safetensors → PyTorch; train-mode step in both; PyTorch → safetensors →
    glassnet; eval mode in both."""
    theirs.load_state_dict(safetensors_torch.load_file(path_out), strict=True)
    x_t = torch.tensor(x)

    ours.train()
    theirs.train()
    _assert_close(ours(gn.tensor(x)).data, theirs(x_t), "train-mode logits")
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    for key, value in theirs_state.items():  # running statistics after the step, too
        np.testing.assert_allclose(ours_state[key], value.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=key)

    safetensors_torch.save_file(theirs.state_dict(), path_back)
    back = safetensors.numpy.load_file(path_back)
    ours.load_state_dict(back)
    ours.eval()
    theirs.eval()
    with gn.no_grad(), torch.no_grad():
        _assert_close(ours(gn.tensor(x)).data, theirs(x_t), "eval-mode logits")
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, back[key], err_msg=key)


@pytest.mark.parametrize("size", [64, 57], ids=["even", "odd"])
def test_a_resnet_18_shaped_network_gives_the_same_logits_after_the_round_trip(tmp_path, size):
    rng = np.random.default_rng(0)
    channels = (8, 12, 16, 24)
    ours = models.resnet(3, 10, channels=channels, blocks_per_stage=(2, 2, 2, 2),
                         stem="imagenet", generator=rng)
    _randomize_batch_norm(ours, rng)
    gn.save(ours, tmp_path / "resnet.safetensors")  # the file glassnet writes
    theirs = TorchResNet18(3, 10, channels)
    x = rng.standard_normal((4, 3, size, size)).astype(np.float32)
    _round_trip(ours, theirs, tmp_path / "resnet.safetensors", tmp_path / "back.safetensors", x)


def test_a_mobilenet_style_depthwise_separable_network_gives_the_same_logits(tmp_path):
    rng = np.random.default_rng(1)
    gn.manual_seed(1)
    ours = _mobilenet(nn)
    _randomize_batch_norm(ours, rng)
    save_checkpoint(tmp_path / "mobilenet.safetensors", ours.state_dict())
    theirs = _mobilenet(tnn)
    x = rng.standard_normal((4, 3, 20, 19)).astype(np.float32)
    _round_trip(ours, theirs, tmp_path / "mobilenet.safetensors", tmp_path / "back.safetensors",
                x)
