#!/usr/bin/python3
"""Trains Donkey Car's "linear" or "categorical" model on tub v2 folders, exports it for rcpilot.

Reads one or more tubs (docs/models.md, REFERENCE.md section 3), trains the two-headed
model (linear: steering `angle` and `throttle` regressed in [-1, 1]; categorical: the same
heads as bin scores, scripts/categorical.py), keeps the best-validation weights, exports ONNX
for OpenCV 4.6 DNN and writes the metadata YAML beside it.

Examples:
  scripts/train.py --tub build/data/tub --out models/linear.onnx --epochs 10
  scripts/train.py --type categorical --tub build/data/tub --out models/categorical.onnx \
      --init-from models/linear.onnx --epochs 3
"""

import argparse
import copy
import os
import shlex
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import categorical  # noqa: E402  (sibling modules; path set just above)
import export_onnx  # noqa: E402

# Tub reading lives in tub_data; its names stay importable from train (tests, own scripts).
from tub_data import (IMAGE_SIZE, TubError, load_dataset, load_image,  # noqa: E402,F401
                      read_tub_records)


class DonkeyLinear(nn.Module):
    """Donkey Car's "linear" model (parts/keras.py) in NCHW; input RGB in [0, 1]."""

    def __init__(self, dropout=0.2):
        super().__init__()

        def conv(in_ch, out_ch, kernel, stride):
            # Valid padding, ReLU, then dropout, as in Donkey's core_cnn_layers.
            return [nn.Conv2d(in_ch, out_ch, kernel, stride), nn.ReLU(), nn.Dropout(dropout)]

        self.features = nn.Sequential(
            *conv(3, 24, 5, 2), *conv(24, 32, 5, 2), *conv(32, 64, 5, 2),
            *conv(64, 64, 3, 1), *conv(64, 64, 3, 1))
        self.dense = nn.Sequential(
            nn.Linear(21 * 21 * 64, 100), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(100, 50), nn.ReLU(), nn.Dropout(dropout))
        self.angle = nn.Linear(50, 1)
        self.throttle = nn.Linear(50, 1)

    def forward(self, x):
        # flatten(1) exports as ONNX Flatten, which OpenCV 4.6 imports without a Reshape.
        x = self.dense(self.features(x).flatten(1))
        return self.angle(x), self.throttle(x)


def make_model(args):
    """A fresh model of args.type on args.device, channels-last.

    --init-from copies a linear model's backbone into it (categorical.init_backbone).
    to_input() yields channels-last tensors (a view of NHWC uint8), and matching the weights
    to that layout makes CPU training about 13% faster on the 2-core machine.
    """
    model = DonkeyLinear(args.dropout)
    if args.type == "categorical":
        model = categorical.replace_heads(model)
    if args.init_from:
        copied = categorical.init_backbone(model, args.init_from)
        print(f"initialised {copied} backbone tensors from {args.init_from}", flush=True)
    return model.to(args.device).to(memory_format=torch.channels_last)


def to_input(images_uint8, device):
    """uint8 NHWC numpy batch -> float NCHW tensor in [0, 1] on `device`."""
    x = torch.from_numpy(images_uint8).to(device, non_blocking=True)
    return x.permute(0, 3, 1, 2).float().div_(255.0)


# Default sideways shift, as a fraction of the width; train-categorical-model relies on it.
SIDEWAYS_SHIFT = 0.015


def augment(x, labels, flip, sideways_shift=SIDEWAYS_SHIFT):
    """Photometric and small geometric jitter, and optional mirror with steering negated.

    What a real camera varies from frame to frame and car to car leaves the right command
    unchanged: brightness, contrast, colour balance, focus (blur) and noise; and where the
    camera points up or down (a vertical shift, like a mount pitched differently) or how high
    it sits (a small zoom). Sideways shifts are kept to a couple of pixels (`sideways_shift`, a
    fraction of the width), since turning the camera sideways does change the right steering;
    the bundled model uses none, as even that much taught it to ignore a centimetre off
    centre. A mirrored frame of a centred-lane track is a valid frame whose ideal steering is
    the negative, which balances left and right turns.
    Throttle is unchanged by all of these.
    """
    x = _photometric(x)
    x = _geometric(x, max_dx=sideways_shift)
    if flip:
        n = x.shape[0]
        mirrored = torch.rand(n, device=x.device) < 0.5
        x = torch.where(mirrored.view(n, 1, 1, 1), x.flip(3), x)
        labels = labels.clone()
        labels[mirrored, 0] = -labels[mirrored, 0]
    return x, labels


def _uniform(shape, lo, hi, device):
    return torch.empty(shape, device=device).uniform_(lo, hi)


def _photometric(x):
    """Contrast, per-channel gain and brightness as one multiply-add, blur on a fifth of the
    frames, then sensor noise read from a fixed bank (drawing fresh Gaussian noise per frame
    costs as much as the rest of the augmentation together on a 2-core CPU)."""
    n, device = x.shape[0], x.device
    contrast = _uniform((n, 1, 1, 1), 0.75, 1.25, device)
    gain = _uniform((n, 1, 1, 1), 0.8, 1.2, device) * _uniform((n, 3, 1, 1), 0.92, 1.08, device)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    offset = gain * (1 - contrast) * mean + _uniform((n, 1, 1, 1), -0.1, 0.1, device)
    x = torch.addcmul(offset, x, gain * contrast)
    blurred = torch.rand(n, device=device) < 0.2
    if blurred.any():
        kernel = torch.tensor([0.25, 0.5, 0.25], device=device)
        kernel = (kernel[:, None] * kernel[None, :]).expand(3, 1, 3, 3)
        x[blurred] = nn.functional.conv2d(x[blurred], kernel, padding=1, groups=3)
    x += _noise_like(x) * _uniform((n, 1, 1, 1), 0.0, 0.03, device)
    return x.clamp_(0.0, 1.0)


_NOISE_BANK = {}


def _noise_like(x):
    """Unit Gaussian noise shaped like x: a bank twice the frame, read at a random offset per
    batch and rolled by a random number of frames."""
    n, c, h, w = x.shape
    key = (c, h, w, x.device)
    if key not in _NOISE_BANK:
        gen = torch.Generator().manual_seed(12345)
        _NOISE_BANK[key] = torch.randn(8, c, 2 * h, 2 * w, generator=gen).to(x.device)
    bank = _NOISE_BANK[key]
    dy, dx = (int(v) for v in torch.randint(0, h, (2,)))
    frames = torch.randint(0, bank.shape[0], (n,))
    return bank[frames, :, dy:dy + h, dx:dx + w]


def _geometric(x, max_dy=0.07, max_dx=SIDEWAYS_SHIFT, max_zoom=0.05):
    """Per-frame vertical shift (+-7 % of the height), sideways shift (+-1.5 %) and zoom (up to
    5 % in), as one bilinear resample; edges repeat the border pixels."""
    n, device = x.shape[0], x.device
    scale = 1.0 - _uniform((n,), 0.0, max_zoom, device)
    theta = torch.zeros(n, 2, 3, device=device)
    theta[:, 0, 0] = scale
    theta[:, 1, 1] = scale
    theta[:, 0, 2] = _uniform((n,), -2 * max_dx, 2 * max_dx, device)
    theta[:, 1, 2] = _uniform((n,), -2 * max_dy, 2 * max_dy, device)
    grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    return nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="border",
                                     align_corners=False)


def weighted_loss(angle, throttle, labels, args):
    """Steering loss plus args.throttle_weight x throttle loss: MSE (linear) or bin
    cross-entropy (categorical)."""
    if args.heads:
        return args.heads.loss(angle, throttle, labels, args.throttle_weight)
    loss_angle = nn.functional.mse_loss(angle.squeeze(1), labels[:, 0])
    loss_throttle = nn.functional.mse_loss(throttle.squeeze(1), labels[:, 1])
    return loss_angle + args.throttle_weight * loss_throttle


def steering_value(angle, args):
    """The steering the node would read from the `angle` head, [N]."""
    return args.heads.steering_value(angle) if args.heads else angle.squeeze(1)


def train_epoch(model, optimizer, schedule, images, labels, indexes, args, rng):
    """One pass over `indexes` in a seeded random order; returns (mean loss, images/s)."""
    model.train()
    order = rng.permutation(indexes)
    total, count = 0.0, 0
    started = time.monotonic()
    for start in range(0, len(order), args.batch):
        batch = np.sort(order[start:start + args.batch])  # sorted: faster numpy gather
        x = to_input(images[batch], args.device)
        y = torch.from_numpy(labels[batch]).to(args.device)
        x, y = augment(x, y, args.flip, args.sideways_shift)
        angle, throttle = model(x.contiguous(memory_format=torch.channels_last))
        loss = weighted_loss(angle, throttle, y, args)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if schedule:
            schedule.step()
        total += loss.item() * len(batch)
        count += len(batch)
    return total / count, count / (time.monotonic() - started)


@torch.no_grad()
def evaluate(model, images, labels, indexes, args):
    """Returns (weighted MSE loss, steering mean absolute error) on un-augmented images."""
    model.eval()
    loss_sum, mae_sum = 0.0, 0.0
    for start in range(0, len(indexes), args.batch):
        batch = indexes[start:start + args.batch]
        x = to_input(images[batch], args.device)
        y = torch.from_numpy(labels[batch]).to(args.device)
        angle, throttle = model(x)
        loss_sum += weighted_loss(angle, throttle, y, args).item() * len(batch)
        mae_sum += (steering_value(angle, args) - y[:, 0]).abs().sum().item()
    return loss_sum / len(indexes), mae_sum / len(indexes)


def split_indexes(count, val_fraction, seed):
    """Returns (train, val) index arrays; the split depends only on `seed`.

    Frames are split at random, so neighbouring (near-identical) frames land on both sides
    and val loss is optimistic; it still ranks epochs, which is what it is used for here.
    """
    order = np.random.default_rng(seed).permutation(count)
    val_count = int(round(count * val_fraction))
    if count >= 2:
        val_count = min(max(val_count, 1), count - 1)
    else:
        val_count = 0
    val = np.sort(order[:val_count])
    train = np.sort(order[val_count:])
    if len(val) == 0:
        val = train  # a single record: validate on it rather than fail
    return train, val


def seed_everything(seed, device):
    """Makes a run repeatable for a given seed, thread count and device."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    if device == "cuda":
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def make_schedule(optimizer, steps, args):
    """The per-step learning-rate schedule args asks for, or None for a constant rate."""
    lr = torch.optim.lr_scheduler
    parts = []
    warmup = min(args.warmup_steps, steps)
    if warmup:
        # Full-rate Adam steps on a fresh network drive it to the mean steering, and on
        # varied data it needs most of an epoch to leave that plateau; a ramp avoids it.
        parts.append(lr.LinearLR(optimizer, start_factor=0.01, end_factor=1.0,
                                 total_iters=warmup))
    if args.cosine:
        # Down to 0 along a cosine over the remaining steps: the last epochs refine
        # instead of jumping round the minimum, which is what centimetre precision needs.
        parts.append(lr.CosineAnnealingLR(optimizer, max(steps - warmup, 1)))
    if len(parts) < 2:
        return parts[0] if parts else None  # LinearLR alone holds --lr after its ramp
    # SequentialLR's own hand-over at the milestone trips torch's deprecation notice for
    # step(epoch); the notice is about torch's code, not ours.
    warnings.filterwarnings("ignore", message="The epoch parameter", category=UserWarning)
    return lr.SequentialLR(optimizer, parts, milestones=[warmup])


def fit(model, images, labels, args):
    """Trains for args.epochs; returns (best state_dict, best val loss, its steering MAE)."""
    train_idx, val_idx = split_indexes(len(labels), args.val_fraction, args.seed)
    print(f"records: {len(labels)} (train {len(train_idx)}, val {len(val_idx)})", flush=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * ((len(train_idx) + args.batch - 1) // args.batch)
    schedule = make_schedule(optimizer, steps, args)
    rng = np.random.default_rng(args.seed + 1)
    best = (None, float("inf"), float("inf"))
    for epoch in range(1, args.epochs + 1):
        train_loss, rate = train_epoch(model, optimizer, schedule, images, labels,
                                       train_idx, args, rng)
        val_loss, val_mae = evaluate(model, images, labels, val_idx, args)
        improved = val_loss < best[1]
        if improved:
            best = (copy.deepcopy(model.state_dict()), val_loss, val_mae)
        print(f"epoch {epoch}/{args.epochs}: train_loss {train_loss:.5f} val_loss "
              f"{val_loss:.5f} val_steering_mae {val_mae:.4f} ({rate:.1f} img/s)"
              f"{' *best' if improved else ''}", flush=True)
    return best


def benchmark(args):
    """Prints forward+backward images/s at args.batch on random data (no tub needed)."""
    model = make_model(args)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    frames = np.random.default_rng(0).integers(
        0, 256, (args.batch, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    x = to_input(frames, args.device)
    y = torch.rand(args.batch, 2, device=args.device) * 2 - 1
    model.train()
    for step in range(args.benchmark + 2):
        if step == 2:  # first steps allocate and warm caches
            if args.device == "cuda":
                torch.cuda.synchronize()
            started = time.monotonic()
        angle, throttle = model(x)
        loss = weighted_loss(angle, throttle, y, args)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    if args.device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.monotonic() - started
    rate = args.benchmark * args.batch / elapsed
    print(f"fwd+bwd+adam: {rate:.1f} img/s (batch {args.batch}, {args.device}, "
          f"{torch.get_num_threads()} threads, {args.benchmark} steps)")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tub", action="append", help="tub v2 folder; repeat for several")
    p.add_argument("--type", choices=["linear", "categorical"], default="linear",
                   help="Donkey model type: regressed outputs or softmax bins")
    p.add_argument("--out", help="ONNX path (default models/TYPE.onnx); metadata goes beside "
                   "it with .yaml")
    p.add_argument("--throttle-range", type=float, default=0.5,
                   help="categorical: throttle bins span [0, this] (Donkey's default 0.5)")
    p.add_argument("--init-from", metavar="ONNX",
                   help="start from this linear model's convolutions and dense layers "
                   "(an ONNX written by train.py)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    p.add_argument("--dropout", type=float, default=0.2,
                   help="dropout after every layer while training (Donkey's 0.2)")
    p.add_argument("--cosine", action="store_true",
                   help="decay the learning rate to 0 along a cosine over the whole run")
    p.add_argument("--warmup-steps", type=int, default=0, metavar="STEPS",
                   help="raise the learning rate from 1 %% of --lr to --lr over the first "
                   "STEPS batches")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads and JPEG decoders")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--max-records", type=int, default=0, help="use only the first N (0 = all)")
    p.add_argument("--throttle-weight", type=float, default=0.5,
                   help="throttle MSE weight relative to steering (steering matters more)")
    p.add_argument("--no-flip", dest="flip", action="store_false",
                   help="disable mirrored frames (use for tracks that are not symmetric)")
    p.add_argument("--sideways-shift", type=float, default=SIDEWAYS_SHIFT, metavar="FRACTION",
                   help="shift frames sideways by up to this fraction of the width, label "
                   "unchanged (0 = none)")
    p.add_argument("--benchmark", type=int, default=0, metavar="STEPS",
                   help="only time STEPS fwd+bwd steps on random data and exit")
    args = p.parse_args(argv)
    if not args.benchmark and not args.tub:
        p.error("--tub is required")
    if args.epochs < 1 or args.batch < 1 or not 0.0 <= args.val_fraction < 1.0:
        p.error("need --epochs >= 1, --batch >= 1 and 0 <= --val-fraction < 1")
    if args.warmup_steps < 0:
        p.error("need --warmup-steps >= 0")
    if not 0.0 <= args.sideways_shift < 0.5:
        p.error("need 0 <= --sideways-shift < 0.5")
    if not 0.0 <= args.dropout < 1.0:
        p.error("need 0 <= --dropout < 1")
    if not 0.0 < args.throttle_range <= 1.0:
        p.error("need 0 < --throttle-range <= 1")
    args.out = args.out or f"models/{args.type}.onnx"
    args.heads = categorical.Heads(args.throttle_range) if args.type == "categorical" else None
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: torch sees no CUDA device")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    seed_everything(args.seed, args.device)
    if args.benchmark:
        benchmark(args)
        return 0
    try:
        images, labels = load_dataset(args.tub, args.max_records, args.threads)
    except TubError as e:
        print(f"train.py: {e}", file=sys.stderr)
        return 2
    model = make_model(args)
    state, val_loss, val_mae = fit(model, images, labels, args)
    if state is None:
        print("train.py: validation loss was never finite; training diverged "
              "(try a lower --lr)", file=sys.stderr)
        return 3
    model.load_state_dict(state)
    model = model.cpu().to(memory_format=torch.contiguous_format).eval()
    _, val_idx = split_indexes(len(labels), args.val_fraction, args.seed)
    samples = to_input(images[val_idx[:4]], "cpu")
    try:
        export_onnx.export_and_verify(model, args.out, samples,
                                      output_names=("angle", "throttle"))
    except export_onnx.ExportError as e:
        print(f"train.py: export failed: {e}", file=sys.stderr)
        return 4
    info = {
        "dataset": ", ".join(args.tub),
        "records": len(labels),
        "seed": args.seed,
        "epochs": args.epochs,
        "val_loss": val_loss,
        "val_steering_mae": val_mae,
        "trained_with": "scripts/train.py " + shlex.join(argv),
        "torch": torch.__version__,
    }
    yaml_path = export_onnx.write_metadata(
        args.out, info, architecture=f"donkey_{args.type}",
        categorical=categorical.metadata_block(args.heads) if args.heads else "")
    print(f"wrote {args.out} and {yaml_path} (val_loss {val_loss:.5f}, "
          f"val_steering_mae {val_mae:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
