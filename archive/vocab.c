/*
 * vocab.c: the committee's value vocabulary: values.yml in the archive, or
 * the vocabulary mores ships (templates/values.yml in the data folder), so
 * that a committee changes its values without recompiling.
 */
#include "archive_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct archive_vocab {
	archive_node *list;
};

void archive_vocab_free(archive_vocab *v)
{
	if (!v)
		return;
	archive_node_free(v->list);
	free(v);
}

static int value_id_ok(const char *id)
{
	if (!id || !*id || strlen(id) > 64)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return 0;
	return 1;
}

/* Checks the shape of a vocabulary: a list of maps with id, label and
 * question, ids unique and well-formed. */
static int vocab_check(const archive_node *list, const char *file)
{
	if (archive_node_kind_of(list) != ARCHIVE_NODE_LIST)
		return archive_error_set(ARCHIVE_EINVALID,
					 "%s: must be a list of values", file);
	for (size_t i = 0; i < archive_node_count(list); i++) {
		archive_node *v = archive_node_at(list, i);
		const char *id = archive_node_get_scalar(v, "id");

		if (archive_node_kind_of(v) != ARCHIVE_NODE_MAP)
			return archive_error_set(ARCHIVE_EINVALID,
						 "%s:%d: each value must have "
						 "id, label and question",
						 file, archive_node_line(v));
		if (!value_id_ok(id))
			return archive_error_set(ARCHIVE_EINVALID,
						 "%s:%d: id: '%s' is not a value "
						 "id (lower case, digits, '-')",
						 file, archive_node_line(v),
						 id ? id : "");
		if (!archive_node_get_scalar(v, "label"))
			return archive_error_set(ARCHIVE_EINVALID,
						 "%s:%d: label: missing for "
						 "value '%s'",
						 file, archive_node_line(v), id);
		if (!archive_node_get_scalar(v, "question"))
			return archive_error_set(ARCHIVE_EINVALID,
						 "%s:%d: question: missing for "
						 "value '%s'",
						 file, archive_node_line(v), id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(archive_node_get_scalar(
					   archive_node_at(list, j), "id"),
				   id) == 0)
				return archive_error_set(
					ARCHIVE_EINVALID,
					"%s:%d: id: '%s' appears twice", file,
					archive_node_line(v), id);
	}
	return 0;
}

int archive_vocab_parse(archive_vocab **out, const char *file,
			const char *text, size_t len)
{
	archive_vocab *v;
	int rc;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (archive_utf8_check(text, len, NULL) != 0)
		rc = archive_error_set(ARCHIVE_EINVALID,
				       "%s: not valid UTF-8 text", file);
	else
		rc = archive_yaml_parse(&v->list, file, text, len, 1);
	if (rc == 0 && archive_node_count(v->list) == 0 &&
	    archive_node_kind_of(v->list) == ARCHIVE_NODE_MAP) {
		/* An empty file is an empty vocabulary. */
		archive_node_free(v->list);
		v->list = archive_node_new(ARCHIVE_NODE_LIST, NULL);
		if (!v->list)
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	if (rc == 0)
		rc = vocab_check(v->list, file);
	if (rc != 0) {
		archive_vocab_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int archive_vocab_load(archive_vocab **out, archive_snap *s)
{
	char *text = NULL, path[4200];
	const char *file = "values.yml";
	size_t len;
	int rc;

	*out = NULL;
	rc = archive_snap_read(&text, &len, s, "values.yml");
	if (rc == ARCHIVE_ENOTFOUND) {
		snprintf(path, sizeof(path), "%s/templates/values.yml",
			 archive_datadir());
		file = path;
		rc = archive_file_slurp(&text, &len, path);
		if (rc != 0)
			return archive_error_set(rc,
						 "%s: the shipped value "
						 "vocabulary is missing (set "
						 "MORES_DATADIR?)",
						 path);
	}
	if (rc != 0)
		return rc;
	rc = archive_vocab_parse(out, file, text, len);
	free(text);
	return rc;
}

size_t archive_vocab_count(const archive_vocab *v)
{
	return archive_node_count(v->list);
}

const archive_node *archive_vocab_at(const archive_vocab *v, size_t i)
{
	return archive_node_at(v->list, i);
}

const archive_node *archive_vocab_find(const archive_vocab *v, const char *id)
{
	for (size_t i = 0; i < archive_node_count(v->list); i++) {
		archive_node *n = archive_node_at(v->list, i);

		if (strcmp(archive_node_get_scalar(n, "id"), id) == 0)
			return n;
	}
	return NULL;
}
