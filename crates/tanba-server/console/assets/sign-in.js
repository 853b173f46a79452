// Sign-in with the participant's own key: the key file is read here (console.js), the server's
// challenge is signed here with WebCrypto Ed25519, and only the signature leaves the browser.
// The file input has no name, so the form can never upload the key, with or without scripts.
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

  async function signIn() {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    let loaded;
    try {
      loaded = await window.tanba.readKey(file);
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
    const json = await window.tanba.postForm(form.dataset.challenge, body);
    const signature = await window.tanba.sign(loaded.key, window.tanba.fromBase64url(json.message));
    form.elements.participant.value = loaded.participant;
    form.elements.challenge.value = json.challenge;
    form.elements.signature.value = window.tanba.base64url(signature);
    form.submit();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn().catch((error) => say(String(error.message || error), true));
  });
  form.querySelector("button").disabled = false;
})();
