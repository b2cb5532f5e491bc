// browser.mjs: search in the browser, mores's shards against Pagefind, in
// Debian's headless Chromium driven by playwright-core.
//
//   node bench/browser.mjs MORES_SITE PAGEFIND_SITE RUNS QUERY...
//
// MORES_SITE is the output of `mores site build`; PAGEFIND_SITE is a copy
// of it with a Pagefind index in pagefind/ and the search page
// pf-zoeken.html (written here). Both are served by one local HTTP server
// that counts the bytes of every response and sends them with no-store,
// and every run opens a fresh browser context, so nothing is cached
// between runs. For each query and tool the run opens the search page
// with ?q=QUERY and waits for the first result in #resultaten, then for
// the network to go quiet (the fragments of the shown results), and
// records:
//   ms          time from navigation start to the first result shown
//   index       bytes of the search machinery: for mores zoeken.js and
//               zoeken/**, for Pagefind pagefind/**
//   total       every byte the page fetched (HTML, styles, scripts, index)
//   results     how many results the page showed
// Prints one JSON object per line: {tool, query, ms, index, total, results}.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [moresSite, pfSite, runsArg, ...queries] = process.argv.slice(2);
if (!moresSite || !pfSite || !runsArg || queries.length === 0) {
  console.error('usage: node bench/browser.mjs MORES_SITE PAGEFIND_SITE RUNS QUERY...');
  process.exit(2);
}
const runs = Number(runsArg);
const SHOWN = 20; // mores shows the 20 best results; Pagefind is asked for as many

// The Pagefind search page: the same job as zoeken/index.html, with
// Pagefind's own JavaScript API and no styles.
const pfPage = `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Zoeken (Pagefind)</title></head>
<body><main><h1>Zoeken</h1><p id="status"></p><ol id="resultaten"></ol></main>
<script type="module">
const q = new URLSearchParams(location.search).get('q') || '';
const pagefind = await import('./pagefind/pagefind.js');
await pagefind.init();
const search = await pagefind.search(q);
const shown = await Promise.all(search.results.slice(0, ${SHOWN}).map((r) => r.data()));
document.getElementById('status').textContent = search.results.length + ' reflecties gevonden';
const list = document.getElementById('resultaten');
for (const d of shown) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = d.url;
  a.textContent = d.meta.title;
  const p = document.createElement('p');
  p.innerHTML = d.excerpt;
  li.append(a, p);
  list.append(li);
}
</script></body></html>
`;
fs.writeFileSync(path.join(pfSite, 'pf-zoeken.html'), pfPage);

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.xml': 'application/xml',
  '.svg': 'image/svg+xml', '.pf_meta': 'application/octet-stream',
};
let served = [];
const roots = { m: path.resolve(moresSite), p: path.resolve(pfSite) };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const [, tool, ...rest] = decodeURIComponent(url.pathname).split('/');
  const root = roots[tool];
  let file = root && path.join(root, ...rest);
  if (file && !file.startsWith(root)) file = null;
  if (file && fs.existsSync(file) && fs.statSync(file).isDirectory())
    file = path.join(file, 'index.html');
  if (!file || !fs.existsSync(file)) {
    res.writeHead(404, { 'cache-control': 'no-store' });
    res.end();
    served.push({ path: url.pathname, bytes: 0 });
    return;
  }
  const body = fs.readFileSync(file);
  res.writeHead(200, {
    'content-type': types[path.extname(file)] || 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
  served.push({ path: url.pathname, bytes: body.length });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});

function isIndex(tool, p) {
  if (tool === 'm') return p.startsWith('/m/zoeken/') && !p.endsWith('.html') || p.endsWith('/zoeken.js');
  return p.startsWith('/p/pagefind/');
}

async function measure(tool, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = tool === 'm'
    ? `${base}/m/zoeken/index.html?q=${encodeURIComponent(query)}`
    : `${base}/p/pf-zoeken.html?q=${encodeURIComponent(query)}`;
  served = [];
  await page.goto(url, { waitUntil: 'load' });
  const ms = await page.waitForFunction(() => {
    const first = document.querySelector('#resultaten li');
    return first ? performance.now() : null;
  }, null, { polling: 'raf', timeout: 60000 }).then((h) => h.jsonValue());
  await page.waitForLoadState('networkidle');
  const results = await page.locator('#resultaten li').count();
  const index = served.filter((s) => isIndex(tool, s.path)).reduce((n, s) => n + s.bytes, 0);
  const total = served.reduce((n, s) => n + s.bytes, 0);
  await context.close();
  return { tool: tool === 'm' ? 'mores' : 'pagefind', query, ms, index, total, results };
}

let failed = false;
try {
  for (const query of queries)
    for (let i = 0; i < runs; i++)
      for (const tool of ['m', 'p'])
        console.log(JSON.stringify(await measure(tool, query)));
} catch (err) {
  console.error(`browser.mjs: ${err.message}`);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
