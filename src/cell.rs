//! `RefCell` as the crate uses it (`new`, `borrow`, `borrow_mut`), whose conflict panics with a
//! constant message. core's formats its `BorrowError` on that path, and that alone kept
//! `core::fmt`'s padding code in the wasm; a conflict here is a bug either way, and traps there.

use core::cell::{Cell, UnsafeCell};
use core::ops::{Deref, DerefMut};

pub struct RefCell<T> {
    /// Shared borrows outstanding, or -1 while mutably borrowed.
    state: Cell<isize>,
    value: UnsafeCell<T>,
}

pub struct Ref<'a, T> {
    cell: &'a RefCell<T>,
}

pub struct RefMut<'a, T> {
    cell: &'a RefCell<T>,
}

impl<T> RefCell<T> {
    pub const fn new(value: T) -> Self {
        RefCell {
            state: Cell::new(0),
            value: UnsafeCell::new(value),
        }
    }

    pub fn borrow(&self) -> Ref<'_, T> {
        let n = self.state.get();
        if n < 0 {
            panic!("RefCell already mutably borrowed");
        }
        self.state.set(n + 1);
        Ref { cell: self }
    }

    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        if self.state.get() != 0 {
            panic!("RefCell already borrowed");
        }
        self.state.set(-1);
        RefMut { cell: self }
    }
}

impl<T: Default> Default for RefCell<T> {
    fn default() -> Self {
        RefCell::new(T::default())
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `state` > 0 while this guard lives, so no `RefMut` exists.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> Drop for Ref<'_, T> {
    fn drop(&mut self) {
        self.cell.state.set(self.cell.state.get() - 1);
    }
}

impl<T> Deref for RefMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `state` is -1 while this guard lives: it is the only access.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> DerefMut for RefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`.
        unsafe { &mut *self.cell.value.get() }
    }
}

impl<T> Drop for RefMut<'_, T> {
    fn drop(&mut self) {
        self.cell.state.set(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_borrows_coexist_and_a_mutable_one_is_alone() {
        let c = RefCell::new(vec![1]);
        {
            let (a, b) = (c.borrow(), c.borrow());
            assert_eq!(a.len() + b.len(), 2);
        }
        c.borrow_mut().push(2);
        assert_eq!(*c.borrow(), [1, 2]);
    }

    #[test]
    #[should_panic(expected = "already borrowed")]
    fn a_mutable_borrow_while_borrowed_panics() {
        let c = RefCell::new(0);
        let _r = c.borrow();
        let _w = c.borrow_mut();
    }

    #[test]
    #[should_panic(expected = "already mutably borrowed")]
    fn a_borrow_while_mutably_borrowed_panics() {
        let c = RefCell::new(0);
        let _w = c.borrow_mut();
        let _r = c.borrow();
    }
}
