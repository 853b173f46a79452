// The console's script: small improvements over pages that work without it, and what cannot be
// done without it: signing with the participant's own key. The key file is read in the browser
// and imported into WebCrypto as a key that cannot be exported; only signatures leave.
"use strict";

window.tanba = (function () {
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

  // A key file as { participant, key } with a WebCrypto signing key, or null if it is not one.
  // Throws if this browser cannot sign with Ed25519.
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

  async function sign(key, message) {
    return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, message));
  }

  // POSTs form fields and answers the JSON, or throws its message.
  async function postForm(url, body) {
    const answer = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      credentials: "same-origin",
    });
    const json = await answer.json();
    if (!answer.ok) throw new Error(json.message || answer.statusText);
    return json;
  }

  return { base64url, fromBase64url, readKey, sign, postForm };
})();

(function () {
  // A document form (data-signed): the server says which bytes the form's document is, the key
  // file chosen in the form signs them here, and the form is posted with the signature.
  async function signAndSubmit(form, submitter) {
    const status = form.querySelector(".sign-status");
    const say = (text, bad) => {
      status.textContent = text;
      status.className = "sign-status flash " + (bad ? "bad" : "info");
    };
    const file = form.querySelector("input.key-file").files[0];
    const loaded = file ? await window.tanba.readKey(file) : null;
    if (!loaded || loaded.participant !== form.dataset.participant) {
      say(form.dataset.badKey, true);
      return;
    }
    await uploadFiles(form, say);
    say(form.dataset.working, false);
    const action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    const body = new URLSearchParams(new FormData(form));
    const { message } = await window.tanba.postForm(action + "/bytes", body);
    const signature = await window.tanba.sign(loaded.key, window.tanba.fromBase64url(message));
    form.elements.signature.value = window.tanba.base64url(signature);
    form.setAttribute("action", action);
    form.submit();
  }

  // A file upload with a progress bar: sent by XHR to show how much has gone, then the page
  // the server answered with is opened (without the script the form posts as usual).
  function uploadWithProgress(form) {
    const bar = form.querySelector("progress.upload");
    const request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    request.addEventListener("load", () => {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        // A refusal: its page's content in place of this one's (parsed, never run).
        const answer = new DOMParser().parseFromString(request.responseText, "text/html");
        const content = answer.querySelector("main");
        if (content) document.querySelector("main").replaceWith(document.adoptNode(content));
      }
    });
    bar.classList.remove("hidden");
    request.send(new FormData(form));
  }

  // The files a signed form names (input.attach, no name: never posted with the form) are
  // uploaded first; each becomes an `attachment` field the signed bytes then include.
  async function uploadFiles(form, say) {
    const chosen = form.querySelector("input.attach");
    if (!chosen || chosen.files.length === 0) return;
    say(form.dataset.uploading, false);
    form.querySelectorAll("input[name=attachment]").forEach((each) => each.remove());
    for (const file of chosen.files) {
      const data = new FormData();
      data.append("csrf", form.elements.csrf.value);
      data.append("file", file);
      const answer = await fetch(form.dataset.uploads, { method: "POST", body: data, credentials: "same-origin" });
      const json = await answer.json();
      if (!answer.ok) throw new Error(json.message || answer.statusText);
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "attachment";
      field.value = `${json.hash} ${json.size} ${json.media_type} ${json.name}`;
      form.appendChild(field);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.querySelector("progress.upload")) {
      event.preventDefault();
      uploadWithProgress(form);
      return;
    }
    if (form.hasAttribute("data-signed")) {
      event.preventDefault();
      signAndSubmit(form, event.submitter).catch((error) => {
        const status = form.querySelector(".sign-status");
        status.textContent = String(error.message || error);
        status.className = "sign-status flash bad";
      });
      return;
    }
    // A button that submits a long operation shows that it is working, and is not pressed twice.
    const button = event.submitter;
    if (button && !event.defaultPrevented) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
})();
