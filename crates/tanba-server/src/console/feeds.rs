//! The feeds page (R-IS-05, R-IS-06, R-IS-12): for a ministry (or an authority, or the
//! operator) the feeds its roles may follow with their addresses, the log's head and last
//! signed checkpoint (its signature checked against the operator's public keys and its hash
//! against the log), and the feeds it follows now on this node: position, lag behind the head,
//! the last checkpoint sent. The operator sees every follower.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_log::{FeedKind, FeedName};
use tanba_types::Role;

use super::{Frame, Visit};
use crate::app::{App, Call};
use crate::service::feeds::readers;

/// A feed the participant may follow.
struct FeedRow {
    name: &'static str,
    path: String,
}

/// A feed followed now.
struct FollowerRow {
    feed: &'static str,
    participant: String,
    opened: String,
    position: String,
    lag: String,
    checkpoint_sent: String,
    last_sent: String,
}

#[derive(askama::Template)]
#[template(path = "console/feeds.html")]
struct FeedsPage {
    frame: Frame,
    feeds: Vec<FeedRow>,
    head: String,
    checkpoint: Option<(String, String)>,
    checkpoint_verified: bool,
    followers: Vec<FollowerRow>,
}

/// Every feed, in the order the page lists them.
fn every_feed() -> impl Iterator<Item = FeedName> {
    FeedKind::ALL
        .into_iter()
        .map(FeedName::Kind)
        .chain([FeedName::All])
}

/// `GET /console/feeds`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant_with(&[Role::Ministry, Role::Authority, Role::Operator])?;
        let frame = visit.signed_in_frame("feeds", &who);
        let app = call.app();
        let words = &frame.words;
        let head = app.engine.head().sequence;
        let feeds = every_feed()
            .filter(|name| readers(*name).iter().any(|role| who.has_role(*role)))
            .map(|name| FeedRow {
                name: name.name(),
                path: format!("/v1/feeds/{}", name.name()),
            })
            .collect();
        let last = tanba_engine::feed::last_checkpoint(app.engine.snapshot().as_ref())?;
        let checkpoint_verified = last.as_ref().is_some_and(|(checkpoint, matches)| {
            *matches
                && (app.public_keys.as_ref())
                    .is_some_and(|keys| tanba_crypto::verify_checkpoint(keys, checkpoint).is_ok())
        });
        let checkpoint = last.map(|(checkpoint, _)| {
            (
                words.number(checkpoint.sequence),
                words.moment(checkpoint.time_ms),
            )
        });
        let whose = (!who.has_role(Role::Operator)).then_some(&who.id);
        let followers = (app.feed_followers.views(whose).into_iter())
            .map(|view| FollowerRow {
                feed: view.feed,
                participant: view.participant.to_string(),
                opened: words.moment(view.opened_ms),
                position: words.number(view.position),
                lag: words.number(head.saturating_sub(view.position)),
                checkpoint_sent: words.number(view.checkpoint_sent),
                last_sent: words.moment(view.last_sent_ms),
            })
            .collect();
        Ok(FeedsPage {
            feeds,
            head: words.number(head),
            checkpoint,
            checkpoint_verified,
            followers,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/feeds", work).await
}
