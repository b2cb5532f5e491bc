# mores: one Makefile for the program, its tests, the demo and benchmarks.

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/mores
MANDIR = $(PREFIX)/share/man/man1

CC ?= cc
PKGS = libgit2 yaml-0.1 jansson sqlite3 libcmark-gfm libmicrohttpd libcurl zlib
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers -I.
CFLAGS += $(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lcmark-gfm-extensions -lstemmer -lm -lpthread
CHECK_LIBS = $(shell pkg-config --libs check)

ARCHIVE_SRC = $(wildcard archive/*.c)
CASEWORK_SRC = $(wildcard casework/*.c)
SEARCH_SRC = $(wildcard search/*.c)
SITE_SRC = $(wildcard site-gen/*.c)
NET_SRC = $(wildcard net/*.c)
CLI_SRC = $(wildcard cli/*.c)
LIB_SRC = $(ARCHIVE_SRC) $(CASEWORK_SRC) $(SEARCH_SRC) $(SITE_SRC) $(NET_SRC)
LIB_OBJ = $(LIB_SRC:.c=.o)
CLI_OBJ = $(CLI_SRC:.c=.o)
HEADERS = $(wildcard */*.h)

TEST_SUITES = $(patsubst %.c,%,$(wildcard tests/check_*.c))

.PHONY: all deps demo check unit e2e install clean asan valgrind

all: mores

deps:
	@sh scripts/install-deps.sh

mores: $(CLI_OBJ) libmores.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) libmores.a $(LDLIBS)

libmores.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

%.o: %.c $(HEADERS)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

tests/check_%: tests/check_%.c tests/fixture.c libmores.a $(HEADERS)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check) -o $@ $< tests/fixture.c libmores.a \
		$(LDLIBS) $(CHECK_LIBS)

# demo and check install missing packages first, then build in a fresh
# make, so that pkg-config sees what was just installed.
demo: deps
	@$(MAKE) --no-print-directory mores
	@sh scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory mores $(TEST_SUITES)
	@sh tests/run.sh

unit: mores $(TEST_SUITES)
	@sh tests/run.sh unit

e2e: mores
	@sh tests/run.sh e2e

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" mores $(TEST_SUITES)
	ASAN_OPTIONS=detect_leaks=1 sh tests/run.sh
	$(MAKE) clean

# The whole suite under valgrind memcheck.
valgrind: mores $(TEST_SUITES)
	MORES_VALGRIND=1 sh tests/run.sh

# The NL Design System styles the site uses, from the npm registry
# (site-gen/package-lock.json pins them); `make deps` installs them.
NLDS_LIB = site-gen/node_modules/@utrecht/component-library-css/dist
NLDS_THEME = site-gen/node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist

install: mores
	@test -f $(NLDS_LIB)/index.css || { echo "make install: run 'make deps' first for the NL Design System styles" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates/advice $(DESTDIR)$(MANDIR)
	install -d $(DESTDIR)$(DATADIR)/site-gen/assets
	install -m 755 mores $(DESTDIR)$(BINDIR)/mores
	install -m 644 templates/values.yml $(DESTDIR)$(DATADIR)/templates/values.yml
	install -m 644 templates/advice/*.md $(DESTDIR)$(DATADIR)/templates/advice/
	install -m 644 cli/mores.1 $(DESTDIR)$(MANDIR)/mores.1
	install -d $(DESTDIR)$(DATADIR)/$(NLDS_LIB) $(DESTDIR)$(DATADIR)/$(NLDS_THEME)
	install -m 644 site-gen/assets/mores.css site-gen/assets/zoeken.js $(DESTDIR)$(DATADIR)/site-gen/assets/
	install -m 644 $(NLDS_LIB)/index.css $(DESTDIR)$(DATADIR)/$(NLDS_LIB)/index.css
	install -m 644 $(NLDS_THEME)/theme.css $(DESTDIR)$(DATADIR)/$(NLDS_THEME)/theme.css

# Benchmarks, fuzzing and soak runs have their own rules.
-include bench/Makefile.inc tests/fuzz/Makefile.inc

clean:
	rm -f mores libmores.a */*.o $(TEST_SUITES)
	rm -rf _demo
