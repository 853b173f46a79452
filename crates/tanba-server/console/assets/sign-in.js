// Sign-in with the participant's own key: the key file is read here, the server's challenge is
// signed here with WebCrypto Ed25519, and only the signature leaves the browser. The file input
// has no name, so the form can never upload the key, with or without this script.
"use strict";

(function () {
  const form = document.getElementById("sign-in");
  if (!form) return;
  const status = document.getElementById("sign-in-status");
  const fileInput = document.getElementById("key-file");

  function say(text, bad) {
    status.textContent = text;
    status.className = "flash " + (bad ? "bad" : "info");
  }

  function bytesFromHex(hex) {
    if (typeof hex !== "string" || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) return null;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  }

  function base64url(bytes) {
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded + "===".slice((padded.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  // The key file as a WebCrypto signing key (not extractable), or null if it is not one.
  async function readKey(file) {
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch (_) {
      return null;
    }
    const secret = bytesFromHex(parsed.secret_key_hex);
    const publicKey = bytesFromHex(parsed.public_key_hex);
    if (parsed.algorithm !== "ed25519" || !/^\d{12}$/.test(parsed.participant || "") ||
        !secret || secret.length !== 32 || !publicKey || publicKey.length !== 32) {
      return null;
    }
    const jwk = { kty: "OKP", crv: "Ed25519", d: base64url(secret), x: base64url(publicKey) };
    secret.fill(0);
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
    return { participant: parsed.participant, key };
  }

  async function signIn() {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    let loaded;
    try {
      loaded = await readKey(file);
    } catch (_) {
      say(form.dataset.noEd25519, true);
      return;
    }
    if (!loaded) {
      say(form.dataset.badFile, true);
      return;
    }
    say(form.dataset.working, false);
    const body = new URLSearchParams({ participant: loaded.participant, csrf: form.elements.csrf.value });
    const answer = await fetch(form.dataset.challenge, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      credentials: "same-origin",
    });
    const json = await answer.json();
    if (!answer.ok) {
      say(json.message || answer.statusText, true);
      return;
    }
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, loaded.key, fromBase64url(json.message));
    form.elements.participant.value = loaded.participant;
    form.elements.challenge.value = json.challenge;
    form.elements.signature.value = base64url(new Uint8Array(signature));
    form.submit();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn().catch((error) => say(String(error), true));
  });
  form.querySelector("button").disabled = false;
})();
