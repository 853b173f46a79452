//! Owners' statistics (`StatisticsService`): stock now and flows by day, for the caller or, for
//! a supervising role, any owner.

use tanba_proto::v1 as pb;
use tanba_types::{Date, Gtin, TaxpayerId};

use crate::wire::optional_id;
use crate::{ClientError, Connection};

/// Whose statistics, over which days, of which product (every `None` is the server's default:
/// the caller, the 30 days up to today, every product).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatisticsQuery {
    /// The owner.
    pub owner: Option<TaxpayerId>,
    /// The first day.
    pub from: Option<Date>,
    /// The last day.
    pub to: Option<Date>,
    /// One product.
    pub gtin: Option<Gtin>,
}

impl Connection {
    /// An owner's stock now and its flows over a period.
    pub async fn owner_statistics(
        &self,
        query: &StatisticsQuery,
    ) -> Result<pb::GetOwnerStatisticsResponse, ClientError> {
        let text = |value: Option<String>| value.unwrap_or_default();
        let request = pb::GetOwnerStatisticsRequest {
            owner: optional_id(query.owner),
            from: text(query.from.map(|day| day.to_string())),
            to: text(query.to.map(|day| day.to_string())),
            gtin: text(query.gtin.map(|gtin| gtin.to_string())),
        };
        Ok(self
            .statistics()
            .get_owner_statistics(request)
            .await?
            .into_inner())
    }
}
