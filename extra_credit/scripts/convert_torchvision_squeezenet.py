#!/usr/bin/env python3
"""Convert torchvision's SqueezeNet 1.1 weights (.pth) to the safetensors
layout extra_credit loads: the feature layers only, torchvision names
(features.0.weight, features.3.squeeze.weight, ...), float32, little-endian.

    # torchvision's file: https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth
    extra_credit/.venv/bin/python extra_credit/scripts/convert_torchvision_squeezenet.py \
        squeezenet1_1-b8a52dc0.pth squeezenet1_1_torchvision_features.safetensors
    cargo run --release -p extra_credit -- flowers17 \
        --weights squeezenet1_1_torchvision_features.safetensors --input-norm torchvision

Needs only torch (the venv made by extra_credit/setup.sh has it). The
classifier (conv10, 1000 ImageNet classes) is dropped. torchvision's weights
expect RGB in [0, 1] standardised with the ImageNet mean/std, hence
`--input-norm torchvision`; the DeepScale weights in ../shared/data/weights
expect BGR 0-255 minus (104, 117, 123), the default `--input-norm caffe`.
"""
import ctypes
import json
import struct
import sys

import torch


def features_only(state_dict):
    """The float32, contiguous feature tensors, in torchvision's order."""
    return {
        name: tensor.detach().to(torch.float32).contiguous()
        for name, tensor in state_dict.items()
        if name.startswith("features.")
    }


def write_safetensors(tensors, path):
    """safetensors: u64 header length, JSON header, then the raw data."""
    header, offset = {}, 0
    for name, t in tensors.items():
        size = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
    header["__metadata__"] = {"source": "torchvision squeezenet1_1", "input": "RGB [0,1], ImageNet mean/std"}
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for t in tensors.values():  # dicts keep insertion order
            f.write(ctypes.string_at(t.data_ptr(), t.numel() * 4))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    state = torch.load(src, map_location="cpu", weights_only=True)
    if "state_dict" in state:  # a training checkpoint rather than a bare state dict
        state = state["state_dict"]
    tensors = features_only(state)
    if "features.0.weight" not in tensors or tuple(tensors["features.0.weight"].shape) != (64, 3, 3, 3):
        sys.exit(f"{src} does not look like SqueezeNet 1.1 (features.0.weight should be 64x3x3x3)")
    write_safetensors(tensors, dst)
    count = sum(t.numel() for t in tensors.values())
    print(f"wrote {len(tensors)} tensors ({count} parameters) to {dst}; use --input-norm torchvision")


if __name__ == "__main__":
    main()
