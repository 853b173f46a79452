// The public page's one script, and nothing needs it: the report form works without it. With
// it, a visitor may fill the report's place from the phone's position (asked only on a tap),
// and learns that a photo is too large before sending it.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  if (!form) return;

  const locate = document.getElementById("locate");
  const status = document.getElementById("locate-status");
  const latitude = document.getElementById("latitude");
  const longitude = document.getElementById("longitude");
  if (locate && status && latitude && longitude && "geolocation" in navigator) {
    locate.classList.remove("hidden");
    locate.addEventListener("click", () => {
      status.textContent = locate.dataset.working;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          status.textContent = "";
        },
        () => {
          status.textContent = locate.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  const photo = document.getElementById("photo");
  if (photo) {
    const bytesMax = Number(photo.dataset.bytesMax);
    photo.addEventListener("change", () => {
      const file = photo.files && photo.files[0];
      photo.setCustomValidity(file && file.size > bytesMax ? photo.dataset.tooLarge : "");
      photo.reportValidity();
    });
  }
})();
