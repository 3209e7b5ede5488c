// The image uploader: pick or drop a file, watch it upload (a progress bar and a preview),
// and the new image is added to its form's image lists and chosen. The file goes to the
// JSON API (POST /api/v1/venues/<slug>/images) with the page's CSRF token; the server
// decides what the file is, so the checks here only save a pointless upload.
(function () {
  "use strict";
  var TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"];
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  function setUp(box) {
    var form = box.closest("form");
    var input = box.querySelector(".upload-file");
    var zone = box.querySelector(".dropzone");
    var bar = box.querySelector(".upload-progress");
    var preview = box.querySelector(".upload-preview");
    var status = box.querySelector(".upload-status");
    var max = parseInt(box.getAttribute("data-max"), 10) || 0;
    box.hidden = false;

    function say(text, failed) {
      status.textContent = text;
      status.classList.toggle("error", !!failed);
    }

    function chosen(image) {
      var lists = form.querySelectorAll("select[data-images]");
      for (var i = 0; i < lists.length; i++) {
        var option = document.createElement("option");
        option.value = String(image.id);
        option.textContent = (image.name || "Image " + image.id) + " (" + image.width + "×" + image.height + ")";
        lists[i].appendChild(option);
        if (i === 0) lists[i].value = option.value;
      }
      preview.src = image.url;
      preview.hidden = false;
      var reload = form.getAttribute("data-reload");
      if (reload) {
        window.location.assign(reload);
        return;
      }
      say("Uploaded. Press “" + (form.querySelector("[type=submit]") || {}).textContent + "” to use it.");
    }

    function upload(file) {
      if (!file) return;
      if (TYPES.indexOf(file.type) < 0 && file.type) {
        say("That is not a JPEG, PNG, WebP or GIF image.", true);
        return;
      }
      if (max && file.size > max) {
        say("That file is " + mb(file.size) + "; images can be up to " + mb(max) + ".", true);
        return;
      }
      // The local preview while it uploads, unless the server has answered first.
      var answered = false;
      var reader = new FileReader();
      reader.onload = function () {
        if (answered) return;
        preview.src = reader.result;
        preview.hidden = false;
      };
      reader.readAsDataURL(file);

      var body = new FormData();
      body.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", box.getAttribute("data-upload"));
      xhr.setRequestHeader("Accept", "application/json");
      if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf.getAttribute("content"));
      bar.hidden = false;
      bar.value = 0;
      say("Uploading " + file.name + "…");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) bar.value = Math.round(event.loaded / event.total * 100);
      };
      xhr.onload = function () {
        answered = true;
        bar.value = 100;
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status === 201 && answer) {
          chosen(answer);
        } else {
          preview.hidden = true;
          say((answer && answer.error && answer.error.message) || "The upload failed (" + xhr.status + "). Try again.", true);
        }
      };
      xhr.onerror = function () {
        answered = true;
        preview.hidden = true;
        say("The upload did not reach the server: check the connection and try again.", true);
      };
      xhr.send(body);
    }

    input.addEventListener("change", function () { upload(input.files[0]); });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      upload(event.dataTransfer.files[0]);
    });
  }

  var boxes = document.querySelectorAll(".uploader[data-upload]");
  for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
})();
