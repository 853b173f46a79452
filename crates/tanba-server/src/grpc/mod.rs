//! The gRPC side: one module per file of `proto/tanba/v1` (`common.proto` has no service), each
//! method a thin shell: [`begin`] the [`Call`], convert the message ([`convert`], every
//! conversion in one place), call the operation in [`crate::service`], convert its answer and
//! finish the call (which leaves the audit record). Streamed answers keep their streaming here
//! and take their authorization and reads from the service. Health and reflection are served
//! beside them.

mod audit;
mod auth;
mod cases;
mod codes;
mod convert;
mod documents;
mod emission;
mod exports;
mod feeds;
mod public;
mod registry;
mod retail;
mod services;
mod statistics;

use std::sync::Arc;

use tanba_proto::v1 as pb;
use tonic::Request;

use crate::app::{AnonymousPaid, App, Call, RequestMeta};
use crate::error::ApiError;
use crate::net::PeerAddr;

pub use convert::status_to;

/// Largest gRPC message accepted, in bytes: a 100,000-code command in its longest form.
pub const GRPC_MESSAGE_BYTES_MAX: usize = 16 << 20;

/// Largest message the anonymous services (sign-in, public check) accept: a code and a comment
/// fit many times over; a stranger gets no 16 MiB buffers.
pub const ANONYMOUS_MESSAGE_BYTES_MAX: usize = 64 * 1024;

/// How often the health service looks at the store's state.
pub const HEALTH_WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// How long a streamed answer waits for a slow reader before giving up on it.
pub const STREAM_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Messages of a streamed answer buffered ahead of a slow reader.
pub const STREAM_BUFFER_MESSAGES: usize = 4;

/// A service's handle on the app.
#[derive(Clone)]
pub struct Services {
    app: Arc<App>,
}

/// Starts a call from a gRPC request: its metadata, its peer, and the message.
fn begin<'a, T>(app: &'a App, method: &'static str, request: Request<T>) -> (Call<'a>, T) {
    let peer = request.extensions().get::<PeerAddr>().map(|peer| peer.0);
    let metadata = request.metadata();
    let text = |name: &str| {
        metadata
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let meta = RequestMeta {
        peer,
        anonymous_paid: request.extensions().get::<AnonymousPaid>().is_some(),
        session_holder: None,
        authorization: text("authorization"),
        accept_language: text("accept-language"),
        forwarded_for: crate::app::forwarded_for(
            metadata
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok()),
        ),
    };
    (app.call(method, meta), request.into_inner())
}

/// Streams what `read` finds after `after` (each item with its cursor), then each new one as
/// it is recorded, read every `interval`, until the caller goes away, stops reading for
/// [`STREAM_SEND_TIMEOUT`], or is suspended or its certificate revoked: inbox and stage
/// watches alike. The task holds the
/// app weakly (a watch never keeps a stopping server alive) and `slot` until it ends (the
/// participant's place is freed then); neither the app nor a snapshot is held across an await.
pub(crate) fn watch<T: Send + 'static>(
    app: &Arc<App>,
    slot: crate::app::StreamSlot,
    mut after: u64,
    interval: std::time::Duration,
    read: impl Fn(&App, u64) -> Result<Vec<(u64, T)>, tanba_engine::EngineError> + Send + 'static,
) -> tokio_stream::wrappers::ReceiverStream<Result<T, tonic::Status>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
    let app = Arc::downgrade(app);
    tokio::spawn(async move {
        loop {
            let found = {
                let Some(strong) = app.upgrade() else { return };
                if !strong.stream_holder_stands(&slot) {
                    return;
                }
                read(&strong, after)
            };
            let Ok(found) = found else { return };
            for (cursor, item) in found {
                after = cursor;
                let sent = tokio::time::timeout(STREAM_SEND_TIMEOUT, sender.send(Ok(item)));
                if !matches!(sent.await, Ok(Ok(()))) {
                    return;
                }
            }
            tokio::select! {
                _ = sender.closed() => return,
                _ = tokio::time::sleep(interval) => {}
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

/// The router with every Tanba service, health and reflection.
pub fn router(app: Arc<App>) -> axum::Router {
    use pb::audit_service_server::AuditServiceServer;
    use pb::auth_service_server::AuthServiceServer;
    use pb::cases_service_server::CasesServiceServer;
    use pb::codes_service_server::CodesServiceServer;
    use pb::data_export_service_server::DataExportServiceServer;
    use pb::documents_service_server::DocumentsServiceServer;
    use pb::emission_service_server::EmissionServiceServer;
    use pb::feed_service_server::FeedServiceServer;
    use pb::public_check_service_server::PublicCheckServiceServer;
    use pb::recall_service_server::RecallServiceServer;
    use pb::reference_service_server::ReferenceServiceServer;
    use pb::registry_service_server::RegistryServiceServer;
    use pb::retail_service_server::RetailServiceServer;
    use pb::state_services_service_server::StateServicesServiceServer;
    use pb::statistics_service_server::StatisticsServiceServer;

    let services = Services { app: app.clone() };
    macro_rules! limited {
        ($server:ident) => {
            limited!($server, GRPC_MESSAGE_BYTES_MAX)
        };
        ($server:ident, $decoding:expr) => {
            $server::new(services.clone())
                .max_decoding_message_size($decoding)
                .max_encoding_message_size(GRPC_MESSAGE_BYTES_MAX)
        };
    }
    let (health_reporter, health) = tonic_health::server::health_reporter();
    // The whole server (the empty name, as the health protocol says) answers SERVING while its
    // store takes writes, NOT_SERVING while it refuses them (reads still work). A weak handle:
    // the watch ends with the app.
    let watched = Arc::downgrade(&app);
    tokio::spawn(async move {
        let mut serving = None;
        while let Some(app) = watched.upgrade() {
            let now = !app.engine.store_failing();
            drop(app);
            if serving != Some(now) {
                let status = match now {
                    true => tonic_health::ServingStatus::Serving,
                    false => tonic_health::ServingStatus::NotServing,
                };
                health_reporter.set_service_status("", status).await;
                serving = Some(now);
            }
            tokio::time::sleep(HEALTH_WATCH_INTERVAL).await;
        }
    });
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(tanba_proto::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the descriptor set is built from the same protos");
    let mut routes = tonic::service::Routes::builder();
    routes
        .add_service(health)
        .add_service(reflection)
        .add_service(limited!(AuthServiceServer, ANONYMOUS_MESSAGE_BYTES_MAX))
        .add_service(limited!(RegistryServiceServer))
        .add_service(limited!(EmissionServiceServer))
        .add_service(limited!(CodesServiceServer))
        .add_service(limited!(DocumentsServiceServer))
        .add_service(limited!(RetailServiceServer))
        .add_service(limited!(
            PublicCheckServiceServer,
            ANONYMOUS_MESSAGE_BYTES_MAX
        ))
        .add_service(limited!(AuditServiceServer))
        .add_service(limited!(CasesServiceServer))
        .add_service(limited!(RecallServiceServer))
        .add_service(limited!(
            ReferenceServiceServer,
            tanba_types::limits::REFERENCE_BYTES_MAX + 1024
        ))
        .add_service(limited!(StateServicesServiceServer))
        .add_service(limited!(StatisticsServiceServer))
        .add_service(limited!(DataExportServiceServer))
        .add_service(limited!(FeedServiceServer));
    routes
        .routes()
        .into_axum_router()
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            framework_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(app, crate::app::gate))
}

/// Requests tonic refuses before any handler runs (a body that is not protobuf, a message past
/// the size limit, a method that does not exist) get the same coded, localized refusal as the
/// rest, and an audit record: tonic's own answers carry neither. tonic says which by its status
/// message; the black-box test of bad input fails if a new tonic words it differently.
async fn framework_refusals(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request.extensions().get::<PeerAddr>().map(|peer| peer.0);
    let mut meta = RequestMeta::from_headers(request.headers(), peer);
    meta.anonymous_paid = request.extensions().get::<AnonymousPaid>().is_some();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let (status, message) = grpc_status(&response);
    let error = match status.as_str() {
        "13" if message.starts_with("failed to decode") => ApiError::malformed(),
        "11" | "8" if message.contains("too large") => {
            ApiError::too_many("message bytes", GRPC_MESSAGE_BYTES_MAX)
        }
        // A caller without a valid token sent more than the gate lets through.
        _ if message.contains("length limit exceeded") => ApiError::too_many(
            "message bytes before sign-in",
            crate::app::ANONYMOUS_BODY_BYTES_MAX,
        ),
        // No such service or method: probing is worth an audit record too.
        "12" => ApiError::not_found("gRPC method"),
        _ => return response,
    };
    let mut call = app.call("gRPC (refused before decoding)", meta);
    call.note_reference(path);
    // Probing costs the anonymous rate, a token or not (once: the gate may have charged it).
    let error = call.anonymous().err().unwrap_or(error);
    let language = call.language;
    let _ = call.finish::<()>(Err(error.clone())).await;
    error.to_status(language).into_http::<axum::body::Body>()
}

/// The status tonic put in a trailers-only answer's headers (its message percent-decoded enough
/// to match on).
fn grpc_status(response: &axum::response::Response) -> (String, String) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .replace("%20", " ")
    };
    (header("grpc-status"), header("grpc-message"))
}
