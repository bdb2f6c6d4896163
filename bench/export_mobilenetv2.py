"""The Python path to MobileNetV2's ONNX file with PyTorch 2: the network written in plain torch.nn (torchvision's
wheels do not import with torch 2.13+cpu; same layers, width 1.0, 224 px, 1000 classes), exported by
torch.onnx.export with that version's default exporter (torch.export + onnxscript) at opset 18, its lowest.

usage: export_mobilenetv2.py OUT.onnx
"""
import sys

import torch
from torch import nn

# (expansion, output channels, repeats, first stride) per stage, as in the MobileNetV2 paper's table 2.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def conv(cin, cout, kernel, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return layers + [nn.ReLU6()] if relu else layers


class Block(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = conv(cin, hidden, 1) if expand != 1 else []
        layers += conv(hidden, hidden, 3, stride, groups=hidden) + conv(hidden, cout, 1, relu=False)
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v2():
    layers, cin = conv(3, 32, 3, 2), 32
    for expand, cout, repeats, stride in STAGES:
        for i in range(repeats):
            layers.append(Block(cin, cout, stride if i == 0 else 1, expand))
            cin = cout
    layers += conv(cin, 1280, 1)
    features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return nn.Sequential(features, nn.Dropout(0.2), nn.Linear(1280, 1000)).eval()


torch.onnx.export(mobilenet_v2(), (torch.randn(1, 3, 224, 224),), sys.argv[1], input_names=["input"],
                  output_names=["output"], opset_version=18)
