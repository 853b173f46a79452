//! A browser without JavaScript for the console's tests: it keeps its cookies, follows no
//! redirect, and signs in or signs forms as the pages' script does.

use tanba_client::KeyFile;
use tanba_crypto::Signer;

use super::Fixture;

impl Fixture {
    /// A browser without JavaScript at the server's HTTP address.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.http(),
            cookies: Vec::new(),
        }
    }
}

/// A browser without JavaScript: it keeps the cookies it is given and follows nothing itself.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub cookies: Vec<(String, String)>,
}

/// An answer: status, where it sends the browser, the `Set-Cookie` lines and the body.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        let pairs: Vec<String> = (self.cookies.iter())
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        pairs.join("; ")
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let header = |name: &str| -> Vec<String> {
            (response.headers().get_all(name).iter())
                .map(|value| value.to_str().unwrap().to_owned())
                .collect()
        };
        let set_cookies = header("set-cookie");
        let location = header("location").concat();
        for line in &set_cookies {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(each, _)| each != name);
            if !value.is_empty() && !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let status = response.status().as_u16();
        Answer {
            status,
            location,
            set_cookies,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        (self.cookies.iter())
            .find(|(each, _)| each == name)
            .map(|(_, value)| value.clone())
    }

    /// Signs in as the page's script does: a challenge, signed with the key, posted back.
    pub async fn sign_in(&mut self, key: &KeyFile) -> Answer {
        let participant = key.participant.to_string();
        self.sign_in_with(&participant, |message| key.signer().sign(message), &[])
            .await
    }

    /// Signs in as `participant`, signing the challenge's message with `sign`, posting
    /// `certificate_chain` (DER, the signer's first) when a signing tool holds a certificate.
    pub async fn sign_in_with(
        &mut self,
        participant: &str,
        sign: impl Fn(&[u8]) -> Vec<u8>,
        certificate_chain: &[&[u8]],
    ) -> Answer {
        let page = self.get("/console/sign-in?lang=en").await;
        assert_eq!(page.status, 200);
        let token = self.cookie("tanba_sign_in").expect("a sign-in form token");
        assert!(
            page.body.contains(&token),
            "the form carries its cookie's token"
        );
        let challenge = self
            .post(
                "/console/sign-in/challenge",
                &[("participant", participant), ("csrf", &token)],
            )
            .await;
        assert_eq!(challenge.status, 200, "{}", challenge.body);
        let json: serde_json::Value = serde_json::from_str(&challenge.body).unwrap();
        let message =
            tanba_crypto::encoding::base64url_decode(json["message"].as_str().unwrap()).unwrap();
        let signature = tanba_crypto::encoding::base64url(&sign(&message));
        let chain: Vec<String> = (certificate_chain.iter())
            .map(|der| tanba_crypto::encoding::base64url(der))
            .collect();
        let chain = chain.join(",");
        let form = [
            ("csrf", token.as_str()),
            ("participant", participant),
            ("challenge", json["challenge"].as_str().unwrap()),
            ("signature", signature.as_str()),
            ("certificate_chain", chain.as_str()),
            ("next", "/console/inbox"),
        ];
        self.post("/console/sign-in", &form).await
    }

    /// Signs and posts a form as a page's script does: asks `<action>/bytes` for what to sign,
    /// signs it with `key`, posts the form with the signature.
    pub async fn post_signed(
        &mut self,
        key: &KeyFile,
        action: &str,
        form: &[(&str, &str)],
    ) -> Answer {
        let bytes = self.post(&format!("{action}/bytes"), form).await;
        assert_eq!(bytes.status, 200, "{}", bytes.body);
        let json: serde_json::Value = serde_json::from_str(&bytes.body).unwrap();
        let message =
            tanba_crypto::encoding::base64url_decode(json["message"].as_str().unwrap()).unwrap();
        let signature = tanba_crypto::encoding::base64url(&key.signer().sign(&message));
        let mut signed = form.to_vec();
        signed.push(("signature", &signature));
        self.post(action, &signed).await
    }

    /// The CSRF token of the session's forms, read from a page as a browser would.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/console/inbox").await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.body.find(marker).expect("a form on the page") + marker.len();
        page.body[start..start + 64].to_owned()
    }
}
