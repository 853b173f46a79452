//! `StatisticsService` (`proto/tanba/v1/statistics.proto`): owners' statistics over gRPC, a
//! shell over [`crate::service::statistics`].

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::statistics::{self, StatisticsAsk};

#[tonic::async_trait]
impl pb::statistics_service_server::StatisticsService for Services {
    async fn get_owner_statistics(
        &self,
        request: Request<pb::GetOwnerStatisticsRequest>,
    ) -> Result<Response<pb::GetOwnerStatisticsResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StatisticsService/GetOwnerStatistics",
            request,
        );
        let outcome = async {
            let ask = StatisticsAsk {
                owner: convert::optional_taxpayer("owner", &message.owner)?,
                from: convert::optional_date("from", &message.from)?,
                to: convert::optional_date("to", &message.to)?,
                gtin: match message.gtin.as_str() {
                    "" => None,
                    text => Some(convert::gtin("gtin", text)?),
                },
            };
            statistics::owner_statistics(&mut call, ask).await
        }
        .await
        .map(|answer| convert::statistics_to(&answer));
        call.finish_grpc(outcome).await
    }
}
