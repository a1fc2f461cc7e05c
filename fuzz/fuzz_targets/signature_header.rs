//! The `Stripe-Signature` header parser and verifier on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stripe_notify_runtime::{FixedClock, SignatureHeader, Verifier, WebhookSecret};

fuzz_target!(|header: &[u8]| {
    let _ = SignatureHeader::parse(header).map(|h| h.v1_signatures().count());
    if let Ok(secret) = WebhookSecret::new("whsec_fuzz") {
        let verifier = Verifier::new([&secret]).with_clock(FixedClock(1_700_000_000));
        let _ = verifier.verify(b"{}", Some(header));
    }
});
