//! `tanba client` commands of emission: ordering codes and downloading them to a file, with
//! progress on a terminal (a million codes take a while to issue and to write).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};
use tanba_client::Connection;
use tanba_types::Gtin;

use super::input::{field, progress};

/// How long `order` waits for a million codes to be issued (about 10 s on two cores).
const ORDER_TIMEOUT: Duration = Duration::from_secs(600);

/// `order`.
#[derive(Debug, Args)]
pub struct Order {
    /// GTIN.
    #[arg(long)]
    gtin: String,
    /// How many (at most 1,000,000).
    #[arg(long)]
    quantity: u32,
    /// Where to write the codes, one raw code per line.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

impl Order {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let gtin: Gtin = field("gtin", self.gtin.trim())?;
        let bar = progress(u64::from(self.quantity), "issuing");
        let order = connection
            .order_and_wait(gtin, self.quantity, ORDER_TIMEOUT, |issued| {
                bar.set_position(u64::from(issued));
            })
            .await?;
        bar.finish();
        let written = download(connection, order, &self.out).await?;
        Ok(json!({ "order": order, "codes": written, "file": self.out.display().to_string() }))
    }
}

/// `download`.
#[derive(Debug, Args)]
pub struct Download {
    /// The order.
    order: u64,
    /// Where.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

impl Download {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let written = download(connection, self.order, &self.out).await?;
        Ok(json!({ "order": self.order, "codes": written, "file": self.out.display().to_string() }))
    }
}

/// `orders`.
pub async fn orders(connection: &Connection) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(connection.list_orders().await?)?)
}

/// Streams an order's codes into a new file, one raw code per line; returns how many. The
/// order is read first, so that a refusal leaves no file behind and the bar knows its length.
async fn download(connection: &Connection, order: u64, out: &Path) -> anyhow::Result<u64> {
    let state = connection.get_order(order).await?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .with_context(|| format!("creating {} (never replaced)", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let bar = progress(u64::from(state.issued), "downloading");
    let mut written = 0;
    connection
        .download(order, |page| {
            for code in page {
                writer.write_all(code.raw.as_bytes())?;
                writer.write_all(b"\n")?;
                written += 1;
            }
            bar.set_position(written);
            Ok(())
        })
        .await?;
    writer.flush()?;
    writer.get_ref().sync_all()?;
    bar.finish();
    Ok(written)
}
