//! Any body, with or without a token, to every route of the JSON API that reads one: decoded
//! (size cut, content type, unknown fields, every field's rule) and judged without a panic or a
//! fault of the server, and every refusal coded. The first byte picks the route, the second the
//! caller (anonymous or one of the signed-in cast), the third the content type; the rest is the
//! body.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;

const ROUTES: [&str; 7] = [
    "/v1/check",
    "/v1/reports",
    "/v1/auth/challenge",
    "/v1/auth/sign-in",
    "/v1/till/check",
    "/v1/till/receipts",
    "/v1/till/returns",
];
const CONTENT_TYPES: [&str; 4] = [
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
];

fuzz_target!(|data: &[u8]| {
    let [route, caller, content_type, body @ ..] = data else {
        return;
    };
    let door = tanba_fuzz::door();
    let mut request = Request::post(ROUTES[usize::from(*route) % ROUTES.len()]).header(
        "content-type",
        CONTENT_TYPES[usize::from(*content_type) % CONTENT_TYPES.len()],
    );
    if let Some(token) = door.caller(*caller) {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let answer = door.http(request.body(Body::from(body.to_vec())).expect("a request"));
    if answer.status.is_success() {
        serde_json::from_slice::<serde_json::Value>(&answer.body).expect("an answer is JSON");
    }
});
