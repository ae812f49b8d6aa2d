//! Slack's v0 request signature: `v0=hex(HMAC_SHA256(secret, "v0:{timestamp}:{raw body}"))`.
//!
//! Pure functions only. The ingress verifies with them; the sandbox and the tests sign with them, so both sides of
//! the wire agree on one definition (checked against Slack's published example in the tests below).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from our clock before it is refused as stale (Slack's own rule).
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a request's signature was refused. None of these carries the secret or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Slack-Request-Timestamp or X-Slack-Signature header")]
    Missing,
    #[error("timestamp is not a number")]
    BadTimestamp,
    #[error("timestamp is more than five minutes away from now")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// The `X-Slack-Signature` value Slack would send for this body and timestamp.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "v0={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Checks a request as Slack signs it: the timestamp must be within five minutes of `now_unix`, and the signature
/// must match the raw body (compared in constant time).
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if (now_unix - ts).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale);
    }
    let given = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(SignatureError::Mismatch)?;
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's published example from "Verifying requests from Slack".
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const EXPECTED: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn matches_slacks_published_example() {
        assert_eq!(sign(SECRET, TS, BODY.as_bytes()), EXPECTED);
        assert_eq!(
            verify(
                SECRET,
                Some(TS),
                Some(EXPECTED),
                BODY.as_bytes(),
                1531420618 + 10
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_tampered_body_wrong_secret_and_garbage() {
        let now = 1531420618;
        let mut tampered = BODY.to_string();
        tampered.push('x');
        assert_eq!(
            verify(SECRET, Some(TS), Some(EXPECTED), tampered.as_bytes(), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("other", Some(TS), Some(EXPECTED), BODY.as_bytes(), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some("v0=zz"), BODY.as_bytes(), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some("a2114d"), BODY.as_bytes(), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, None, Some(EXPECTED), BODY.as_bytes(), now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some(TS), None, BODY.as_bytes(), now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some("soon"), Some(EXPECTED), BODY.as_bytes(), now),
            Err(SignatureError::BadTimestamp)
        );
    }

    #[test]
    fn refuses_timestamps_outside_five_minutes_either_way() {
        let ts: i64 = TS.parse().unwrap();
        let ok = |now| verify(SECRET, Some(TS), Some(EXPECTED), BODY.as_bytes(), now);
        assert_eq!(ok(ts + MAX_SKEW_SECS), Ok(()));
        assert_eq!(ok(ts - MAX_SKEW_SECS), Ok(()));
        assert_eq!(ok(ts + MAX_SKEW_SECS + 1), Err(SignatureError::Stale));
        assert_eq!(ok(ts - MAX_SKEW_SECS - 1), Err(SignatureError::Stale));
    }
}
