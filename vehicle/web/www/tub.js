// rcpilot-web's tub page (Donkey's tubclean): sessions and record counts, thumbnails, select a
// range and delete or restore it. Every change goes through the control API's `record`
// erase_range/restore_range, i.e. the node's recorder, the tub's only writer; listing reads the
// tub with the node's tub reader. window.tubPage exposes the state for the browser tests.
'use strict';

const PAGE = 120;  // thumbnails shown at once
const page = { ws: null, nextId: 1, pending: new Map(), tub: null, deleted: new Set(),
  session: null, start: 0, first: null, last: null, mine: false, loaded: 0 };
window.tubPage = page;
const $ = (id) => document.getElementById(id);

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/ws${location.search}`);
  page.ws = ws;
  ws.onopen = () => { setConn(true); send({ t: 'hello', name: 'tub page' }); list(); };
  ws.onclose = () => { setConn(false); page.mine = false; setTimeout(connect, 1000); };
  ws.onmessage = (ev) => { if (typeof ev.data === 'string') onText(JSON.parse(ev.data)); };
}

function setConn(ok) {
  $('conn').textContent = ok ? 'connected' : 'disconnected';
  $('conn').className = 'pill ' + (ok ? 'ok' : 'bad');
}

function send(msg) {
  if (page.ws && page.ws.readyState === WebSocket.OPEN) page.ws.send(JSON.stringify(msg));
}

function command(cmd, fields, done) {
  const id = page.nextId++;
  page.pending.set(id, done);
  send(Object.assign({ t: 'cmd', id, cmd }, fields));
}

function say(text) { $('message').textContent = text; }

function onText(m) {
  if (m.t === 'reply') {
    const done = page.pending.get(m.id);
    page.pending.delete(m.id);
    if (done) done(m);
  } else if (m.t === 'controls') {
    page.mine = m.mine;
    $('holder').textContent = m.mine ? 'you hold the controls'
      : m.holder ? `controls: ${m.holder}` : 'controls: free';
    $('claim').textContent = m.mine ? 'Release controls' : 'Take controls';
  } else if (m.t === 'event' && /^record_/.test(m.type)) {
    say(m.message || m.type);
  } else if (m.t === 'error') {
    say(m.message);
  }
}

function list() {
  command('record', { action: 'list' }, (r) => {
    if (!r.ok) { say(`${r.error}: ${r.message}`); return; }
    page.tub = r.tub;
    page.deleted = new Set(r.tub.deleted);
    page.loaded++;
    $('summary').textContent = `${r.tub.path}: ${r.tub.records} records, ${r.tub.deleted.length} deleted`;
    $('sessions').innerHTML = '<tr><td>session</td><td>records</td><td>indexes</td><td></td></tr>' +
      r.tub.sessions.map((s, i) => `<tr><td>${s.id || '(none)'}</td><td>${s.records}</td>
        <td>${s.first} .. ${s.last}</td><td><button data-session="${i}">Show</button></td></tr>`).join('');
    document.querySelectorAll('#sessions button').forEach((b) => {
      b.onclick = () => show(page.tub.sessions[Number(b.dataset.session)]);
    });
    if (page.session) show(page.tub.sessions.find((s) => s.id === page.session.id) || page.session, page.start);
    else if (r.tub.sessions.length) show(r.tub.sessions[r.tub.sessions.length - 1]);
  });
}

function show(session, start = session.first) {
  page.session = session;
  page.start = Math.max(session.first, Math.min(start, session.last));
  const end = Math.min(session.last, page.start + PAGE - 1);
  const html = [];
  for (let i = page.start; i <= end; i++) {
    const cls = ['thumb'];
    if (page.deleted.has(i)) cls.push('deleted');
    if (page.first !== null && i >= page.first && i <= page.last) cls.push('selected');
    html.push(`<figure class="${cls.join(' ')}" data-index="${i}"><img loading="lazy" src="tub/image/${i}.jpg" alt="">` +
      `<figcaption>${i}</figcaption></figure>`);
  }
  $('thumbs').innerHTML = html.join('');
  document.querySelectorAll('#thumbs figure').forEach((f) => { f.onclick = (ev) => pick(Number(f.dataset.index), ev.shiftKey); });
}

function pick(index, extend) {
  if (extend && page.first !== null) {
    page.first = Math.min(page.first, index);
    page.last = Math.max(page.last, index);
  } else {
    page.first = index;
    page.last = index;
  }
  $('first').value = page.first;
  $('last').value = page.last;
  show(page.session, page.start);
}

function change(action) {
  const first = Number($('first').value), last = Number($('last').value);
  if (!page.mine) { say('take the controls first: changing the tub needs them'); return; }
  command('record', { action, first, last }, (r) => {
    say(r.ok ? `${action === 'erase_range' ? 'deleted' : 'restored'} ${first} .. ${last}` : `${r.error}: ${r.message}`);
    list();
  });
}

$('back').href = './' + location.search;
$('claim').onclick = () => send({ t: page.mine ? 'release' : 'claim' });
$('estop').onclick = () => command('estop', {}, (r) => say(r.ok ? 'e-stop latched' : r.message));
addEventListener('keydown', (ev) => {
  if (ev.target.tagName === 'INPUT') return;
  if (ev.code === 'Space' || ev.code === 'Escape') { ev.preventDefault(); $('estop').click(); }
});
$('delete').onclick = () => change('erase_range');
$('restore').onclick = () => change('restore_range');
$('prev').onclick = () => page.session && show(page.session, page.start - PAGE);
$('next').onclick = () => page.session && show(page.session, page.start + PAGE);
['first', 'last'].forEach((id) => { $(id).onchange = () => { page.first = Number($('first').value); page.last = Number($('last').value); show(page.session, page.start); }; });
connect();
