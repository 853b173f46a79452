//! EPCIS 2.0's REST binding (issue 14), signed in with the same bearer tokens as the rest of
//! the API:
//!
//! - `GET /epcis/events?EQ_bizStep=...`: the events the caller may see that answer the query,
//!   as an EPCIS query document, a page at a time; the next page's address is in the `Link`
//!   header (`rel="next"`), its token opaque.
//! - `POST /epcis/capture`: a partner's EPCIS document, run as the caller's commands (all or
//!   nothing unless `GS1-Capture-Error-Behaviour: proceed`). A document that fails its checks
//!   is refused at once (400, every problem listed); otherwise the answer is `202` with the
//!   capture job, finished, at `Location`.
//! - `GET /epcis/capture/{captureID}`: the job again (its owner's or the operator's).
//!
//! Every answer carries `GS1-EPCIS-Version` and `GS1-CBV-Version`; the capture's limits are
//! announced as the binding says (`GS1-EPCIS-Capture-Limit`, `...-File-Size-Limit`).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tanba_epcis::capture::{CAPTURE_BYTES_MAX, CAPTURE_EVENTS_MAX};
use tanba_epcis::export::{query_document, timestamp};
use tanba_epcis::query::EventQuery;
use tanba_types::Language;

use crate::app::App;
use crate::error::ApiError;
use crate::http::{Origin, begin, error_response};
use crate::service::epcis::{self as service, CaptureJob, ErrorBehaviour, RefusedDocument};

/// How long a capture's body may take to arrive.
const CAPTURE_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The EPCIS and CBV versions this server speaks.
const EPCIS_VERSION: &str = "2.0.0";

/// The EPCIS routes.
pub fn router<S>(app: Arc<App>) -> axum::Router<S> {
    axum::Router::new()
        .route("/epcis/events", get(events))
        .route("/epcis/capture", post(capture))
        .route("/epcis/capture/{capture_id}", get(capture_job))
        .route("/epcis/queries", post(define_query))
        .route("/epcis/queries/{name}", get(named_query))
        .route("/epcis/queries/{name}/events", get(query_events))
        .route(
            "/epcis/queries/{name}/subscriptions",
            get(list_subscriptions).post(subscribe),
        )
        .route(
            "/epcis/queries/{name}/subscriptions/{subscription_id}",
            axum::routing::delete(unsubscribe),
        )
        .with_state(app)
}

/// The call of an EPCIS request.
fn start<'a>(
    app: &'a App,
    method: &'static str,
    headers: &HeaderMap,
    request: &Request,
) -> crate::app::Call<'a> {
    begin(app, method, headers, Origin::of(request.extensions()), None)
}

/// Finishes a call: its value answered by `ok`, a refusal as the coded JSON error; either with
/// the EPCIS versions.
async fn answer<T>(
    call: crate::app::Call<'_>,
    outcome: Result<T, ApiError>,
    ok: impl FnOnce(T) -> Response,
) -> Response {
    let language = call.language;
    versioned(match call.finish(outcome).await {
        Ok(value) => ok(value),
        Err(error) => error_response(&error, language),
    })
}

/// `status` with `body`, and `Location: location`.
fn located(status: StatusCode, body: Value, location: &str) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The versions, on every EPCIS answer.
fn versioned(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static(EPCIS_VERSION));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static(EPCIS_VERSION));
    response
}

async fn events(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let call = start(&app, "GET /epcis/events", &headers, &request);
    let raw = request.uri().query().unwrap_or_default().to_owned();
    let params = parameters(&raw);
    answer_query(
        &app,
        call,
        "SimpleEventQuery",
        "/epcis/events",
        params,
        Vec::new(),
    )
    .await
}

/// `GET /epcis/queries/{name}/events`: the caller's named query, paged as `/events` is.
async fn query_events(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(&app, "GET /epcis/queries/events", &headers, &request);
    let raw = request.uri().query().unwrap_or_default().to_owned();
    // The page's own parameters come from the URL; the query's from its definition.
    let stored = call
        .participant_with(service::readers())
        .and_then(|who| app.webhooks.query(&who.id, &name));
    let params = parameters(&raw).and_then(|paging| {
        let paging_only = paging
            .iter()
            .all(|(key, _)| key == "perPage" || key == "nextPageToken");
        paging_only
            .then_some(paging)
            .ok_or_else(|| ApiError::invalid("perPage | nextPageToken"))
    });
    let path = format!("/epcis/queries/{name}/events");
    match (stored, params) {
        (Ok(stored), Ok(paging)) => {
            answer_query(&app, call, &name, &path, Ok(paging), stored).await
        }
        (Err(error), _) | (_, Err(error)) => {
            answer::<()>(call, Err(error), |()| unreachable!()).await
        }
    }
}

/// Answers a query: `stored` parameters (a named query's) and the URL's `params`, a page of
/// the events as an EPCIS query document, the next page's address in the `Link` header.
async fn answer_query(
    app: &App,
    mut call: crate::app::Call<'_>,
    query_name: &str,
    path: &str,
    params: Result<Vec<(String, String)>, ApiError>,
    stored: Vec<(String, String)>,
) -> Response {
    let language = call.language;
    // Signed in before the parameters are read: a stranger's query costs nothing.
    let outcome = async {
        call.participant_with(service::readers())?;
        let params = params?;
        let all = stored.iter().chain(&params);
        let query =
            EventQuery::from_params(all.map(|(name, value)| (name.as_str(), value.as_str())))
                .map_err(|error| query_error(&error))?;
        let page = service::events(&mut call, query).await?;
        Ok((page, params))
    }
    .await;
    let now_ms = app.now_ms();
    let response = match call.finish(outcome).await {
        Ok((page, params)) => {
            let mut response = (
                [(header::CONTENT_TYPE, "application/ld+json")],
                axum::Json(query_document(query_name, page.events, now_ms)),
            )
                .into_response();
            if let Some(next) = page.next {
                let link = format!(
                    "<{path}?{}>; rel=\"next\"",
                    next_query(&params, &next.token())
                );
                if let Ok(value) = HeaderValue::from_str(&link) {
                    response.headers_mut().insert(header::LINK, value);
                }
            }
            response
        }
        Err(error) => error_response(&error, language),
    };
    versioned(response)
}

/// The query string's parameters, in order.
fn parameters(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw).map_err(|_| ApiError::malformed())
}

/// The same parameters, with the next page's token instead of this one's.
fn next_query(params: &[(String, String)], token: &str) -> String {
    let mut next: Vec<(&str, &str)> = params
        .iter()
        .filter(|(name, _)| name != "nextPageToken")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    next.push(("nextPageToken", token));
    serde_urlencoded::to_string(next).unwrap_or_default()
}

fn query_error(error: &tanba_epcis::query::QueryError) -> ApiError {
    ApiError::localized(
        crate::error::ErrorKind::InvalidArgument,
        &QueryRefusal(error),
    )
}

/// A query's refusal, as the messages name it.
struct QueryRefusal<'a>(&'a tanba_epcis::query::QueryError);

impl tanba_types::Localized for QueryRefusal<'_> {
    fn code(&self) -> &'static str {
        self.0.code()
    }
    fn detail(&self) -> Option<String> {
        Some(self.0.detail())
    }
}

async fn capture(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let mut call = start(&app, "POST /epcis/capture", &headers, &request);
    let language = call.language;
    let behaviour = ErrorBehaviour::parse(
        headers
            .get("GS1-Capture-Error-Behaviour")
            .and_then(|value| value.to_str().ok()),
    );
    // Signed in before a byte of the body is read: a stranger's capture costs nothing.
    let outcome = match (
        call.participant_with(service::CAPTURING_ROLES),
        behaviour,
        is_json(&headers),
    ) {
        (Err(error), _, _) | (_, Err(error), _) => Err(error),
        (Ok(_), Ok(_), false) => Err(ApiError::unsupported_media(
            "application/json, application/ld+json",
        )),
        // A place among the captures under way is taken before the body is read: past
        // CAPTURES_IN_FLIGHT_MAX, no more 4 MiB bodies wait in memory.
        (Ok(who), Ok(behaviour), true) => match app.epcis.captures.try_acquire() {
            Err(_) => Err(ApiError::rate_limited()),
            Ok(_capturing) => match read_capture(request).await {
                Ok(body) => service::capture(&mut call, &who, body, behaviour).await,
                Err(error) => Err(error),
            },
        },
    };
    let response = match call.finish(outcome).await {
        Ok(Ok(job)) => {
            let location = format!("/epcis/capture/{}", job.id);
            located(StatusCode::ACCEPTED, job_json(&job), &location)
        }
        Ok(Err(refused)) => refused_response(&refused, language),
        Err(error) => error_response(&error, language),
    };
    let mut response = versioned(response);
    let limits = response.headers_mut();
    limits.insert(
        "GS1-EPCIS-Capture-Limit",
        HeaderValue::from(CAPTURE_EVENTS_MAX),
    );
    limits.insert(
        "GS1-EPCIS-Capture-File-Size-Limit",
        HeaderValue::from(CAPTURE_BYTES_MAX),
    );
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
                || essence.eq_ignore_ascii_case("application/ld+json")
        })
}

/// The body, up to one byte past [`CAPTURE_BYTES_MAX`] (so that the check names the size),
/// within [`CAPTURE_READ_TIMEOUT`].
async fn read_capture(request: Request) -> Result<Vec<u8>, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|bytes| bytes > CAPTURE_BYTES_MAX as u64) {
        return Err(ApiError::too_many("body bytes", CAPTURE_BYTES_MAX));
    }
    let read = axum::body::to_bytes(request.into_body(), CAPTURE_BYTES_MAX);
    match tokio::time::timeout(CAPTURE_READ_TIMEOUT, read).await {
        Err(_) => Err(ApiError::invalid("body (not sent in time)")),
        Ok(Ok(bytes)) => Ok(bytes.to_vec()),
        Ok(Err(_)) => Err(ApiError::too_many("body bytes", CAPTURE_BYTES_MAX)),
    }
}

/// A document refused whole: the first problem as the error, and every problem.
fn refused_response(refused: &RefusedDocument, language: Language) -> Response {
    let status =
        StatusCode::from_u16(refused.error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let problems: Vec<Value> = refused.problems.iter().map(problem_json).collect();
    let body = json!({
        "error": {
            "code": refused.error.code,
            "message": refused.error.message(language),
            "problems": problems,
        }
    });
    (status, axum::Json(body)).into_response()
}

fn problem_json(failure: &service::CaptureFailure) -> Value {
    json!({
        "type": "epcisException:ValidationException",
        "title": failure.message,
        "status": 400,
        "instance": failure.pointer,
        "code": failure.code,
        "event": failure.event,
    })
}

/// A capture job as the REST binding writes it, with Tanba's particulars under `tanba:`.
fn job_json(job: &CaptureJob) -> Value {
    json!({
        "captureID": job.id.to_string(),
        "createdAt": timestamp(job.created_ms),
        "finishedAt": timestamp(job.finished_ms),
        "running": false,
        "success": job.success(),
        "captureErrorBehaviour": job.behaviour.name(),
        "errors": job.failures.iter().map(problem_json).collect::<Vec<_>>(),
        "tanba:events": job.events,
        "tanba:done": job.done,
        "tanba:failuresTotal": job.failures_total,
        "tanba:firstSequence": job.sequences.map(|(first, _)| first),
        "tanba:lastSequence": job.sequences.map(|(_, last)| last),
    })
}

async fn capture_job(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(&app, "GET /epcis/capture", &headers, &request);
    // Signed in first: whether a job exists is nobody's to learn before that.
    let outcome = call.participant().and_then(|_| {
        let id = id
            .parse::<u64>()
            .map_err(|_| ApiError::not_found("capture job"))?;
        service::capture_job(&mut call, id)
    });
    answer(call, outcome, |job| {
        axum::Json(job_json(&job)).into_response()
    })
    .await
}

/// A named query's definition (`POST /epcis/queries`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryDefinition {
    name: String,
    query: Value,
}

/// `POST /epcis/queries`: names a query of the caller's (its parameters checked now).
async fn define_query(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(&app, "POST /epcis/queries", &headers, &request);
    let outcome = async {
        let who = call.participant_with(service::readers())?;
        let definition: QueryDefinition = read_small_json(&headers, request).await?;
        let params = tanba_epcis::query::params_from_json(&definition.query)
            .map_err(|error| query_error(&error))?;
        EventQuery::from_params(
            params
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        )
        .map_err(|error| query_error(&error))?;
        call.note_reference(format!("epcis query {}", definition.name));
        app.webhooks
            .define_query(who.id, &definition.name, params)?;
        Ok(definition.name)
    }
    .await;
    answer(call, outcome, |name| {
        let location = format!("/epcis/queries/{name}");
        located(StatusCode::CREATED, json!({ "name": name }), &location)
    })
    .await
}

/// A subscription asked for (`POST /epcis/queries/{name}/subscriptions`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SubscriptionRequest {
    dest: String,
    signature_token: String,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    report_if_empty: bool,
    schedule: Option<Value>,
}

/// `POST /epcis/queries/{name}/subscriptions`: the caller's URL gets each new event of its
/// query, signed (streaming only: scheduled queries are not offered).
async fn subscribe(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(
        &app,
        "POST /epcis/queries/subscriptions",
        &headers,
        &request,
    );
    let outcome = async {
        let who = call.participant_with(service::readers())?;
        // Whose query it names first: a stranger's or a missing name is not there (404).
        app.webhooks.query(&who.id, &name)?;
        let asked: SubscriptionRequest = read_small_json(&headers, request).await?;
        if !asked.stream || asked.schedule.is_some() || asked.report_if_empty {
            return Err(ApiError::invalid(
                "stream (only streaming subscriptions are offered)",
            ));
        }
        call.note_reference(format!("epcis subscription to {name}"));
        let head = app.engine.head().sequence;
        app.webhooks.subscribe(
            who.id,
            &name,
            &asked.dest,
            &asked.signature_token,
            app.now_ms(),
            head,
        )
    }
    .await;
    answer(call, outcome, |subscription| {
        let location = format!("/epcis/queries/{name}/subscriptions/{}", subscription.id);
        located(
            StatusCode::CREATED,
            subscription_json(&subscription),
            &location,
        )
    })
    .await
}

/// A subscription as the caller sees it (never its token).
fn subscription_json(subscription: &crate::webhooks::Subscription) -> Value {
    json!({
        "subscriptionID": subscription.id.to_string(),
        "queryName": subscription.query,
        "dest": subscription.dest,
        "stream": true,
        "createdAt": timestamp(subscription.created_ms),
        "tanba:failures": subscription.failures,
        "tanba:suspended": subscription.suspended,
        "tanba:lastError": subscription.last_error,
    })
}

/// `GET /epcis/queries/{name}/subscriptions`: the caller's subscriptions to its query.
async fn list_subscriptions(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(&app, "GET /epcis/queries/subscriptions", &headers, &request);
    let outcome = call
        .participant_with(service::readers())
        .and_then(|who| app.webhooks.subscriptions(&who.id, &name));
    answer(call, outcome, |found| {
        axum::Json(found.iter().map(subscription_json).collect::<Vec<_>>()).into_response()
    })
    .await
}

/// `DELETE /epcis/queries/{name}/subscriptions/{id}`: ends one of the caller's subscriptions.
async fn unsubscribe(
    State(app): State<Arc<App>>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(
        &app,
        "DELETE /epcis/queries/subscriptions",
        &headers,
        &request,
    );
    let outcome = call.participant_with(service::readers()).and_then(|who| {
        let id = id
            .parse::<u64>()
            .map_err(|_| ApiError::not_found("subscription"))?;
        app.webhooks.unsubscribe(&who.id, &name, id)
    });
    answer(call, outcome, |()| StatusCode::NO_CONTENT.into_response()).await
}

/// A small JSON body (a query's definition, a subscription): JSON, at most
/// [`crate::http::HTTP_BODY_BYTES_MAX`], of the shape `T`.
async fn read_small_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    request: Request,
) -> Result<T, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::unsupported_media("application/json"));
    }
    let read = axum::body::to_bytes(request.into_body(), crate::http::HTTP_BODY_BYTES_MAX);
    let bytes = match tokio::time::timeout(CAPTURE_READ_TIMEOUT, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return Err(ApiError::too_many(
                "body bytes",
                crate::http::HTTP_BODY_BYTES_MAX,
            ));
        }
        Err(_) => return Err(ApiError::invalid("body (not sent in time)")),
    };
    serde_json::from_slice(&bytes).map_err(|_| ApiError::invalid("body"))
}

/// `GET /epcis/queries/{name}`: one of the caller's named queries, as defined.
async fn named_query(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let mut call = start(&app, "GET /epcis/queries", &headers, &request);
    let outcome = call
        .participant_with(service::readers())
        .and_then(|who| app.webhooks.query(&who.id, &name));
    answer(call, outcome, |params| {
        let query: serde_json::Map<String, Value> = params
            .into_iter()
            .map(|(key, value)| (key, Value::String(value)))
            .collect();
        axum::Json(json!({ "name": name, "query": query })).into_response()
    })
    .await
}
