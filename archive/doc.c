/*
 * doc.c: a document is YAML front matter between two `---` lines followed
 * by a Markdown body. This file splits and joins the two parts; what the
 * fields mean is decided in dossier.c and validate.c.
 */
#include "archive.h"

#include <stdlib.h>
#include <string.h>

struct archive_doc {
	char *path;
	archive_node *front;
	char *body;
};

archive_doc *archive_doc_new(const char *path)
{
	archive_doc *doc = calloc(1, sizeof(*doc));

	if (!doc)
		return NULL;
	doc->path = strdup(path ? path : "");
	doc->front = archive_node_new(ARCHIVE_NODE_MAP, NULL);
	doc->body = strdup("");
	if (!doc->path || !doc->front || !doc->body) {
		archive_doc_free(doc);
		return NULL;
	}
	return doc;
}

void archive_doc_free(archive_doc *doc)
{
	if (!doc)
		return;
	free(doc->path);
	archive_node_free(doc->front);
	free(doc->body);
	free(doc);
}

/* Length of the line at p (without its newline) and of the newline. */
static size_t line_len(const char *p, const char *end, size_t *nl)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));

	if (!q) {
		*nl = 0;
		return (size_t)(end - p);
	}
	*nl = 1;
	return (size_t)(q - p);
}

static int is_fence(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0);
}

int archive_doc_parse(archive_doc **out, const char *path, const char *text,
		      size_t len)
{
	const char *end = text + len, *p = text, *yaml_start;
	archive_doc *doc;
	size_t n, nl;
	int bad_line, rc, line = 1;

	*out = NULL;
	if (archive_utf8_check(text, len, &bad_line) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "%s:%d: not valid UTF-8 text", path,
					 bad_line);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	n = line_len(p, end, &nl);
	if (!is_fence(p, n) || p[0] != '-')
		return archive_error_set(
			ARCHIVE_EINVALID,
			"%s:1: front matter: the file must start with a line '---'",
			path);
	p += n + nl;
	yaml_start = p;
	for (;;) {
		line++;
		if (p >= end)
			return archive_error_set(
				ARCHIVE_EINVALID,
				"%s: front matter: no closing '---' line", path);
		n = line_len(p, end, &nl);
		if (is_fence(p, n))
			break;
		p += n + nl;
	}
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	doc->path = strdup(path);
	rc = archive_yaml_parse(&doc->front, path, yaml_start,
				(size_t)(p - yaml_start), 2);
	if (rc == 0 && archive_node_kind_of(doc->front) != ARCHIVE_NODE_MAP)
		rc = archive_error_set(
			ARCHIVE_EINVALID,
			"%s:2: front matter: must be 'key: value' lines", path);
	p += n + nl;
	if (rc == 0) {
		doc->body = malloc((size_t)(end - p) + 1);
		if (!doc->body || !doc->path)
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		else {
			memcpy(doc->body, p, (size_t)(end - p));
			doc->body[end - p] = '\0';
		}
	}
	if (rc != 0) {
		archive_doc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

const char *archive_doc_path(const archive_doc *doc)
{
	return doc->path;
}

archive_node *archive_doc_front(const archive_doc *doc)
{
	return doc->front;
}

const char *archive_doc_body(const archive_doc *doc)
{
	return doc->body;
}

int archive_doc_set_body(archive_doc *doc, const char *body)
{
	char *copy = strdup(body);

	if (!copy)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	free(doc->body);
	doc->body = copy;
	return 0;
}

int archive_doc_format(char **out, size_t *len, const archive_doc *doc)
{
	char *yaml, *buf;
	size_t ylen, blen = strlen(doc->body), total;
	int rc;

	*out = NULL;
	if (archive_node_count(doc->front) == 0) {
		yaml = strdup("");
		ylen = 0;
		rc = yaml ? 0 : archive_error_set(ARCHIVE_ERROR, "out of memory");
	} else {
		rc = archive_yaml_emit(&yaml, &ylen, doc->front);
	}
	if (rc != 0)
		return rc;
	total = 4 + ylen + 4 + blen;
	buf = malloc(total + 1);
	if (!buf) {
		free(yaml);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	memcpy(buf, "---\n", 4);
	memcpy(buf + 4, yaml, ylen);
	memcpy(buf + 4 + ylen, "---\n", 4);
	memcpy(buf + 8 + ylen, doc->body, blen);
	buf[total] = '\0';
	free(yaml);
	*out = buf;
	if (len)
		*len = total;
	return 0;
}
