// Shokei: the few behaviours pages need, from a file (the Content-Security-Policy forbids inline
// script). Everything works without it except the confirmation question before irreversible steps.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
