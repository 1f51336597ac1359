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

import time

import numpy as np

import common


def xavier(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(params, x):
    w1, b1, w2, b2 = params
    return sigmoid(x @ w1 + b1) @ w2 + b2


def main():
    a = common.parser(hidden=64, batch_size=32, lr=0.3).parse_args()

    x_train, y_train = common.load_labelled(a.data, "train")
    x_valid, y_valid = common.load_labelled(a.data, "valid")
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
        lr = np.float32(common.rate(a.lr, a.schedule, epoch, a.epochs))
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
    common.report(
        {
            "seconds": seconds,
            "valid_acc": valid_acc,
            "train_loss": train_loss,
            "train_acc_last_epoch": correct / n,
            **common.numpy_info(),
        }
    )


if __name__ == "__main__":
    main()
