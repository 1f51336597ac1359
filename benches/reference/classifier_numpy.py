"""The classifier's training loop in numpy, for `cargo bench --bench train_epoch`.

The same loop as gradink's `train_classifier`: 1024 -> hidden sigmoid ->
36 softmax, mean cross-entropy over the batch (log-sum-exp), backward written
by hand as in the course's numpy code, plain SGD, float32 throughout, Xavier
uniform weights and zero biases, a fresh shuffle every epoch, and per-batch
training loss/accuracy bookkeeping as gradink keeps it. The learning rate
follows the same schedule (constant, or half a cosine down to zero).

Times the training part of every epoch (the validation pass is not timed,
as in gradink). Prints one JSON line:
{"seconds": [...], "valid_acc": ..., "train_loss": [...], "blas": ...}.
"""

import argparse
import json
import math
import time

import numpy as np
import scipy.io


def load(folder, split):
    """(images N x 1024 float32, labels N int) from nist36_{split}.mat."""
    mat = scipy.io.loadmat(f"{folder}/nist36_{split}.mat")
    images = np.ascontiguousarray(mat[f"{split}_data"], dtype=np.float32)
    labels = np.asarray(mat[f"{split}_labels"]).argmax(axis=1)
    return images, labels


def rate(lr, schedule, epoch, epochs):
    if schedule == "cosine":
        return 0.5 * lr * (1.0 + math.cos(math.pi * epoch / max(epochs, 1)))
    return lr


def xavier(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(params, x):
    w1, b1, w2, b2 = params
    return sigmoid(x @ w1 + b1) @ w2 + b2


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: i.get(k) for k in ("internal_api", "architecture", "num_threads")}
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ]
    except ImportError:
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with nist36_{train,valid}.mat")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.3)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="cosine")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    x_train, y_train = load(a.data, "train")
    x_valid, y_valid = load(a.data, "valid")
    n, pixels = x_train.shape
    classes = int(max(y_train.max(), y_valid.max())) + 1
    onehot = np.eye(classes, dtype=np.float32)[y_train]

    rng = np.random.default_rng(a.seed)
    params = [
        xavier(rng, pixels, a.hidden),
        np.zeros((1, a.hidden), np.float32),
        xavier(rng, a.hidden, classes),
        np.zeros((1, classes), np.float32),
    ]

    seconds, train_loss = [], []
    for epoch in range(a.epochs):
        lr = np.float32(rate(a.lr, a.schedule, epoch, a.epochs))
        started = time.perf_counter()
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, a.batch_size):
            idx = order[start:start + a.batch_size]
            x, y = x_train[idx], onehot[idx]
            w1, b1, w2, b2 = params
            # forward
            h = sigmoid(x @ w1 + b1)
            logits = h @ w2 + b2
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            log_probs = shifted - log_sum_exp
            loss = -(y * log_probs).sum() / len(idx)
            # backward: d logits = (softmax - onehot) / rows
            d2 = (np.exp(log_probs) - y) / np.float32(len(idx))
            d1 = (d2 @ w2.T) * h * (1.0 - h)
            grads = (x.T @ d1, d1.sum(0, keepdims=True), h.T @ d2, d2.sum(0, keepdims=True))
            for q, g in zip(params, grads):
                q -= lr * g
            # bookkeeping, as gradink keeps it
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(axis=1) == y_train[idx]).sum())
        seconds.append(time.perf_counter() - started)
        train_loss.append(loss_sum / n)

    valid_acc = float((predict(params, x_valid).argmax(axis=1) == y_valid).mean())
    print(
        json.dumps(
            {
                "seconds": seconds,
                "valid_acc": valid_acc,
                "train_loss": train_loss,
                "train_acc_last_epoch": correct / n,
                "numpy": np.__version__,
                "blas": blas_info(),
            }
        )
    )


if __name__ == "__main__":
    main()
