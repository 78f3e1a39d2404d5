//! Counting what a discontinuity can excuse: a range of k numbers holds at
//! most k messages (`docs/api.md` §4). Each missing message names the
//! announced ranges it could lie in; the most of them that can be placed
//! without putting more messages in a range than it has numbers is a
//! maximum bipartite matching (augmenting paths), and whatever is left over
//! vanished behind a gap announced too small.

/// The messages (by index into `wants`) that find no room: `room[s]` is how
/// many messages slot `s` still holds (`None`: no bound), `wants[m]` the
/// slots message `m` could be in.
pub(super) fn unplaced(room: &[Option<u64>], wants: &[Vec<usize>]) -> Vec<usize> {
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); room.len()];
    let mut left = Vec::new();
    for m in 0..wants.len() {
        let mut tried = vec![false; room.len()];
        if !place(m, room, wants, &mut held, &mut tried) {
            left.push(m);
        }
    }
    left
}

/// Put `m` in a slot with room, or make room by moving a message already
/// placed to another slot it could be in (an augmenting path).
fn place(
    m: usize,
    room: &[Option<u64>],
    wants: &[Vec<usize>],
    held: &mut [Vec<usize>],
    tried: &mut [bool],
) -> bool {
    for &slot in &wants[m] {
        if std::mem::replace(&mut tried[slot], true) {
            continue;
        }
        if room[slot].is_none_or(|n| (held[slot].len() as u64) < n) {
            held[slot].push(m);
            return true;
        }
        for k in 0..held[slot].len() {
            let other = held[slot][k];
            if place(other, room, wants, held, tried) {
                held[slot][k] = m;
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_holds_as_many_messages_as_it_has_room_for() {
        assert_eq!(unplaced(&[Some(1)], &[vec![0], vec![0], vec![0]]), [1, 2]);
    }

    #[test]
    fn an_unbounded_slot_holds_everything() {
        assert!(unplaced(&[None], &[vec![0], vec![0], vec![0]]).is_empty());
    }

    #[test]
    fn a_placed_message_moves_over_to_make_room() {
        // m0 could go in either slot and takes the first; m1 fits only there.
        assert!(unplaced(&[Some(1), Some(1)], &[vec![0, 1], vec![0]]).is_empty());
    }

    #[test]
    fn a_message_with_nowhere_to_go_is_left_over() {
        assert_eq!(unplaced(&[Some(5)], &[vec![], vec![0]]), [0]);
    }
}
