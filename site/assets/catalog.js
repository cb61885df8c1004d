/* RAR catalog: instant search, filters, incantations. Works from file:// (data comes from
   <script src> globals, never fetch) and degrades to plain links without JavaScript. */
(function () {
  'use strict';
  var doc = document;
  var html = doc.documentElement;
  var root = html.getAttribute('data-root') || '';
  var DATA = window.RAR_CATALOG || null;
  var WORDS = typeof window.RAR_WORDS === 'string' ? window.RAR_WORDS.split(' ') : null;

  html.classList.add('js');
  Array.prototype.forEach.call(doc.querySelectorAll('[data-js-only]'), function (el) { el.hidden = false; });

  function $(id) { return doc.getElementById(id); }
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function params() {
    var out = {};
    var q = location.search.replace(/^\?/, '');
    if (!q) return out;
    q.split('&').forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf('=');
      var k = i < 0 ? kv : kv.slice(0, i), v = i < 0 ? '' : kv.slice(i + 1);
      try { out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' ')); } catch (e) { /* malformed: ignore */ }
    });
    return out;
  }
  function setQuery(obj) {
    var parts = [];
    Object.keys(obj).forEach(function (k) { if (obj[k]) parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(obj[k])); });
    var url = location.pathname + (parts.length ? '?' + parts.join('&') : '') + location.hash;
    try { history.replaceState(null, '', url); } catch (e) { /* file:// or sandboxed: keep the URL */ }
  }

  /* ---------- copy buttons ---------- */
  Array.prototype.forEach.call(doc.querySelectorAll('[data-copy]'), function (btn) {
    var target = $(btn.getAttribute('data-copy'));
    if (!target) return;
    btn.hidden = false;
    btn.addEventListener('click', function () {
      var text = target.textContent;
      function done(ok) {
        btn.textContent = ok ? 'Copied' : 'Select and copy';
        setTimeout(function () { btn.textContent = 'Copy'; }, 1600);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else {
        var r = doc.createRange();
        r.selectNodeContents(target);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
        var ok = false;
        try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
        done(ok);
      }
    });
  });

  /* ---------- search ---------- */
  var agents = DATA ? DATA.agents : [];
  agents.forEach(function (a) {
    a._hay = [a.n, a.d, a.s, (a.t || []).join(' '), a.c, a.p].join(' \u0001 ').toLowerCase();
    a._dl = (a.d || '').toLowerCase();
    a._nl = (a.n || '').toLowerCase();
    a._tl = (a.t || []).map(function (t) { return String(t).toLowerCase(); });
  });

  function score(a, terms) {
    var s = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (a._hay.indexOf(t) < 0) return -1;
      if (a._dl.indexOf(t) === 0) s += 30;
      else if (a._dl.indexOf(' ' + t) >= 0 || a._dl.indexOf(t) >= 0) s += 12;
      if (a._nl.indexOf(t) >= 0) s += 8;
      if (a._tl.indexOf(t) >= 0) s += 6;
      if ((a.c || '').toLowerCase() === t) s += 4;
      s += 1;
    }
    return s;
  }

  function agentCard(a) {
    var li = el('li', 'agent-card' + (a.x ? ' is-deprecated' : ''));
    var h = el('h3', 'agent-card-title');
    var link = el('a', null, a.d || a.n);
    link.href = root + a.h;
    h.appendChild(link);
    li.appendChild(h);
    var name = el('p', 'agent-card-name');
    name.appendChild(el('code', null, a.n));
    name.appendChild(doc.createTextNode(' '));
    name.appendChild(el('span', 'muted', 'v' + a.v));
    li.appendChild(name);
    li.appendChild(el('p', 'agent-card-desc', a.s || ''));
    var meta = el('p', 'agent-card-meta');
    meta.appendChild(el('span', 'badge tier-' + tierClass(a.q), a.q));
    meta.appendChild(doc.createTextNode(' '));
    meta.appendChild(el('span', 'chip', a.c));
    if (a.y === 'stub') { meta.appendChild(doc.createTextNode(' ')); meta.appendChild(el('span', 'badge tier-private', 'gated')); }
    if (a.x) { meta.appendChild(doc.createTextNode(' ')); meta.appendChild(el('span', 'badge badge-warn', 'deprecated')); }
    li.appendChild(meta);
    return li;
  }
  function tierClass(t) {
    return ['official', 'verified', 'community', 'experimental', 'frontier', 'private'].indexOf(t) >= 0 ? t : 'other';
  }

  var form = $('search-form');
  if (DATA && form) {
    var input = $('q');
    var list = $('results');
    var countEl = $('results-count');
    var empty = $('results-empty');
    var more = $('results-more');
    var selects = { category: $('f-category'), tier: $('f-tier'), publisher: $('f-publisher'), type: $('f-type') };
    var step = 60;
    var shown = step;
    var current = [];
    Array.prototype.forEach.call(doc.querySelectorAll('[data-nojs-pagination]'), function (p) { p.hidden = true; });

    var initial = params();
    if (initial.q) input.value = initial.q;
    Object.keys(selects).forEach(function (k) {
      var s = selects[k];
      if (s && initial[k]) {
        for (var i = 0; i < s.options.length; i++) if (s.options[i].value === initial[k]) s.selectedIndex = i;
      }
    });

    function state() {
      return {
        q: input.value.trim(),
        category: selects.category ? selects.category.value : '',
        tier: selects.tier ? selects.tier.value : '',
        publisher: selects.publisher ? selects.publisher.value : '',
        type: selects.type ? selects.type.value : ''
      };
    }
    function run(keepShown) {
      var st = state();
      var terms = st.q.toLowerCase().split(/\s+/).filter(Boolean);
      var res = [];
      for (var i = 0; i < agents.length; i++) {
        var a = agents[i];
        if (st.category && a.c !== st.category) continue;
        if (st.tier && a.q !== st.tier) continue;
        if (st.publisher && a.p !== st.publisher) continue;
        if (st.type && a.y !== st.type) continue;
        var s = terms.length ? score(a, terms) : 0;
        if (s < 0) continue;
        res.push([s, a]);
      }
      if (terms.length) res.sort(function (x, y) { return y[0] - x[0] || (x[1]._dl < y[1]._dl ? -1 : x[1]._dl > y[1]._dl ? 1 : 0); });
      current = res.map(function (r) { return r[1]; });
      if (!keepShown) shown = step;
      render();
      setQuery(st);
    }
    function render() {
      var frag = doc.createDocumentFragment();
      var n = Math.min(shown, current.length);
      for (var i = 0; i < n; i++) frag.appendChild(agentCard(current[i]));
      list.textContent = '';
      list.appendChild(frag);
      empty.hidden = current.length !== 0;
      more.hidden = current.length <= n;
      more.textContent = 'Show ' + Math.min(step, current.length - n) + ' more';
      var total = agents.length;
      var filtered = current.length !== total || state().q;
      countEl.textContent = filtered
        ? current.length + (current.length === 1 ? ' agent matches' : ' agents match') + ' (of ' + total + ')'
        : total + (total === 1 ? ' agent' : ' agents');
    }
    var timer = null;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { run(false); }, 60); });
    Object.keys(selects).forEach(function (k) { if (selects[k]) selects[k].addEventListener('change', function () { run(false); }); });
    form.addEventListener('submit', function (e) { e.preventDefault(); run(false); });
    form.addEventListener('reset', function () { setTimeout(function () { run(false); }, 0); });
    more.addEventListener('click', function () {
      var first = Math.min(shown, current.length);
      shown += step;
      render();
      var next = list.children[first];
      if (next) { var a = next.querySelector('a'); if (a) a.focus(); }
    });
    doc.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
    run(false);
  }

  /* ---------- incantations ---------- */
  // Mirrors the forgiving decoder: separators are whitespace, dashes, underscores, commas,
  // semicolons, periods, slashes, bars, plus signs, quotes and middle dots; any case.
  var SEP = /[\s\-_,;.\/|+"'`\u00b7\u2010-\u2015\u2018-\u201f\u2212\u30fb\ufe58\ufe63\uff0c\uff0d\uff0e]+/;
  var wordIndex = null;
  function index() {
    if (!wordIndex && WORDS) { wordIndex = {}; WORDS.forEach(function (w, i) { wordIndex[w] = i; }); }
    return wordIndex;
  }
  function tokens(text) {
    var ascii = String(text || '').replace(/[\uff01-\uff5e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); });
    return ascii.split(SEP).filter(Boolean).map(function (t) { return t.toUpperCase(); });
  }
  // Optimal string alignment distance, abandoning once a row exceeds the bound.
  function osa(a, b, bound) {
    var n = a.length, m = b.length, i, j;
    if (!n) return m;
    if (!m) return n;
    var p2 = new Array(m + 1), p = new Array(m + 1), c = new Array(m + 1);
    for (j = 0; j <= m; j++) { p[j] = j; p2[j] = 0; }
    for (i = 1; i <= n; i++) {
      c[0] = i;
      var rowMin = i;
      for (j = 1; j <= m; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, p2[j - 2] + 1);
        c[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > bound) return bound + 1;
      var t = p2; p2 = p; p = c; c = t;
    }
    return p[m];
  }
  function suggestions(tok) {
    if (!WORDS || !tok) return [];
    var bound = tok.length <= 4 ? 1 : tok.length <= 7 ? 2 : 3;
    var found = [];
    for (var i = 0; i < WORDS.length; i++) {
      var w = WORDS[i];
      if (Math.abs(w.length - tok.length) > bound) continue;
      var d = osa(tok, w, bound);
      if (d <= bound) found.push([d, w]);
    }
    found.sort(function (x, y) { return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0); });
    return found.slice(0, 3).map(function (f) { return f[1]; });
  }
  var byIncantation = null;
  function lookup(key) {
    if (!byIncantation) {
      byIncantation = {};
      agents.forEach(function (a) {
        (a.a || []).forEach(function (k) { if (!(k in byIncantation)) byIncantation[k] = a; });
      });
      agents.forEach(function (a) { if (a.i) byIncantation[a.i] = a; });
    }
    return Object.prototype.hasOwnProperty.call(byIncantation, key) ? byIncantation[key] : null;
  }
  function decode(text) {
    var toks = tokens(text);
    var idx = index();
    var unknown = [];
    toks.forEach(function (t, i) { if (!idx || !(t in idx)) unknown.push({ pos: i, token: t, suggestions: suggestions(t) }); });
    var r = { tokens: toks, unknown: unknown, ok: toks.length === 7 && unknown.length === 0 };
    if (r.ok) {
      r.key = toks.join('-').toLowerCase();
      r.agent = lookup(r.key);
      if (typeof BigInt === 'function') {
        var seed = BigInt(0);
        for (var i = 6; i >= 0; i--) seed = (seed << BigInt(10)) | BigInt(idx[toks[i]]);
        r.seed = seed.toString();
      }
    }
    return r;
  }

  function incantationForm(formEl) {
    var input = formEl.querySelector('input[name="i"]');
    var out = formEl.querySelector('.incant-result');
    var mic = formEl.querySelector('[data-speech]');
    function show(r, navigate) {
      out.textContent = '';
      if (!r.tokens.length) return;
      if (r.ok && r.agent) {
        var p = el('p', 'ok');
        p.appendChild(doc.createTextNode('Opening '));
        var a = el('a', null, r.agent.d || r.agent.n);
        a.href = root + r.agent.h;
        p.appendChild(a);
        p.appendChild(doc.createTextNode(' (' + r.agent.n + ')'));
        out.appendChild(p);
        if (navigate === 'replace') location.replace(root + r.agent.h);
        else if (navigate) location.assign(root + r.agent.h);
        return;
      }
      var box = el('div', 'problem');
      if (r.ok) {
        box.appendChild(el('p', null, 'These are seven valid words, but no agent in this registry has that incantation' + (r.seed ? ' (seed ' + r.seed + ').' : '.')));
        out.appendChild(box);
        return;
      }
      var msgs = [];
      if (r.tokens.length !== 7) msgs.push('An incantation has 7 words; this has ' + r.tokens.length + '.');
      box.appendChild(el('p', null, msgs.join(' ') || 'Some words are not in the word list.'));
      if (r.unknown.length) {
        var ul = el('ul');
        r.unknown.forEach(function (u) {
          var li = el('li');
          li.appendChild(doc.createTextNode('Word ' + (u.pos + 1) + ' '));
          li.appendChild(el('strong', null, u.token.toLowerCase()));
          if (!u.suggestions.length) {
            li.appendChild(doc.createTextNode(' is not a list word (no close match).'));
          } else {
            li.appendChild(doc.createTextNode(' is not a list word. Did you mean '));
            var span = el('span', 'suggest');
            u.suggestions.forEach(function (s) {
              var b = el('button', null, s.toLowerCase());
              b.type = 'button';
              b.setAttribute('aria-label', 'Use ' + s.toLowerCase() + ' for word ' + (u.pos + 1));
              b.addEventListener('click', function () {
                var toks = tokens(input.value);
                toks[u.pos] = s;
                input.value = toks.join(' ').toLowerCase();
                var again = decode(input.value);
                show(again, true);
                input.focus();
              });
              span.appendChild(b);
            });
            li.appendChild(span);
            li.appendChild(doc.createTextNode('?'));
          }
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
      out.appendChild(box);
    }
    formEl.addEventListener('submit', function (e) {
      e.preventDefault();
      show(decode(input.value), true);
    });
    var t = null;
    input.addEventListener('input', function () {
      clearTimeout(t);
      t = setTimeout(function () {
        var r = decode(input.value);
        // Quiet while typing: only report once seven words are there or a finished word is unknown.
        if (r.tokens.length >= 7 || (r.unknown.length && /\s$/.test(input.value))) show(r, false); else out.textContent = '';
      }, 150);
    });
    var SR = window.SpeechRecognition || window.webkitSpeechRecognition;
    if (SR && mic) {
      mic.hidden = false;
      var hint = formEl.querySelector('[data-speech-hint]');
      if (hint) hint.hidden = false;
      var rec = null;
      mic.addEventListener('click', function () {
        if (rec) { rec.stop(); return; }
        rec = new SR();
        rec.lang = 'en-US';
        rec.interimResults = false;
        rec.maxAlternatives = 5;
        mic.classList.add('is-listening');
        mic.setAttribute('aria-label', 'Stop listening');
        out.textContent = '';
        out.appendChild(el('p', null, 'Listening… say the seven words.'));
        rec.onresult = function (ev) {
          var best = null;
          var alts = ev.results[0];
          for (var i = 0; i < alts.length; i++) {
            var r = decode(alts[i].transcript);
            var rank = (r.ok ? 0 : 10) + r.unknown.length + Math.abs(r.tokens.length - 7);
            if (!best || rank < best.rank) best = { rank: rank, text: alts[i].transcript, r: r };
          }
          if (best) { input.value = best.r.tokens.join(' ').toLowerCase(); show(best.r, true); }
        };
        rec.onerror = function (ev) {
          out.textContent = '';
          out.appendChild(el('p', 'problem', 'Speech input failed (' + ev.error + '). Type the words instead.'));
        };
        rec.onend = function () { rec = null; mic.classList.remove('is-listening'); mic.setAttribute('aria-label', 'Speak the words'); };
        rec.start();
      });
    }
    return { show: show, input: input };
  }

  var forms = doc.querySelectorAll('[data-incantation-form]');
  Array.prototype.forEach.call(forms, function (f) {
    var ctl = incantationForm(f);
    // resolve.html?i=word-word-…: open the agent directly.
    if (doc.body.classList.contains('page-resolve')) {
      var given = params().i;
      if (given) { ctl.input.value = given; ctl.show(decode(given), 'replace'); }
    }
  });

  window.RAR = { decode: decode, suggestions: suggestions, tokens: tokens };
})();
