#!/usr/bin/python3
"""Exports a ResNet18 steering regressor to ONNX with its metadata, for timing (bench/).

torchvision's ResNet18 with its 1000-class layer replaced by a 2-output linear head (steering,
throttle): one [1, 2] output, the usual PyTorch-export form of the model contract
(docs/models.md), fed 224x224 RGB with ImageNet mean/std. The weights are randomly initialised
from --seed (no downloads): the network costs the same to run as a trained one, but it does not
drive. bench/bench_inference times it through the same Pilot path as the bundled model.

  scripts/export_resnet18.py [--out build/models/resnet18.onnx] [--seed 0]

Needs Debian's python3-torch, python3-torchvision, python3-onnx and python3-opencv
(/usr/bin/python3). Writes <out> and <out without .onnx>.yaml; keep them out of git.
"""

import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_onnx  # noqa: E402  (beside this script)

try:
    import torchvision
except ImportError:
    sys.exit("export_resnet18.py: torchvision is missing: apt-get install python3-torchvision "
             "(scripts/install-deps installs it)")

OUTPUT_NAME = "pilot"  # the one [1, 2] output: steering, throttle
IMAGENET_MEAN = (0.485, 0.456, 0.406)  # RGB; what torchvision's ResNets are trained with
IMAGENET_STD = (0.229, 0.224, 0.225)
SIZE = 224  # px, input height and width
VERIFY_FRAMES = 4  # random frames compared between PyTorch and OpenCV


class Regressor(nn.Module):
    """Returns the network's output as a 1-tuple: export_onnx expects one tensor per output."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return (self.net(x),)


def build_model(seed):
    """ResNet18, random weights from `seed`, final layer 512 -> 2 (steering, throttle)."""
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, 2)
    # Fresh batch norms all hold the same tensors (weight 1, bias 0, ...); the exporter then
    # shares them through Identity nodes, which OpenCV 4.6 cannot import. Spread them the way
    # training would, so every tensor is distinct.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return Regressor(model).eval()


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(repo, "build", "models", "resnet18.onnx"),
                        help="ONNX file to write; the metadata goes beside it "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="weight initialisation seed")
    args = parser.parse_args()

    torch.set_num_threads(2)
    model = build_model(args.seed)
    # Frames preprocessed as the metadata says: (pixel / 255 - mean) / std, about N(0, 1).
    batch = torch.randn(VERIFY_FRAMES, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1))
    export_onnx.export_and_verify(model, args.out, batch, output_names=(OUTPUT_NAME,))
    yaml_path = export_onnx.write_metadata(args.out, {
        "dataset": "none (random weights, for timing only)",
        "records": 0,
        "seed": args.seed,
        "epochs": 0,
        "val_loss": 0.0,
        "val_steering_mae": 0.0,
        "trained_with": " ".join(["scripts/export_resnet18.py"] + sys.argv[1:]),
        "torch": torch.__version__,
    }, architecture="resnet18", shape=(1, 3, SIZE, SIZE), vector_output=OUTPUT_NAME,
        mean=IMAGENET_MEAN, std=IMAGENET_STD)
    print(f"wrote {args.out} and {yaml_path}")


if __name__ == "__main__":
    main()
