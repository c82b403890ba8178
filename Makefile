# tgpl — a plain Makefile.  `make help` lists the targets.
#
# User knobs: PREFIX, DESTDIR, CFLAGS, LDFLAGS, CC, V=1 (echo commands),
# SANITIZE=1 (ASan + UBSan), DEVELOPER=1 (-Werror), BUILD=dir (out-of-tree objects).

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/tgpl
MANDIR     ?= $(PREFIX)/share/man
CC         ?= cc
CFLAGS     ?= -O2 -g
ifeq ($(SANITIZE),1)
BUILD      ?= build-san
endif
BUILD      ?= build
PKG_CONFIG ?= pkg-config

# The pinned licence data package (SPDX texts, CC0-1.0).  Fetched by `make data`.
SPDX_PKG     = spdx-license-list
SPDX_VERSION = 6.12.0
SPDX_SHA256  = 54cc8d13086187333ca1457c8edaa06d9a412144f076aa7f7c1b59c4f3b0a1ef
DATA_DIR     = data
SPDX_TGZ     = $(DATA_DIR)/$(SPDX_PKG)-$(SPDX_VERSION).tgz

PKGS       = libgit2 sqlite3 libpcre2-8 jansson libxml-2.0 inih
TEST_PKGS  = check

ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-7s %s\n'
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
       -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)/gen $(WARN) $(SAN) \
             -DTGPL_DATADIR='"$(DATADIR)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

LIB_SRC = $(sort $(wildcard src/util/*.c src/walk/*.c src/detect/*.c src/store/*.c \
                            src/scan/*.c src/obligations/*.c src/report/*.c))
CLI_SRC = $(sort $(wildcard src/cli/*.c))
TEST_SRC = $(sort $(wildcard tests/unit/check_*.c))
TEST_SUPPORT = $(sort $(wildcard tests/unit/support_*.c))

LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/%.o) $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

LIB  = $(BUILD)/libtgpl.a
BIN  = $(BUILD)/tgpl
GEN  = $(BUILD)/gen/schema_sql.h
SHARE = $(BUILD)/share/tgpl
INDEX = $(SHARE)/licenses.idx
# The project's own licence knowledge, staged next to the index.
DATA_SRC = $(sort $(wildcard licenses/*.tsv) $(wildcard licenses/rules/*.rules))
DATA_STAGED = $(DATA_SRC:licenses/%=$(SHARE)/%)
MANPAGES = $(sort $(wildcard man/*.1))

.PHONY: all check check-unit check-e2e check-style data index deps install uninstall \
        clean distclean help bench
.DEFAULT_GOAL := all
# Keep the objects of test programs between runs.
.SECONDARY:

all: $(BIN) $(INDEX) $(DATA_STAGED)

$(SHARE)/%: licenses/%
	$(Q)mkdir -p $(@D) && cp $< $@

help:
	@echo 'make              build $(BIN) and the licence index'
	@echo 'make deps         install the Debian packages (as root) or print the apt-get line'
	@echo 'make data         fetch and verify the pinned SPDX licence data ($(SPDX_PKG)@$(SPDX_VERSION))'
	@echo 'make check        run every test (SANITIZE=1 for ASan + UBSan)'
	@echo 'make bench        run the benchmarks'
	@echo 'make install      install under $$(DESTDIR)$$(PREFIX) (PREFIX=$(PREFIX))'
	@echo 'make uninstall    remove what install put there'
	@echo 'make clean        remove $(BUILD)/; distclean also removes $(DATA_DIR)/'

deps:
	$(Q)sh tools/deps.sh

$(SPDX_TGZ):
	$(say) FETCH $@
	$(Q)mkdir -p $(DATA_DIR).tmp && cd $(DATA_DIR).tmp && \
	  npm pack --silent $(SPDX_PKG)@$(SPDX_VERSION) >/dev/null
	$(Q)echo '$(SPDX_SHA256)  $(DATA_DIR).tmp/$(notdir $@)' | sha256sum -c --quiet - || \
	  { echo 'tgpl: checksum mismatch for $(SPDX_PKG)@$(SPDX_VERSION); refusing it' >&2; rm -rf $(DATA_DIR).tmp; exit 1; }
	$(Q)mkdir -p $(DATA_DIR) && mv $(DATA_DIR).tmp/$(notdir $@) $@ && rm -rf $(DATA_DIR).tmp

data: $(SPDX_TGZ)

$(BUILD)/data/spdx-full.json: $(SPDX_TGZ)
	$(Q)echo '$(SPDX_SHA256)  $<' | sha256sum -c --quiet -
	$(Q)mkdir -p $(@D) && tar -xzf $< -O package/spdx-full.json > $@.tmp && mv $@.tmp $@

index: $(INDEX)

$(INDEX): $(BUILD)/tools/mkindex $(BUILD)/data/spdx-full.json licenses/deprecated.tsv
	$(say) INDEX $@
	$(Q)mkdir -p $(@D) && $(BUILD)/tools/mkindex -o $@.tmp $(BUILD)/data/spdx-full.json licenses && mv $@.tmp $@

$(GEN): db/schema.sql tools/embed.sh
	$(say) GEN $@
	$(Q)mkdir -p $(@D) && sh tools/embed.sh tgpl_schema_sql db/schema.sql > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c | $(GEN)
	$(say) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c | $(GEN)
	$(say) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(BUILD)/tools/mkindex: $(BUILD)/tools/mkindex.o $(LIB)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BUILD)/tests/check_%: $(BUILD)/tests/unit/check_%.o $(TEST_SUPPORT:%.c=$(BUILD)/%.o) $(LIB)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB) $(LIBS) $(TEST_LIBS)

# Every test binary gets the build tree's binary and index through the environment.
TEST_ENV = TGPL_BIN=$(abspath $(BIN)) TGPL_DATADIR=$(abspath $(dir $(INDEX))) \
           TGPL_SRCDIR=$(abspath .) CK_DEFAULT_TIMEOUT=120 \
           ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0 \
           LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) UBSAN_OPTIONS=print_stacktrace=1

check: check-style check-unit

check-unit: $(TEST_BIN) all
	$(Q)fail=0; total=0; bad=0; \
	for t in $(TEST_BIN); do \
	  total=$$((total+1)); \
	  $(TEST_ENV) $$t || { fail=1; bad=$$((bad+1)); echo "FAILED: $$t"; }; \
	done; \
	echo "test programs: $$((total-bad)) passed, $$bad failed"; exit $$fail

check-style:
	$(Q)sh tools/checksrc.sh

bench: all $(BUILD)/tests/check_accuracy $(BUILD)/tests/check_accuracy_notices
	$(Q)sh bench/run.sh $(abspath $(BIN)) $(abspath $(dir $(INDEX)))
	$(Q)sh bench/accuracy.sh $(abspath $(BUILD))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tgpl
	install -m 644 $(INDEX) $(DESTDIR)$(DATADIR)/licenses.idx
	for f in $(DATA_SRC:licenses/%=%); do \
	  install -m 644 licenses/$$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tgpl $(DESTDIR)$(DATADIR)/licenses.idx
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(DATA_SRC:licenses/%=%))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	-rmdir $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(DATA_DIR) $(DATA_DIR).tmp

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
