/*
 * search_int.h: what the files of the search module share: the index
 * handle and the SQLite glue.
 */
#ifndef MORES_SEARCH_INT_H
#define MORES_SEARCH_INT_H

#include "search.h"

#include <sqlite3.h>

struct search_index {
	archive *a;
	sqlite3 *db;
	char *path;
	char commit[41];
};

/* Registers the "dutch" FTS5 tokenizer with db. */
int search_register_dutch(sqlite3 *db);

/* Records SQLite's last message for db under `what`. */
int search_db_fail(search_index *ix, const char *what);

/* Brings the public rows up to today's date when an embargo may have
 * ended since they were written. */
int search_refresh_public(search_index *ix);

#endif
