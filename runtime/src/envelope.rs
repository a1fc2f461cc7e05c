//! Envelopes around events delivered over pre-authenticated channels: AWS EventBridge
//! (`detail`, a thin or a snapshot event) and Azure Event Grid (`specversion` + `data`).

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::PayloadError;

/// Just enough of a body to tell which envelope it is.
#[derive(Deserialize)]
struct EnvelopeProbe<'a> {
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
    #[serde(borrow, default)]
    specversion: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    object: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    event_type: Option<&'a RawValue>,
}

/// The event inside `body`: an EventBridge event's `detail`, an Event Grid event's `data`, or
/// the body itself when it is an event (of either style). Borrows; copies nothing.
pub fn inner_event(body: &[u8]) -> Result<&[u8], PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::invalid("the body is not UTF-8"))?;
    let probe: EnvelopeProbe<'_> = serde_json::from_str(text).map_err(|error| {
        if error.is_data() {
            PayloadError::UnrecognizedFormat
        } else {
            PayloadError::from_json(&error)
        }
    })?;
    let inner = match probe {
        EnvelopeProbe {
            detail: Some(detail), ..
        } => detail,
        EnvelopeProbe {
            specversion: Some(_),
            data,
            ..
        } => data.ok_or(PayloadError::UnrecognizedFormat)?,
        EnvelopeProbe { object: Some(_), .. }
        | EnvelopeProbe {
            event_type: Some(_), ..
        } => return Ok(body),
        _ => return Err(PayloadError::UnrecognizedFormat),
    };
    Ok(inner.get().as_bytes())
}
