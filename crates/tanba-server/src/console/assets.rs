//! The console's static files, embedded in the binary (no CDN, nothing fetched at run time) and
//! served under a name that carries a hash of their content, so a browser may keep each for a
//! year and still never runs yesterday's script against today's pages.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where the assets are served.
pub const ASSETS_PATH: &str = "/console/assets/";

/// How long a browser may keep an asset, in seconds (its name changes with its content).
pub const ASSET_CACHE_SECONDS: u64 = 365 * 24 * 60 * 60;

/// Hex digits of the content hash in an asset's name.
const NAME_HASH_HEX_DIGITS: usize = 16;

/// One embedded file.
pub struct Asset {
    /// Its name in the source tree (`console.css`).
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
    /// Its URL path, with the content hash (`/console/assets/console.3f2a….css`).
    pub path: String,
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        (
            $name,
            $content_type,
            include_bytes!(concat!("../../console/assets/", $name)),
        )
    };
}

/// Every embedded asset.
pub static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    let files: [(&'static str, &'static str, &'static [u8]); 6] = [
        asset!("console.css", "text/css; charset=utf-8"),
        asset!("sign-in.js", "text/javascript; charset=utf-8"),
        asset!("console.js", "text/javascript; charset=utf-8"),
        asset!("favicon.svg", "image/svg+xml"),
        // The public page's (`crate::page`): a phone at a code's Digital Link.
        asset!("public.css", "text/css; charset=utf-8"),
        asset!("public.js", "text/javascript; charset=utf-8"),
    ];
    files
        .into_iter()
        .map(|(name, content_type, bytes)| {
            let hash = blake3::hash(bytes).to_hex();
            let (stem, extension) = name.rsplit_once('.').expect("assets have an extension");
            Asset {
                name,
                content_type,
                bytes,
                path: format!(
                    "{ASSETS_PATH}{stem}.{}.{extension}",
                    &hash[..NAME_HASH_HEX_DIGITS]
                ),
            }
        })
        .collect()
});

/// The URL path of asset `name`.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .map(|asset| asset.path.as_str())
        .unwrap_or_else(|| panic!("no embedded asset {name}"))
}

/// Answers `GET /console/assets/{file}`: the asset whose hashed name it is, or 404 (an old
/// hash is not served the new content: the page that named it is stale anyway).
pub async fn serve(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let wanted = format!("{ASSETS_PATH}{file}");
    let Some(asset) = ASSETS.iter().find(|asset| asset.path == wanted) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={ASSET_CACHE_SECONDS}, immutable"))
            .expect("ASCII"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asset_name_changes_with_its_content() {
        let css = url("console.css");
        assert!(css.starts_with("/console/assets/console."));
        assert!(css.ends_with(".css"));
        let hash = blake3::hash(include_bytes!("../../console/assets/console.css")).to_hex();
        assert!(css.contains(&hash[..NAME_HASH_HEX_DIGITS]));
    }
}
