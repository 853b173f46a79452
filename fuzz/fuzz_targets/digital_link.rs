//! Any path under the Digital Link routes and any `code` of the public check, as a phone or a
//! browser sends it: routed, percent-decoded, parsed and judged without a panic or a fault of the
//! server, answered as a page or as JSON as asked. The first byte picks the door (a Digital Link
//! path, `/v1/check?code=`, `/check?code=`) and what the caller accepts; the rest is the text.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;

const ACCEPTS: [&str; 3] = ["text/html", "application/json", "*/*"];

fuzz_target!(|data: &[u8]| {
    let [pick, text @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let query: String = url_encoded(text);
    let uri = match pick % 3 {
        // As the phone's scanner gives it: a path that may not even be a valid URI.
        0 => format!("/{}", text.trim_start_matches('/')),
        1 => format!("/v1/check?code={query}"),
        _ => format!("/check?code={query}"),
    };
    let Ok(request) = Request::get(uri)
        .header("accept", ACCEPTS[usize::from(pick / 3) % ACCEPTS.len()])
        .body(Body::empty())
    else {
        return;
    };
    let answer = tanba_fuzz::door().http(request);
    if answer.status.is_success() {
        let content_type = answer.headers.get("content-type").expect("a content type");
        assert!(!content_type.is_empty());
    }
});

/// Every byte but the unreserved ones percent-encoded, as a form would send it.
fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
