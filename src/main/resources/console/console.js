// The operator console: reads /console/api/* and renders with textContent only (no HTML from data, ever).
'use strict';

const TEXT = {
  en: {
    title: 'ECPay e-invoice console', skip: 'Skip to content', overview: 'Overview', batches: 'Batches', commands: 'Commands',
    dead: 'Dead letters and rejects', logout: 'Log out', user: 'User', password: 'Password', login: 'Log in',
    searchLabel: 'Find a command (id, RelateNumber, InvoiceNo, Tsr)', state: 'State', operation: 'Operation', merchant: 'Merchant',
    day: 'Day', search: 'Search', today: 'Today', total: 'In total', statesTitle: 'Commands by state',
    invoicesTitle: 'Invoices', issued: 'Issued', voided: 'Voided', allowances: 'Allowances', callsTitle: 'ECPay calls per minute',
    alertsTitle: 'Needs a person', noAlerts: 'Nothing needs a person.', paused: 'Merchant paused (HTTP 403) until',
    deadAlert: 'Dead letters that need a person', oldest: 'Oldest waiting command', waitingSince: 'waiting since',
    name: 'Name', kind: 'Kind', received: 'Received', progress: 'Progress', files: 'Files', lines: 'lines', journaled: 'journaled',
    succeeded: 'succeeded', waiting: 'waiting', retrying: 'retrying', deadCount: 'dead', rejected: 'rejected', duplicates: 'duplicates',
    id: 'Id', attempts: 'Attempts', rtnCode: 'RtnCode', rtnMsg: 'RtnMsg', transCode: 'TransCode', created: 'Created',
    updated: 'Updated', source: 'Source', noResults: 'No commands match.', data: 'Data sent (ECPay Data)', reply: "ECPay's reply",
    evidence: 'Reconciliation evidence', delivery: 'Channel delivery', delivered: 'delivered', notDelivered: 'not delivered yet',
    attemptHistory: 'Attempts', lastAttempt: 'Last attempt (the attempt audit is not in this journal)', started: 'Started',
    ended: 'Ended', outcome: 'Outcome', reason: 'Reason', httpStatus: 'HTTP', maybeSent: 'May have reached ECPay',
    redrive: 'Re-drive', redriveGroup: 'Re-drive this group', groups: 'Dead letters by reason', deadCommands: 'Dead commands',
    rejectedFiles: 'Files with rejected lines', rejectedRows: 'Rejected database rows by reason', count: 'Count',
    confirmRedrive: 'Re-drive {n} dead command(s)? Those that may have reached ECPay are looked up first, never sent blindly.',
    redriveDone: 'Re-drive requested', redriveNone: 'No dead command matches.', notAvailable: 'Re-drive is not available in this version of the job.',
    readOnly: 'Read-only: your role cannot act.', loginFailed: 'Wrong user name or password.', error: 'Error',
    lookup: 'Lookup', instance: 'Instance / by', resent: 'sent again', reconciled: 'looked up first', skipped: 'left alone',
    loading: 'Loading…', back: 'Back', operator: 'operator', viewer: 'read-only', noUsers: 'No console users are configured; see docs/console.md.',
    callbacksTitle: "ECPay's callbacks", callbackKind: 'Callback', verified: 'Verified', invoiceNo: 'InvoiceNo',
    allowanceNo: 'AllowanceNo', remote: 'From'
  },
  'zh-TW': {
    title: '綠界電子發票主控台', skip: '跳到主要內容', overview: '總覽', batches: '批次', commands: '指令',
    dead: '失敗與退件', logout: '登出', user: '使用者', password: '密碼', login: '登入',
    searchLabel: '查詢指令（編號、RelateNumber、發票號碼、Tsr）', state: '狀態', operation: '作業', merchant: '特店',
    day: '日期', search: '查詢', today: '今日', total: '累計', statesTitle: '各狀態指令數',
    invoicesTitle: '發票', issued: '開立', voided: '作廢', allowances: '折讓', callsTitle: '每分鐘呼叫綠界次數',
    alertsTitle: '需要人工處理', noAlerts: '目前沒有需要人工處理的事項。', paused: '特店暫停（HTTP 403）至',
    deadAlert: '需要人工處理的失敗指令', oldest: '等待最久的指令', waitingSince: '等待自',
    name: '名稱', kind: '來源類型', received: '收到時間', progress: '進度', files: '檔案', lines: '行', journaled: '已登錄',
    succeeded: '成功', waiting: '等待中', retrying: '重試中', deadCount: '失敗', rejected: '退件', duplicates: '重複',
    id: '編號', attempts: '嘗試次數', rtnCode: 'RtnCode', rtnMsg: 'RtnMsg', transCode: 'TransCode', created: '建立時間',
    updated: '更新時間', source: '來源', noResults: '查無符合的指令。', data: '送出的資料（綠界 Data）', reply: '綠界回覆',
    evidence: '對帳依據', delivery: '通道傳送', delivered: '已傳送', notDelivered: '尚未傳送',
    attemptHistory: '嘗試紀錄', lastAttempt: '最後一次嘗試（此日誌沒有嘗試稽核表）', started: '開始',
    ended: '結束', outcome: '結果', reason: '原因', httpStatus: 'HTTP', maybeSent: '可能已送達綠界',
    redrive: '重新送出', redriveGroup: '重新送出此群組', groups: '依原因分組的失敗指令', deadCommands: '失敗指令',
    rejectedFiles: '含退件行的檔案', rejectedRows: '依原因分組的資料庫退件', count: '筆數',
    confirmRedrive: '重新送出 {n} 筆失敗指令？可能已送達綠界者會先查詢，絕不盲目重送。',
    redriveDone: '已要求重新送出', redriveNone: '沒有符合的失敗指令。', notAvailable: '此版本尚未提供重新送出功能。',
    readOnly: '唯讀：您的角色不能執行動作。', loginFailed: '使用者名稱或密碼錯誤。', error: '錯誤',
    lookup: '查詢作業', instance: '執行者', resent: '重新送出', reconciled: '先查詢再處理', skipped: '未處理',
    loading: '載入中…', back: '返回', operator: '操作人員', viewer: '唯讀', noUsers: '尚未設定主控台使用者；請見 docs/console.md。',
    callbacksTitle: '綠界回呼通知', callbackKind: '通知類型', verified: '檢查碼相符', invoiceNo: '發票號碼',
    allowanceNo: '折讓單號', remote: '來源位址'
  }
};

const lang = document.documentElement.lang === 'zh-TW' ? 'zh-TW' : 'en';
const t = (key) => (TEXT[lang][key] || TEXT.en[key] || key);
let me = null;
let refreshTimer = null;
let chart = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function when(iso) {
  if (!iso) return '';
  // Taiwan time, written the same unambiguous way (2026-11-30 18:05:00) in both languages
  return new Date(iso).toLocaleString('sv-SE', { timeZone: 'Asia/Taipei' });
}

async function api(path, options) {
  const res = await fetch('/console/api/' + path, Object.assign({ credentials: 'same-origin' }, options || {}));
  if (res.status === 401) { location.href = '/console/login'; throw new Error('login'); }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) { const err = new Error((body && body.message) || res.statusText); err.status = res.status; err.body = body; throw err; }
  return body;
}

function post(path, value) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me ? me.csrf : '' },
    body: JSON.stringify(value) });
}

function translatePage() {
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.title = t('title');
  document.querySelectorAll('[data-lang]').forEach((a) => a.addEventListener('click', (ev) => {
    ev.preventDefault();
    document.cookie = 'einvoice_console_lang=' + a.dataset.lang + '; Path=/console; SameSite=Strict; Max-Age=31536000';
    // the page is rendered for a language on the server (html lang): load it again, without a ?lang= that would win
    if (new URLSearchParams(location.search).has('lang')) location.replace(location.pathname + location.hash);
    else location.reload();
  }));
}

function table(columns, rows, id) {
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: t(c.label) })));
  const body = el('tbody');
  for (const r of rows) body.append(el('tr', {}, ...columns.map((c) => el('td', {}, c.render ? c.render(r) : (r[c.key] ?? '')))));
  return el('table', { id }, el('thead', {}, head), body);
}

function card(title, ...content) { return el('section', { class: 'card' }, el('h2', { text: title }), ...content); }

function counts(obj, keys) {
  return el('dl', { class: 'counts' }, ...keys.flatMap((k) => [el('dt', { text: k.label }), el('dd', { text: obj[k.key] ?? 0 })]));
}

// ------------------------------------------------------------------------------------------------ views

async function overview(view) {
  const o = await api('overview');
  const states = ['NEW', 'IN_FLIGHT', 'RETRY', 'UNKNOWN', 'SUCCEEDED', 'DEAD'].map((s) => ({ key: s, label: s }));
  const inv = [{ key: 'issued', label: t('issued') }, { key: 'voided', label: t('voided') }, { key: 'allowances', label: t('allowances') }];
  const alerts = el('ul', { id: 'alerts' });
  for (const p of o.alerts.pausedMerchants) alerts.append(el('li', { class: 'alert', text: t('paused') + ' ' + when(p.paused_until) + ': ' + p.merchant_id + ' ' + (p.reason || '') }));
  for (const d of o.alerts.deadNeedingPerson) {
    alerts.append(el('li', { class: 'alert' }, el('a', { href: '#/dead', text: t('deadAlert') }),
      ': TransCode ' + (d.trans_code ?? '-') + ' / RtnCode ' + (d.rtn_code ?? '-') + ' × ' + d.commands + ' — ' + (d.rtn_msg || d.reason || '')));
  }
  const w = o.alerts.oldestWaiting;
  if (w) {
    alerts.append(el('li', { class: w.needsPerson ? 'alert' : 'info' }, t('oldest') + ': ',
      el('a', { href: '#/command/' + encodeURIComponent(w.id), text: w.id }), ' (' + w.state + ', ' + t('waitingSince') + ' ' + when(w.created_at) + ')'));
  }
  if (!alerts.children.length) alerts.append(el('li', { text: t('noAlerts') }));
  const chartBox = el('div', { id: 'chart', role: 'img', 'aria-label': t('callsTitle') });
  view.replaceChildren(
    el('h1', { text: t('overview') }),
    el('div', { class: 'cards' },
      card(t('statesTitle') + ' — ' + t('today'), counts(o.statesToday, states)),
      card(t('statesTitle') + ' — ' + t('total'), counts(o.statesTotal, states)),
      card(t('invoicesTitle') + ' — ' + t('today'), counts(o.invoicesToday, inv)),
      card(t('invoicesTitle') + ' — ' + t('total'), counts(o.invoicesTotal, inv))),
    card(t('alertsTitle'), alerts),
    card(t('callsTitle'), chartBox));
  if (window.echarts) {
    if (chart) chart.dispose();
    chart = window.echarts.init(chartBox, null, { renderer: 'svg' });
    chart.setOption({
      animation: false, grid: { left: 40, right: 16, top: 16, bottom: 32 }, tooltip: { trigger: 'axis' },
      // minutes labelled in Taiwan time, whatever the browser's zone
      xAxis: { type: 'category', data: o.callsPerMinute.map((p) => when(p.minute).substring(11, 16)),
        axisLabel: { interval: (i, v) => v.endsWith(':00') }, axisTick: { interval: (i, v) => v.endsWith(':00') } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('callsTitle'), data: o.callsPerMinute.map((p) => p.calls) }]
    });
  }
}

function progressCell(p) {
  const label = `${p.percent}% — ${t('succeeded')} ${p.succeeded}, ${t('retrying')} ${p.retrying}, ${t('waiting')} ${p.waiting}, `
    + `${t('deadCount')} ${p.dead}, ${t('rejected')} ${p.rejected}, ${t('duplicates')} ${p.duplicates} / ${p.lines} ${t('lines')} (${t('journaled')} ${p.journaled})`;
  return el('div', { class: 'progress' }, el('progress', { max: 100, value: p.percent, 'aria-label': label }), el('span', { class: 'progress-text', text: label }));
}

async function batches(view) {
  const b = await api('batches');
  const fileLinks = (r) => el('span', {}, ...(r.files || []).map((f) =>
    el('a', { class: 'file', href: '/console/api/file?source=' + encodeURIComponent(r.source_name) + '&name=' + encodeURIComponent(f), text: f })));
  const nameLink = (r) => el('a', { href: '#/commands?source=' + encodeURIComponent(r.source_name), text: r.original_name || r.source_name });
  view.replaceChildren(el('h1', { text: t('batches') }),
    table([{ label: 'name', render: nameLink }, { label: 'kind', key: 'source_kind' }, { label: 'received', render: (r) => when(r.received_at) },
      { label: 'progress', render: (r) => progressCell(r.progress) }, { label: 'files', render: fileLinks }], b.files.concat(b.sql), 'batches'));
}

function commandQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.substring(i + 1));
}

async function commands(view) {
  const q = commandQuery();
  for (const [k, v] of q) { const input = document.getElementById('search-' + k); if (input) input.value = v; }
  const r = await api('commands?' + q.toString());
  const idLink = (c) => el('a', { href: '#/command/' + encodeURIComponent(c.id), text: c.id });
  view.replaceChildren(el('h1', { text: t('commands') }), r.commands.length === 0 ? el('p', { text: t('noResults') })
    : table([{ label: 'id', render: idLink }, { label: 'operation', key: 'operation' }, { label: 'merchant', key: 'merchant_id' },
      { label: 'state', key: 'state' }, { label: 'attempts', key: 'attempts' }, { label: 'rtnCode', key: 'rtn_code' },
      { label: 'rtnMsg', key: 'rtn_msg' }, { label: 'source', render: (c) => (c.source_name || '') + (c.source_ref ? ' #' + c.source_ref : '') },
      { label: 'created', render: (c) => when(c.created_at) }], r.commands, 'commands'));
}

function pretty(text) {
  if (!text) return '';
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}

async function command(view, id) {
  const c = await api('command?id=' + encodeURIComponent(id));
  const facts = el('dl', { class: 'facts' });
  const fact = (k, v) => facts.append(el('dt', { text: t(k) }), el('dd', { text: v ?? '' }));
  fact('id', c.id); fact('operation', c.operation); fact('merchant', c.merchant_id); fact('state', c.state);
  fact('attempts', c.attempts); fact('maybeSent', String(c.maybe_sent)); fact('source', (c.source_kind || '') + ' ' + (c.source_name || '') + ' ' + (c.source_ref || ''));
  fact('created', when(c.created_at)); fact('updated', when(c.updated_at));
  fact('evidence', c.evidence || '');
  fact('delivery', c.channel_delivered_at ? t('delivered') + ' ' + when(c.channel_delivered_at) : t('notDelivered'));
  let attempts;
  if (c.attemptsAudit) {
    attempts = card(t('attemptHistory'), table([{ label: 'attempts', key: 'attempt' }, { label: 'kind', key: 'kind' },
      { label: 'started', render: (a) => when(a.started_at) }, { label: 'ended', render: (a) => when(a.ended_at) },
      { label: 'httpStatus', key: 'http_status' }, { label: 'transCode', key: 'trans_code' }, { label: 'rtnCode', key: 'rtn_code' },
      { label: 'rtnMsg', key: 'rtn_msg' }, { label: 'outcome', key: 'outcome' }, { label: 'reason', key: 'reason' },
      { label: 'evidence', key: 'evidence' }, { label: 'lookup', key: 'lookup_operation' },
      { label: 'instance', key: 'instance_id' }], c.attemptsAudit, 'attempts'));
  } else {
    attempts = card(t('lastAttempt'), table([{ label: 'attempts', key: 'attempts' }, { label: 'httpStatus', key: 'last_http_status' },
      { label: 'transCode', key: 'last_trans_code' }, { label: 'rtnCode', key: 'last_rtn_code' }, { label: 'rtnMsg', key: 'last_rtn_msg' },
      { label: 'outcome', key: 'last_outcome' }, { label: 'reason', key: 'last_reason' }, { label: 'updated', render: (a) => when(a.updated_at) }], [c], 'attempts'));
  }
  const actions = el('div', { class: 'actions' });
  const button = c.state === 'DEAD' ? redriveButton({ ids: [c.id] }, t('redrive')) : null;
  if (button) actions.append(button);
  const callbacks = c.callbacks && c.callbacks.length ? card(t('callbacksTitle'), table([{ label: 'received', render: (b) => when(b.received_at) },
    { label: 'callbackKind', key: 'kind' }, { label: 'verified', render: (b) => String(b.verified) }, { label: 'rtnCode', key: 'rtn_code' },
    { label: 'invoiceNo', key: 'invoice_no' }, { label: 'allowanceNo', key: 'allowance_no' },
    { label: 'remote', key: 'remote_address' }], c.callbacks, 'callbacks')) : '';
  view.replaceChildren(el('h1', { text: c.id }), el('p', {}, el('a', { href: '#/commands', text: t('back') })), facts, actions, attempts,
    callbacks, card(t('data'), el('pre', { id: 'command-data', text: pretty(c.payload) })),
    card(t('reply'), el('pre', { id: 'command-reply', text: pretty(c.reply) })));
}

function redriveButton(selection, label) {
  if (!me.canAct) return null;
  const out = el('output', { class: 'redrive-result', role: 'status' });
  const button = el('button', { type: 'button', class: 'redrive', text: label, on: { click: async () => {
    out.textContent = t('loading');
    try {
      const preview = await post('redrive', Object.assign({ dryRun: true }, selection));
      const n = preview.result && (preview.result.matched ?? preview.result.count ?? (preview.result.ids || []).length);
      if (!window.confirm(t('confirmRedrive').replace('{n}', n ?? '?'))) { out.textContent = ''; return; }
      const done = await post('redrive', Object.assign({ dryRun: false }, selection));
      const r = done.result || {};
      out.textContent = t('redriveDone') + (r.matched === undefined ? ': ' + JSON.stringify(r)
        : `: ${r.matched} — ${t('resent')} ${r.resent}, ${t('reconciled')} ${r.reconciled}, ${t('skipped')} ${r.skipped}`);
    } catch (e) {
      out.textContent = e.status === 501 ? t('notAvailable') : t('error') + ': ' + e.message;
    }
  } } });
  return el('span', {}, button, ' ', out);
}

async function dead(view) {
  const d = await api('dead');
  const groupAction = (g) => redriveButton(g.trans_code !== null && g.trans_code !== 1 && g.rtn_code === null
    ? { transCodes: [g.trans_code] } : (g.rtn_code !== null ? { rtnCodes: [g.rtn_code] } : { ids: [g.example_id] }), t('redriveGroup'));
  const idLink = (c) => el('a', { href: '#/command/' + encodeURIComponent(c.id), text: c.id });
  const rejectsLink = (f) => el('a', { href: '#/batches', text: f.original_name });
  view.replaceChildren(el('h1', { text: t('dead') }),
    ...(me.canAct ? [] : [el('p', { class: 'info', text: t('readOnly') })]),
    card(t('groups'), table([{ label: 'transCode', key: 'trans_code' }, { label: 'rtnCode', key: 'rtn_code' }, { label: 'rtnMsg', key: 'rtn_msg' },
      { label: 'reason', key: 'reason' }, { label: 'count', key: 'commands' }, { label: 'updated', render: (g) => when(g.last_at) },
      { label: 'redrive', render: groupAction }], d.groups, 'dead-groups')),
    card(t('deadCommands'), table([{ label: 'id', render: idLink }, { label: 'operation', key: 'operation' }, { label: 'transCode', key: 'trans_code' },
      { label: 'rtnCode', key: 'rtn_code' }, { label: 'rtnMsg', key: 'rtn_msg' }, { label: 'reason', key: 'reason' },
      { label: 'redrive', render: (c) => redriveButton({ ids: [c.id] }, t('redrive')) }], d.commands, 'dead-commands')),
    card(t('rejectedFiles'), table([{ label: 'name', render: rejectsLink }, { label: 'count', key: 'rejected_count' },
      { label: 'received', render: (f) => when(f.received_at) }], d.rejectedFiles, 'rejected-files')),
    card(t('rejectedRows'), table([{ label: 'reason', key: 'reason' }, { label: 'count', key: 'cnt' },
      { label: 'updated', render: (r) => when(r.last_at) }], d.rejectedRows, 'rejected-rows')));
}

// ------------------------------------------------------------------------------------------------ shell

async function show() {
  clearTimeout(refreshTimer);
  const view = document.getElementById('view');
  const hash = location.hash || '#/overview';
  const [route] = hash.substring(2).split('?');
  document.querySelectorAll('nav a').forEach((a) => a.removeAttribute('aria-current'));
  const nav = document.getElementById('nav-' + route.split('/')[0]);
  if (nav) nav.setAttribute('aria-current', 'page');
  try {
    if (route === 'overview') { await overview(view); refreshTimer = setTimeout(show, 5000); }
    else if (route === 'batches') { await batches(view); refreshTimer = setTimeout(show, 3000); }
    else if (route === 'commands') await commands(view);
    else if (route.startsWith('command/')) await command(view, decodeURIComponent(route.substring('command/'.length)));
    else if (route === 'dead') await dead(view);
    else location.hash = '#/overview';
  } catch (e) {
    if (e.message !== 'login') view.replaceChildren(el('p', { class: 'error', role: 'alert', text: t('error') + ': ' + e.message }));
  }
}

async function startApp() {
  translatePage();
  me = await api('me');
  document.getElementById('who').textContent = me.user + ' (' + t(me.role) + ')';
  document.getElementById('logout').addEventListener('click', async () => { await post('logout', {}); location.href = '/console/login'; });
  document.getElementById('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(ev.target)) if (v) q.set(k, v);
    location.hash = '#/commands?' + q.toString();
  });
  window.addEventListener('hashchange', show);
  show();
}

function startLogin() {
  translatePage();
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = document.getElementById('login-error');
    const res = await fetch('/console/api/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: document.getElementById('login-user').value, password: document.getElementById('login-password').value }) });
    if (res.ok) { location.href = '/console/'; return; }
    error.textContent = res.status === 503 ? t('noUsers') : t('loginFailed');
  });
}

document.addEventListener('DOMContentLoaded', () => (document.body.dataset.page === 'login' ? startLogin() : startApp()));
