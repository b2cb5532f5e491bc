/*
 * zoeken.js: search in the browser over the index shards that mores
 * writes (see site-gen/shards.c). The shards are script files, so search
 * also works when the site is opened from disk, and a query loads only
 * the shards of its own words. Words are normalised as mores does before
 * stemming; a word then matches the indexed word forms it begins with
 * (sensoren -> sensor), and the word being typed also matches the forms
 * that begin with it, so results appear while typing.
 */
(function () {
  'use strict';

  var index = null;
  var shards = {};
  var docs = {};
  var pending = {};
  var KIND = { asked: 'Gevraagd advies', unasked: 'Ongevraagd advies' };

  function settle(path) {
    var list = pending[path] || [];
    delete pending[path];
    list.forEach(function (done) { done(); });
  }

  window.moresIndex = function (i) {
    index = i;
    settle('index');
  };
  window.moresShard = function (hex, terms) {
    shards[hex] = terms;
    settle('t/' + hex);
  };
  window.moresDocs = function (k, list) {
    docs[k] = list;
    settle('d/' + k);
  };

  /* Loads a shard with a script element; resolves when it has run (or
   * failed to load: a missing shard holds no words). */
  function load(path, have) {
    if (have) return Promise.resolve();
    return new Promise(function (resolve) {
      if (pending[path]) { pending[path].push(resolve); return; }
      pending[path] = [resolve];
      var s = document.createElement('script');
      s.src = path + '.js';
      s.onerror = function () { settle(path); };
      document.head.appendChild(s);
    });
  }

  function hex(text) {
    var bytes = new TextEncoder().encode(text);
    var out = '';
    for (var i = 0; i < bytes.length; i++)
      out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  /* Lower case, diacritics removed: as unicode61 leaves a word. */
  function fold(text) {
    return text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }

  /* The word as mores treats it before stemming. */
  function normalise(w) {
    w = w.replace(/^['\u2019]+/, '').replace(/['\u2019]+$/, '');
    w = w.replace(/['\u2019]s$/, '');
    if (/\d/.test(w) || w.length < 3) return w;
    if (w.length >= 6 && /ieen$/.test(w)) w = w.slice(0, -2);
    if (w.length >= 5 && /[^c][ea]s$/.test(w)) w = w.slice(0, -1);
    return w;
  }

  function words(text) {
    return fold(text).match(/[\p{L}\p{N}'\u2019]+/gu) || [];
  }

  /* What was typed: words that must occur, words to leave out. */
  function parse(q) {
    var terms = [];
    var re = /(-?)"([^"]*)"|(-?)(\S+)/g;
    var m;
    while ((m = re.exec(q))) {
      var neg = m[1] === '-' || m[3] === '-';
      var text = m[2] !== undefined ? m[2] : m[4];
      if (text === 'OR' || text === 'AND') continue;
      words(text).forEach(function (w) {
        terms.push({ word: normalise(w), neg: neg });
      });
    }
    return terms;
  }

  function prefixFor(word) {
    var three = hex(word.slice(0, 3));
    var two = hex(word.slice(0, 2));
    if (index.prefixes.indexOf(three) >= 0) return three;
    if (index.prefixes.indexOf(two) >= 0) return two;
    return null;
  }

  function undouble(w) {
    return w.replace(/([^aeiou])(aa|ee|oo|uu)([^aeiou])$/, function (all, a, vv, c) {
      return a + vv[0] + c;
    });
  }

  /* The indexed forms a word matches. */
  function forms(word, typing) {
    var p = prefixFor(word);
    if (!p || !shards[p]) return [];
    var terms = shards[p];
    /* reizen is indexed as reis */
    var variants = [word, undouble(word), word.replace(/zen$/, 's')];
    var best = null;
    var out = [];
    Object.keys(terms).forEach(function (t) {
      variants.forEach(function (v) {
        if (v === t || (v.indexOf(t) === 0 && t.length >= 3 &&
            v.length - t.length <= 4)) {
          if (!best || t.length > best.length) best = t;
        }
      });
      if (typing && word.length >= 3 && t.indexOf(word) === 0 && out.length < 30)
        out.push(t);
    });
    if (best && out.indexOf(best) < 0) out.push(best);
    return out;
  }

  /* doc -> weight for the forms, from the delta-coded postings. */
  function postings(word, typing) {
    var p = prefixFor(word);
    var hits = new Map();
    forms(word, typing).forEach(function (t) {
      var list = shards[p][t];
      var doc = 0;
      var df = list.length / 2;
      var idf = Math.log(1 + index.count / df);
      for (var i = 0; i < list.length; i += 2) {
        doc += list[i];
        hits.set(doc, (hits.get(doc) || 0) + list[i + 1] * idf);
      }
    });
    return hits;
  }

  function run(q, filters, typing) {
    var terms = parse(q).filter(function (t) { return t.word.length > 0; });
    var need = [];
    terms.forEach(function (t) {
      var p = prefixFor(t.word);
      if (p) need.push(load('t/' + p, shards[p]));
    });
    return Promise.all(need).then(function () {
      var positive = terms.filter(function (t) { return !t.neg; });
      if (!positive.length) return [];
      var scores = null;
      positive.forEach(function (t, i) {
        var last = typing && i === positive.length - 1;
        var hits = postings(t.word, last);
        if (!scores) { scores = hits; return; }
        var both = new Map();
        scores.forEach(function (s, doc) {
          if (hits.has(doc)) both.set(doc, s + hits.get(doc));
        });
        scores = both;
      });
      terms.filter(function (t) { return t.neg; }).forEach(function (t) {
        postings(t.word, false).forEach(function (s, doc) { scores.delete(doc); });
      });
      var ranked = Array.from(scores.entries()).sort(function (a, b) {
        return b[1] - a[1] || a[0] - b[0];
      });
      return withDocs(ranked, filters);
    });
  }

  function docOf(n) {
    var list = docs[Math.floor(n / index.chunk)];
    return list ? list[n % index.chunk] : null;
  }

  function loadDocs(numbers) {
    var chunks = {};
    numbers.forEach(function (n) { chunks[Math.floor(n / index.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (k) {
      return load('d/' + k, docs[k]);
    }));
  }

  function passes(d, f) {
    return (!f.kind || d[2] === f.kind) &&
      (!f.value || d[4].indexOf(f.value) >= 0) &&
      (!f.year || String(d[3]) === f.year);
  }

  /* The documents of the best results; with a filter, of all of them. */
  function withDocs(ranked, f) {
    var filtering = f.kind || f.value || f.year;
    var first = filtering ? ranked : ranked.slice(0, 20);
    return loadDocs(first.map(function (r) { return r[0]; })).then(function () {
      var out = [];
      first.forEach(function (r) {
        var d = docOf(r[0]);
        if (d && passes(d, f)) out.push(d);
      });
      return { total: filtering ? out.length : ranked.length, docs: out.slice(0, 20) };
    });
  }

  function citation(id) {
    var m = /^(\d{4})-0*(\d+)$/.exec(id);
    return m ? index.code + ':' + m[1] + ':' + m[2] : id;
  }

  /* The summary with the words of the query marked, built as DOM nodes:
   * no text from the index is ever parsed as HTML. */
  function snippet(text, q) {
    var p = document.createElement('p');
    p.className = 'utrecht-paragraph';
    var wanted = parse(q).filter(function (t) { return !t.neg && t.word.length >= 3; });
    var parts = text.split(/([\p{L}\p{N}'\u2019]+)/u);
    parts.forEach(function (part) {
      var w = normalise(fold(part));
      var hit = wanted.some(function (t) {
        var stemLen = Math.max(3, t.word.length - 4);
        return w.length >= 3 && (w.indexOf(t.word.slice(0, stemLen)) === 0 ||
          t.word.indexOf(w) === 0);
      });
      if (hit) {
        var mark = document.createElement('mark');
        mark.textContent = part;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(part));
      }
    });
    return p;
  }

  function show(result, q) {
    var list = document.getElementById('resultaten');
    var status = document.getElementById('status');
    list.textContent = '';
    if (!q.trim()) { status.textContent = ''; return; }
    if (!result.total) {
      status.textContent = 'Geen reflecties gevonden voor \u2018' + q + '\u2019.';
      return;
    }
    status.textContent = result.total + (result.total === 1 ? ' reflectie' : ' reflecties') +
      ' gevonden voor \u2018' + q + '\u2019' +
      (result.total > result.docs.length ? '; de ' + result.docs.length + ' beste staan hieronder.' : '.');
    result.docs.forEach(function (d) {
      var li = document.createElement('li');
      li.className = 'mores-item';
      var h = document.createElement('h2');
      h.className = 'utrecht-heading-2';
      var a = document.createElement('a');
      a.className = 'utrecht-link';
      a.href = '../reflecties/' + encodeURIComponent(d[0]) + '/index.html';
      a.textContent = d[1];
      h.appendChild(a);
      var meta = document.createElement('p');
      meta.className = 'mores-meta';
      meta.textContent = citation(d[0]) + ' \u00b7 ' + (KIND[d[2]] || '') + ' \u00b7 ' + d[3];
      li.appendChild(h);
      li.appendChild(meta);
      if (d[5]) li.appendChild(snippet(d[5], q));
      list.appendChild(li);
    });
  }

  function start() {
    var form = document.getElementById('zoekformulier');
    if (!form) return;
    if (!index) {
      document.getElementById('status').textContent =
        'Zoeken is nu niet beschikbaar: de zoekindex ontbreekt.';
      return;
    }
    var input = document.getElementById('q');
    var fields = { kind: 'f-soort', value: 'f-waarde', year: 'f-jaar' };
    document.getElementById('filters').hidden = false;
    var timer = null;
    var latest = 0;

    function filters() {
      var f = {};
      Object.keys(fields).forEach(function (k) {
        f[k] = document.getElementById(fields[k]).value;
      });
      return f;
    }

    /* The results are busy from a key press until its search is shown:
     * assistive technology waits for the new list. */
    var results = document.getElementById('resultaten');
    function busy(on) {
      results.setAttribute('aria-busy', on ? 'true' : 'false');
    }

    function search(typing) {
      var q = input.value;
      var ticket = ++latest;
      busy(true);
      run(q, filters(), typing).then(function (result) {
        if (ticket !== latest) return;
        show(result.docs ? result : { total: 0, docs: [] }, q);
        busy(false);
      }, function () {
        if (ticket !== latest) return;
        document.getElementById('status').textContent =
          'Er ging iets mis bij het zoeken; probeer het opnieuw.';
        busy(false);
      });
    }

    input.addEventListener('input', function () {
      busy(true);
      clearTimeout(timer);
      timer = setTimeout(function () { search(!/\s$/.test(input.value)); }, 120);
    });
    Object.keys(fields).forEach(function (k) {
      document.getElementById(fields[k]).addEventListener('change', function () { search(false); });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      search(false);
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get('q')) {
      input.value = params.get('q');
      search(false);
    }
  }

  /* The page holds this script only; the index comes next, as a shard
   * of its own, so that no order of script elements can break search. */
  function ready() {
    load('index', index).then(start);
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', ready);
  else
    ready();
})();
