/*
 * cxnode console — a regulator's screening page over the node's HTTP API
 * (docs/http.md). Plain JS, no framework, nothing loaded from elsewhere.
 *
 * The token comes from the field, or from the page's fragment
 * (/console#token=...&code=...), which is then removed from the address
 * bar; it is kept in sessionStorage (this tab only). A fragment may also
 * carry a search: code=, id=, name=, regno= (or by= and value=), prefix,
 * as_of, history, kinds (comma-separated), city, sector, from, to, limit,
 * offset; with a token present the search runs at once.
 *
 * Everything the node returns is put into the page as text (textContent),
 * never as HTML.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'cxnode.token';
  const st = { token: null, who: null, query: null, answer: null };

  const KIND = {
    penalty: '行政处罚 penalty',
    licence: '行政许可 licence',
    dishonest_list: '失信名单 dishonest list',
    dishonest_debtor: '失信被执行人 dishonest debtor',
    red_list: '红名单 red list',
    evaluation: '信用评价 evaluation',
    commitment: '信用承诺 commitment',
    commitment_outcome: '践诺/违诺 commitment outcome',
    coercion: '行政强制 coercion',
    reward: '行政奖励 reward',
    confirmation: '行政确认 confirmation',
    adjudication: '行政裁决 adjudication',
    inspection: '行政监督检查 inspection',
    status_change: '信用修复/更正 status change',
  };
  const BODY = ['penalty', 'licence', 'list_entry', 'evaluation', 'commitment', 'outcome',
    'admin', 'change'];
  const SECTION = {
    joint_punishment: '失信联合惩戒 · joint punishment',
    dishonest_debtor: '失信被执行人 · dishonest debtors',
    red_list: '守信激励 · red list',
    penalty: '行政处罚 · penalties',
    licence: '行政许可 · licences',
    commitment: '信用承诺 · commitments',
    commitment_outcome: '践诺 / 违诺 · commitment outcomes',
    evaluation: '信用评价 · evaluations (common A–D scale)',
    other: '其他 · other',
  };

  /* ---- small helpers ---------------------------------------------------- */

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids) {
      if (k === undefined || k === null || k === false) continue;
      e.append(typeof k === 'string' || typeof k === 'number' ? String(k) : k);
    }
    return e;
  }

  function str(v) {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.map(str).filter((s) => s !== '').join('; ');
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  function showMsg(kind, text) {
    const m = $('msg');
    m.className = 'msg ' + kind;
    m.textContent = text;
    m.hidden = false;
  }

  function clearMsg() {
    const m = $('msg');
    m.hidden = true;
    m.textContent = '';
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function explain(err, what) {
    if (!(err instanceof ApiError))
      return what + ': cannot reach the node (' + err.message + ')';
    const why = err.message ? ': ' + err.message : '';
    switch (err.status) {
    case 401:
      return 'Not signed in (401): the token is missing, invalid or expired' + why +
        '. Get a new one with `cxnode token` and paste it above.';
    case 403:
      return 'Refused (403): your role' + (st.who ? ' (' + st.who.role + ')' : '') +
        ' may not ' + what + why + '.';
    case 400:
      return 'Bad request (400)' + why + '.';
    case 404:
      return 'Nothing found (404)' + why + '.';
    case 413:
      return 'Too big (413)' + why + '.';
    case 503:
      return 'The node is busy (503)' + why + '; try again.';
    default:
      return what + ' failed (' + err.status + ')' + why + '.';
    }
  }

  async function fetchApi(path, init) {
    const headers = Object.assign({ Accept: 'application/json' }, init.headers || {});
    if (st.token) headers.Authorization = 'Bearer ' + st.token;
    const res = await fetch(path, Object.assign({}, init, { headers, cache: 'no-store',
      credentials: 'omit' }));
    if (!res.ok) {
      let code = '', message = res.statusText;
      try {
        const j = await res.json();
        code = j.code || '';
        message = j.error || message;
      } catch (e) { /* not JSON */ }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  async function call(method, params) {
    const res = await fetchApi('/v1/' + method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params || {}),
    });
    return res.json();
  }

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  function fileName(prefix, value, asOf, ext) {
    const v = String(value || 'subject').replace(/[^0-9A-Za-z\u4e00-\u9fff_-]+/g, '_')
      .slice(0, 60);
    return prefix + '-' + v + (asOf ? '-' + asOf : '') + '.' + ext;
  }

  /* ---- token ------------------------------------------------------------ */

  async function useToken(t) {
    t = (t || '').trim();
    st.token = t || null;
    st.who = null;
    if (!t) {
      sessionStorage.removeItem(TOKEN_KEY);
      $('who').textContent = 'not signed in';
      return false;
    }
    sessionStorage.setItem(TOKEN_KEY, t);
    $('token').value = '';
    try {
      st.who = await call('whoami', {});
      $('who').textContent = 'signed in as ' + str(st.who.who) + ' · role ' +
        str(st.who.role) + (st.who.node ? ' · node ' + str(st.who.node) : '');
      $('who').dataset.role = str(st.who.role);
      clearMsg();
      return true;
    } catch (e) {
      $('who').textContent = 'token not accepted';
      showMsg('error', explain(e, 'sign in'));
      return false;
    }
  }

  /* ---- the search form -------------------------------------------------- */

  function formQuery(offset) {
    const q = { by: $('by').value, value: $('value').value.trim() };
    if ($('prefix').checked) q.prefix = true;
    if ($('as_of').value) q.as_of = $('as_of').value;
    if ($('history').checked) q.history = true;
    const kinds = Array.from(document.querySelectorAll('input[name=kind]:checked'))
      .map((c) => c.value);
    if (kinds.length) q.kinds = kinds;
    for (const k of ['city', 'sector', 'from', 'to']) {
      const v = $(k).value.trim();
      if (v) q[k] = v;
    }
    q.limit = parseInt($('limit').value, 10) || 20;
    q.offset = offset || 0;
    return q;
  }

  function fillForm(p) {
    const alias = { code: 'code', id: 'id_number', id_number: 'id_number', name: 'name',
      regno: 'reg_no', reg_no: 'reg_no' };
    for (const [k, by] of Object.entries(alias)) {
      if (p.has(k)) {
        $('by').value = by;
        $('value').value = p.get(k);
      }
    }
    if (p.has('by')) $('by').value = p.get('by');
    if (p.has('value')) $('value').value = p.get('value');
    const yes = (k) => p.has(k) && !/^(0|false|no|off)$/i.test(p.get(k));
    $('prefix').checked = yes('prefix');
    $('history').checked = yes('history');
    for (const k of ['as_of', 'city', 'sector', 'from', 'to'])
      if (p.has(k)) $(k).value = p.get(k);
    if (p.has('limit')) {
      const l = String(parseInt(p.get('limit'), 10) || 20);
      if (!Array.from($('limit').options).some((o) => o.value === l))
        $('limit').append(el('option', { text: l }));
      $('limit').value = l;
    }
    if (p.has('kinds')) {
      const want = p.get('kinds').split(',');
      for (const c of document.querySelectorAll('input[name=kind]'))
        c.checked = want.includes(c.value);
    }
    return parseInt(p.get('offset') || '0', 10) || 0;
  }

  async function search(offset) {
    const q = formQuery(offset);
    if (!q.value) {
      showMsg('error', 'Enter a credit code, an identity number or a name.');
      return;
    }
    if (!st.token) {
      showMsg('error', 'Not signed in: paste a token first (cxnode token).');
      return;
    }
    $('go').disabled = true;
    showMsg('info', 'Searching…');
    try {
      const ans = await call('query', q);
      st.query = q;
      st.answer = ans;
      clearMsg();
      render(ans);
    } catch (e) {
      showMsg('error', explain(e, 'search'));
    } finally {
      $('go').disabled = false;
    }
  }

  /* ---- rendering an answer ---------------------------------------------- */

  function body(rec) {
    for (const b of BODY) if (rec && rec[b]) return rec[b];
    return {};
  }

  function span(a, b) {
    if (!a && !b) return '';
    return (a || '…') + ' → ' + (b || '…');
  }

  /* The columns of one record line: [validity, authority, what]. */
  function detail(r) {
    const rec = r.record || {};
    const b = body(rec);
    let validity = '', what = '';
    switch (rec.kind) {
    case 'dishonest_list':
    case 'dishonest_debtor':
    case 'red_list':
      validity = span(rec.publication_start || rec.decision_date, rec.publicity_max_end ||
        b.valid_until);
      what = [r.list_type || b.list_type, str(r.measures || b.measures), b.reason]
        .filter(Boolean).join(' · ');
      break;
    case 'penalty':
      validity = span(rec.publication_start, rec.publicity_max_end || rec.publicity_min_end);
      what = [b.decision_no, b.content || str(b.types)].filter(Boolean).join(' · ');
      break;
    case 'licence':
      validity = span(b.valid_from, b.valid_until);
      what = [b.licence_no, b.content, b.state].filter(Boolean).join(' · ');
      break;
    case 'evaluation':
      validity = span(b.valid_from, b.valid_until);
      break;
    case 'commitment':
      validity = span(b.valid_from, b.valid_until);
      what = [b.commitment_type, b.matter].filter(Boolean).join(' · ');
      break;
    case 'commitment_outcome':
      what = (b.fulfilled ? '践诺 fulfilled' : '违诺 breached') +
        (b.description ? ' · ' + b.description : '');
      break;
    default:
      what = [b.decision_no, b.action_type, b.content, b.result].filter(Boolean).join(' · ');
    }
    return [validity, (rec.authority && rec.authority.name) || '', what];
  }

  function gradeCell(r) {
    const g = r.grade || {};
    const ev = (r.record && r.record.evaluation) || {};
    const canon = g.canonical || '';
    const orig = g.original || ev.grade || '';
    const scheme = g.scheme || ev.scheme || '';
    const model = g.model_version || ev.model_version || '';
    return el('td', { class: 'grade-cell' },
      el('span', { class: 'grade', text: canon || '—' }),
      canon ? null : el('span', { class: 'grade-orig', text: ' not in the mapping table' }),
      el('div', { class: 'grade-orig', text: [orig && 'original ' + orig, scheme,
        model && 'model ' + model, g.mapping_version && 'table ' + g.mapping_version,
        r.latest === false ? 'superseded' : ''].filter(Boolean).join(' · ') }));
  }

  function recordRow(r) {
    const rec = r.record || {};
    const [validity, authority, what] = detail(r);
    const state = str(r.state) || 'active';
    const bad = state === 'active' && (rec.kind === 'dishonest_list' ||
      rec.kind === 'dishonest_debtor' || (rec.kind === 'commitment_outcome' &&
      !(rec.outcome && rec.outcome.fulfilled)));
    const issuer = str(r.issuer || rec.issuer);
    const region = str(r.region || rec.region);
    const city = issuer + (r.city && r.city !== issuer ? ' ' + str(r.city) : '') +
      (region ? ' (' + region + ')' : '');
    const raw = el('details', {}, el('summary', { text: 'record' }),
      el('pre', { class: 'mono', text: JSON.stringify(r, null, 2) }));
    return el('tr', { class: 'record', 'data-kind': rec.kind || '', 'data-state': state },
      el('td', { class: 'city', text: city }),
      el('td', { text: KIND[rec.kind] || str(rec.kind) }),
      el('td', {}, el('span', { class: 'state ' + state + (bad ? ' bad' : ''), text: state })),
      el('td', { text: str(rec.decision_date) + (r.since ? ' (since ' + r.since + ')' : '') }),
      el('td', { text: validity }),
      el('td', { text: authority }),
      rec.kind === 'evaluation' ? gradeCell(r) : el('td', { text: what }),
      el('td', {}, raw));
  }

  /* The key of the subject a record entry is about ("subject" in the
   * answer; older forms: "key", "subject_key"). */
  function recordKey(r) {
    if (typeof r.subject === 'string') return r.subject;
    if (r.key !== undefined) return str(r.key);
    if (r.subject_key !== undefined) return str(r.subject_key);
    return null;
  }

  /* The key of the subject record r is about, when records carry no key:
   * the same credit code, else identity number, else registration number,
   * else name. */
  function subjectOf(r, subjects) {
    const rs = (r.record && r.record.subject) || {};
    for (const f of ['credit_code', 'id_number', 'business_reg_no', 'name']) {
      if (!rs[f]) continue;
      const s = subjects.find((x) => x.subject && x.subject[f] === rs[f]);
      if (s) return str(s.key);
    }
    return '';
  }

  function sectionOf(r) {
    return str(r.section) || (r.record && r.record.kind) || 'records';
  }

  function subjectCard(s, recs, asOf) {
    const subj = s.subject || {};
    const ids = [subj.credit_code, subj.id_number, subj.business_reg_no]
      .filter(Boolean).join(' · ');
    const listedIn = Array.isArray(s.listed_in) ? s.listed_in.map(str) :
      Array.from(new Set(recs.filter((r) => {
      const k = r.record && r.record.kind;
      return (k === 'dishonest_list' || k === 'dishonest_debtor') &&
        (str(r.state) || 'active') === 'active';
    }).map((r) => str(r.issuer || (r.record && r.record.issuer)))));
    const listed = s.listed === true || (s.listed === undefined && listedIn.length > 0);
    const banner = listed ?
      el('div', { class: 'banner listed', 'data-listed': 'yes',
        text: '⚠ Listed — 失信联合惩戒对象' + (listedIn.length ? ' in ' +
          listedIn.join(', ') : '') + ' (as of ' + asOf + ')' }) :
      el('div', { class: 'banner clear', 'data-listed': 'no',
        text: '✓ Not listed anywhere in the corridor as of ' + asOf });
    const card = el('article', { class: 'subject', 'data-key': str(s.key) },
      el('div', { class: 'subject-head' },
        el('span', { class: 'name', text: subj.name || str(s.key) }),
        el('span', { class: 'ids mono', text: ids }),
        el('span', { class: 'ids', text: (s.active !== undefined ? s.active + ' active / ' : '') +
          (s.total !== undefined ? s.total + ' records' : '') })),
      banner);

    const sections = new Map();
    for (const r of recs) {
      const sec = sectionOf(r);
      if (!sections.has(sec)) sections.set(sec, []);
      sections.get(sec).push(r);
    }
    if (!recs.length)
      card.append(el('div', { class: 'empty', text: 'No record on this date.' }));
    const order = Object.keys(SECTION);
    const rank = (k) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
    for (const [sec, rs] of Array.from(sections).sort((a, b) => rank(a[0]) - rank(b[0]))) {
      card.append(el('div', { class: 'section-title', 'data-section': sec,
        text: SECTION[sec] || sec }));
      const t = el('table', {},
        el('thead', {}, el('tr', {}, ...['city (issuer)', 'kind', 'state', 'decided',
          'publicity / validity', 'authority', 'measures / grade', ''].map((h) =>
          el('th', { text: h })))),
        el('tbody', {}, ...rs.map(recordRow)));
      card.append(t);
    }
    const rq = reportQuery(s);
    const acts = el('div', { class: 'subject-actions' });
    if (rq) {
      const bj = el('button', { type: 'button', class: 'secondary', text: 'Report (JSON)' });
      const bh = el('button', { type: 'button', class: 'secondary', text: 'Report (HTML)' });
      bj.addEventListener('click', () => downloadReport(rq, 'json'));
      bh.addEventListener('click', () => downloadReport(rq, 'html'));
      acts.append(bj, bh);
    }
    card.append(acts);
    return card;
  }

  /* An exact search that finds subject s alone, for its report. */
  function reportQuery(s) {
    const subj = s.subject || {};
    const asOf = st.query && st.query.as_of;
    const q = (by, value) => Object.assign({ by, value }, asOf ? { as_of: asOf } : {});
    if (subj.credit_code) return q('code', subj.credit_code);
    if (subj.id_number && !/\*/.test(subj.id_number)) return q('id_number', subj.id_number);
    if (st.query && !st.query.prefix) return q(st.query.by, st.query.value);
    return null;
  }

  function render(a) {
    const asOf = str(a.as_of);
    $('answer').hidden = false;
    const total = a.total_subjects !== undefined ? a.total_subjects :
      (a.subjects || []).length;
    const grades = a.grades ? ' · grade table ' + str(a.grades.version) : '';
    $('summary').textContent = total + ' subject(s) found as of ' + asOf + ' · ' +
      str(a.active) + ' active of ' + str(a.total) + ' record(s)' + grades;

    const tb = $('data').querySelector('tbody');
    tb.replaceChildren(...(a.data || []).map((d) => el('tr', {},
      el('td', { text: str(d.issuer) }), el('td', { class: 'mono', text: str(d.origin) }),
      el('td', { text: str(d.size) }), el('td', { class: 'mono', text: str(d.root) }))));

    const subjects = a.subjects || [];
    const recs = a.records || [];
    const byKey = new Map();
    for (const r of recs) {
      const k = recordKey(r) ?? (subjects.length === 1 ? str(subjects[0].key) :
        subjectOf(r, subjects));
      if (!byKey.has(k)) byKey.set(k, []);
      byKey.get(k).push(r);
    }
    const box = $('subjects');
    box.replaceChildren();
    if (!subjects.length)
      box.append(el('div', { class: 'banner clear', 'data-listed': 'no',
        text: '✓ No subject found: not listed anywhere in the corridor as of ' + asOf }));
    for (const s of subjects)
      box.append(subjectCard(s, byKey.get(str(s.key)) || [], asOf));

    const off = a.offset || 0, lim = (st.query && st.query.limit) || 20;
    $('page').textContent = total ? (off + 1) + '–' + Math.min(off + subjects.length, total) +
      ' of ' + total : '';
    $('prev').disabled = off <= 0;
    $('next').disabled = off + subjects.length >= total;
    const single = st.query && !st.query.prefix;
    for (const id of ['dl-report-json', 'dl-report-html']) {
      $(id).disabled = !single;
      $(id).title = single ? '' : 'a report is about one subject: use its own buttons';
    }
  }

  /* ---- downloads -------------------------------------------------------- */

  async function downloadReceipt() {
    if (!st.query) return;
    try {
      const r = await call('receipt', st.query);
      saveBlob(new Blob([JSON.stringify(r, null, 2) + '\n'], { type: 'application/json' }),
        fileName('receipt', st.query.value, st.query.as_of, 'json'));
    } catch (e) {
      showMsg('error', explain(e, 'get a receipt'));
    }
  }

  async function downloadReport(q, format) {
    try {
      if (format === 'html') {
        const p = new URLSearchParams(Object.assign({}, q, { format: 'html' }));
        const res = await fetchApi('/v1/report?' + p.toString(), { method: 'GET' });
        saveBlob(await res.blob(), fileName('report', q.value, q.as_of, 'html'));
      } else {
        const r = await call('report', q);
        saveBlob(new Blob([JSON.stringify(r, null, 2) + '\n'], { type: 'application/json' }),
          fileName('report', q.value, q.as_of, 'json'));
      }
    } catch (e) {
      showMsg('error', explain(e, 'get a report'));
    }
  }

  function currentReportQuery() {
    if (!st.query) return null;
    const q = { by: st.query.by, value: st.query.value };
    if (st.query.as_of) q.as_of = st.query.as_of;
    return q;
  }

  /* ---- start ------------------------------------------------------------ */

  async function start() {
    $('use-token').addEventListener('click', () => useToken($('token').value));
    $('token').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') useToken($('token').value);
    });
    $('forget-token').addEventListener('click', () => useToken(''));
    $('form').addEventListener('submit', (e) => {
      e.preventDefault();
      search(0);
    });
    $('prev').addEventListener('click', () => {
      const q = st.query || formQuery(0);
      search(Math.max(0, (q.offset || 0) - (q.limit || 20)));
    });
    $('next').addEventListener('click', () => {
      const q = st.query || formQuery(0);
      search((q.offset || 0) + (q.limit || 20));
    });
    $('dl-receipt').addEventListener('click', downloadReceipt);
    $('dl-report-json').addEventListener('click', () => {
      const q = currentReportQuery();
      if (q) downloadReport(q, 'json');
    });
    $('dl-report-html').addEventListener('click', () => {
      const q = currentReportQuery();
      if (q) downloadReport(q, 'html');
    });

    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    let token = sessionStorage.getItem(TOKEN_KEY);
    if (p.has('token')) {
      token = p.get('token');
      p.delete('token');
      const rest = p.toString();
      history.replaceState(null, '', location.pathname + location.search +
        (rest ? '#' + rest : ''));
    }
    const offset = fillForm(p);
    const ok = token ? await useToken(token) : false;
    if (!token)
      showMsg('info', 'Paste a token to begin (cxnode token gives one).');
    if (ok && $('value').value.trim())
      await search(offset);
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', start);
  else
    start();
})();
