//! A seeded random source for the soak and the storm, so a failing run can be
//! replayed exactly with `--seed`.

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

/// Reproducible randomness: the same seed gives the same sequence.
#[derive(Clone, Debug)]
pub struct Rng(StdRng);

impl Rng {
    /// A generator that replays the same sequence for the same `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(StdRng::seed_from_u64(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.random()
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random()
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }

    /// True with chance `1 / n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn the_same_seed_replays_the_same_sequence() {
        let (mut a, mut b) = (Rng::new(6), Rng::new(6));
        let draws: Vec<u64> = (0..32).map(|_| a.below(1000)).collect();
        assert_eq!(draws, (0..32).map(|_| b.below(1000)).collect::<Vec<_>>());
        assert_ne!(
            draws,
            (0..32).map(|_| Rng::new(7).below(1000)).collect::<Vec<_>>()
        );
    }
}
