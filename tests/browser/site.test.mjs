/*
 * site.test.mjs: the site that `mores site build` writes, as a person sees
 * it in a browser. Debian's Chromium, headless, driven by playwright-core;
 * accessibility checked with axe-core. Nothing is fetched from another
 * host: every request that is not file:// or the local preview server is
 * refused and counted as a failure.
 *
 * What it shows, for each base: search while typing (Dutch word forms,
 * marked snippets), facets that narrow, nothing confidential found, only
 * the index shards a query needs loaded, no WCAG 2.1 A/AA violation
 * (axe) on the main kinds of page at desktop and phone width, no
 * sideways scroll on a phone, a strict CSP without inline script and no
 * violation of it, a skip link and a visible focus, a clean print of a
 * reflection, and a search page that degrades without JavaScript.
 *
 *   node site.test.mjs --site DIR [--shots DIR] BASE_URL...
 *
 * DIR is the built site (for the expected search results and facets);
 * each BASE_URL (http://127.0.0.1:PORT/ or file:///.../site/) is tested
 * in full. Prints one line per check and "N passed, N failed" at the end;
 * exits 1 when a check failed, 2 when the tests cannot run at all.
 * CHROMIUM names the browser (default /usr/bin/chromium).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';


let chromium, axeSource;
try {
	({ chromium } = await import('playwright-core'));
	axeSource = (await import('axe-core')).default.source;
} catch (err) {
	console.error('site.test.mjs: playwright-core or axe-core is not ' +
		'installed (run scripts/install-deps.sh): ' + err.message);
	process.exit(2);
}

/* ---- arguments -------------------------------------------------------- */

const args = process.argv.slice(2);
let siteDir = null;
let shotDir = null;
const bases = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--site')
		siteDir = args[++i];
	else if (args[i] === '--shots')
		shotDir = args[++i];
	else
		bases.push(args[i].endsWith('/') ? args[i] : args[i] + '/');
}
if (!siteDir || !bases.length) {
	console.error('usage: node site.test.mjs --site DIR [--shots DIR] ' +
		'BASE_URL...');
	process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
	console.error(`site.test.mjs: ${executablePath} not found: the ` +
		'browser tests need Debian\'s chromium (run ' +
		'scripts/install-deps.sh)');
	process.exit(2);
}
if (shotDir)
	mkdirSync(shotDir, { recursive: true });

/* What the site holds: the public reflections, for expected results. */
const reflections = JSON.parse(readFileSync(join(siteDir,
	'data/reflecties.json'), 'utf8'));
const byId = new Map(reflections.map((r) => [r.id, r]));

/* The search index: which shard files exist (see site-gen/shards.c). */
const indexText = readFileSync(join(siteDir, 'zoeken/index.js'), 'utf8');
const searchIndex = JSON.parse(indexText.slice(indexText.indexOf('(') + 1,
	indexText.lastIndexOf(')')));

function hexOf(text) {
	return Buffer.from(text, 'utf8').toString('hex');
}

/* The shard that holds the word forms of word, as zoeken.js picks it. */
function shardOf(word) {
	for (const p of [hexOf(word.slice(0, 3)), hexOf(word.slice(0, 2))])
		if (searchIndex.prefixes.includes(p))
			return 't/' + p;
	return null;
}

/* The page of path as it lies on disk (for what the HTML itself says). */
function source(path) {
	return readFileSync(join(siteDir, path.replace(/[?#].*$/, '')), 'utf8');
}

/* ---- reporting -------------------------------------------------------- */

let passed = 0;
let failed = 0;
let label = '';

function check(name, ok, detail) {
	if (ok) {
		passed++;
		console.log(`ok   ${label}${name}`);
	} else {
		failed++;
		console.log(`FAIL ${label}${name}${detail ? ': ' + detail : ''}`);
	}
	return ok;
}

function note(text) {
	console.log(`     ${label}${text}`);
}

/* ---- the browser ------------------------------------------------------ */

const browser = await chromium.launch({
	executablePath,
	headless: true,
	/* belt and braces: no host name resolves but the loopback */
	args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
		'--no-first-run', '--disable-sync', '--disable-extensions'],
});

/* The pages that axe and the phone viewport check. */
const pages = [
	['home', 'index.html'],
	['reflection', 'reflecties/2022-002/index.html'],
	['listing', 'reflecties/index.html'],
	['value page', 'waarden/privacy/index.html'],
	['search with results', 'zoeken/index.html?q=camera', '#resultaten li'],
	['yearly report', 'jaarverslag/2022/index.html'],
	['404 page', '404.html'],
];

async function testBase(base) {
	const server = base.startsWith('http:') ? new URL(base).host : null;
	const foreign = [];
	const allowed = (url) => {
		const u = new URL(url);
		if (u.protocol === 'file:')
			return !server;
		if (u.protocol === 'data:' || u.protocol === 'about:' ||
		    u.protocol === 'blob:')
			return true;
		return u.protocol === 'http:' && u.host === server;
	};
	const context = await browser.newContext({
		viewport: { width: 1280, height: 900 },
		serviceWorkers: 'block',
		locale: 'nl-NL',
	});
	await context.route((url) => !allowed(url.href), (route) => {
		foreign.push(route.request().url());
		return route.abort('blockedbyclient');
	});
	context.on('request', (r) => {
		if (!allowed(r.url()) && !foreign.includes(r.url()))
			foreign.push(r.url());
	});
	/* Every CSP violation of a page, reported by the page itself. */
	await context.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
		});
	});

	const page = await context.newPage();
	let problems = [];
	/* The search files the page asked for since it was opened: "index",
	 * "t/HEX" (word shards) and "d/K" (document chunks). */
	let searchFiles = [];
	page.on('request', (r) => {
		const m = /\/zoeken\/(index|[td]\/[^/]+)\.js$/.exec(r.url());
		if (m)
			searchFiles.push(m[1]);
	});
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
	page.on('requestfailed', (r) => problems.push(
		`request failed: ${r.url()} (${r.failure()?.errorText})`));

	async function open(path, size) {
		problems = [];
		searchFiles = [];
		await page.setViewportSize(size || { width: 1280, height: 900 });
		const response = await page.goto(base + path);
		await page.waitForLoadState('load');
		return response;
	}

	/* No console errors, failed requests or CSP violations on the page. */
	async function clean(name, allow) {
		const csp = await page.evaluate(() => window.__csp || []);
		const all = problems.concat(csp.map((c) => 'CSP: ' + c))
			.filter((p) => !allow || !allow(p));
		check(`${name}: no console errors, failed requests or CSP ` +
			'violations', all.length === 0, all.join('; '));
	}

	async function axe(name) {
		await page.evaluate(axeSource);
		/* No CSSOM preload: from disk every file is an origin of its
		 * own, so axe cannot read the style sheets and would fetch
		 * them again, which the site's CSP (connect-src 'none')
		 * rightly refuses. No rule of these tags needs the CSSOM. */
		const result = await page.evaluate(() => window.axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa',
				'wcag21a', 'wcag21aa'] },
			resultTypes: ['violations', 'incomplete'],
			preload: { assets: ['media'] },
		}));
		const v = result.violations.map((x) => `${x.id} (${x.impact}): ` +
			x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
		check(`${name}: axe finds no WCAG 2.1 A/AA violations`,
			v.length === 0, v.join('; '));
		for (const x of result.incomplete)
			note(`${name}: axe asks to review ${x.id} on ` +
				`${x.nodes.length} element(s)`);
	}

	async function noSideScroll(name) {
		const w = await page.evaluate(() => ({
			scroll: document.documentElement.scrollWidth,
			client: document.documentElement.clientWidth,
			wide: Array.from(document.querySelectorAll('body *'))
				.filter((el) => el.getBoundingClientRect().right >
					document.documentElement.clientWidth + 1)
				.slice(0, 3).map((el) => el.tagName.toLowerCase() +
					(el.className ? '.' + String(el.className)
						.split(' ').join('.') : '')),
		}));
		check(`${name}: no horizontal scroll at 375x740`,
			w.scroll <= w.client, `${w.scroll}px wide in ${w.client}px; ` +
			w.wide.join(', '));
	}

	/* The page's own policy, as it lies on disk: scripts and styles from
	 * the site's own files only, no request to anywhere, and nothing
	 * inline that such a policy would have to allow. */
	function strictCsp(name, html) {
		const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/
			.exec(html);
		const policy = m ? m[1] : '';
		const wanted = ["default-src 'none'", "script-src 'self'",
			"style-src 'self'", "connect-src 'none'", "base-uri 'none'"];
		const bad = [];
		for (const w of wanted)
			if (!policy.split(/\s*;\s*/).includes(w))
				bad.push(`no ${w}`);
		if (/unsafe-|\*|https?:/.test(policy))
			bad.push('allows ' + policy);
		if (/<script(?![^>]*\ssrc=)[^>]*>/i.test(html))
			bad.push('an inline script');
		if (/<[a-z][^>]*\son[a-z]+\s*=/i.test(html))
			bad.push('an inline event handler');
		if (/<[a-z][^>]*\sstyle\s*=/i.test(html) || /<style/i.test(html))
			bad.push('inline style');
		if (/(href|src)="javascript:/i.test(html))
			bad.push('a javascript: link');
		check(`${name}: a strict CSP and nothing inline`, bad.length === 0,
			bad.join('; '));
	}

	/* The ids of the results shown. */
	async function shown() {
		return page.$$eval('#resultaten li h2 a', (as) => as.map((a) =>
			decodeURIComponent(a.getAttribute('href'))
				.replace(/^.*reflecties\/([^/]+)\/.*$/, '$1')));
	}

	/* Types word into the search box key by key, without submitting,
	 * and waits until the result id shows (or 3 seconds pass). */
	async function type(word, expect) {
		await page.fill('#q', '');
		await page.locator('#q').pressSequentially(word, { delay: 40 });
		const ok = await page.waitForFunction((id) => Array.from(
			document.querySelectorAll('#resultaten li h2 a')).some((a) =>
				a.getAttribute('href').includes('/' + id + '/')),
			expect, { timeout: 3000 }).then(() => true, () => false);
		return ok;
	}

	/* The status line once the results are no longer busy: the page
	 * marks them so from a key press or a change of filter until that
	 * search is shown. */
	async function settle() {
		await page.waitForFunction(() => document.getElementById(
			'resultaten').getAttribute('aria-busy') === 'false',
			null, { timeout: 5000 }).catch(() => {});
		return page.textContent('#status');
	}

	/* ---- (a) search while typing ------------------------------------- */
	await open('zoeken/index.html');
	check('search page: the filters show once the script runs',
		await page.isVisible('#filters'));
	const words = [
		['camera', '2022-002'],
		['satelliet', '2021-002'],
		['satellietbeelden', '2021-002'],
		['sensoren', '2021-001'],
		['sensor', '2021-001'],
		['algoritmeregister', '2023-001'],
		['register', '2023-001'],
		['algoritmes', '2023-001'],
		["camera's", '2022-002'],
		['locatiegegevens', '2022-001'],
	];
	for (const [word, id] of words) {
		const ok = await type(word, id);
		check(`typing "${word}" shows ${id}`, ok,
			`shown: ${(await shown()).join(', ') || 'nothing'}; status: ` +
			(await page.textContent('#status')));
	}
	/* while typing: half a word already finds */
	check('typing "satell" (half a word) already shows 2021-002',
		await type('satell', '2021-002'));
	check('no submit was needed: still on the same page',
		page.url() === base + 'zoeken/index.html');
	const marked = await page.$$eval('#resultaten mark', (m) => m.length);
	check('the matched words are marked in the snippets', marked > 0);

	/* ---- (g) the confidential dossier is never found ----------------- */
	for (const word of ['Nachtegaal', 'nachtegaal', 'nachteg']) {
		await page.fill('#q', '');
		await page.locator('#q').pressSequentially(word, { delay: 20 });
		const status = await settle();
		const ids = await shown();
		check(`"${word}" finds nothing`, ids.length === 0 &&
			/Geen reflecties/.test(status), `shown: ${ids.join(', ')}; ` +
			`status: ${status}`);
	}
	check('"Nachtegaal" appears nowhere on the search page',
		!/nachtegaal/i.test(await page.content()));

	/* ---- (b) facets narrow the results ------------------------------- */
	await page.fill('#q', '');
	await page.locator('#q').pressSequentially('sensoren ', { delay: 20 });
	await settle();
	const all = await shown();
	check('"sensoren" finds more than one reflection', all.length > 1,
		all.join(', '));
	const facets = [
		['#f-soort', 'unasked', 'Soort', (r) => r.kind === 'unasked'],
		['#f-soort', 'asked', 'Soort', (r) => r.kind === 'asked'],
		['#f-waarde', 'privacy', 'Waarde', (r) => r.values.includes('privacy')],
		['#f-waarde', 'effectiviteit', 'Waarde',
			(r) => r.values.includes('effectiviteit')],
		['#f-jaar', '2022', 'Jaar', (r) => (r.adopted || r.received)
			.startsWith('2022')],
	];
	for (const [sel, value, name, keep] of facets) {
		await page.selectOption(sel, value);
		await settle();
		const got = await shown();
		const want = all.filter((id) => keep(byId.get(id)));
		check(`facet ${name}=${value} narrows "sensoren" to ` +
			`${want.join(', ') || 'nothing'}`,
			got.length < all.length &&
			JSON.stringify([...got].sort()) ===
			JSON.stringify([...want].sort()), `shown: ${got.join(', ')}`);
		await page.selectOption(sel, '');
	}
	await page.selectOption('#f-soort', 'asked');
	await page.selectOption('#f-jaar', '2022');
	await settle();
	{
		const got = await shown();
		const want = all.filter((id) => byId.get(id).kind === 'asked' &&
			(byId.get(id).adopted || byId.get(id).received)
				.startsWith('2022'));
		check('two facets together narrow further',
			JSON.stringify([...got].sort()) ===
			JSON.stringify([...want].sort()), `shown: ${got.join(', ')}, ` +
			`want ${want.join(', ')}`);
	}
	await clean('search page');

	/* ---- (c) a query in the address shows results on load ------------ */
	await open('zoeken/index.html?q=sensoren');
	check('zoeken/index.html?q=sensoren shows results on load',
		await page.waitForSelector('#resultaten li', { timeout: 3000 })
			.then(() => true, () => false));
	check('the search box holds the query from the address',
		(await page.inputValue('#q')) === 'sensoren');
	await open('zoeken/index.html?q=drones');
	{
		const status = await settle();
		const ids = await shown();
		/* drones are only in a closed and an adopted (unpublished)
		 * dossier of the demo archive */
		const want = reflections.filter((r) => /drone/i.test(
			JSON.stringify(r))).map((r) => r.id);
		check(`zoeken/index.html?q=drones shows on load ` +
			`${want.length ? want.join(', ') : 'that nothing is found'}`,
			JSON.stringify(ids.sort()) === JSON.stringify(want.sort()) &&
			/gevonden/.test(status), `shown: ${ids.join(', ')}; status: ` +
			status);
	}
	await open('index.html');
	await page.fill('#q', 'camera');
	await Promise.all([page.waitForURL(/zoeken\/index\.html\?q=camera/),
		page.press('#q', 'Enter')]);
	check('the search box of the home page leads to results',
		await page.waitForSelector('#resultaten li a[href*="2022-002"]',
			{ timeout: 3000 }).then(() => true, () => false));
	await clean('home page search');

	/* ---- only the shards a query needs -------------------------------- */
	const shardCount = searchIndex.prefixes.length;
	const sorted = (list) => JSON.stringify([...new Set(list)].sort());
	await open('zoeken/index.html');
	await page.waitForTimeout(300);
	check('the search page loads the index and no shard before a query',
		sorted(searchFiles) === sorted(['index']),
		`loaded: ${searchFiles.join(', ')}`);
	for (const q of ['camera', 'sensoren camera\'s', 'satellietbeelden -drones']) {
		const want = q.split(' ').map((w) => shardOf(w.replace(/^-/, '')
			.replace(/'s$/, ''))).filter(Boolean);
		await open('zoeken/index.html?q=' + encodeURIComponent(q));
		await page.waitForSelector('#resultaten li', { timeout: 3000 })
			.catch(() => {});
		const shards = searchFiles.filter((f) => f.startsWith('t/'));
		const docFiles = searchFiles.filter((f) => f.startsWith('d/'));
		const results = (await shown()).length;
		/* each result shown needs one document file at most */
		check(`"${q}" loads only its word shards (${want.join(', ')}) of ` +
			`${shardCount}, and the document files of its ${results} ` +
			'results, each once',
			shardCount > 10 && want.length > 0 && results > 0 &&
			sorted(shards) === sorted(want) &&
			shards.length === new Set(shards).size &&
			docFiles.length >= 1 && docFiles.length <= results &&
			docFiles.length === new Set(docFiles).size,
			`loaded: ${searchFiles.join(', ')}`);
	}
	/* while typing, the shards of what is typed so far, each once */
	await open('zoeken/index.html');
	await type('satellietbeelden', '2021-002');
	{
		const word = hexOf('satellietbeelden');
		const shards = searchFiles.filter((f) => f.startsWith('t/'));
		check('typing "satellietbeelden" loads only shards of its ' +
			'beginning, each once', shards.length >= 1 &&
			shards.length <= 2 &&
			shards.every((f) => word.startsWith(f.slice(2))) &&
			shards.length === new Set(shards).size,
			`loaded: ${searchFiles.join(', ')}`);
	}

	/* ---- (e) axe, (f) phone, (d) console ----------------------------- */
	for (const [name, path, wait] of pages) {
		/* the 404 page links from the root of base_url; the preview
		 * server serves that path too, but from disk its style sheets
		 * cannot load */
		const is404 = path === '404.html' && base.startsWith('file:');
		strictCsp(name, source(path));
		await open(path);
		if (wait)
			await page.waitForSelector(wait, { timeout: 3000 })
				.catch(() => {});
		await axe(name);
		await clean(name, is404 ? (p) => /request failed: .*\/assets\/|Failed to load resource|Refused to apply style from '[^']*\/assets\//.test(p) : null);
		await open(path, { width: 375, height: 740 });
		if (wait)
			await page.waitForSelector(wait, { timeout: 3000 })
				.catch(() => {});
		await noSideScroll(name);
		await axe(name + ' (phone)');
	}

	/* ---- the yearly report's charts ------------------------------------ */
	await open('jaarverslag/2022/index.html');
	{
		const c = await page.evaluate(() => {
			const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
			const lum = ([r, g, b]) => [r, g, b].map((v) => {
				v /= 255;
				return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
			}).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
			const bg = lum(rgb(getComputedStyle(document.body).backgroundColor));
			return Array.from(document.querySelectorAll('.mores-chart-row'))
				.map((row) => {
					const bar = row.querySelector('.mores-chart-bar');
					const fg = lum(rgb(getComputedStyle(bar).fill));
					return {
						label: row.querySelector('.mores-chart-label')
							.textContent,
						value: Number(row.querySelector('.mores-chart-value')
							.textContent),
						width: bar.getBoundingClientRect().width,
						contrast: (Math.max(fg, bg) + 0.05) /
							(Math.min(fg, bg) + 0.05),
					};
				});
		});
		const weak = c.filter((b) => !(b.contrast >= 3));
		check('yearly report: the chart bars stand out from the page ' +
			'(contrast 3:1 or more)', c.length > 2 && weak.length === 0,
			weak.map((b) => `${b.label} ${b.contrast.toFixed(2)}`).join(', '));
		const unit = c.filter((b) => b.value > 0).map((b) => b.width / b.value);
		check('yearly report: the bars are as long as their figures say',
			unit.length > 2 && Math.max(...unit) - Math.min(...unit) < 2,
			c.map((b) => `${b.label} ${b.value}: ${b.width}px`).join(', '));
	}
	await open('index.html');
	{
		const edges = await page.$$eval('header .mores-wrap, main, ' +
			'footer .mores-wrap', (els) => els.map((el) =>
				Math.round(el.getBoundingClientRect().left)));
		check('header, content and footer share one column',
			edges.length === 3 && new Set(edges).size === 1,
			edges.join(', '));
	}

	/* ---- keyboard: the skip link ------------------------------------- */
	await open('reflecties/2022-002/index.html');
	await page.keyboard.press('Tab');
	const skip = await page.evaluate(() => {
		const a = document.activeElement;
		const r = a.getBoundingClientRect();
		return { cls: a.className, top: r.top, bottom: r.bottom };
	});
	check('the first Tab shows the skip link on screen',
		/mores-skip-link/.test(skip.cls) && skip.top >= 0 &&
		skip.bottom > 0, JSON.stringify(skip));
	await page.keyboard.press('Enter');
	check('the skip link moves the focus to the content',
		await page.evaluate(() => document.activeElement.id) === 'inhoud');

	/* ---- keyboard: the focus is visible everywhere ------------------- */
	for (const [name, path, size] of [
		['reflection', 'reflecties/2022-002/index.html'],
		['search page', 'zoeken/index.html?q=sensoren'],
		['reflection on a phone', 'reflecties/2022-002/index.html',
			{ width: 375, height: 740 }]]) {
		await open(path, size);
		await page.waitForTimeout(200);
		const stops = [];
		for (let i = 0; i < 60; i++) {
			await page.keyboard.press('Tab');
			const f = await page.evaluate(() => {
				const el = document.activeElement;
				if (!el || el === document.body)
					return null;
				const st = getComputedStyle(el);
				const r = el.getBoundingClientRect();
				return {
					what: el.tagName.toLowerCase() + (el.id ? '#' + el.id :
						'') + (el.className ? '.' + String(el.className)
						.split(' ')[0] : ''),
					outline: st.outlineStyle !== 'none' &&
						parseFloat(st.outlineWidth) >= 2,
					shadow: st.boxShadow !== 'none',
					seen: r.bottom > 0 && r.top < window.innerHeight &&
						r.right > 0 && r.left < window.innerWidth,
					region: el.classList.contains('mores-table-scroll'),
				};
			});
			if (!f || (stops.length && f.what === stops[0].what &&
			    stops.length > 3))
				break;
			stops.push(f);
		}
		const unseen = stops.filter((f) => !(f.outline || f.shadow) ||
			!f.seen);
		check(`${name}: every one of the ${stops.length} focus stops ` +
			'shows a focus ring on screen', stops.length > 5 &&
			unseen.length === 0, unseen.slice(0, 4).map((f) =>
			JSON.stringify(f)).join(', '));
		if (path.startsWith('reflecties/'))
			check(`${name}: the wide table's region is a focus stop`,
				stops.some((f) => f.region));
	}
	/* on a phone the wide table scrolls with the arrow keys */
	await page.focus('.mores-table-scroll');
	const before = await page.$eval('.mores-table-scroll', (el) => ({
		wide: el.scrollWidth > el.clientWidth, left: el.scrollLeft }));
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.waitForTimeout(300);
	check('a table wider than a phone scrolls sideways from the keyboard',
		before.wide && await page.$eval('.mores-table-scroll',
			(el) => el.scrollLeft) > before.left, JSON.stringify(before));

	/* ---- (h) print ---------------------------------------------------- */
	/* the width of an A4 page's text at 96 dpi */
	await open('reflecties/2022-002/index.html', { width: 700, height: 1000 });
	await page.emulateMedia({ media: 'print' });
	const hidden = await page.$$eval('nav, .mores-skip-link, footer',
		(els) => els.map((el) => [el.tagName.toLowerCase(),
			getComputedStyle(el).display]));
	check('print: the navigation, skip link and footer are hidden',
		hidden.every(([, d]) => d === 'none'), JSON.stringify(hidden));
	check('print: the reflection itself is shown',
		await page.isVisible('article h1') &&
		await page.isVisible('.mores-metadata') &&
		await page.isVisible('#advies'));
	{
		const p = await page.evaluate(() => ({
			scroll: document.documentElement.scrollWidth,
			client: document.documentElement.clientWidth,
			/* a box that scrolls on screen would cut off on paper */
			clipped: Array.from(document.querySelectorAll('main *'))
				.filter((el) => getComputedStyle(el).overflowX !==
					'visible' && (el.scrollWidth > el.clientWidth + 1 ||
					el.classList.contains('mores-table-scroll')))
				.map((el) => el.tagName.toLowerCase()),
			links: Array.from(document.querySelectorAll(
				'.mores-text a[href^="http"]')).map((a) =>
				getComputedStyle(a, '::after').content
					.includes(a.getAttribute('href'))),
			color: getComputedStyle(document.body).color,
		}));
		check('print: nothing wider than the page and nothing cut off',
			p.scroll <= p.client && p.clipped.length === 0,
			JSON.stringify(p));
		check('print: links in the text show their address on paper',
			p.links.length > 0 && p.links.every(Boolean),
			JSON.stringify(p.links));
		check('print: black text', p.color === 'rgb(0, 0, 0)', p.color);
	}
	if (shotDir && server) {
		await page.screenshot({ path: join(shotDir, 'reflection-print.png'),
			fullPage: true });
		await page.pdf({ path: join(shotDir, 'reflection.pdf'),
			format: 'A4', margin: { top: '2cm', bottom: '2cm',
				left: '2cm', right: '2cm' } });
	}
	await page.emulateMedia({ media: 'screen' });

	/* ---- screenshots -------------------------------------------------- */
	if (shotDir && server) {
		await open('index.html');
		await page.screenshot({ path: join(shotDir, 'home.png'),
			fullPage: true });
		await open('reflecties/2022-002/index.html',
			{ width: 375, height: 740 });
		await page.screenshot({ path: join(shotDir, 'reflection-phone.png'),
			fullPage: true });
		await open('zoeken/index.html?q=camera');
		await page.waitForSelector('#resultaten li', { timeout: 3000 })
			.catch(() => {});
		await page.screenshot({ path: join(shotDir, 'search.png'),
			fullPage: true });
		await open('zoeken/index.html?q=sensoren', { width: 375, height: 740 });
		await page.waitForSelector('#resultaten li', { timeout: 3000 })
			.catch(() => {});
		await page.screenshot({ path: join(shotDir, 'search-phone.png'),
			fullPage: true });
		await open('jaarverslag/2022/index.html');
		await page.screenshot({ path: join(shotDir, 'report.png'),
			fullPage: true });
		note(`screenshots in ${shotDir}`);
	}

	/* ---- without JavaScript -------------------------------------------- */
	{
		const plain = await browser.newContext({ javaScriptEnabled: false,
			serviceWorkers: 'block', locale: 'nl-NL' });
		await plain.route((url) => !allowed(url.href), (route) => {
			foreign.push(route.request().url());
			return route.abort('blockedbyclient');
		});
		const p = await plain.newPage();
		await p.goto(base + 'zoeken/index.html?q=camera');
		check('without JavaScript the search page hides the filters and ' +
			'points to the lists', !(await p.isVisible('#filters')) &&
			await p.isVisible('noscript a[href="../reflecties/"]'));
		await plain.close();
	}

	/* ---- (d) no request to another host ------------------------------ */
	check('no request went to another host', foreign.length === 0,
		foreign.slice(0, 5).join(', '));
	await context.close();
}

try {
	for (const base of bases) {
		label = (base.startsWith('file:') ? '[file] ' : '[http] ');
		await testBase(base);
	}
} catch (err) {
	failed++;
	console.log(`FAIL ${label}the tests stopped: ${err.stack || err}`);
} finally {
	await browser.close();
}
label = '';
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
