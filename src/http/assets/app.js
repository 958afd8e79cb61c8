// paxscreen dashboard. No framework, no external resources: DOM built with textContent only
// (traveller names come from airline messages and are never parsed as HTML).
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const SVGNS = 'http://www.w3.org/2000/svg';

  function build(el, attrs, kids) {
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v == null || v === false) continue;
        if (k === 'class') el.setAttribute('class', v);
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else el.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const k of kids.flat(Infinity)) {
      if (k == null || k === false) continue;
      el.append(k instanceof Node ? k : String(k));
    }
    return el;
  }
  const h = (tag, attrs, ...kids) => build(document.createElement(tag), attrs, kids);
  // replaceChildren without the holes conditional parts leave (null would print as "null")
  const put = (el, ...kids) => el.replaceChildren(...kids.flat(Infinity).filter((k) => k != null && k !== false));
  const s = (tag, attrs, ...kids) => build(document.createElementNS(SVGNS, tag), attrs, kids);

  // ---- state ----
  const state = {
    filters: { status: 'open', list: '', severity: '', flight: '', airport: '', min_score: '' },
    cursor: null,
    lastSeq: 0,
    window: '1h',
    view: null,
    timers: [],
    stats: null,
  };

  // ---- analyst name (no login yet: the name is sent with every request) ----
  const analystInput = $('#analyst');
  analystInput.value = localStorage.getItem('paxscreen.analyst') || '';
  analystInput.addEventListener('change', () => {
    localStorage.setItem('paxscreen.analyst', analystInput.value.trim());
  });
  const analyst = () => analystInput.value.trim();

  async function api(path, opts = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    const who = analyst();
    // header values must be Latin-1; other names still travel in disposition bodies
    if (who && /^[\x20-\x7e\xa0-\xff]+$/.test(who)) headers['X-Paxscreen-User'] = who;
    const res = await fetch(path, Object.assign({}, opts, { headers }));
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
    return body;
  }

  // ---- formatting ----
  const pad = (n) => String(n).padStart(2, '0');
  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    const today = new Date();
    if (d.toDateString() === today.toDateString()) return t;
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
  }
  const label = (s) => String(s || '').replace(/_/g, ' ');
  // flight times as sent (local, YYYY-MM-DDTHH:MM)
  const local = (t) => (t ? String(t).replace('T', ' ') : '');
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const score3 = (x) => (typeof x === 'number' ? x.toFixed(3) : '');

  function scoreBar(score) {
    const fill = h('span', { class: 'fill' + (score >= 0.95 ? ' hi' : score >= 0.88 ? ' mid' : '') });
    // scores that alert sit between 0.5 and 1: spread that range over the bar
    fill.style.width = `${Math.max(4, Math.min(100, ((score - 0.5) / 0.5) * 100))}%`;
    return h('span', { class: 'scorebar' }, h('b', null, score3(score)), h('span', { class: 'track' }, fill));
  }
  const sevBadge = (sev) => h('span', { class: `badge sev-${sev}` }, sev);
  function statusBadge(a) {
    if (a.suppressed_by && a.status === 'open') {
      return h('span', null, h('span', { class: 'badge st-suppressed' }, 'suppressed'), h('div', { class: 'small' }, `by ${a.suppressed_by.analyst}`));
    }
    return h('span', { class: `badge st-${a.status}` }, label(a.status));
  }
  const route = (a, b) => [a || '?', b || '?'].join(' → ');

  function setConn(kind) {
    const el = $('#conn');
    el.className = 'conn' + (kind === 'live' ? ' live' : kind === 'off' ? ' off' : '');
    el.textContent = kind === 'live' ? 'live' : kind === 'off' ? 'disconnected' : 'reconnecting…';
    el.dataset.state = kind;
  }

  // ---- live stream ----
  let es = null;
  function filterParams(withStatus) {
    const p = new URLSearchParams();
    for (const k of ['list', 'severity', 'flight', 'airport', 'min_score']) {
      if (state.filters[k]) p.set(k, state.filters[k]);
    }
    if (withStatus && state.filters.status) p.set('status', state.filters.status);
    return p;
  }
  function connect() {
    if (es) es.close();
    const p = filterParams(false);
    p.set('after', String(state.lastSeq));
    es = new EventSource('/api/alerts/stream?' + p.toString());
    es.addEventListener('ready', () => setConn('live'));
    es.onopen = () => setConn('live');
    es.onerror = () => setConn(es.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    es.addEventListener('alert', (ev) => {
      let a;
      try { a = JSON.parse(ev.data); } catch (_) { return; }
      onLiveAlert(a);
    });
  }

  let countsTimer = null;
  function onLiveAlert(a) {
    state.lastSeq = Math.max(state.lastSeq, a.seq);
    if (state.view === 'list') {
      const st = state.filters.status;
      if ((st === 'open' || st === 'all') && !document.querySelector(`tr[data-alert-id="${a.alert_id}"]`)) {
        const tbody = $('#alert-rows');
        if (tbody) {
          const empty = $('#alert-empty');
          if (empty) empty.remove();
          const tr = alertRow(a);
          tr.classList.add('flash');
          tbody.prepend(tr);
        }
      }
      // counts and charts follow shortly (one refresh for a burst)
      clearTimeout(countsTimer);
      countsTimer = setTimeout(() => { loadCounts(); loadStats(); }, 700);
    }
  }

  // ---- alert list ----
  function alertRow(a) {
    const open = () => { location.hash = `#/alerts/${a.alert_id}`; };
    return h('tr', { class: 'row' + (a.suppressed_by ? ' suppressed' : ''), dataset: { alertId: a.alert_id, seq: a.seq }, onclick: open },
      h('td', { class: 'num small', title: a.created_at }, fmtTime(a.created_at)),
      h('td', null, scoreBar(a.score)),
      h('td', null, sevBadge(a.severity)),
      h('td', null,
        h('a', { href: `#/alerts/${a.alert_id}`, class: 'name' }, a.traveller_name || '(no name)'),
        h('div', { class: 'small' }, [a.traveller_dob, a.nationality].filter(Boolean).join(' · '))),
      h('td', null, h('div', null, a.entry_name), h('div', { class: 'small' }, a.entry_id)),
      h('td', null, h('span', { class: 'badge list-tag' }, a.list)),
      h('td', null, h('div', null, a.flight || '—'), h('div', { class: 'small' }, route(a.departure_airport, a.arrival_airport))),
      h('td', null, statusBadge(a)),
    );
  }

  const TABS = [
    ['open', 'Open'],
    ['needs_review', 'Needs review'],
    ['true_match', 'True match'],
    ['false_positive', 'False positive'],
    ['suppressed', 'Suppressed'],
    ['all', 'All'],
  ];

  function renderTabs(counts) {
    const el = $('#tabs');
    if (!el) return;
    const total = counts ? counts.open + counts.needs_review + counts.true_match + counts.false_positive + counts.suppressed : null;
    el.replaceChildren(...TABS.map(([key, name]) => {
      const n = counts ? (key === 'all' ? total : counts[key]) : '…';
      return h('button', {
        class: `tab s-${key}` + (state.filters.status === key ? ' active' : ''),
        id: `tab-${key}`,
        onclick: () => { state.filters.status = key; reloadList(); },
      }, h('span', { class: 'n', id: `count-${key}` }, n), h('span', { class: 'l' }, name));
    }));
  }

  async function loadCounts() {
    try {
      const c = await api('/api/counts?' + filterParams(false).toString());
      renderTabs(c);
    } catch (e) {
      renderTabs(null);
    }
  }

  async function loadPage(reset) {
    const p = filterParams(true);
    if (!reset && state.cursor) p.set('cursor', String(state.cursor));
    const tbody = $('#alert-rows');
    const more = $('#more');
    try {
      const page = await api('/api/alerts?' + p.toString());
      if (reset) {
        put(tbody);
        state.lastSeq = Math.max(state.lastSeq, page.last_seq);
      }
      for (const a of page.alerts) tbody.append(alertRow(a));
      state.cursor = page.next_cursor;
      if (!tbody.children.length) {
        tbody.append(h('tr', { id: 'alert-empty' }, h('td', { colspan: 8, class: 'empty' }, 'No alerts match. New alerts appear here as they are raised.')));
      }
      more.hidden = !page.next_cursor;
    } catch (e) {
      put(tbody, h('tr', null, h('td', { colspan: 8, class: 'empty msg err' }, e.message)));
    }
  }

  async function reloadList() {
    state.cursor = null;
    renderTabs(null);
    await Promise.all([loadPage(true), loadCounts()]);
    connect();
  }

  function filterBar() {
    const f = state.filters;
    const lists = Object.keys((state.stats && state.stats.lists) || {});
    const listSel = h('select', { id: 'f-list' }, h('option', { value: '' }, 'all lists'), lists.map((l) => h('option', { value: l }, l)));
    listSel.value = f.list;
    const sevSel = h('select', { id: 'f-severity' },
      h('option', { value: '' }, 'any'), ['low', 'medium', 'high', 'critical'].map((x) => h('option', { value: x }, `${x}+`)));
    sevSel.value = f.severity;
    const input = (id, ph, v, cls) => h('input', { id, placeholder: ph, value: v, class: cls || null });
    const flight = input('f-flight', 'e.g. LH0400', f.flight);
    const airport = input('f-airport', 'IATA', f.airport, 'short');
    const score = input('f-min-score', '0.80', f.min_score, 'short');
    const apply = (ev) => {
      if (ev) ev.preventDefault();
      Object.assign(state.filters, {
        list: listSel.value, severity: sevSel.value, flight: flight.value.trim(),
        airport: airport.value.trim(), min_score: score.value.trim(),
      });
      reloadList();
    };
    const clear = () => {
      Object.assign(state.filters, { list: '', severity: '', flight: '', airport: '', min_score: '' });
      listView();
    };
    return h('form', { class: 'filters', onsubmit: apply },
      h('label', null, 'List', listSel),
      h('label', null, 'Severity', sevSel),
      h('label', null, 'Flight', flight),
      h('label', null, 'Airport', airport),
      h('label', null, 'Min score', score),
      h('button', { type: 'submit', class: 'primary', id: 'f-apply' }, 'Apply'),
      h('button', { type: 'button', onclick: clear }, 'Clear'));
  }

  // ---- charts (inline SVG) ----
  function chartSvg(values, opts) {
    const W = Math.max(260, opts.width || 360), H = 120, padL = 34, padB = 18, padT = 6;
    const max = Math.max(1, ...values);
    const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': opts.title });
    const iw = W - padL - 4, ih = H - padB - padT;
    const n = values.length || 1;
    const x = (i) => padL + (i / n) * iw;
    const y = (v) => padT + ih - (v / max) * ih;
    svg.append(s('line', { class: 'axis', x1: padL, y1: padT + ih, x2: W - 4, y2: padT + ih }));
    svg.append(s('text', { x: padL - 4, y: padT + 8, 'text-anchor': 'end' }, String(max)));
    svg.append(s('text', { x: padL - 4, y: padT + ih, 'text-anchor': 'end' }, '0'));
    if (opts.kind === 'area') {
      let d = `M ${x(0)} ${y(0)}`;
      values.forEach((v, i) => { d += ` L ${x(i) + iw / n / 2} ${y(v)}`; });
      d += ` L ${x(n - 1) + iw / n / 2} ${y(0)} Z`;
      svg.append(s('path', { class: 'area', d }));
    } else {
      const bw = Math.max(1, iw / n - 1);
      values.forEach((v, i) => {
        if (v > 0) svg.append(s('rect', { class: `bar ${opts.cls || ''}`, x: x(i), y: y(v), width: bw, height: padT + ih - y(v) }, s('title', null, `${opts.tip ? opts.tip(i) : ''} ${v}`)));
      });
    }
    for (const [i, text] of opts.ticks || []) {
      svg.append(s('text', { x: x(i), y: H - 4, 'text-anchor': i === 0 ? 'start' : i >= n ? 'end' : 'middle' }, text));
    }
    if (opts.marker != null) {
      svg.append(s('line', { x1: x(opts.marker), x2: x(opts.marker), y1: padT, y2: padT + ih, stroke: '#b42318', 'stroke-dasharray': '3 3' }));
    }
    return svg;
  }

  function renderCharts() {
    const box = $('#charts');
    if (!box || !state.stats) return;
    const st = state.stats;
    const act = st.activity;
    const n = act.alerts.length;
    const since = new Date(act.since);
    const at = (i) => new Date(since.getTime() + i * act.bucket_seconds * 1000);
    const hm = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const timeTicks = [[0, hm(at(0))], [Math.floor(n / 2), hm(at(Math.floor(n / 2)))], [n, 'now']];
    const per = act.bucket_seconds >= 3600 ? `${act.bucket_seconds / 3600} h` : `${act.bucket_seconds / 60} min`;
    const sum = (v) => v.reduce((x, y) => x + y, 0);
    const width = Math.floor((box.clientWidth - 60) / 3);
    // scores: alerts sit above the threshold; show 0.50–1.00
    const from = Math.round(0.5 / act.score_bin);
    const scores = act.scores.slice(from);
    const sTicks = [[0, '0.50'], [Math.round(scores.length / 2), '0.75'], [scores.length, '1.00']];
    const marker = (st.alert_threshold - 0.5) / act.score_bin;
    const windowButtons = h('span', { class: 'window' }, ['1h', '6h', '24h', '7d'].map((w) =>
      h('button', { class: state.window === w ? 'active' : null, onclick: () => { state.window = w; loadStats(); } }, w)));
    put(box, 
      h('div', { class: 'card', id: 'chart-travellers' },
        h('div', { class: 'chart-head' }, h('h2', null, `Screened travellers / ${per}`), h('span', { class: 'total' }, sum(act.travellers).toLocaleString())),
        chartSvg(act.travellers, { kind: 'area', width, ticks: timeTicks, title: 'screened travellers over time' })),
      h('div', { class: 'card', id: 'chart-alerts' },
        h('div', { class: 'chart-head' }, h('h2', null, `Alerts / ${per}`), h('span', { class: 'total' }, sum(act.alerts).toLocaleString())),
        chartSvg(act.alerts, { cls: 'alert', width, ticks: timeTicks, title: 'alerts over time', tip: (i) => hm(at(i)) })),
      h('div', { class: 'card', id: 'chart-scores' },
        h('div', { class: 'chart-head' }, h('h2', null, 'Score distribution'), windowButtons),
        chartSvg(scores, { cls: 'score', width, ticks: sTicks, marker, title: 'alert score distribution', tip: (i) => ((from + i) * act.score_bin).toFixed(2) })),
    );
  }

  async function loadStats() {
    try {
      state.stats = await api('/api/stats?window=' + state.window);
      renderCharts();
    } catch (e) {
      const box = $('#charts');
      if (box) put(box, h('div', { class: 'card small' }, e.message));
    }
  }

  async function listView() {
    state.view = 'list';
    const root = $('#view');
    put(root, 
      h('div', { id: 'tabs', class: 'tabs' }),
      h('div', { id: 'filters-slot' }),
      h('div', { id: 'charts', class: 'grid three charts' }),
      h('div', { class: 'table-wrap' },
        h('table', { id: 'alerts' },
          h('thead', null, h('tr', null, ['Raised', 'Score', 'Severity', 'Traveller', 'Watchlist entry', 'List', 'Flight', 'Status'].map((t) => h('th', null, t)))),
          h('tbody', { id: 'alert-rows' }))),
      h('div', { class: 'more' }, h('button', { id: 'more', hidden: true, onclick: () => loadPage(false) }, 'Load older alerts')),
    );
    renderTabs(null);
    await loadStats();
    put($('#filters-slot'), filterBar());
    await reloadList();
    state.timers.push(setInterval(loadStats, 15000));
  }

  // ---- alert page ----
  function kv(pairs) {
    return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v != null && v !== '' && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  }
  const docText = (d) => [d.type || d.doc_type, d.number, d.country].filter(Boolean).join(' · ');

  const GOOD = {
    dob: ['exact', 'month_match', 'year_match', 'day_month_swapped'],
    document: ['exact', 'similar'],
    nationality: ['match'],
    gender: ['match'],
  };
  const BAD = {
    dob: ['mismatch', 'same_year_different_day'],
    document: ['conflict'],
    nationality: ['mismatch'],
    gender: ['mismatch'],
  };
  function verdict(field, name, value, detail) {
    const cls = GOOD[field].includes(value) ? 'good' : BAD[field].includes(value) ? 'bad' : 'neutral';
    return h('div', { class: `verdict ${cls}`, id: `verdict-${field}` },
      h('div', { class: 'k' }, name), h('div', { class: 'v' }, label(value)), h('div', { class: 'd' }, detail));
  }

  function explanationCard(a, entry) {
    const x = a.explanation;
    const t = a.traveller;
    const n = x.name;
    const rows = n.aligned.map((p) => h('tr', null,
      h('td', { class: 'part' }, p.query), h('td', { class: 'arrow' }, '↔'), h('td', { class: 'part' }, p.entry), h('td', null, scoreBar(p.score))));
    const chips = (list) => list.length ? list.map((p) => h('span', { class: 'chip' }, p)) : h('span', { class: 'small' }, 'none');
    const entryDobs = entry ? (entry.dobs || []).join(', ') : '';
    const entryNats = entry ? (entry.nationalities || []).join(', ') : '';
    const entryDocs = entry ? (entry.documents || []).map(docText).join('; ') : '';
    return h('div', { class: 'card mt', id: 'explanation' },
      h('h2', null, 'Why it matched'),
      h('div', { class: 'small' }, 'Entry name used: ', h('b', null, n.entry_name), ` (${label(n.entry_name_kind)}) · name score `, h('b', null, score3(n.score)),
        n.common_parts_only ? ' · only very common name parts' : ''),
      h('table', { class: 'align mt', id: 'aligned' },
        h('thead', null, h('tr', null, h('th', null, 'Traveller part'), h('th', null, ''), h('th', null, 'Entry part'), h('th', null, 'Similarity'))),
        h('tbody', null, rows)),
      h('div', { class: 'grid two mt' },
        h('div', null, h('div', { class: 'small' }, 'Traveller parts not aligned'), chips(n.unmatched_query)),
        h('div', null, h('div', { class: 'small' }, 'Entry parts not aligned'), chips(n.unmatched_entry))),
      h('div', { class: 'verdicts' },
        verdict('dob', 'Date of birth', x.dob, `${t.dob || 'none'} vs ${entryDobs || 'none'}`),
        verdict('document', 'Document', x.document, `${(t.documents || []).map(docText).join('; ') || 'none'} vs ${entryDocs || 'none'}`),
        verdict('nationality', 'Nationality', x.nationality, `${t.nationality || 'none'} vs ${entryNats || 'none'}`),
        verdict('gender', 'Gender', x.gender, `${t.gender || 'none'} vs ${(entry && entry.gender) || 'none'}`)),
      x.rule ? h('div', { class: 'rule' }, 'Score bounded by rule: ', h('b', null, label(x.rule))) : null);
  }

  function decisionCard(d) {
    const msg = h('div', { class: 'msg', id: 'decision-msg' });
    const comment = h('textarea', { id: 'comment', placeholder: 'Comment (what you checked, why)', maxlength: 4000 });
    const send = async (verdict, btn) => {
      const buttons = btn.parentElement.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      msg.className = 'msg';
      msg.textContent = 'Recording…';
      try {
        const body = { verdict, comment: comment.value };
        if (analyst()) body.analyst = analyst();
        const r = await api(`/api/alerts/${d.alert.alert_id}/disposition`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        await alertView(d.alert.alert_id, `Recorded: ${label(r.disposition.verdict)} by ${r.disposition.analyst}`);
      } catch (e) {
        msg.className = 'msg err';
        msg.textContent = e.message;
        buttons.forEach((b) => { b.disabled = false; });
      }
    };
    const button = (v, text) => h('button', { class: `v-${v}`, id: `decide-${v}`, onclick: (ev) => send(v, ev.currentTarget) }, text);
    return h('div', { class: 'card decide', id: 'decision' },
      h('h2', null, 'Decision'),
      comment,
      h('div', { class: 'buttons' }, button('true_match', 'True match'), button('false_positive', 'False positive'), button('needs_review', 'Needs review')),
      h('div', { class: 'note' }, d.suppressible
        ? 'A false positive suppresses later alerts for this traveller (same document / date of birth / name) and this entry.'
        : 'This traveller has no document number or full date of birth: a false positive cannot suppress later alerts.'),
      h('div', { class: 'note' }, analyst() ? `Recorded as ${analyst()}.` : 'Set your name at the top right; without it decisions are recorded as "anonymous".'),
      msg);
  }

  function historyCard(d) {
    const items = d.dispositions.slice().reverse().map((x) => h('li', null,
      h('span', { class: `badge st-${x.verdict}` }, label(x.verdict)), ' ', h('b', null, x.analyst),
      h('span', { class: 'when' }, ` · ${fmtTime(x.at)}`),
      x.comment ? h('div', { class: 'comment' }, x.comment) : null));
    const audit = d.audit.map((e) => h('li', null,
      h('b', null, e.actor), ` ${label(e.action)}`, e.detail && e.detail.verdict ? `: ${label(e.detail.verdict)}` : '',
      h('span', { class: 'when' }, ` · ${fmtTime(e.at)}`)));
    return [
      h('div', { class: 'card', id: 'history' }, h('h2', null, 'Decision history'),
        items.length ? h('ol', { class: 'history' }, items) : h('div', { class: 'small' }, 'No decision yet.')),
      h('div', { class: 'card', id: 'audit' }, h('h2', null, 'Audit trail'),
        audit.length ? h('ol', { class: 'history' }, audit) : h('div', { class: 'small' }, 'No events.')),
    ];
  }

  async function alertView(id, notice) {
    state.view = 'alert';
    const root = $('#view');
    if (!notice) put(root, h('div', { class: 'empty' }, 'Loading alert…'));
    let d;
    try {
      d = await api(`/api/alerts/${encodeURIComponent(id)}`);
    } catch (e) {
      put(root, h('a', { href: '#/', class: 'back' }, '← Alerts'), h('div', { class: 'card msg err' }, e.message));
      return;
    }
    const a = d.alert, t = a.traveller, f = a.flight, e = d.entry;
    const status = Object.assign({}, a, { status: d.status });
    put(root, 
      h('a', { href: '#/', class: 'back' }, '← Alerts'),
      h('div', { class: 'card alert-head', id: 'alert-head', dataset: { alertId: a.alert_id } },
        h('span', { class: 'bigscore' }, score3(a.score)),
        h('div', null,
          h('div', { class: 'who' }, t.name || '(no name)', h('span', { class: 'vs' }, '  ≈  '), a.explanation.name.entry_name),
          h('div', { class: 'small' }, `alert ${a.alert_id} · raised ${fmtTime(a.created_at)} · seq ${a.seq}`)),
        h('span', { class: 'spacer' }),
        sevBadge(a.severity), h('span', { class: 'badge list-tag' }, a.list), h('span', { id: 'alert-status' }, statusBadge(status))),
      a.suppressed_by ? h('div', { class: 'banner suppressed', id: 'suppressed-banner' },
        'Suppressed: ', h('b', null, a.suppressed_by.analyst), ` called this traveller × entry a false positive on ${fmtTime(a.suppressed_by.decided_at)} (alert `,
        h('a', { href: `#/alerts/${a.suppressed_by.alert_id}` }, a.suppressed_by.alert_id.slice(0, 12) + '…'), '). It was kept but not raised live.') : null,
      notice ? h('div', { class: 'banner msg ok', id: 'notice' }, notice) : null,
      h('div', { class: 'grid three mt' },
        h('div', { class: 'card', id: 'traveller' }, h('h2', null, 'Traveller'), kv([
          ['Name', t.name], ['Surname', t.surname], ['Given names', t.given_names], ['Date of birth', t.dob],
          ['Gender', t.gender], ['Nationality', t.nationality],
          ['Documents', (t.documents || []).map(docText).join('; ')], ['Kind', label(t.kind)],
          ['Traveller ref', t.id], ['PNR', t.pnr], ['Seat', t.seat]])),
        h('div', { class: 'card', id: 'entry' }, h('h2', null, 'Watchlist entry'), e ? kv([
          ['Entry', e.id], ['List', e.list], ['Severity', e.severity],
          ['Names', h('ul', { class: 'plain names' }, e.names.map((nm) => h('li', null, nm.full, h('span', { class: 'kind' }, label(nm.kind)))))],
          ['Dates of birth', (e.dobs || []).join(', ')], ['Places of birth', (e.places_of_birth || []).join('; ')],
          ['Nationalities', (e.nationalities || []).join(', ')], ['Documents', (e.documents || []).map(docText).join('; ')],
          ['Gender', e.gender]]) : kv([['Entry', a.entry_id], ['List', a.list], ['Note', 'no longer on the loaded lists']])),
        h('div', { class: 'card', id: 'flight' }, h('h2', null, 'Flight'), kv([
          ['Flight', f.id], ['Route', route(f.departure_airport, f.arrival_airport)],
          ['Departure', local(f.departure_time)], ['Arrival', local(f.arrival_time)],
          ['Message ref', a.message_ref], ['Source', label(a.source && a.source.kind)],
          ['Manifest', h('a', { href: `#/flights/${a.message_id}` }, 'all travellers of this manifest →')]]))),
      explanationCard(a, e),
      h('div', { class: 'grid three mt' }, decisionCard(d), historyCard(d)),
    );
  }

  // ---- flights ----
  async function flightsView() {
    state.view = 'flights';
    const root = $('#view');
    const tbody = h('tbody', { id: 'flight-rows' });
    const more = h('button', { hidden: true }, 'Load older manifests');
    let cursor = null;
    const load = async () => {
      try {
        const p = new URLSearchParams();
        if (cursor) p.set('cursor', cursor);
        const page = await api('/api/flights?' + p.toString());
        for (const fl of page.flights) {
          const f = fl.flight;
          tbody.append(h('tr', { class: 'row', onclick: () => { location.hash = `#/flights/${fl.message_id}`; } },
            h('td', { class: 'num small' }, fmtTime(fl.screened_at)),
            h('td', null, h('a', { href: `#/flights/${fl.message_id}`, class: 'name' }, f.id || '(no flight)')),
            h('td', null, route(f.departure_airport, f.arrival_airport)),
            h('td', { class: 'small' }, local(f.departure_time)),
            h('td', { class: 'num' }, fl.travellers), h('td', { class: 'num' }, fl.alerts),
            h('td', { class: 'num decision-refer' }, fl.refer || ''), h('td', { class: 'num decision-no_board' }, fl.no_board || ''),
            h('td', { class: 'small' }, fl.source)));
        }
        if (!tbody.children.length) tbody.append(h('tr', null, h('td', { colspan: 9, class: 'empty' }, 'No manifest screened yet.')));
        cursor = page.next_cursor;
        more.hidden = !cursor;
      } catch (e) {
        put(tbody, h('tr', null, h('td', { colspan: 9, class: 'empty msg err' }, e.message)));
      }
    };
    more.addEventListener('click', load);
    put(root, h('h1', null, 'Screened manifests'), h('div', { class: 'sub' }, 'Newest first; open one to see every traveller and their result.'),
      h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, ['Screened', 'Flight', 'Route', 'Departure', 'Travellers', 'Alerts', 'Refer', 'No board', 'Source'].map((x) => h('th', null, x)))), tbody)),
      h('div', { class: 'more' }, more));
    await load();
  }

  async function flightView(mid) {
    state.view = 'flight';
    const root = $('#view');
    put(root, h('div', { class: 'empty' }, 'Loading manifest…'));
    let d;
    try {
      d = await api(`/api/flights/${encodeURIComponent(mid)}`);
    } catch (e) {
      put(root, h('a', { href: '#/flights', class: 'back' }, '← Flights'), h('div', { class: 'card msg err' }, e.message));
      return;
    }
    const fl = d.flight, f = fl.flight;
    const alertsBy = new Map();
    for (const a of d.alerts) {
      if (!alertsBy.has(a.traveller_index)) alertsBy.set(a.traveller_index, []);
      alertsBy.get(a.traveller_index).push(a);
    }
    const rows = d.travellers.map((t) => {
      const als = (alertsBy.get(t.index) || []);
      return h('tr', { class: t.alerts ? 'row' : null, onclick: als.length ? () => { location.hash = `#/alerts/${als[0].alert_id}`; } : null },
        h('td', { class: 'num small' }, t.index + 1),
        h('td', null, h('span', { class: 'name' }, t.name || '(no name)'), h('div', { class: 'small' }, `${label(t.kind)} · ${t.traveller_id}`)),
        h('td', { class: `decision-${t.decision}` }, label(t.decision)),
        h('td', null, t.best_score != null ? scoreBar(t.best_score) : h('span', { class: 'small' }, '—')),
        h('td', { class: 'small' }, t.best_entry || ''),
        h('td', null, als.map((a) => h('a', { href: `#/alerts/${a.alert_id}` }, h('span', { class: `badge st-${a.suppressed_by ? 'suppressed' : a.status}` }, a.list, ' ', score3(a.score)), ' '))));
    });
    put(root, 
      h('a', { href: '#/flights', class: 'back' }, '← Flights'),
      h('h1', null, `${f.id || '(no flight)'} · ${route(f.departure_airport, f.arrival_airport)}`),
      h('div', { class: 'sub' }, `departs ${local(f.departure_time) || '?'} · arrives ${local(f.arrival_time) || '?'} · screened ${fmtTime(fl.screened_at)} via ${fl.source} · ${plural(fl.travellers, 'traveller')}, ${plural(fl.alerts, 'alert')}, ${fl.refer} refer, ${fl.no_board} no board`),
      h('div', { class: 'table-wrap' }, h('table', { id: 'flight-travellers' },
        h('thead', null, h('tr', null, ['#', 'Traveller', 'Decision', 'Best score', 'Best entry', 'Alerts'].map((x) => h('th', null, x)))),
        h('tbody', null, rows))));
  }

  // ---- audit ----
  async function auditView() {
    state.view = 'audit';
    const root = $('#view');
    const tbody = h('tbody', { id: 'audit-rows' });
    const more = h('button', { hidden: true }, 'Load older events');
    let cursor = null;
    const load = async () => {
      try {
        const p = new URLSearchParams();
        if (cursor) p.set('cursor', cursor);
        const page = await api('/api/audit?' + p.toString());
        for (const e of page.events) {
          const det = e.detail || {};
          tbody.append(h('tr', null,
            h('td', { class: 'num small' }, fmtTime(e.at)), h('td', null, h('b', null, e.actor)), h('td', null, label(e.action)),
            h('td', null, e.alert_id ? h('a', { href: `#/alerts/${e.alert_id}` }, e.alert_id.slice(0, 12) + '…') : ''),
            h('td', null, det.verdict ? h('span', { class: `badge st-${det.verdict}` }, label(det.verdict)) : '',
              det.previous_status ? h('span', { class: 'small' }, ` (was ${label(det.previous_status)})`) : '',
              det.comment ? h('div', { class: 'small' }, det.comment) : '')));
        }
        if (!tbody.children.length) tbody.append(h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'No audit events yet.')));
        cursor = page.next_cursor;
        more.hidden = !cursor;
      } catch (e) {
        put(tbody, h('tr', null, h('td', { colspan: 5, class: 'empty msg err' }, e.message)));
      }
    };
    more.addEventListener('click', load);
    put(root, h('h1', null, 'Audit trail'), h('div', { class: 'sub' }, 'Append-only: who viewed or decided what, and when.'),
      h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, ['When', 'Who', 'Action', 'Alert', 'Detail'].map((x) => h('th', null, x)))), tbody)),
      h('div', { class: 'more' }, more));
    await load();
  }

  // ---- router ----
  function route_() {
    state.timers.forEach(clearInterval);
    state.timers = [];
    const hash = location.hash || '#/';
    let m;
    const nav = (id) => document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.id === id));
    if ((m = hash.match(/^#\/alerts\/([^/]+)$/))) { nav('nav-alerts'); return alertView(decodeURIComponent(m[1])); }
    if ((m = hash.match(/^#\/flights\/([^/]+)$/))) { nav('nav-flights'); return flightView(decodeURIComponent(m[1])); }
    if (hash === '#/flights') { nav('nav-flights'); return flightsView(); }
    if (hash === '#/audit') { nav('nav-audit'); return auditView(); }
    nav('nav-alerts');
    return listView();
  }
  window.addEventListener('hashchange', route_);
  window.addEventListener('resize', () => { if (state.view === 'list') renderCharts(); });
  setConn('connecting');
  route_().then(() => { if (!es) connect(); });
})();
