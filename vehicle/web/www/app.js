// rcpilot-web's page: camera, drive controls with a dead-man, mode/arm/e-stop/recording,
// figures, charts and tunables. Talks only to rcpilot-web's WebSocket (/ws); no libraries, no
// network access beyond this server. window.rcpilot exposes counters for the browser tests.
'use strict';

const SEND_PERIOD_MS = 50;     // drive messages at 20 Hz, well inside the node's dead-man
const DEAD_ZONE = 0.08;        // gamepad stick travel read as 0
const HISTORY = 150;           // points kept per chart (15 s of 10 Hz state)

const state = {
  ws: null, mine: false, holder: null, nextId: 1, pending: new Map(), rttMs: 0,
  drive: { steering: 0, throttle: 0, source: null }, keys: new Set(), schema: [],
  history: { user_s: [], user_t: [], pilot_s: [], pilot_t: [], loop: [] },
};
const stats = { framesShown: 0, repeats: 0, lastFrameSeq: -1, ages: [], drivesSent: 0,
  lastDrive: null, connected: false, mine: false, lastStatus: null, lastState: null };
window.rcpilot = stats;

const $ = (id) => document.getElementById(id);
const fmt = (v, d = 2) => (typeof v === 'number' && isFinite(v) ? v.toFixed(d) : '-');

function say(text) { $('message').textContent = text; }

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/ws${location.search}`);
  ws.binaryType = 'arraybuffer';
  state.ws = ws;
  ws.onopen = () => {
    stats.connected = true;
    setConn(true);
    send({ t: 'hello', name: deviceName() });
    loadSchema();
  };
  ws.onclose = () => {
    stats.connected = false;
    state.mine = false; stats.mine = false;
    setConn(false);
    neutral();
    setTimeout(connect, 1000);
  };
  ws.onmessage = (ev) => (typeof ev.data === 'string' ? onText(JSON.parse(ev.data)) : onFrame(ev.data));
}

function deviceName() {
  const phone = /Mobi|Android|iPhone/i.test(navigator.userAgent);
  return `${phone ? 'phone' : 'desktop'} ${Math.floor(Math.random() * 900 + 100)}`;
}

function setConn(ok) {
  $('conn').textContent = ok ? 'connected' : 'disconnected';
  $('conn').className = 'pill ' + (ok ? 'ok' : 'bad');
}

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

// A control API request; `done` gets the reply.
function command(cmd, fields = {}, done = null) {
  const id = state.nextId++;
  if (done) state.pending.set(id, done);
  send(Object.assign({ t: 'cmd', id, cmd }, fields));
}

function reportReply(reply) {
  say(reply.ok ? '' : `${reply.error}: ${reply.message}`);
}

function onText(m) {
  switch (m.t) {
    case 'reply': {
      const done = state.pending.get(m.id);
      state.pending.delete(m.id);
      (done || reportReply)(m);
      break;
    }
    case 'controls': onControls(m); break;
    case 'state': onState(m); break;
    case 'status': onStatus(m); break;
    case 'health': state.health = m; renderFigures(); break;
    case 'event':
      say(`${m.type}: ${m.message || ''}`);
      if (['mode', 'tunables', 'reload'].includes(m.type)) loadValues();
      break;
    case 'pong': state.rttMs = performance.now() - m.c; break;
    case 'error': say(m.message); break;
  }
}

function onControls(m) {
  state.mine = m.mine; stats.mine = m.mine; state.holder = m.holder;
  $('holder').textContent = m.mine ? 'you hold the controls'
    : m.holder ? `controls: ${m.holder} (watching)` : 'controls: free';
  $('holder').className = 'pill ' + (m.mine ? 'ok' : '');
  $('claim').textContent = m.mine ? 'Release controls' : 'Take controls';
  $('pad').classList.toggle('disabled', !m.mine);
  if (!m.mine) neutral();
}

function onFrame(buffer) {
  const receivedAt = performance.now();
  const view = new DataView(buffer);
  const n = view.getUint32(0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  if (header.frame_seq <= stats.lastFrameSeq) stats.repeats++;
  stats.lastFrameSeq = header.frame_seq;
  const url = URL.createObjectURL(new Blob([new Uint8Array(buffer, 4 + n)], { type: 'image/jpeg' }));
  const img = $('camera');
  const old = img.src;
  img.onload = () => {
    if (old) URL.revokeObjectURL(old);
    // Age at the server + half the round trip + this page's decode time, ms.
    const age = header.age_ms + state.rttMs / 2 + (performance.now() - receivedAt);
    stats.framesShown++;
    stats.ages.push(age);
    if (stats.ages.length > 1000) stats.ages.shift();
    $('frame-info').textContent = `frame ${header.frame_seq} · age ${fmt(age, 0)} ms`;
  };
  img.src = url;
}

function push(list, value) { list.push(value); if (list.length > HISTORY) list.shift(); }

function onState(s) {
  stats.lastState = s;
  state.lastState = s;
  const h = state.history;
  push(h.user_s, s.user && s.user.valid ? s.user.steering : 0);
  push(h.user_t, s.user && s.user.valid ? s.user.throttle : 0);
  push(h.pilot_s, s.steering); push(h.pilot_t, s.throttle);
  push(h.loop, s.period_ms > 0 ? 1000 / s.period_ms : 0);
  drawChart($('chart-drive'), [[h.user_s, '#6d9cf0'], [h.user_t, '#7fd67f'],
    [h.pilot_s, '#f0a040'], [h.pilot_t, '#e05050']], -1, 1);
  drawChart($('chart-loop'), [[h.loop, '#cccccc']], 0, 100);
  document.querySelectorAll('#modes button').forEach((b) =>
    b.classList.toggle('active', b.dataset.mode === s.mode));
  renderFigures();
}

function onStatus(s) {
  if (s.ok === false) return;
  stats.lastStatus = s;
  state.status = s;
  renderFigures();
}

function renderFigures() {
  const s = state.lastState || {}, st = state.status || {}, h = state.health || {};
  const loop = st.loop || {}, pilot = st.pilot || {}, link = st.link || {}, rec = st.recording || {};
  const sim = s.sim || st.sim;
  const temps = h.temperatures_c ? Object.entries(h.temperatures_c).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ') : '-';
  const rows = [
    ['mode', `${s.mode || '-'} · ${s.armed ? 'armed' : 'disarmed'}${s.estop ? ' · E-STOP' : ''}`],
    ['stop reason', s.reason || '-'],
    ['loop rate', `${fmt(loop.measured_hz, 1)} Hz (period error p99 ${fmt((loop.period_error_ms || {}).p99)} ms)`],
    ['inference', `p50 ${fmt((pilot.inference_ms || {}).p50, 1)} · p99 ${fmt((pilot.inference_ms || {}).p99, 1)} ms`],
    ['prediction age', `${fmt(s.prediction_age_ms, 0)} ms · pilot ${fmt(s.pilot_rate_hz, 0)} Hz`],
    ['operator', s.user && s.user.valid ? `${fmt(s.user.steering)} / ${fmt(s.user.throttle)}` : 'none'],
    ['sent to wheels', `${fmt(s.steering)} / ${fmt(s.throttle)}`],
    ['motor link', link.alive === undefined ? '-' : `${link.alive ? 'up' : 'DOWN'} · losses ${link.link_losses} · battery ${fmt(link.battery_v, 1)} V`],
    ['health', `cpu ${fmt(h.cpu_percent, 0)} % · load ${fmt(h.load_1m)} · ${temps}`],
    ['recording', rec.recording ? `on · ${rec.records} records` : `off · ${rec.records_total || 0} total`],
  ];
  if (sim) rows.push(['sim', `laps ${sim.laps} · CTE ${fmt(sim.cte_m)} m · off track ${sim.off_track_events}`]);
  $('figures').innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td>${escapeHtml(String(v))}</td></tr>`).join('');
}

function escapeHtml(t) {
  return t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function drawChart(canvas, series, lo, hi) {
  const g = canvas.getContext('2d'), w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#333'; g.beginPath(); g.moveTo(0, h / 2); g.lineTo(w, h / 2); g.stroke();
  for (const [values, colour] of series) {
    g.strokeStyle = colour; g.beginPath();
    values.forEach((v, i) => {
      const x = (i / (HISTORY - 1)) * w, y = h - ((v - lo) / (hi - lo)) * h;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  }
}

// Driving: the newest input of the pad, keys or gamepad is sent every SEND_PERIOD_MS while this
// page holds the controls; release, hidden tab, lost focus or a closed socket send neutral.
function setDrive(steering, throttle, source) {
  const clamp = (v) => Math.max(-1, Math.min(1, v));
  state.drive = { steering: clamp(steering), throttle: clamp(throttle), source };
  $('drive-out').textContent = `steering ${fmt(state.drive.steering)} · throttle ${fmt(state.drive.throttle)}`;
}

function neutral() {
  const was = state.drive.source;
  setDrive(0, 0, null);
  moveKnob(0, 0);
  if (was) sendDrive();
}

function sendDrive() {
  if (!state.mine) return;
  send({ t: 'drive', steering: state.drive.steering, throttle: state.drive.throttle });
  stats.drivesSent++;
  stats.lastDrive = { steering: state.drive.steering, throttle: state.drive.throttle };
}

setInterval(() => { if (state.drive.source) sendDrive(); }, SEND_PERIOD_MS);
setInterval(() => send({ t: 'ping', c: performance.now() }), 1000);

function moveKnob(x, y) {
  $('knob').style.transform = `translate(${x * 160}%, ${y * 160}%)`;
}

function padInput(ev) {
  const r = $('pad').getBoundingClientRect();
  const x = ((ev.clientX - r.left) / r.width) * 2 - 1, y = ((ev.clientY - r.top) / r.height) * 2 - 1;
  const cx = Math.max(-1, Math.min(1, x)), cy = Math.max(-1, Math.min(1, y));
  moveKnob(cx, cy);
  setDrive(cx, -cy, 'pad');
}

function setupPad() {
  const pad = $('pad');
  let active = null;
  pad.addEventListener('pointerdown', (ev) => {
    if (!state.mine) { say('take the controls first'); return; }
    active = ev.pointerId; pad.setPointerCapture(ev.pointerId); padInput(ev); sendDrive();
  });
  pad.addEventListener('pointermove', (ev) => { if (ev.pointerId === active) padInput(ev); });
  const release = (ev) => { if (ev.pointerId === active) { active = null; neutral(); } };
  pad.addEventListener('pointerup', release);
  pad.addEventListener('pointercancel', release);
  pad.addEventListener('lostpointercapture', release);
}

const KEY_DIRS = { ArrowUp: [0, 1], KeyW: [0, 1], ArrowDown: [0, -1], KeyS: [0, -1],
  ArrowLeft: [-1, 0], KeyA: [-1, 0], ArrowRight: [1, 0], KeyD: [1, 0] };

function keyDrive() {
  let s = 0, t = 0;
  for (const k of state.keys) { s += KEY_DIRS[k][0]; t += KEY_DIRS[k][1]; }
  if (state.keys.size === 0) { if (state.drive.source === 'keys') neutral(); return; }
  setDrive(s, t * 0.5, 'keys');
}

function setupKeys() {
  addEventListener('keydown', (ev) => {
    if (ev.target.tagName === 'INPUT' || ev.target.tagName === 'SELECT') return;
    if (ev.code === 'Space' || ev.code === 'Escape') { ev.preventDefault(); estop(); return; }
    if (KEY_DIRS[ev.code] && state.mine) { ev.preventDefault(); state.keys.add(ev.code); keyDrive(); }
  });
  addEventListener('keyup', (ev) => { if (state.keys.delete(ev.code)) keyDrive(); });
  addEventListener('blur', () => { state.keys.clear(); neutral(); });
  document.addEventListener('visibilitychange', () => { if (document.hidden) { state.keys.clear(); neutral(); } });
  addEventListener('pagehide', () => { neutral(); });
}

function pollGamepad() {
  const pads = navigator.getGamepads ? Array.from(navigator.getGamepads()).filter(Boolean) : [];
  if (pads.length && state.mine && !document.hidden) {
    const ax = pads[0].axes, dz = (v) => (Math.abs(v) < DEAD_ZONE ? 0 : v);
    const s = dz(ax[0] || 0), t = -dz(ax[1] || 0);
    if (s || t) setDrive(s, t, 'gamepad');
    else if (state.drive.source === 'gamepad') neutral();
  }
  requestAnimationFrame(pollGamepad);
}

function estop() { command('estop', {}, reportReply); neutral(); }

function setupButtons() {
  $('estop').onclick = estop;
  $('claim').onclick = () => { if (state.mine) neutral(); send({ t: state.mine ? 'release' : 'claim' }); };
  document.querySelectorAll('#modes button').forEach((b) => { b.onclick = () => command('mode', { mode: b.dataset.mode }); });
  $('arm').onclick = () => command('arm');
  $('disarm').onclick = () => command('disarm');
  $('clear-estop').onclick = () => command('clear_estop');
  $('rec-start').onclick = () => command('record', { action: 'start' });
  $('rec-stop').onclick = () => command('record', { action: 'stop' });
  $('erase').onclick = () => command('record', { action: 'erase', count: Number($('erase-count').value) });
  const limit = $('throttle-limit');
  limit.oninput = () => { $('throttle-limit-value').textContent = fmt(Number(limit.value)); };
  limit.onchange = () => command('set', { values: { 'control.throttle_max': Number(limit.value) } });
}

async function loadSchema() {
  const reply = await fetch('api/schema' + location.search);
  state.schema = (await reply.json()).keys;
  loadValues();
}

// Reads the running values: the live tunables (editable) and every key (effective config).
function loadValues() {
  const live = state.schema.filter((k) => k.live);
  command('get', {}, (r) => { if (r.ok) renderTunables(live, r.values); });
  command('get', { keys: state.schema.map((k) => k.key) }, (r) => {
    if (!r.ok) return;
    $('config').textContent = Object.keys(r.values).sort().map((k) => `${k}: ${JSON.stringify(r.values[k])}`).join('\n');
    if (typeof r.values['control.throttle_max'] === 'number') {
      $('throttle-limit').value = r.values['control.throttle_max'];
      $('throttle-limit-value').textContent = fmt(r.values['control.throttle_max']);
    }
  });
}

function tunableInput(k, value) {
  if (k.choices) {
    return `<select data-key="${k.key}">${k.choices.map((c) => `<option${c === value ? ' selected' : ''}>${c}</option>`).join('')}</select>`;
  }
  if (k.type === 'bool') return `<input type="checkbox" data-key="${k.key}"${value ? ' checked' : ''}>`;
  const step = k.type === 'int' ? 1 : 'any';
  return `<input type="number" data-key="${k.key}" min="${k.min}" max="${k.max}" step="${step}" value="${value}">`;
}

function renderTunables(keys, values) {
  $('tunables').innerHTML = keys.map((k) => `<tr title="${escapeHtml(k.doc)}"><td>${k.key}</td>
    <td>${tunableInput(k, values[k.key])}</td><td class="unit">${k.unit === '-' ? '' : k.unit} ${escapeHtml(k.range)}</td>
    <td><button data-set="${k.key}">Set</button></td></tr>`).join('');
  document.querySelectorAll('#tunables button').forEach((b) => {
    b.onclick = () => {
      const key = b.dataset.set, k = keys.find((x) => x.key === key);
      const input = document.querySelector(`[data-key="${key}"]`);
      const value = k.type === 'bool' ? input.checked : k.choices || k.type === 'string' ? input.value : Number(input.value);
      command('set', { values: { [key]: value } }, (r) => say(r.ok ? `set ${key}` : `${r.error}: ${r.message}`));
    };
  });
}

$('tub-link').href = 'tub.html' + location.search;
setupPad();
setupKeys();
setupButtons();
requestAnimationFrame(pollGamepad);
connect();
