//! `tanba client stats`: an owner's stock now and its flows by day and by product, as JSON or
//! as tables. The server answers rows of (day, product, flow); people read them pivoted, a
//! column per flow, so both formats print the pivot.

use std::collections::BTreeMap;

use clap::Args;
use serde_json::{Map, Value, json};
use tanba_client::Connection;
use tanba_client::statistics::StatisticsQuery;
use tanba_proto::v1 as pb;
use tanba_types::{Date, Gtin, TaxpayerId};

/// The flows, in the order the columns show them (the server's names).
const FLOWS: [&str; 12] = [
    "issued",
    "applied",
    "introduced",
    "shipped",
    "accepted",
    "sold",
    "returned",
    "exported",
    "written_off",
    "recalled",
    "blocked",
    "unblocked",
];

/// `stats`.
#[derive(Debug, Args)]
pub struct Stats {
    /// Whose statistics (IIN/BIN); yours if not given. Any owner's for an authority, a
    /// ministry or the operator.
    #[arg(long)]
    owner: Option<TaxpayerId>,
    /// The first day (YYYY-MM-DD); 29 days before --to if not given.
    #[arg(long)]
    from: Option<Date>,
    /// The last day (YYYY-MM-DD); today if not given.
    #[arg(long)]
    to: Option<Date>,
    /// One product only.
    #[arg(long)]
    gtin: Option<Gtin>,
}

impl Stats {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let query = StatisticsQuery {
            owner: self.owner,
            from: self.from,
            to: self.to,
            gtin: self.gtin,
        };
        Ok(pivot(&connection.owner_statistics(&query).await?))
    }
}

/// The answer with its flows as a row per day and a row per product, a column per flow.
fn pivot(answer: &pb::GetOwnerStatisticsResponse) -> Value {
    let mut days: BTreeMap<&str, [u64; FLOWS.len()]> = BTreeMap::new();
    let mut products: BTreeMap<&str, [u64; FLOWS.len()]> = BTreeMap::new();
    for row in &answer.flows {
        let Some(column) = FLOWS.iter().position(|flow| *flow == row.flow) else {
            continue;
        };
        days.entry(&row.day).or_default()[column] += row.codes;
        products.entry(&row.gtin).or_default()[column] += row.codes;
    }
    let rows = |key: &str, rows: BTreeMap<&str, [u64; FLOWS.len()]>| -> Vec<Value> {
        (rows.into_iter())
            .map(|(name, counts)| {
                let mut row = Map::new();
                row.insert(key.to_owned(), json!(product_name(key, name)));
                for (flow, count) in FLOWS.iter().zip(counts) {
                    row.insert((*flow).to_owned(), json!(count));
                }
                Value::Object(row)
            })
            .collect()
    };
    let stock: Vec<Value> = (answer.stock.iter())
        .map(|row| {
            let status = match pb::WithdrawalReason::try_from(row.reason) {
                Ok(reason) if reason != pb::WithdrawalReason::Unspecified => {
                    format!("withdrawn: {}", proto_name(reason.as_str_name()))
                }
                _ => pb::CodeStatus::try_from(row.status)
                    .map(|status| proto_name(status.as_str_name()))
                    .unwrap_or_default(),
            };
            json!({
                "gtin": product_name("gtin", &row.gtin),
                "status": status,
                "codes": row.codes,
                "blocked": row.blocked,
            })
        })
        .collect();
    json!({
        "owner": answer.owner,
        "from": answer.from,
        "to": answer.to,
        "truncated": answer.truncated,
        "stock": stock,
        "days": rows("day", days),
        "products": rows("gtin", products),
    })
}

/// A product as people read it: transport packages have no GTIN.
fn product_name<'a>(key: &str, name: &'a str) -> &'a str {
    match (key, name) {
        ("gtin", "") => "transport packages",
        _ => name,
    }
}

/// `CODE_STATUS_INTRODUCED` as `introduced`.
fn proto_name(name: &str) -> String {
    let tail = ["CODE_STATUS_", "WITHDRAWAL_REASON_"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name);
    tail.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_pivot_by_day_and_product() {
        let answer = pb::GetOwnerStatisticsResponse {
            owner: "960440000012".into(),
            from: "2026-12-01".into(),
            to: "2026-12-02".into(),
            stock: vec![pb::StockRow {
                gtin: String::new(),
                status: pb::CodeStatus::Withdrawn.into(),
                reason: pb::WithdrawalReason::RetailSale.into(),
                codes: 3,
                blocked: 1,
            }],
            flows: vec![
                flow("2026-12-01", "04607112710016", "sold", 2),
                flow("2026-12-02", "04607112710016", "sold", 5),
                flow("2026-12-02", "", "shipped", 1),
            ],
            truncated: false,
        };
        let pivot = pivot(&answer);
        assert_eq!(pivot["stock"][0]["status"], "withdrawn: retail_sale");
        assert_eq!(pivot["stock"][0]["gtin"], "transport packages");
        assert_eq!(pivot["days"][1]["sold"], 5);
        assert_eq!(pivot["days"][1]["shipped"], 1);
        assert_eq!(pivot["products"][1]["sold"], 7);
        assert_eq!(pivot["products"][0]["gtin"], "transport packages");
    }

    fn flow(day: &str, gtin: &str, flow: &str, codes: u64) -> pb::FlowRow {
        pb::FlowRow {
            day: day.into(),
            gtin: gtin.into(),
            flow: flow.into(),
            codes,
        }
    }
}
