// Upload with a progress bar: XMLHttpRequest reports bytes sent while the server streams the
// files to disk. Texts come translated from the page's data-* attributes; the CSRF token is sent
// as a header. The server's answer is an HTML fragment rendered (and escaped) by this site.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var progress = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var result = document.getElementById("upload-result");
  var text = form.dataset;

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function finish(message) {
    status.textContent = message;
    button.disabled = false;
    input.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!input.files.length) {
      status.textContent = text.msgNoFiles;
      input.focus();
      return;
    }
    var data = new FormData();
    var total = 0;
    for (var i = 0; i < input.files.length; i++) {
      data.append("files", input.files[i], input.files[i].name);
      total += input.files[i].size;
    }
    if (total > Number(text.maxBytes)) {
      status.textContent = text.msgTooLarge; // the server would refuse it (413) before reading it
      input.focus();
      return;
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-CSRF-Token", text.csrf);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        progress.max = e.total;
        progress.value = e.loaded;
        var percent = Math.floor((e.loaded / e.total) * 100);
        status.textContent = text.msgUploading + " " + percent + "% (" + megabytes(e.loaded) + " / " + megabytes(e.total) + ")";
      }
    });
    request.upload.addEventListener("load", function () {
      status.textContent = text.msgProcessing;
    });
    request.addEventListener("load", function () {
      result.innerHTML = request.responseText;
      input.value = "";
      finish(request.status < 300 ? text.msgDone : text.msgFailed);
      document.body.dispatchEvent(new CustomEvent("documents-uploaded"));
      result.focus();
    });
    request.addEventListener("error", function () {
      finish(text.msgFailed);
    });
    button.disabled = true;
    input.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = text.msgUploading;
    request.send(data);
  });
})();
