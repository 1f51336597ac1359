"""The classifier's training loop in PyTorch eager on CPU, for
`cargo bench --bench train_epoch`.

The same loop as gradink's `train_classifier`, written the idiomatic torch
way: nn.Sequential(Linear, Sigmoid, Linear), F.cross_entropy (mean over the
batch), autograd, torch.optim.SGD, float32, Xavier uniform weights and zero
biases, a fresh shuffle every epoch, per-batch training loss/accuracy
bookkeeping as gradink keeps it, and the same learning-rate schedule.
`--threads` intra-op threads (2 on this machine's 2 cores).

Times the training part of every epoch (the validation pass is not timed,
as in gradink). Prints one JSON line:
{"seconds": [...], "valid_acc": ..., "train_loss": [...], "torch": ...}.
"""

import time

import torch
import torch.nn.functional as F
from torch import nn

import common


def load(folder, split):
    """(images N x 1024 float32, labels N int64) from nist36_{split}.mat, as tensors."""
    images, labels = common.load_labelled(folder, split)
    return torch.from_numpy(images), torch.from_numpy(labels).long()


def main():
    p = common.parser(hidden=64, batch_size=32, lr=0.3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_train, y_train = load(a.data, "train")
    x_valid, y_valid = load(a.data, "valid")
    n, pixels = x_train.shape
    classes = int(max(y_train.max(), y_valid.max())) + 1

    model = nn.Sequential(nn.Linear(pixels, a.hidden), nn.Sigmoid(), nn.Linear(a.hidden, classes))
    for layer in (model[0], model[2]):
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)

    seconds, train_loss = [], []
    for epoch in range(a.epochs):
        for group in opt.param_groups:
            group["lr"] = common.rate(a.lr, a.schedule, epoch, a.epochs)
        started = time.perf_counter()
        order = torch.randperm(n)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, a.batch_size):
            idx = order[start:start + a.batch_size]
            x, y = x_train[idx], y_train[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # bookkeeping, as gradink keeps it
            loss_sum += loss.item() * len(idx)
            correct += int((logits.detach().argmax(dim=1) == y).sum())
        seconds.append(time.perf_counter() - started)
        train_loss.append(loss_sum / n)

    with torch.no_grad():
        valid_acc = float((model(x_valid).argmax(dim=1) == y_valid).float().mean())
    common.report(
        {
            "seconds": seconds,
            "valid_acc": valid_acc,
            "train_loss": train_loss,
            "train_acc_last_epoch": correct / n,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        }
    )


if __name__ == "__main__":
    main()
