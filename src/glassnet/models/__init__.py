"""Named architectures: softmax regression, MLPs, the course's CNN pattern, a small ResNet.

Every builder records its options on the model (``model.architecture``), so a saved model
can be rebuilt by ``glassnet.load`` without user code.
"""

from glassnet.models.architecture import ARCHITECTURES, Architecture, build
from glassnet.models.cnn import cnn
from glassnet.models.linear import softmax_regression
from glassnet.models.mlp import mlp
from glassnet.models.resnet import resnet

__all__ = ["ARCHITECTURES", "Architecture", "build", "cnn", "mlp", "resnet", "softmax_regression"]
