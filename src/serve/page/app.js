"use strict";
// gradink serve's page: draw a character (POST /api/classify) or read a
// photo (POST /api/ocr/detail). Plain JavaScript, no libraries.

const $ = (id) => document.getElementById(id);
const pct = (p) => (100 * p).toFixed(1) + " %";

fetch("/api/model")
  .then((r) => r.json())
  .then((m) => {
    $("model").textContent = `Reading with ${m.file}: ${m.architecture.toUpperCase()}, ${m.classes} classes` +
      (m.hidden ? `, ${m.hidden} hidden units` : "") + ".";
    $("act-title").textContent = m.architecture === "mlp"
      ? `Hidden layer (${m.hidden} sigmoid units; dark = active)`
      : m.architecture === "cnn-ensemble"
        ? "First network's first convolution, its feature maps (after ReLU; dark = active)"
        : "First convolution's feature maps (after ReLU; dark = active)";
  })
  .catch(() => { $("model").textContent = "The server did not answer."; });

// ---------------------------------------------------------------- drawing

const pad = $("pad");
const pen = pad.getContext("2d");
let drawing = false;
let last = null;
let inked = false;

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  inked = false;
  $("top").innerHTML = "";
  $("activations").innerHTML = "";
  $("draw-status").textContent = "";
  const input = $("input").getContext("2d");
  input.fillStyle = "#fff";
  input.fillRect(0, 0, 32, 32);
}

function at(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}

function stroke(a, b) {
  pen.strokeStyle = "#000";
  pen.lineWidth = 16;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(a[0], a[1]);
  pen.lineTo(b[0], b[1]);
  pen.stroke();
  inked = true;
}

pad.addEventListener("pointerdown", (e) => {
  e.preventDefault();
  pad.setPointerCapture(e.pointerId);
  drawing = true;
  last = at(e);
  stroke(last, last);
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  for (const ev of events.length ? events : [e]) {
    const p = at(ev);
    stroke(last, p);
    last = p;
  }
  soon();
});
function lift() {
  if (!drawing) return;
  drawing = false;
  classify();
}
pad.addEventListener("pointerup", lift);
pad.addEventListener("pointercancel", lift);
$("clear").addEventListener("click", clearPad);

// While drawing, read at most every 200 ms; one request at a time, and the
// last drawing is always the one read.
let timer = null;
let busy = false;
let again = false;
function soon() {
  if (timer) return;
  timer = setTimeout(() => { timer = null; classify(); }, 200);
}

async function classify() {
  if (!inked) return;
  if (busy) { again = true; return; }
  busy = true;
  try {
    const blob = await new Promise((done) => pad.toBlob(done, "image/png"));
    const r = await fetch("/api/classify", { method: "POST", headers: { "Content-Type": "image/png" }, body: blob });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error);
    if (inked) showClassification(j);
    $("draw-status").textContent = "";
    $("draw-status").className = "";
  } catch (err) {
    $("draw-status").textContent = err.message;
    $("draw-status").className = "error";
  } finally {
    busy = false;
    if (again) { again = false; classify(); }
  }
}

function showClassification(j) {
  const input = $("input").getContext("2d");
  const img = input.createImageData(32, 32);
  j.input.forEach((v, i) => {
    const g = Math.round(255 * Math.min(1, Math.max(0, v)));
    img.data.set([g, g, g, 255], 4 * i);
  });
  input.putImageData(img, 0, 0);

  $("top").innerHTML = "";
  for (const t of j.top) {
    const li = document.createElement("li");
    li.innerHTML = `<span class="cls"></span><span class="bar"><span></span></span><span class="p"></span>`;
    li.querySelector(".cls").textContent = t.class;
    li.querySelector(".bar span").style.width = (100 * t.p).toFixed(1) + "%";
    li.querySelector(".p").textContent = pct(t.p);
    $("top").appendChild(li);
  }

  const box = $("activations");
  box.innerHTML = "";
  const a = j.activations;
  if (a.kind === "hidden") {
    a.values.forEach((v, k) => {
      const d = document.createElement("div");
      d.className = "unit";
      const g = Math.round(255 * (1 - v));
      d.style.background = `rgb(${g},${g},${g})`;
      d.title = `unit ${k}: ${v.toFixed(3)}`;
      box.appendChild(d);
    });
  } else {
    const n = a.side * a.side;
    for (let k = 0; k < a.maps; k++) {
      const values = a.values.slice(k * n, (k + 1) * n);
      const top = Math.max(1e-6, ...values);
      const c = document.createElement("canvas");
      c.width = c.height = a.side;
      c.title = `map ${k} (max ${top.toFixed(2)})`;
      const cx = c.getContext("2d");
      const im = cx.createImageData(a.side, a.side);
      values.forEach((v, i) => {
        const g = Math.round(255 * (1 - v / top));
        im.data.set([g, g, g, 255], 4 * i);
      });
      cx.putImageData(im, 0, 0);
      box.appendChild(c);
    }
  }
}

clearPad();

// ---------------------------------------------------------------- photos

let photoURL = null;
let binarisedURL = null;

fetch("/api/images")
  .then((r) => r.json())
  .then((names) => {
    for (const n of names) {
      const o = document.createElement("option");
      o.value = o.textContent = n;
      $("samples").appendChild(o);
    }
  })
  .catch(() => {});

$("samples").addEventListener("change", async () => {
  const name = $("samples").value;
  if (!name) return;
  const r = await fetch("/api/images/" + encodeURIComponent(name));
  if (r.ok) readPhoto(await r.blob(), name);
});
$("file").addEventListener("change", () => {
  const f = $("file").files[0];
  if (f) readPhoto(f, f.name);
});
const section = $("photo-section");
section.addEventListener("dragover", (e) => { e.preventDefault(); section.classList.add("dragging"); });
section.addEventListener("dragleave", () => section.classList.remove("dragging"));
section.addEventListener("drop", (e) => {
  e.preventDefault();
  section.classList.remove("dragging");
  const f = e.dataTransfer.files[0];
  if (f) readPhoto(f, f.name);
});
$("binarised").addEventListener("change", showPhoto);

function showPhoto() {
  const url = $("binarised").checked ? binarisedURL : photoURL;
  if (url) $("photo").src = url;
}

async function readPhoto(blob, name) {
  const status = $("status");
  status.className = "";
  status.textContent = `Reading ${name}…`;
  $("text").textContent = "";
  $("boxes").innerHTML = "";
  try {
    const r = await fetch("/api/ocr/detail?name=" + encodeURIComponent(name), { method: "POST", body: blob });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error);
    if (photoURL) URL.revokeObjectURL(photoURL);
    photoURL = URL.createObjectURL(blob);
    binarisedURL = j.binarised;
    showPhoto();
    drawBoxes(j);
    $("text").textContent = j.reading.lines.join("\n");
    status.textContent = `${name}: ${j.reading.boxes.length} boxes on ${j.reading.lines.length} lines, read in ${j.seconds.toFixed(2)} s. Hover a box for its probability and runner-up.`;
  } catch (err) {
    status.className = "error";
    status.textContent = `${name}: ${err.message}`;
  }
}

function drawBoxes(j) {
  const svg = $("boxes");
  const ns = "http://www.w3.org/2000/svg";
  svg.setAttribute("viewBox", `0 0 ${j.width} ${j.height}`);
  const thick = Math.max(2, Math.round(Math.max(j.width, j.height) / 500));
  j.reading.boxes.forEach(([y1, x1, y2, x2], i) => {
    const c = j.chars[i];
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", x1);
    rect.setAttribute("y", y1);
    rect.setAttribute("width", x2 - x1);
    rect.setAttribute("height", y2 - y1);
    rect.setAttribute("stroke", j.line_colours[c.line]);
    rect.setAttribute("stroke-width", thick);
    const words = `${c.char} ${pct(c.p)} · runner-up ${c.runner_up} ${pct(c.runner_up_p)}`;
    const title = document.createElementNS(ns, "title");
    title.textContent = words;
    rect.appendChild(title);
    rect.addEventListener("mouseenter", () => { $("tip").textContent = words; $("tip").hidden = false; });
    rect.addEventListener("mousemove", (e) => {
      const f = $("figure").getBoundingClientRect();
      $("tip").style.left = (e.clientX - f.left + 12) + "px";
      $("tip").style.top = (e.clientY - f.top + 12) + "px";
    });
    rect.addEventListener("mouseleave", () => { $("tip").hidden = true; });
    svg.appendChild(rect);
  });
}
