//! `FeedService` (`proto/tanba/v1/feeds.proto`): a feed followed as a stream of batches, over
//! [`crate::service::feeds`].

use tanba_proto::v1 as pb;
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

use super::{Services, begin};
use crate::service::feeds::{self, FeedRequest};

/// The stream of a followed feed.
pub type FeedStream =
    std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<pb::FeedBatch, Status>> + Send>>;

#[tonic::async_trait]
impl pb::feed_service_server::FeedService for Services {
    type FollowStream = FeedStream;

    async fn follow(
        &self,
        request: Request<pb::FollowFeedRequest>,
    ) -> Result<Response<Self::FollowStream>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.FeedService/Follow", request);
        let request = FeedRequest {
            kind: message.kind,
            after: message.after,
            until: message.until,
            without_proof: message.without_proof,
        };
        let outcome = feeds::open(&mut call, request).map(|feed| {
            let batches =
                tokio_stream::wrappers::ReceiverStream::new(feeds::follow(&self.app, feed));
            Box::pin(batches.map(Ok)) as FeedStream
        });
        call.finish_grpc(outcome).await
    }
}
