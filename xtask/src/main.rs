//! `cargo xtask`: maintainer tasks for stripe-notify.

fn main() {}
