"""Our built MobileNetV2 as torchvision's: every initializer of our ONNX file is a state_dict entry of
torchvision.models.mobilenet_v2 under the same name (this stage's naming), loaded with strict=True so that a
missing or extra name fails. Shared by the parity test and bench/optimize.ts's torchvision export."""
import onnx
import torch
import torchvision
from onnx import numpy_helper


def torchvision_with_our_weights(path, width_mult, num_classes):
    """torchvision's MobileNetV2 in eval mode with the weights of our ONNX file; and how many entries it loaded."""
    net = torchvision.models.mobilenet_v2(width_mult=width_mult, num_classes=num_classes).eval()
    state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(path).graph.initializer}
    # BatchNorm's step counter is a state_dict entry but no ONNX input; it does not affect inference.
    for key, value in net.state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = value
    net.load_state_dict(state, strict=True)
    return net, len(state)
