//! Work on one's goods in the browser: codes reported applied (printed and stuck on), goods
//! introduced into circulation (own production, import, from the EAEU), packed into packages
//! and unpacked, and a file of packages (a parent and a child per line) aggregated as a
//! [job](super::jobs) whose page shows its progress. Each operation is the service's, as over
//! gRPC: the engine decides, the call is rate-limited and audited.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_types::{Introduction, Language, Role};

use super::jobs::Progress;
use super::{Form, Frame, GoTo, Visit};
use crate::app::{App, Call, RequestMeta};
use crate::error::ApiError;
use crate::service::codes::{self, Applied};

/// Largest file of packages, in bytes.
pub const AGGREGATION_FILE_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Largest upload of the file's form (the file and the form's few other fields).
pub const AGGREGATION_UPLOAD_BYTES_MAX: usize = AGGREGATION_FILE_BYTES_MAX + 64 * 1024;
/// Most packages one file makes.
pub const AGGREGATION_FILE_PACKAGES_MAX: usize = 20_000;
/// How often a running job's page reloads, in seconds.
pub const JOB_REFRESH_SECONDS: u32 = 2;
/// How long a job waits when its participant's rate is spent, before trying the step again.
pub const JOB_RATE_WAIT: Duration = Duration::from_millis(500);
/// Times a job tries one step that the rate holds back before counting it refused.
pub const JOB_RATE_TRIES_MAX: u32 = 120;

#[derive(askama::Template)]
#[template(path = "console/goods.html")]
struct GoodsPage {
    frame: Frame,
    csrf: String,
    done: Option<String>,
    may_introduce: bool,
    file_line: String,
}

fn goods_page(
    visit: &Visit,
    call: &mut Call<'_>,
    done: Option<&str>,
) -> Result<GoodsPage, ApiError> {
    let who = call.participant()?;
    let frame = visit.signed_in_frame("goods", &who);
    let file_line = frame
        .words
        .count("goods-file-max", AGGREGATION_FILE_PACKAGES_MAX as u64);
    Ok(GoodsPage {
        csrf: visit.csrf().to_owned(),
        done: done.map(|id| frame.t(id)),
        may_introduce: who.has_role(Role::Producer) || who.has_role(Role::Importer),
        file_line,
        frame,
    })
}

/// `GET /console/goods`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| goods_page(visit, call, None);
    super::serve(&app, &headers, request, "GET /console/goods", work).await
}

/// An optional date field (`YYYY-MM-DD`), blank for none.
fn optional_date(form: &Form, name: &str) -> Result<Option<tanba_types::Date>, ApiError> {
    match form.field(name).trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| ApiError::invalid(name)),
    }
}

/// `POST /console/goods/{operation}`: `applied`, `introduce`, `aggregate` or `disaggregate`.
pub async fn operate(
    State(app): State<Arc<App>>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let codes = super::scanned_lines(form.field("codes"));
        let done = match operation.as_str() {
            "applied" => {
                let applied = applied(&form);
                codes::report_applied(call, &codes, applied).await?;
                "goods-applied-done"
            }
            "introduce" => {
                codes::introduce(call, &codes, introduction(&form)?).await?;
                "goods-introduced-done"
            }
            "aggregate" => {
                codes::aggregate(call, form.field("parent").trim(), &codes).await?;
                "goods-aggregated-done"
            }
            "disaggregate" => {
                codes::disaggregate(call, &codes).await?;
                "goods-disaggregated-done"
            }
            other => return Err(ApiError::not_found(other.to_owned())),
        };
        goods_page(visit, call, Some(done))
    };
    super::serve_form(
        &app,
        &headers,
        request,
        "POST /console/goods/{operation}",
        work,
    )
    .await
}

fn applied(form: &Form) -> Result<Applied, ApiError> {
    Ok(Applied {
        production_date: optional_date(form, "production_date")?
            .ok_or_else(|| ApiError::invalid("production_date"))?,
        expiry_date: optional_date(form, "expiry_date")?,
        batch: Some(form.field("batch").trim().to_owned()).filter(|batch| !batch.is_empty()),
    })
}

fn introduction(form: &Form) -> Result<Introduction, ApiError> {
    let text = |name: &str| form.field(name).trim().to_owned();
    match form.field("how") {
        "own" => Ok(Introduction::OwnProduction),
        "import" => Ok(Introduction::Import {
            customs_declaration: text("customs_declaration"),
        }),
        "eaeu" => Ok(Introduction::EaeuReceipt {
            from_country: text("from_country"),
            document_number: text("document_number"),
            seller_taxpayer: Some(text("seller_taxpayer")).filter(|number| !number.is_empty()),
            document_date: optional_date(form, "document_date")?,
        }),
        _ => Err(ApiError::invalid("how")),
    }
}

/// The packages of a file: each line a parent and a child, split by a comma, a semicolon or a
/// tab; blank lines and lines starting with `#` skipped; children kept in the order given,
/// parents in the order first named.
pub fn packages(text: &str) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    let mut packages: Vec<(String, Vec<String>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (parent, child) = line
            .split_once([',', ';', '\t'])
            .map(|(parent, child)| (parent.trim(), child.trim()))
            .filter(|(parent, child)| !parent.is_empty() && !child.is_empty())
            .ok_or_else(|| ApiError::invalid(&format!("file line {}", number + 1)))?;
        let at = *index.entry(parent.to_owned()).or_insert_with(|| {
            packages.push((parent.to_owned(), Vec::new()));
            packages.len() - 1
        });
        packages[at].1.push(child.to_owned());
        if packages.len() > AGGREGATION_FILE_PACKAGES_MAX {
            return Err(ApiError::too_many(
                "packages",
                AGGREGATION_FILE_PACKAGES_MAX,
            ));
        }
    }
    if packages.is_empty() {
        return Err(ApiError::invalid("file"));
    }
    Ok(packages)
}

/// The file form's CSRF token and file, read within [`AGGREGATION_FILE_BYTES_MAX`].
async fn read_upload(request: Request) -> Result<(String, Vec<u8>), ApiError> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiError::malformed())?;
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::malformed())?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| ApiError::malformed())?,
            Some("file") => {
                while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::malformed())? {
                    if file.len() + chunk.len() > AGGREGATION_FILE_BYTES_MAX {
                        return Err(ApiError::too_many("file bytes", AGGREGATION_FILE_BYTES_MAX));
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// `POST /console/goods/aggregation` (a file): starts the job that makes its packages, one
/// call each, and shows its page.
pub async fn aggregation(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let who = call.participant()?;
        let (csrf, file) = read_upload(request).await?;
        visit.check_csrf(&csrf)?;
        let text = String::from_utf8(file).map_err(|_| ApiError::invalid("file"))?;
        let packages = packages(&text)?;
        let id = app.console_jobs.start(who.id, packages.len())?;
        run_job(app.clone(), visit.meta(), visit.language, id, packages);
        Ok(GoTo(format!("/console/goods/jobs/{id}")))
    };
    super::serve(
        &app,
        &headers,
        request,
        "POST /console/goods/aggregation",
        work,
    )
    .await
}

/// Makes the packages one after another, each its own call as the participant.
fn run_job(
    app: Arc<App>,
    meta: RequestMeta,
    language: Language,
    id: u64,
    packages: Vec<(String, Vec<String>)>,
) {
    tokio::spawn(async move {
        for (parent, children) in packages {
            let refusal = aggregate_one(&app, &meta, language, &parent, &children).await;
            app.console_jobs
                .step(id, refusal.map(|message| (parent, message)));
        }
        app.console_jobs.finish(id);
    });
}

/// One package of a job, waiting while the participant's rate is spent; the refusal's words if
/// it was refused.
async fn aggregate_one(
    app: &App,
    meta: &RequestMeta,
    language: Language,
    parent: &str,
    children: &[String],
) -> Option<String> {
    for _ in 0..JOB_RATE_TRIES_MAX {
        let mut call = app.call("POST /console/goods/aggregation (package)", meta.clone());
        call.set_language(language);
        let outcome = codes::aggregate(&mut call, parent, children).await;
        match call.finish(outcome).await {
            Ok(_) => return None,
            Err(error) if error.code == "TANBA-SERVER-RATE-LIMITED" => {
                tokio::time::sleep(JOB_RATE_WAIT).await;
            }
            Err(error) => return Some(error.message(language)),
        }
    }
    Some(ApiError::rate_limited().message(language))
}

#[derive(askama::Template)]
#[template(path = "console/job.html")]
struct JobPage {
    frame: Frame,
    id: u64,
    progress: Progress,
    line: String,
    refresh_seconds: Option<u32>,
}

/// `GET /console/goods/jobs/{id}`: a job's progress (its owner's only).
pub async fn job(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let progress = (app.console_jobs.progress(id, &who.id))
            .ok_or_else(|| ApiError::not_found(format!("job {id}")))?;
        let frame = visit.signed_in_frame("goods", &who);
        let line = frame.words.with(
            "job-progress",
            &[
                ("done", &frame.words.number(progress.done as u64)),
                ("total", &frame.words.number(progress.total as u64)),
                ("refused", &frame.words.number(progress.refused as u64)),
            ],
        );
        Ok(JobPage {
            id,
            refresh_seconds: (!progress.finished).then_some(JOB_REFRESH_SECONDS),
            progress,
            line,
            frame,
        })
    };
    super::serve(
        &app,
        &headers,
        request,
        "GET /console/goods/jobs/{id}",
        work,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_packages_reads_by_parent_in_order() {
        let text = "# parent,child\nP1,C1\r\nP2;C3\n\nP1\tC2\n";
        let read = packages(text).unwrap();
        assert_eq!(
            read,
            vec![
                ("P1".to_owned(), vec!["C1".to_owned(), "C2".to_owned()]),
                ("P2".to_owned(), vec!["C3".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number_and_nothing_starts() {
        let error = packages("P1,C1\nP2\n").unwrap_err();
        assert!(format!("{error:?}").contains("file line 2"), "{error:?}");
        assert!(packages("").is_err());
        assert!(packages("P1,").is_err());
    }

    #[test]
    fn a_file_of_too_many_packages_is_refused() {
        let text: String = (0..=AGGREGATION_FILE_PACKAGES_MAX)
            .map(|index| format!("P{index},C{index}\n"))
            .collect();
        assert_eq!(packages(&text).unwrap_err().code, "TANBA-SERVER-TOO-MANY");
    }
}
