// The live view's page: plain HTML, CSS and browser JavaScript in one string, so the
// package build (tsc) ships it without a copy step and nobody runs a bundler. It reads
// the SSE feed (/events) and redraws; names from the API go in as text, never as HTML.
// Sized for a projector: large type, high contrast, one colour per kind of status.

const STYLE = `
:root { --bg:#0b0f14; --panel:#141b24; --line:#2a3644; --text:#f2f5f8; --dim:#a9b6c4;
  --ok:#2ecc71; --busy:#ffb020; --bad:#ff4d4f; --use:#4aa3ff; --gone:#7d8793; }
* { box-sizing:border-box; }
html,body { margin:0; height:100%; background:var(--bg); color:var(--text);
  font:22px/1.35 "DejaVu Sans","Segoe UI",Helvetica,Arial,sans-serif; }
body { display:flex; flex-direction:column; }
header { display:flex; align-items:center; gap:1rem; padding:.5rem 1rem; border-bottom:2px solid var(--line); }
header h1 { font-size:1.3rem; margin:0; }
#conn { margin-left:auto; font-weight:700; padding:.1rem .7rem; border-radius:1rem; background:var(--bad); color:#000; }
#conn.live { background:var(--ok); }
main { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,.9fr) minmax(0,1fr); width:100%; gap:.8rem; padding:.8rem; }
section.panel { background:var(--panel); border:2px solid var(--line); border-radius:.6rem; padding:.5rem .8rem; min-height:12rem; }
.panel h2 { margin:0 0 .3rem; font-size:1.25rem; }
.panel h3 { margin:.5rem 0 .2rem; font-size:.95rem; color:var(--dim); text-transform:uppercase; letter-spacing:.06em; }
.services { font-size:.8rem; color:var(--dim); }
.services span { margin-right:1rem; white-space:nowrap; }
.services .down { color:var(--bad); font-weight:700; }
ul { list-style:none; margin:0; padding:0; }
li.row { display:flex; flex-wrap:wrap; align-items:baseline; column-gap:.6rem; padding:.2rem 0; border-bottom:1px solid var(--line); }
li.row:last-child { border-bottom:none; }
.pill { display:inline-block; min-width:7.5rem; text-align:center; font-weight:800; font-size:.85rem;
  padding:.05rem .5rem; border-radius:.4rem; color:#000; background:var(--busy); }
.pill.ok { background:var(--ok); } .pill.bad { background:var(--bad); } .pill.use { background:var(--use); }
main .pill.busy { animation:pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity:.55; } }
.name { font-weight:700; white-space:nowrap; }
.meta, .id { color:var(--dim); font-size:.8rem; }
.id, code { font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; }
.reason { color:var(--bad); font-size:.75rem; width:100%; }
.empty { color:var(--gone); font-style:italic; font-size:.85rem; }
li.changed { animation:flash 1.5s ease-out; }
@keyframes flash { from { background:#3d4f1f; } to { background:transparent; } }
.image { font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:.78rem; word-break:break-all; }
.snap { padding-left:1.2rem; color:var(--dim); font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:.72rem; }
#timeline { margin:0 .8rem .8rem; flex:1; min-height:0; overflow:hidden; }
#timeline ol { list-style:none; margin:0; padding:0; }
#timeline li { display:grid; grid-template-columns:6.5rem 2.2rem 1fr auto; gap:.6rem; align-items:baseline;
  padding:.15rem .3rem; border-bottom:1px solid var(--line); font-size:.85rem; }
.cl { font-weight:800; text-align:center; border-radius:.3rem; color:#000; background:#c9a0ff; }
.cl.b { background:#6fe0d0; }
.cli { font-weight:700; color:#ffd866; white-space:nowrap; }
.code2 { color:var(--ok); font-weight:700; } .code4, .code5 { color:var(--bad); font-weight:700; }
.arrow { color:var(--dim); }
`;

const SCRIPT = `
"use strict";
var previous = {};
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function short(id) { return id.length > 8 ? id.slice(0, 8) : id; }
function tone(status) {
  if (status === null) return "bad";
  if (status.indexOf("error") === 0) return "bad";
  if (status === "available") return "ok";
  if (status === "in-use") return "use";
  return "busy";
}
function pill(status) { return el("span", "pill " + tone(status), status === null ? "deleted" : status); }
function row(kind, id, status, name, meta) {
  var li = el("li", "row");
  li.dataset.kind = kind; li.dataset.id = id; li.dataset.status = status;
  var key = kind + "/" + id;
  if (previous[key] !== undefined && previous[key] !== status) li.classList.add("changed");
  previous[key] = status;
  li.appendChild(pill(status));
  li.appendChild(el("span", "name", name || short(id)));
  li.appendChild(el("span", "meta", meta));
  return li;
}
function list(items, empty) {
  var ul = el("ul");
  if (items.length === 0) ul.appendChild(el("li", "empty", empty));
  items.forEach(function (i) { ul.appendChild(i); });
  return ul;
}
function renderCluster(c) {
  var panel = document.getElementById("cluster-" + c.name);
  if (!panel) {
    panel = el("section", "panel"); panel.id = "cluster-" + c.name;
    document.querySelector("main").appendChild(panel);
  }
  panel.replaceChildren();
  panel.appendChild(el("h2", null, "Cluster " + c.name.toUpperCase() + " (" + c.release + ")"));
  var services = el("div", "services");
  c.services.forEach(function (s) {
    var down = s.state !== "up" || s.status !== "enabled";
    services.appendChild(el("span", down ? "down" : null, s.binary.replace("cinder-", "") + ": " + s.state + (s.status === "enabled" ? "" : " (" + s.status + ")")));
  });
  panel.appendChild(services);
  panel.appendChild(el("h3", null, "Volumes"));
  panel.appendChild(list(c.volumes.map(function (v) {
    return row("volume", v.id, v.status, v.name, v.size + " GiB \\u00b7 " + short(v.id));
  }), "no volumes"));
  panel.appendChild(el("h3", null, "Backups"));
  panel.appendChild(list(c.backups.map(function (b) {
    var li = row("backup", b.id, b.status, b.name, "of " + short(b.volumeId) + " \\u00b7 " + short(b.id));
    if (b.failReason) li.appendChild(el("span", "reason", b.failReason));
    return li;
  }), "no backups"));
}
function renderPool(p) {
  var panel = document.getElementById("pool");
  panel.replaceChildren();
  panel.appendChild(el("h2", null, "Backup pool"));
  panel.appendChild(el("div", "services", "pool " + p.pool + " \u00b7 Ceph cluster " + p.cluster));
  if (p.error) panel.appendChild(el("div", "reason", p.error));
  panel.appendChild(el("h3", null, "Images and snapshots"));
  panel.appendChild(list(p.images.map(function (i) {
    var li = el("li", "row");
    li.dataset.kind = "image"; li.dataset.id = i.name;
    var box = el("div");
    box.appendChild(el("div", "image", i.name));
    i.snaps.forEach(function (s) {
      var snap = el("div", "snap", "@" + s); snap.dataset.kind = "snap"; box.appendChild(snap);
    });
    li.appendChild(box);
    return li;
  }), "empty pool"));
}
function timelineRow(e) {
  var li = el("li");
  li.dataset.kind = e.kind; li.dataset.seq = e.seq;
  li.appendChild(el("span", "meta", e.at.slice(11, 19)));
  li.appendChild(el("span", "cl " + e.cluster, e.cluster.toUpperCase()));
  var what = el("span");
  var cli;
  if (e.kind === "api") {
    what.appendChild(el("code", null, e.method + " " + e.path + " "));
    what.appendChild(el("span", "arrow", "\\u2192 "));
    what.appendChild(el("span", "code" + String(e.status).charAt(0), e.status));
    cli = e.command.cli;
    if (e.message) what.appendChild(el("div", "reason", e.message));
  } else {
    what.appendChild(el("span", null, e.resource + " "));
    what.appendChild(el("span", "id", short(e.id) + " "));
    what.appendChild(el("span", "arrow", (e.from === null ? "new" : e.from) + " \\u2192 "));
    what.appendChild(pill(e.to));
    li.dataset.status = e.to === null ? "deleted" : e.to;
    cli = e.cause ? (e.cause.cli || e.cause.request) : null;
  }
  li.appendChild(what);
  li.appendChild(el("span", "cli", cli ? (e.kind === "status" ? "\\u2190 " : "") + cli : ""));
  return li;
}
function addTimeline(entries) {
  var ol = document.querySelector("#timeline ol");
  entries.forEach(function (e) {
    if (ol.querySelector('[data-seq="' + e.seq + '"]')) return;
    ol.insertBefore(timelineRow(e), ol.firstChild);
  });
  while (ol.children.length > 60) ol.removeChild(ol.lastChild);
}
function connect() {
  var conn = document.getElementById("conn");
  var source = new EventSource("events");
  source.onopen = function () { conn.textContent = "live"; conn.className = "live"; };
  source.onerror = function () { conn.textContent = "reconnecting\\u2026"; conn.className = ""; };
  source.onmessage = function (m) {
    var msg = JSON.parse(m.data);
    if (msg.type === "snapshot") {
      msg.snapshot.clusters.forEach(renderCluster);
      renderPool(msg.snapshot.pool);
      document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots || "0") + 1);
    } else if (msg.type === "timeline") {
      addTimeline(msg.entries);
    }
  };
}
connect();
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cinderlab: live view</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>cinderlab: cross-cluster backup and restore, live</h1><span id="conn">connecting\u2026</span></header>
<main>
<section class="panel" id="cluster-a"><h2>Cluster A</h2></section>
<section class="panel" id="pool"><h2>Backup pool</h2></section>
<section class="panel" id="cluster-b"><h2>Cluster B</h2></section>
</main>
<section class="panel" id="timeline"><h2>Timeline (newest first)</h2><ol></ol></section>
<script>${SCRIPT}</script>
</body>
</html>
`;
