"""The named architectures: shapes, sizes, gradients, options, and rebuilding from a file."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import models, nn
from glassnet.errors import CheckpointError, ConfigError
from glassnet.models.resnet import BasicBlock


def test_the_reference_cnn_has_pytorchs_parameter_count_and_shapes():
    model = models.cnn()
    assert sum(p.size for p in model.parameters()) == 421_642  # PERF.md's CNN in PyTorch
    assert model(gn.zeros(3, 1, 28, 28)).shape == (3, 10)


@pytest.mark.parametrize(
    ("build", "input_shape", "num_params"),
    [
        (lambda g: models.softmax_regression(784, 10, generator=g), (2, 1, 28, 28), 7850),
        (lambda g: models.mlp(784, [256, 128], 10, generator=g), (2, 784), 235_146),
        (lambda g: models.mlp(10, [], 3, generator=g), (2, 10), 33),
        (lambda g: models.cnn(3, 32, 10, channels=[8], hidden=[], generator=g),
         (2, 3, 32, 32), 8 * 3 * 9 + 8 + 8 * 16 * 16 * 10 + 10),
    ],
)
def test_parameter_counts_follow_the_layer_sizes(build, input_shape, num_params):
    model = build(np.random.default_rng(0))
    assert sum(p.size for p in model.parameters()) == num_params
    assert model(gn.zeros(*input_shape)).shape[0] == input_shape[0]


def test_cnn_options_add_the_layers_they_name():
    model = models.cnn(channels=[4, 4], convs_per_block=2, batch_norm=True, dropout=0.5,
                       activation="tanh", hidden=[16])
    kinds = [type(layer).__name__ for layer in model]
    assert kinds.count("Conv2d") == 4 and kinds.count("BatchNorm2d") == 4
    assert kinds.count("Tanh") == 5 and kinds.count("Dropout") == 2
    assert kinds.count("BatchNorm1d") == 1 and kinds.count("MaxPool2d") == 2


@pytest.mark.parametrize(
    ("build", "input_shape"),
    [
        (lambda: models.mlp(6, [5, 4], 3, batch_norm=True, activation="elu"), (4, 6)),
        (lambda: models.cnn(1, 8, 3, channels=[2], hidden=[4], batch_norm=True), (4, 1, 8, 8)),
        (lambda: models.resnet(1, 3, channels=[2, 3]), (4, 1, 8, 8)),
    ],
    ids=["mlp", "cnn", "resnet"],
)
def test_whole_models_pass_gradcheck_in_float64(build, input_shape):
    gn.manual_seed(0)
    model = build().double()
    inputs = gn.randn(*input_shape, dtype="float64")
    params = list(model.parameters())
    # gradcheck raises GradientCheckError on any element beyond atol + rtol·|numeric|. (The
    # max relative error itself can be 1 here: a bias right before batch norm has a true
    # gradient of 0, met as 1e-17 against 1e-11.)
    result = gn.gradcheck(lambda *_: model(inputs), params)
    assert len([e for e in result.max_relative_errors if e is not None]) == len(params)


def test_resnet_downsamples_with_stride_2_convolutions_and_projection_shortcuts():
    model = models.resnet(1, 10, channels=[4, 8], blocks_per_stage=2)
    blocks = [m for m in model.modules() if isinstance(m, BasicBlock)]
    assert len(blocks) == 4
    assert [b.conv1.stride for b in blocks] == [(1, 1), (1, 1), (2, 2), (1, 1)]
    assert [b.downsample is not None for b in blocks] == [False, False, True, False]
    projection = blocks[2].downsample[0]
    assert (projection.kernel_size, projection.stride) == ((1, 1), (2, 2))
    assert not any(isinstance(m, nn.MaxPool2d) for m in model.modules())  # cifar stem
    assert model(gn.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_resnet_stems_cifar_keeps_the_size_and_imagenet_divides_it_by_four():
    x = gn.zeros(1, 3, 64, 64)
    for stem, size in (("cifar", 64), ("imagenet", 16)):
        model = models.resnet(3, 5, channels=[4], stem=stem)
        stem_out = model.conv1(x)
        if model.maxpool is not None:
            stem_out = model.maxpool(stem_out)
        assert stem_out.shape == (1, 4, size, size), stem
    imagenet = models.resnet(3, 5, channels=[4], stem="imagenet")
    assert (imagenet.conv1.kernel_size, imagenet.conv1.stride, imagenet.conv1.padding) == (
        (7, 7), (2, 2), (3, 3))
    assert (imagenet.maxpool.kernel_size, imagenet.maxpool.stride,
            imagenet.maxpool.padding) == ((3, 3), (2, 2), (1, 1))


def test_resnet_18_has_torchvisions_parameter_names_and_count():
    model = models.resnet(3, 1000, channels=(64, 128, 256, 512), blocks_per_stage=(2, 2, 2, 2),
                          stem="imagenet")
    names = list(model.state_dict())
    assert names[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                         "bn1.running_var", "bn1.num_batches_tracked"]
    assert "layer2.0.downsample.0.weight" in names and "layer4.1.bn2.running_var" in names
    assert names[-2:] == ["fc.weight", "fc.bias"] and len(names) == 122
    assert sum(p.size for p in model.parameters()) == 11_689_512


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: models.mlp(activation="swish"), "activation: expected one of"),
        (lambda: models.mlp(init="he"), "init: expected one of"),
        (lambda: models.mlp(hidden=[0]), "positive integer widths"),
        (lambda: models.cnn(kernel_size=4), "odd kernel_size"),
        (lambda: models.cnn(image_size=4, channels=[4, 4, 4]), "shrink a 4x4 image"),
        (lambda: models.build("vgg"), r"model: expected one of \['cnn', 'mlp'"),
        (lambda: models.build("mlp", depth=3), "unexpected keyword"),
        (lambda: models.resnet(stem="vgg"), r"resnet: expected stem to be one of \['cifar', "
         r"'imagenet'\], but got 'vgg'"),
        (lambda: models.resnet(channels=[4, 8], blocks_per_stage=[2]),
         r"resnet: expected blocks_per_stage to be a positive int or one per stage \(2 stages\)"),
        (lambda: models.resnet(blocks_per_stage=0), "blocks_per_stage to be a positive int"),
    ],
)
def test_bad_options_are_clear_errors(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_the_architecture_record_rebuilds_the_same_model(tmp_path):
    model = models.cnn(channels=(4, 8), hidden=(16,), dropout=0.1,
                       generator=np.random.default_rng(3))
    gn.save(model, tmp_path / "cnn.safetensors", metadata={"note": "hello"})
    loaded = gn.load(tmp_path / "cnn.safetensors")
    assert loaded.architecture == model.architecture
    assert loaded.metadata == {"note": "hello"} and not loaded.training
    x = gn.randn(2, 1, 28, 28)
    with gn.no_grad():
        np.testing.assert_array_equal(loaded(x).data, model.eval()(x).data)


def test_save_refuses_a_model_it_could_not_rebuild(tmp_path):
    with pytest.raises(CheckpointError, match="no architecture record"):
        gn.save(nn.Sequential(nn.Linear(2, 2)), tmp_path / "x.safetensors")


def test_load_names_a_corrupt_file(tmp_path):
    path = tmp_path / "mlp.safetensors"
    gn.save(models.mlp(4, [8], 2), path)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="mlp.safetensors"):
        gn.load(path)
