//! Keeping a short list in order as items arrive, without `sort` (its code) or indexing (whose
//! bounds-check panic formats numbers, and so links core::fmt into the wasm).

/// Moves the last item of `items` toward the front past every item that `before` says it
/// should precede: with the rest already in order, the whole list then is.
pub fn settle_last<T>(items: &mut [T], before: impl Fn(&T, &T) -> bool) {
    let mut j = items.len().saturating_sub(1);
    while j > 0 {
        let (front, back) = items.split_at_mut(j);
        let (Some(prev), Some(last)) = (front.last_mut(), back.first_mut()) else {
            break;
        };
        if !before(last, prev) {
            break;
        }
        core::mem::swap(prev, last);
        j -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_arrival_settles_into_place() {
        let mut v = Vec::new();
        for x in [5, 1, 4, 1, 9, 2, 6] {
            v.push(x);
            settle_last(&mut v, |a, b| a < b);
        }
        assert_eq!(v, [1, 1, 2, 4, 5, 6, 9]);
        settle_last(&mut Vec::<u8>::new(), |a, b| a < b);
    }
}
