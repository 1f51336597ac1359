//! Mini-batches gathered on a second thread, one step ahead of training.
//!
//! Copying a batch's rows out of the dataset (44 MB for NIST36, so in the
//! last-level cache at best) was an eighth of a classifier epoch, time in
//! which the training thread did no arithmetic. A helper thread now gathers
//! the next batches while one trains; they still arrive in order, so
//! results are the same bit for bit.
//!
//! The helper never makes the training thread wait on the kernel: when the
//! queue is full it sleeps for a moment rather than blocking, because
//! waking a blocked thread costs the waker a system call, and on the
//! 2-core virtual machines it was measured on those calls cost more than
//! the copy saved (docs/performance.md).

use crate::data::gather_rows;
use crate::Scalar;
use ndarray::Array2;
use std::sync::mpsc::{sync_channel, TrySendError};
use std::time::Duration;

/// Batches gathered ahead of the one training: enough that the queue never
/// runs dry while the helper sleeps, few enough to keep memory flat.
const AHEAD: usize = 4;

/// How long the helper sleeps when the queue is full: a fraction of one
/// training step (about 0.1 ms for the classifier).
const PAUSE: Duration = Duration::from_micros(50);

/// Calls `step(b, idx, x)` for every batch in order, where `x` holds the rows
/// `idx` of `images`, gathered on a helper thread. The first error `step`
/// returns stops the loop (and the helper) and is returned.
pub fn for_each_batch<T: Scalar, E>(
    images: &Array2<f32>,
    batches: &[Vec<usize>],
    mut step: impl FnMut(usize, &[usize], Array2<T>) -> Result<(), E>,
) -> Result<(), E> {
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel(AHEAD);
        scope.spawn(move || {
            for idx in batches {
                let mut x = gather_rows::<T>(images, idx);
                loop {
                    match sender.try_send(x) {
                        Ok(()) => break,
                        Err(TrySendError::Full(back)) => {
                            x = back;
                            std::thread::sleep(PAUSE);
                        }
                        // Training stopped early: stop too.
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                }
            }
        });
        for ((b, idx), x) in batches.iter().enumerate().zip(receiver) {
            step(b, idx, x)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images() -> Array2<f32> {
        Array2::from_shape_fn((10, 3), |(i, j)| (i * 3 + j) as f32)
    }

    #[test]
    fn batches_arrive_in_order_with_their_rows() {
        let images = images();
        let batches = vec![vec![4, 1, 7], vec![0, 9], vec![3]];
        let mut seen = Vec::new();
        for_each_batch::<f64, ()>(&images, &batches, |b, idx, x| {
            assert_eq!(x, gather_rows::<f64>(&images, idx));
            seen.push((b, idx.to_vec()));
            Ok(())
        })
        .unwrap();
        let expected: Vec<_> = batches.iter().cloned().enumerate().collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn an_error_stops_the_loop_and_is_returned() {
        let images = images();
        let batches: Vec<Vec<usize>> = (0..10).map(|i| vec![i]).collect();
        let mut steps = 0;
        let result = for_each_batch::<f32, String>(&images, &batches, |b, _, _| {
            steps += 1;
            if b == 2 {
                Err(format!("stopped at {b}"))
            } else {
                Ok(())
            }
        });
        assert_eq!(result, Err("stopped at 2".to_string()));
        assert_eq!(steps, 3);
    }
}
