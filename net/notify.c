/*
 * notify.c: the digest a secretary must not miss. What is due comes from
 * casework (the same items as `mores due`), newly published reflections
 * from the publication rule (archive_public_view). Each channel of
 * mores.yml's notify: (an e-mail over SMTP, a JSON POST to a webhook)
 * gets the items it has not had yet; notify-sent.json in the derived
 * folder records per channel what went out, so a second run repeats
 * nothing and a channel that failed catches up the next time.
 */
#include "net_int.h"
#include "casework/casework.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SENT_KEEP_DAYS 400

struct channel {
	const char *name;  /* "smtp" or "webhook" */
	const char *url;
	json_t *keys;      /* the item keys this channel has not had */
	json_t *due, *published;
};

struct notify {
	archive *a;
	const archive_node *cfg;
	char today[11];
	long now;
	int within, english;
	json_t *record;    /* notify-sent.json */
	json_t *due;       /* every due item, with its key */
	json_t *published; /* every public reflection, with its key */
};

/* ---- e-mail form ---------------------------------------------------------- */

static int ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static void put(char **buf, size_t *len, size_t *cap, const char *s,
		size_t n, int *oom)
{
	if (*oom)
		return;
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *p = realloc(*buf, c);

		if (!p) {
			*oom = 1;
			return;
		}
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

#define PUTS(s) put(&buf, &len, &cap, (s), strlen(s), &oom)

/* RFC 2047 "B" encoding of a header value that is not ASCII. */
static char *encode_word(const char *v)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(v), o = 0;
	char *out = malloc(n * 2 + 16);

	if (!out)
		return NULL;
	memcpy(out, "=?UTF-8?B?", 10);
	o = 10;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v0 = (unsigned char)v[i];
		unsigned v1 = i + 1 < n ? (unsigned char)v[i + 1] : 0;
		unsigned v2 = i + 2 < n ? (unsigned char)v[i + 2] : 0;

		out[o++] = b64[v0 >> 2];
		out[o++] = b64[((v0 & 3) << 4) | (v1 >> 4)];
		out[o++] = i + 1 < n ? b64[((v1 & 15) << 2) | (v2 >> 6)] : '=';
		out[o++] = i + 2 < n ? b64[v2 & 63] : '=';
	}
	memcpy(out + o, "?=", 3);
	return out;
}

int net_mail_format(char **out, const char *from, const char *const *to,
		    size_t nto, const char *subject, const char *body,
		    const char *date_rfc2822, const char *message_id)
{
	char *buf = NULL, *clean, *subj;
	size_t len = 0, cap = 0;
	int oom = 0;

	*out = NULL;
	clean = net_clean_text(from, 320, 0);
	PUTS("From: ");
	PUTS(clean ? clean : "");
	free(clean);
	PUTS("\r\nTo: ");
	for (size_t i = 0; i < nto; i++) {
		clean = net_clean_text(to[i], 320, 0);
		if (i)
			PUTS(", ");
		PUTS(clean ? clean : "");
		free(clean);
	}
	clean = net_clean_text(subject, 400, 0);
	subj = clean && !ascii(clean) ? encode_word(clean) : NULL;
	PUTS("\r\nSubject: ");
	PUTS(subj ? subj : clean ? clean : "");
	free(subj);
	free(clean);
	clean = net_clean_text(date_rfc2822, 100, 0);
	PUTS("\r\nDate: ");
	PUTS(clean ? clean : "");
	free(clean);
	clean = net_clean_text(message_id, 300, 0);
	PUTS("\r\nMessage-ID: ");
	PUTS(clean ? clean : "");
	free(clean);
	PUTS("\r\nMIME-Version: 1.0\r\n"
	     "Content-Type: text/plain; charset=utf-8\r\n"
	     "Content-Transfer-Encoding: 8bit\r\n"
	     "Auto-Submitted: auto-generated\r\n"
	     "\r\n");
	/* the body with CRLF line ends; curl escapes lines that begin
	 * with a dot */
	for (const char *p = body; *p;) {
		size_t n = strcspn(p, "\r\n");

		put(&buf, &len, &cap, p, n, &oom);
		PUTS("\r\n");
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
	if (oom) {
		free(buf);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	*out = buf;
	return 0;
}

/* ---- what there is to tell ---------------------------------------------- */

static const char *cfg_get(const archive_node *map, const char *a,
			   const char *b)
{
	archive_node *n = archive_node_get(map, a);

	return b ? archive_node_get_scalar(n, b) : archive_node_scalar(n);
}

static char *item_key(json_t *row)
{
	const char *what = json_string_value(json_object_get(row, "what"));
	const char *id = json_string_value(json_object_get(row, "id"));
	const char *date = json_string_value(json_object_get(row, "date"));
	const char *action = json_string_value(json_object_get(row, "action"));

	return net_strprintf("%s:%s:%s%s%s", what ? what : "", id ? id : "",
			     date ? date : "", action ? ":" : "",
			     action ? action : "");
}

static int load_due(struct notify *n)
{
	json_t *row;
	size_t i;
	int rc = casework_due(&n->due, n->a, n->within);

	if (rc)
		return rc;
	json_array_foreach(n->due, i, row)
	{
		char *key = item_key(row);

		if (!key)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		json_object_set_new(row, "key", json_string(key));
		free(key);
	}
	return 0;
}

static void base_url(const archive_node *settings, char *out, size_t size)
{
	const char *b = cfg_get(settings, "site", "base_url");
	size_t len = b ? strlen(b) : 0;

	snprintf(out, size, "%s%s", b ? b : "",
		 len && b[len - 1] != '/' ? "/" : "");
}

/* The public reflections, by the publication rule. On the first run
 * (no record yet) those adopted before the window are taken as known,
 * so a new installation does not announce the whole collection. */
static int load_published(struct notify *n)
{
	archive_snap *s = archive_snapshot(n->a);
	json_t *baseline = json_object_get(n->record, "baseline");
	int first = baseline == NULL;
	char **ids = NULL, root[1024];
	size_t count = 0;
	int rc;

	base_url(archive_settings(n->a), root, sizeof(root));
	n->published = json_array();
	if (first) {
		baseline = json_array();
		json_object_set_new(n->record, "baseline", baseline);
	}
	if ((rc = archive_dossier_ids(&ids, &count, s)) != 0)
		return rc == ARCHIVE_ENOTFOUND ? 0 : rc;
	for (size_t i = 0; i < count; i++) {
		archive_dossier *d = NULL;
		archive_public *p = NULL;
		json_t *row;
		size_t k;
		int known = 0, y, m, dd;

		if (archive_dossier_load(&d, s, ids[i]) != 0 ||
		    archive_public_view(&p, d, archive_code(n->a), n->today,
					NULL, NULL) != 0 ||
		    !p) {
			archive_error_clear();
			archive_dossier_free(d);
			continue;
		}
		archive_dossier_free(d);
		if (first && (!p->adopted ||
			      archive_date_parse(p->adopted, &y, &m, &dd) ||
			      n->now - archive_date_days(y, m, dd) > n->within))
			json_array_append_new(baseline, json_string(p->id));
		json_array_foreach(baseline, k, row)
			known |= !strcmp(json_string_value(row), p->id);
		if (!known) {
			char *key = net_strprintf("published:%s", p->id);
			char *url = *root ? net_strprintf("%sreflecties/%s/",
							  root, p->id)
					  : NULL;

			row = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?}",
					"key", key ? key : "", "id", p->id,
					"citation", p->citation ? p->citation : "",
					"title", p->title, "adopted", p->adopted,
					"url", url);
			if (row)
				json_array_append_new(n->published, row);
			free(key);
			free(url);
		}
		archive_public_free(p);
	}
	archive_names_free(ids, count);
	return 0;
}

/* The items of list that channel `name` has not had. */
static json_t *unsent(struct notify *n, const char *name, json_t *list)
{
	json_t *sent = json_object_get(
		json_object_get(json_object_get(n->record, "channels"), name),
		"sent");
	json_t *out = json_array(), *row;
	size_t i;

	json_array_foreach(list, i, row)
	{
		const char *key = json_string_value(json_object_get(row, "key"));

		if (!json_object_get(sent, key))
			json_array_append(out, row);
	}
	return out;
}

/* ---- the message ------------------------------------------------------------ */

static const char *label(struct notify *n, const char *what)
{
	static const char *const labels[][3] = {
		{ "deadline", "deadline", "deadline" },
		{ "follow_up", "vervolg", "follow-up" },
		{ "action", "actiepunt", "action" },
	};

	for (size_t i = 0; i < 3; i++)
		if (!strcmp(labels[i][0], what))
			return labels[i][n->english ? 2 : 1];
	return what;
}

static char *subject(struct notify *n, size_t ndue, size_t npub)
{
	const char *code = archive_code(n->a);
	char due[64] = "", pub[64] = "";

	if (ndue)
		snprintf(due, sizeof(due),
			 n->english ? "%zu item%s due" : "%zu punt%s op termijn",
			 ndue, ndue == 1 ? "" : n->english ? "s" : "en");
	if (npub)
		snprintf(pub, sizeof(pub),
			 n->english ? "%zu new reflection%s"
				    : "%zu nieuwe reflectie%s",
			 npub, npub == 1 ? "" : "s");
	return net_strprintf("[%s] %s%s%s", code, due, ndue && npub ? ", " : "",
			     pub);
}

static char *body_text(struct notify *n, json_t *due, json_t *pub)
{
	char *buf = NULL, line[2048];
	size_t len = 0, cap = 0, i;
	json_t *row;
	int oom = 0;

	snprintf(line, sizeof(line),
		 n->english ? "Digest of %s, %s\n" : "Overzicht van %s, %s\n",
		 archive_name(n->a), n->today);
	PUTS(line);
	if (json_array_size(due)) {
		snprintf(line, sizeof(line),
			 n->english ? "\nDue within %d days (%zu):\n"
				    : "\nOp termijn binnen %d dagen (%zu):\n",
			 n->within, json_array_size(due));
		PUTS(line);
	}
	json_array_foreach(due, i, row)
	{
		const char *what = json_string_value(json_object_get(row, "what"));
		const char *act = json_string_value(json_object_get(row, "action"));
		const char *owner = json_string_value(json_object_get(row, "owner"));
		long days = (long)json_integer_value(json_object_get(row, "days"));
		char when[64], *text;

		if (days < 0)
			snprintf(when, sizeof(when), n->english ? "overdue"
								: "te laat");
		else if (days == 0)
			snprintf(when, sizeof(when), n->english ? "today"
								: "vandaag");
		else
			snprintf(when, sizeof(when),
				 n->english ? "in %ld days" : "over %ld dagen",
				 days);
		text = net_clean_text(act ? act : json_string_value(json_object_get(row, "title")),
				      300, 0);
		snprintf(line, sizeof(line), "- %s  %-9s %s  %s%s%s%s (%s)\n",
			 json_string_value(json_object_get(row, "date")),
			 label(n, what),
			 json_string_value(json_object_get(row, "id")),
			 text ? text : "", owner ? " [" : "", owner ? owner : "",
			 owner ? "]" : "", when);
		free(text);
		PUTS(line);
	}
	if (json_array_size(pub)) {
		snprintf(line, sizeof(line),
			 n->english ? "\nNewly published (%zu):\n"
				    : "\nNieuw gepubliceerd (%zu):\n",
			 json_array_size(pub));
		PUTS(line);
	}
	json_array_foreach(pub, i, row)
	{
		const char *url = json_string_value(json_object_get(row, "url"));
		char *title = net_clean_text(
			json_string_value(json_object_get(row, "title")), 300, 0);

		snprintf(line, sizeof(line), "- %s  %s\n%s%s%s",
			 json_string_value(json_object_get(row, "citation")),
			 title ? title : "", url ? "  " : "", url ? url : "",
			 url ? "\n" : "");
		free(title);
		PUTS(line);
	}
	PUTS("\n-- \nmores notify\n");
	if (oom) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- sending ---------------------------------------------------------------- */

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t on_read(char *dst, size_t size, size_t nitems, void *ctx)
{
	struct upload *u = ctx;
	size_t n = size * nitems;

	if (n > u->len - u->pos)
		n = u->len - u->pos;
	memcpy(dst, u->data + u->pos, n);
	u->pos += n;
	return n;
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

static void recipients(const archive_node *smtp, const char **to, size_t *n,
		       size_t max)
{
	archive_node *list = archive_node_get(smtp, "to");

	*n = 0;
	if (archive_node_kind_of(list) == ARCHIVE_NODE_SCALAR)
		to[(*n)++] = archive_node_scalar(list);
	else
		for (size_t i = 0; i < archive_node_count(list) && *n < max; i++)
			to[(*n)++] = archive_node_scalar(archive_node_at(list, i));
}

static int truthy(const char *v)
{
	return v && (!strcmp(v, "true") || !strcmp(v, "yes"));
}

static char *mail_message(const archive_node *smtp,
			  const char *subj, const char *body)
{
	const char *to[64], *from = archive_node_get_scalar(smtp, "from");
	const char *domain = strchr(from, '@') + 1;
	char date[64], msgid[256], *msg = NULL;
	time_t t = time(NULL);
	struct tm tm;
	size_t nto;

	recipients(smtp, to, &nto, 64);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(msgid, sizeof(msgid), "<mores-notify.%lld.%ld@%s>",
		 (long long)t, (long)getpid(), domain);
	net_mail_format(&msg, from, to, nto, subj, body, date, msgid);
	return msg;
}

static char *send_mail(const archive_node *smtp, const char *msg)
{
	const char *to[64], *url = archive_node_get_scalar(smtp, "url");
	const char *user = archive_node_get_scalar(smtp, "user");
	const char *password = getenv("MORES_SMTP_PASSWORD");
	struct upload u = { msg, strlen(msg), 0 };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", from[400], *err = NULL;
	long timeout = net_timeout_ms();
	size_t nto;
	CURLcode res;
	CURL *h;

	if (user && (!password || !*password))
		return net_strprintf("notify.smtp.user is set, but "
				     "$MORES_SMTP_PASSWORD is not");
	if (net_init() != 0)
		return net_strprintf("%s", archive_error_last());
	if (!(h = curl_easy_init()))
		return net_strprintf("libcurl could not be initialised");
	recipients(smtp, to, &nto, 64);
	for (size_t i = 0; i < nto; i++) {
		char addr[400];

		snprintf(addr, sizeof(addr), "<%s>", to[i]);
		rcpt = curl_slist_append(rcpt, addr);
	}
	snprintf(from, sizeof(from), "<%s>",
		 archive_node_get_scalar(smtp, "from"));
	net_easy_common(h, timeout);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (truthy(archive_node_get_scalar(smtp, "starttls")))
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, password);
	}
	res = curl_easy_perform(h);
	if (res != CURLE_OK)
		err = net_describe(res, errbuf, timeout);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return err;
}

static char *send_webhook(const char *url, const char *json)
{
	const char *token = getenv("MORES_WEBHOOK_TOKEN");
	struct curl_slist *hdr = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *auth = NULL, *err = NULL;
	long timeout = net_timeout_ms(), status = 0;
	CURLcode res;
	CURL *h;

	if (net_init() != 0)
		return net_strprintf("%s", archive_error_last());
	if (!(h = curl_easy_init()))
		return net_strprintf("libcurl could not be initialised");
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	if (token && *token) {
		auth = net_strprintf("Authorization: Bearer %s", token);
		if (auth)
			hdr = curl_slist_append(hdr, auth);
		free(auth);
	}
	net_easy_common(h, timeout);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	res = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK)
		err = net_describe(res, errbuf, timeout);
	else if (status < 200 || status > 299)
		err = net_strprintf("the webhook answered HTTP %ld", status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return err;
}

/* Records that channel `name` had the items. */
static void mark_sent(struct notify *n, const char *name, json_t *due,
		      json_t *pub)
{
	json_t *channels = json_object_get(n->record, "channels");
	json_t *ch, *sent, *row;
	size_t i;

	if (!channels) {
		channels = json_object();
		json_object_set_new(n->record, "channels", channels);
	}
	if (!(ch = json_object_get(channels, name))) {
		ch = json_object();
		json_object_set_new(channels, name, ch);
	}
	if (!(sent = json_object_get(ch, "sent"))) {
		sent = json_object();
		json_object_set_new(ch, "sent", sent);
	}
	json_array_foreach(due, i, row)
		json_object_set_new(sent,
				    json_string_value(json_object_get(row, "key")),
				    json_string(n->today));
	json_array_foreach(pub, i, row)
		json_object_set_new(sent,
				    json_string_value(json_object_get(row, "key")),
				    json_string(n->today));
}

/* Forgets keys sent more than a year ago. */
static void prune(struct notify *n)
{
	json_t *ch, *sent, *v;
	const char *name, *key;
	void *tmp;

	json_object_foreach(json_object_get(n->record, "channels"), name, ch)
	{
		sent = json_object_get(ch, "sent");
		json_object_foreach_safe(sent, tmp, key, v)
		{
			int y, m, d;
			const char *date = json_string_value(v);

			if (!date || archive_date_parse(date, &y, &m, &d) ||
			    n->now - archive_date_days(y, m, d) > SENT_KEEP_DAYS)
				json_object_del(sent, key);
		}
	}
}

static int run_channel(struct notify *n, const char *name, int dry_run,
		       FILE *dry, int *sent, net_report_fn report, void *ctx)
{
	const archive_node *ch = archive_node_get(n->cfg, name);
	int is_mail = !strcmp(name, "smtp");
	const char *url = archive_node_get_scalar(ch, "url");
	json_t *due = unsent(n, name, n->due);
	json_t *pub = unsent(n, name, n->published);
	char *subj = NULL, *body = NULL, *msg = NULL, *err = NULL;
	int rc = 0;

	if (!is_mail && getenv("MORES_WEBHOOK_URL") &&
	    *getenv("MORES_WEBHOOK_URL"))
		url = getenv("MORES_WEBHOOK_URL");
	if (json_array_size(due) + json_array_size(pub) == 0)
		goto done;
	if (!url) {
		rc = archive_error_set(ARCHIVE_EINVALID,
				       "mores.yml: notify.webhook.url: missing "
				       "(or set $MORES_WEBHOOK_URL)");
		goto done;
	}
	subj = subject(n, json_array_size(due), json_array_size(pub));
	body = body_text(n, due, pub);
	if (!subj || !body) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	if (is_mail) {
		msg = mail_message(ch, subj, body);
	} else {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:s}",
				      "committee", archive_name(n->a), "code",
				      archive_code(n->a), "date", n->today,
				      "subject", subj, "due", due, "published",
				      pub, "text", body);

		msg = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
			: NULL;
		json_decref(o);
	}
	if (!msg) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	if (dry_run) {
		fprintf(dry, "--- %s %s ---\n%s%s", is_mail ? "e-mail via"
							    : "webhook POST to",
			url, msg, msg[strlen(msg) - 1] == '\n' ? "" : "\n");
		(*sent)++;
		goto done;
	}
	err = is_mail ? send_mail(ch, msg) : send_webhook(url, msg);
	if (err) {
		report(0, url, err, ctx);
		rc = 1;
	} else {
		char line[160];

		snprintf(line, sizeof(line), "sent %zu due, %zu published",
			 json_array_size(due), json_array_size(pub));
		report(1, url, line, ctx);
		mark_sent(n, name, due, pub);
		(*sent)++;
	}
done:
	free(subj);
	free(body);
	free(msg);
	free(err);
	json_decref(due);
	json_decref(pub);
	return rc;
}

/* Takes the lock next to the record (RECORD.lock); the descriptor, or
 * -1 with the error set. Closing it releases the lock. */
static int lock_record(const char *record)
{
	char *path = net_strprintf("%s.lock", record);
	int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;

	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		archive_error_set(ARCHIVE_ERROR, "%s: cannot lock",
				  path ? path : record);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int net_notify_run(archive *a, int dry_run, FILE *dry, int *sent,
		   net_report_fn report, void *ctx)
{
	struct notify n = { .a = a, .within = 14 };
	char *path = NULL;
	const char *within, *lang;
	int rc, failed = 0, lock = -1;

	*sent = 0;
	if ((rc = net_settings_check(a)) != 0)
		return rc;
	n.cfg = archive_node_get(archive_settings(a), "notify");
	if (!n.cfg)
		return archive_error_set(ARCHIVE_EINVALID,
					 "mores.yml: notify: missing; give "
					 "notify.smtp and/or notify.webhook");
	within = archive_node_get_scalar(n.cfg, "within");
	if (within)
		n.within = atoi(within);
	lang = archive_node_get_scalar(archive_settings(a), "language");
	n.english = lang && !strcmp(lang, "en");
	n.now = net_today_days(n.today);
	if (!(path = net_derived_path(a, "notify-sent.json")))
		return archive_error_code();
	/* one notify at a time per archive (two cron jobs, say), so that
	 * the record of what was sent is read after the other wrote it */
	if (!dry_run && (lock = lock_record(path)) < 0) {
		free(path);
		return archive_error_code();
	}
	net_json_load(&n.record, path);
	if (!json_is_object(n.record)) {
		json_decref(n.record);
		n.record = json_object();
	}
	rc = load_due(&n);
	rc = rc ? rc : load_published(&n);
	if (rc == 0 && archive_node_get(n.cfg, "smtp"))
		rc = run_channel(&n, "smtp", dry_run, dry, sent, report, ctx);
	if (rc >= 0 && archive_node_get(n.cfg, "webhook")) {
		failed |= rc > 0;
		rc = run_channel(&n, "webhook", dry_run, dry, sent, report,
				 ctx);
	}
	if (rc >= 0) {
		failed |= rc > 0;
		rc = 0;
		if (!dry_run) {
			prune(&n);
			json_object_set_new(n.record, "version",
					    json_integer(1));
			rc = net_json_save(n.record, path);
		}
	}
	json_decref(n.record);
	json_decref(n.due);
	json_decref(n.published);
	free(path);
	if (lock >= 0)
		close(lock);
	return rc < 0 ? rc : failed;
}
