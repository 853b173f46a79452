//! A partner's EPCIS document and query, as they arrive: any bytes through the capture's checks
//! and mapping (size, JSON, GS1's schema, vocabularies, namespaces, identifiers), the CBV event
//! hash of every event that reads as JSON, and any URL query through the query language and
//! its moments: refused with a coded problem, never a panic. The first byte picks the door.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tanba_epcis::{capture, hash, query};

fuzz_target!(|data: &[u8]| {
    let [pick, bytes @ ..] = data else {
        return;
    };
    match pick % 3 {
        0 => {
            if let Ok(document) = capture::read(bytes) {
                let (planned, problems) = capture::plan(&document);
                assert!(planned.len() + problems.len() <= document.events.len());
            }
        }
        1 => {
            let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                return;
            };
            let _ = hash::document_event_hashes(&document);
            let _ = capture::check_beyond_schema(&document);
        }
        _ => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return;
            };
            let _ = query::parse_time(text);
            let _ = tanba_epcis::epc::canonical_digital_link(text);
            let params: Vec<(String, String)> =
                serde_urlencoded::from_str(text).unwrap_or_default();
            if let Ok(query) =
                query::EventQuery::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            {
                assert!(query.per_page >= 1 && query.per_page <= query::PAGE_EVENTS_MAX);
            }
        }
    }
});
