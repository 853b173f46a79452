// Small improvements over pages that work without it: nothing here is needed to use the console.
"use strict";

(function () {
  // A button that submits a long operation shows that it is working, and is not pressed twice.
  document.addEventListener("submit", (event) => {
    const button = event.target.querySelector("button[type=submit], button:not([type])");
    if (button && !event.defaultPrevented) {
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });
})();
