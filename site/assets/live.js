/* RAR catalog, live mode (served by `rar serve`): sign-in with an API token, namespaces,
   publish by upload, and owner tools on agent pages. Talks to the same-origin JSON API. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement.getAttribute('data-root') || '';
  var KEY = 'rar_token';
  var me = null;

  function $(id) { return doc.getElementById(id); }
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function token() { try { return localStorage.getItem(KEY) || ''; } catch (e) { return ''; } }
  function setToken(t) { try { if (t) localStorage.setItem(KEY, t); else localStorage.removeItem(KEY); } catch (e) { /* storage off */ } }
  // Path segments keep their '@' (e.g. /api/v1/agents/@acme/x).
  function seg(s) { return encodeURIComponent(s).replace(/%40/g, '@'); }

  function api(method, path, body, contentType) {
    var headers = { 'Accept': 'application/json, application/problem+json' };
    var t = token();
    if (t) headers['Authorization'] = 'Bearer ' + t;
    if (contentType) headers['Content-Type'] = contentType;
    return fetch(path, { method: method, headers: headers, body: body, credentials: 'same-origin' }).then(function (res) {
      var ct = res.headers.get('Content-Type') || '';
      var parse = ct.indexOf('json') >= 0 ? res.json().catch(function () { return null; }) : res.text().then(function (t) { return t ? { detail: t } : null; });
      return parse.then(function (data) { return { ok: res.ok, status: res.status, data: data || {} }; });
    }, function (err) {
      return { ok: false, status: 0, data: { title: 'Network error', detail: String(err && err.message || err) } };
    });
  }

  // RFC 7807 problem (+ diagnostics) → DOM, into a status region.
  function showProblem(region, r, fallback) {
    region.textContent = '';
    var d = r.data || {};
    var box = el('div', 'problem-box');
    box.setAttribute('role', 'alert');
    box.appendChild(el('p', 'problem-title', (d.title || fallback || 'Request failed') + (r.status ? ' (' + r.status + ')' : '')));
    if (d.detail) box.appendChild(el('p', null, d.detail));
    if (Array.isArray(d.diagnostics) && d.diagnostics.length) {
      var ul = el('ul', 'diagnostics');
      d.diagnostics.forEach(function (g) {
        var li = el('li');
        var where = g.line ? 'line ' + g.line + (g.column ? ':' + g.column : '') + ' ' : '';
        li.appendChild(el('code', null, (g.rule || '') + (g.severity ? ' ' + g.severity : '')));
        li.appendChild(doc.createTextNode(' ' + where + (g.message || '')));
        if (g.hint) { li.appendChild(doc.createTextNode(' — ')); li.appendChild(el('em', null, g.hint)); }
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    region.appendChild(box);
  }
  function showOK(region, text, link, linkText) {
    region.textContent = '';
    var p = el('p', 'success-title', text);
    if (link) { p.appendChild(doc.createTextNode(' ')); var a = el('a', null, linkText || link); a.href = link; p.appendChild(a); }
    region.appendChild(p);
    return p;
  }
  var globalStatus = $('live-status');

  /* ---------- sign-in box ---------- */
  var form = $('signin-form');
  var userBox = $('signin-user');
  var label = $('signin-label');
  var err = $('signin-error');
  function renderUser() {
    if (!form) return;
    if (me) {
      form.hidden = true;
      userBox.hidden = false;
      $('signin-name').textContent = me.user || '?';
      $('signin-scopes').textContent = 'Scopes: ' + (me.scopes || []).join(', ') + (me.admin ? ' · administrator' : '');
      label.textContent = me.user || 'Signed in';
    } else {
      form.hidden = false;
      userBox.hidden = true;
      label.textContent = 'Sign in';
    }
  }
  function whoami() {
    if (!token()) { me = null; renderUser(); return Promise.resolve(null); }
    return api('GET', '/api/v1/whoami').then(function (r) {
      if (r.ok) { me = r.data; }
      else {
        me = null;
        if (r.status === 401) { setToken(''); if (err) err.textContent = (r.data && r.data.detail) || 'That token was not accepted.'; }
        else if (globalStatus) showProblem(globalStatus, r, 'Could not check the sign-in');
      }
      renderUser();
      return me;
    });
  }
  if (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var t = $('signin-token').value.trim();
      if (!t) return;
      err.textContent = '';
      setToken(t);
      $('signin-token').value = '';
      whoami().then(function (u) {
        if (u) { refreshPage(); var d = $('signin-box'); if (d) d.open = false; if (globalStatus) showOK(globalStatus, 'Signed in as ' + u.user + '.'); }
      });
    });
    $('signout').addEventListener('click', function () {
      setToken('');
      me = null;
      renderUser();
      refreshPage();
      if (globalStatus) showOK(globalStatus, 'Signed out.');
    });
  }

  /* ---------- account page ---------- */
  function renderNamespaces() {
    var list = $('ns-list');
    if (!list) return;
    var out = $('ns-signed-out');
    list.textContent = '';
    if (!me) { list.hidden = true; out.hidden = false; out.textContent = 'You are not signed in.'; return; }
    var ns = me.namespaces || [];
    if (!ns.length) { list.hidden = true; out.hidden = false; out.textContent = 'You do not own any namespace yet.'; return; }
    out.hidden = true;
    list.hidden = false;
    ns.forEach(function (n) {
      var li = el('li');
      var a = el('a', null, n);
      a.href = root + 'catalog/' + seg(n.charAt(0) === '@' ? n : '@' + n) + '/index.html';
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  var pub = $('publish-form');
  if (pub) {
    pub.addEventListener('submit', function (e) {
      e.preventDefault();
      var region = $('publish-result');
      var file = $('publish-file').files[0];
      if (!file) return;
      if (!token()) { showProblem(region, { status: 0, data: { title: 'Sign in first', detail: 'Publishing needs an API token with the publish scope.' } }); return; }
      region.textContent = 'Publishing ' + file.name + '…';
      var button = pub.querySelector('button[type="submit"]');
      button.disabled = true;
      api('POST', '/api/v1/publish', file, 'text/x-python').then(function (r) {
        button.disabled = false;
        if (r.ok) {
          var d = r.data;
          var p = showOK(region, 'Published ' + d.name + ' ' + d.version + '.', d.url, 'Open the agent page');
          var dl = el('dl', 'kv-list');
          [['sha256', d.sha256], ['incantation', d.incantation], ['seed', d.seed]].forEach(function (kv) {
            if (!kv[1]) return;
            dl.appendChild(el('dt', null, kv[0]));
            var dd = el('dd');
            dd.appendChild(el('code', 'break', kv[1]));
            dl.appendChild(dd);
          });
          p.parentNode.appendChild(dl);
        } else {
          showProblem(region, r, 'Publishing failed');
        }
      });
    });
  }

  /* ---------- agent page: live state and owner tools ---------- */
  var article = $('agent');
  function agentPath() {
    return '/api/v1/agents/' + seg(article.getAttribute('data-publisher')) + '/' + seg(article.getAttribute('data-slug'));
  }
  function loadAgent() {
    if (!article) return;
    api('GET', agentPath()).then(function (r) {
      if (!r.ok) return;
      var d = r.data;
      var dep = $('deprecation');
      if (dep) { dep.hidden = !d.deprecated; $('deprecation-message').textContent = d.deprecated || ''; }
      var input = $('deprecate-message');
      if (input) input.value = d.deprecated || '';
      var body = $('versions') && $('versions').tBodies[0];
      var select = $('yank-version');
      if (body && Array.isArray(d.versions)) {
        body.textContent = '';
        if (select) select.textContent = '';
        d.versions.forEach(function (v) {
          var tr = el('tr');
          tr.setAttribute('data-version', v.version);
          if (v.yanked) tr.className = 'is-yanked';
          var td = el('td');
          td.appendChild(el('span', 'v', v.version));
          if (v.yanked) {
            td.appendChild(doc.createTextNode(' '));
            var b = el('span', 'badge badge-warn', 'yanked');
            if (v.yank_reason) b.title = v.yank_reason;
            td.appendChild(b);
          }
          tr.appendChild(td);
          tr.appendChild(el('td', null, (v.published_at || '').slice(0, 10)));
          var sha = el('td');
          var c = el('code', null, (v.sha256 || '').slice(0, 12));
          c.title = v.sha256 || '';
          sha.appendChild(c);
          tr.appendChild(sha);
          body.appendChild(tr);
          if (select) {
            var o = el('option', null, v.version + (v.yanked ? ' (yanked)' : ''));
            o.value = v.version;
            select.appendChild(o);
          }
        });
      }
    });
  }
  function owns() {
    if (!me || !article) return false;
    var p = article.getAttribute('data-publisher');
    return !!me.admin || (me.namespaces || []).indexOf(p) >= 0;
  }
  var tools = $('owner-tools');
  function renderTools() { if (tools) tools.hidden = !owns(); }
  if (tools) {
    var result = $('owner-result');
    var yankForm = $('yank-form');
    function versionAction(action) {
      var v = $('yank-version').value;
      var body = action === 'yank' ? JSON.stringify({ reason: $('yank-reason').value }) : '{}';
      api('POST', agentPath() + '/versions/' + seg(v) + '/' + action, body, 'application/json').then(function (r) {
        if (r.ok) { showOK(result, (action === 'yank' ? 'Yanked ' : 'Unyanked ') + v + '.'); loadAgent(); }
        else showProblem(result, r, action === 'yank' ? 'Yank failed' : 'Unyank failed');
      });
    }
    yankForm.addEventListener('submit', function (e) { e.preventDefault(); versionAction('yank'); });
    yankForm.querySelector('[data-action="unyank"]').addEventListener('click', function () { versionAction('unyank'); });
    $('deprecate-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var msg = $('deprecate-message').value;
      api('POST', agentPath() + '/deprecate', JSON.stringify({ message: msg }), 'application/json').then(function (r) {
        if (r.ok) { showOK(result, msg ? 'Marked deprecated.' : 'No longer deprecated.'); loadAgent(); }
        else showProblem(result, r, 'Could not save the deprecation');
      });
    });
  }

  function refreshPage() { renderNamespaces(); renderTools(); }
  whoami().then(function () { refreshPage(); });
  loadAgent();
})();
