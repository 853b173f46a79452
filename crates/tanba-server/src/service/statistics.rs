//! Owners' statistics (R-IS-14): the engine's kept counters, read for the owner itself or for a
//! supervising role, over a period that defaults to the last 30 days.

use tanba_engine::statistics::{self, OwnerStatistics};
use tanba_types::{Date, Gtin, TaxpayerId};

use super::{may_read, read_blocking};
use crate::app::Call;
use crate::error::ApiError;

/// Days a period covers when the caller names no start (today included).
pub const DEFAULT_PERIOD_DAYS: u32 = 30;

/// What a caller asks: whose statistics (`None`: its own), over which days (`None`: the
/// defaults), of which product (`None`: all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatisticsAsk {
    /// The owner.
    pub owner: Option<TaxpayerId>,
    /// The first day.
    pub from: Option<Date>,
    /// The last day.
    pub to: Option<Date>,
    /// One product.
    pub gtin: Option<Gtin>,
}

/// An owner's statistics as answered: whose, the period counted, the figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsAnswer {
    /// The owner.
    pub owner: TaxpayerId,
    /// The first day counted.
    pub from: Date,
    /// The last day counted.
    pub to: Date,
    /// Stock and flows.
    pub figures: OwnerStatistics,
}

/// An owner's stock now and flows over the period asked: the caller's own, or any owner's for
/// an authority, a ministry or the operator.
pub async fn owner_statistics(
    call: &mut Call<'_>,
    ask: StatisticsAsk,
) -> Result<StatisticsAnswer, ApiError> {
    let who = call.participant()?;
    let owner = ask.owner.unwrap_or(who.id);
    call.note_reference(owner);
    if !may_read(&who, &owner) {
        return Err(ApiError::forbidden(
            "the owner | authority | ministry | operator",
        ));
    }
    let to = ask
        .to
        .unwrap_or_else(|| Date::from_unix_ms_in_kz(call.app().now_ms()));
    let from = ask.from.unwrap_or_else(|| {
        Date::from_days_since_epoch(to.days_since_epoch() - (DEFAULT_PERIOD_DAYS as i32 - 1))
    });
    let gtin = ask.gtin;
    let figures = read_blocking(call, move |snapshot| {
        Ok(statistics::owner_statistics(
            snapshot,
            &owner,
            from,
            to,
            gtin.as_ref(),
        )?)
    })
    .await?;
    Ok(StatisticsAnswer {
        owner,
        from,
        to,
        figures,
    })
}
