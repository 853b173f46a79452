//! Emission (`EmissionService`): ordering codes, following an order while the server issues
//! it, and downloading its codes. Issuing is asynchronous on the server (a million codes take
//! seconds), so waiting is an operation of its own with a timeout, and downloads stream page by
//! page into the caller's sink instead of holding a million codes in memory.

use std::time::{Duration, Instant};

use tanba_proto::v1 as pb;
use tanba_types::Gtin;

use crate::wire::answered;
use crate::{ClientError, Connection};

/// How often [`Connection::wait_issued`] asks how far an order is.
pub const ORDER_POLL_INTERVAL: Duration = Duration::from_millis(20);

impl Connection {
    /// Producer or importer: orders `quantity` codes of a product; returns the order's id at
    /// once (the codes are issued after).
    pub async fn order_codes(&self, gtin: Gtin, quantity: u32) -> Result<u64, ClientError> {
        let request = pb::OrderCodesRequest {
            gtin: gtin.to_string(),
            quantity,
        };
        Ok(self
            .emission()
            .order_codes(request)
            .await?
            .into_inner()
            .order)
    }

    /// One of the caller's orders, with how many of its codes are issued so far.
    pub async fn get_order(&self, order: u64) -> Result<pb::Order, ClientError> {
        let request = pb::GetOrderRequest { order };
        answered(
            self.emission().get_order(request).await?.into_inner().order,
            "order",
        )
    }

    /// The caller's orders (the first page).
    pub async fn list_orders(&self) -> Result<Vec<pb::Order>, ClientError> {
        let request = pb::ListOrdersRequest { page: None };
        Ok(self
            .emission()
            .list_orders(request)
            .await?
            .into_inner()
            .orders)
    }

    /// Waits until every code of `order` is issued, telling `progress` how many are as they
    /// come; fails once `timeout` has passed.
    pub async fn wait_issued(
        &self,
        order: u64,
        timeout: Duration,
        mut progress: impl FnMut(u32),
    ) -> Result<(), ClientError> {
        let started = Instant::now();
        loop {
            let state = self.get_order(order).await?;
            progress(state.issued);
            if state.issued == state.quantity {
                return Ok(());
            }
            if started.elapsed() > timeout {
                return Err(ClientError::Failed(format!(
                    "order {order}: {} of {} codes issued in {timeout:?}",
                    state.issued, state.quantity
                )));
            }
            tokio::time::sleep(ORDER_POLL_INTERVAL).await;
        }
    }

    /// Orders codes and waits until they are all issued ([`Connection::order_codes`], then
    /// [`Connection::wait_issued`]); returns the order's id.
    pub async fn order_and_wait(
        &self,
        gtin: Gtin,
        quantity: u32,
        timeout: Duration,
        progress: impl FnMut(u32),
    ) -> Result<u64, ClientError> {
        let order = self.order_codes(gtin, quantity).await?;
        self.wait_issued(order, timeout, progress).await?;
        Ok(order)
    }

    /// An order's codes, streamed page by page into `page` (raw element strings, in order).
    pub async fn download(
        &self,
        order: u64,
        mut page: impl FnMut(Vec<pb::IssuedCode>) -> std::io::Result<()>,
    ) -> Result<(), ClientError> {
        let request = pb::DownloadCodesRequest {
            order,
            from_index: 0,
        };
        let mut stream = self.emission().download_codes(request).await?.into_inner();
        while let Some(message) = stream.message().await? {
            page(message.codes).map_err(|error| ClientError::Failed(error.to_string()))?;
        }
        Ok(())
    }

    /// Every code of an order (raw element strings, in order).
    pub async fn download_all(&self, order: u64) -> Result<Vec<String>, ClientError> {
        let mut codes = Vec::new();
        self.download(order, |page| {
            codes.extend(page.into_iter().map(|code| code.raw));
            Ok(())
        })
        .await?;
        Ok(codes)
    }
}
