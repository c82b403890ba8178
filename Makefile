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

PKGS       = libgit2 sqlite3 libpcre2-8 jansson libxml-2.0 inih libcrypto
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
DATA_SRC = $(sort $(wildcard licenses/*.tsv) $(wildcard licenses/rules/*.rules) \
                  $(wildcard licenses/clauses/*.rules) $(wildcard licenses/policies/*.ini))
DATA_STAGED = $(DATA_SRC:licenses/%=$(SHARE)/%)
MANPAGES = $(sort $(wildcard man/*.1))

.PHONY: all check check-unit check-e2e check-style check-self data index deps install uninstall \
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
	@echo 'make check        run every test (SANITIZE=1 for ASan + UBSan) and check-self'
	@echo 'make check-self   tgpl check on this tree (.tgpl-policy.toml)'
	@echo 'make check-valgrind  the end-to-end tests under valgrind memcheck'
	@echo 'make fuzz         run each libFuzzer target FUZZ_SECONDS (clang)'
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

$(INDEX): $(BUILD)/tools/mkindex $(BUILD)/data/spdx-full.json licenses/deprecated.tsv \
          licenses/tgpl/TGPL-1.0-rider.txt licenses/tgpl/TGPL-1.0.txt
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

check: check-style check-unit check-self

# The project's own licensing, checked by its own `tgpl check` (HEAD of this
# tree; .tgpl-policy.toml says what is relaxed and why).  Skipped outside git.
check-self: all
	$(Q)if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(TEST_ENV) $(BIN) --quiet check --policy .tgpl-policy.toml .; \
	else echo 'check-self: not a git checkout; skipped'; fi

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
	$(Q)sh bench/history.sh $(abspath $(BUILD))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/clauses \
	  $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tgpl
	install -m 644 $(INDEX) $(DESTDIR)$(DATADIR)/licenses.idx
	for f in $(DATA_SRC:licenses/%=%); do \
	  install -m 644 licenses/$$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tgpl $(DESTDIR)$(DATADIR)/licenses.idx
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(DATA_SRC:licenses/%=%))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	-rmdir $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/clauses $(DESTDIR)$(DATADIR)/policies \
	  $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(DATA_DIR) $(DATA_DIR).tmp

# ---- fuzzing and valgrind (tests/fuzz/, SECURITY.md) ------------------------
# `make fuzz` builds the library again with clang and libFuzzer's coverage in
# $(FUZZ_BUILD), links one target per parser (tests/fuzz/fuzz_*.c), and runs
# each for FUZZ_SECONDS over a copy of its seeds (tests/fuzz/corpus/<name>/
# is never written).  A crash, leak, sanitizer report or timeout fails it;
# the input is saved as $(FUZZ_BUILD)/crashes/<name>-crash-<sha1>.
# FUZZ=name runs one target.  `make check-valgrind` runs the end-to-end tests
# with the tgpl binary under memcheck (the support helpers read TGPL_VALGRIND).
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  ?= -O1 -g
FUZZ_SRC      = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES    = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ         ?= $(FUZZ_NAMES)
FUZZ_BIN      = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz/fuzz_%)
FUZZ_LIB      = $(FUZZ_BUILD)/libtgpl.a
# Longest input per target (-max_len): an expression, a policy, a manifest.
FUZZ_MAX_LEN_DEFAULT = 16384
FUZZ_MAX_LEN_spdx    = 1024
FUZZ_MAX_LEN_corpus  = 4096
FUZZ_MAX_LEN_policy  = 4096
FUZZ_MAX_LEN_check_policy = 4096
FUZZ_MAX_LEN_detect  = 65536
fuzz_max_len = $(or $(FUZZ_MAX_LEN_$(1)),$(FUZZ_MAX_LEN_DEFAULT))
FUZZ_ENV = TGPL_DATADIR=$(abspath $(SHARE)) \
           ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
           LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The end-to-end suites: those that run the binary through e2e_tgpl().
VALGRIND_TESTS ?= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,\
                    $(shell grep -lw e2e_tgpl $(TEST_SRC) 2>/dev/null))

.PHONY: fuzz fuzz-build check-valgrind FORCE

# The library with clang's coverage hooks: a make of its own in $(FUZZ_BUILD),
# run every time (it does nothing when the objects are up to date).  Inside
# that make, $(LIB)'s own rule builds it.
ifneq ($(BUILD),$(FUZZ_BUILD))
$(FUZZ_LIB): FORCE
	$(Q)$(MAKE) --no-print-directory $(if $(Q),-s) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE= DEVELOPER= \
	  CFLAGS='$(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link' $(FUZZ_LIB)
endif

$(FUZZ_BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_LIB)
	$(say) FUZZ $@
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Itests/fuzz \
	  -I$(FUZZ_BUILD)/gen $(WARN) $(PKG_CFLAGS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
	  -DFUZZ_DATADIR='"$(abspath $(SHARE))"' -o $@ $< $(FUZZ_LIB) $(LIBS)

# Licence texts are never committed: the detector's seeds with whole texts
# (as a LICENSE, 'P', and with the TGPL rider, our text) come from the index.
fuzz_text_seeds = for id in MIT Apache-2.0 GPL-3.0-only BSD-3-Clause; do \
	  { printf P; $(FUZZ_ENV) $(BIN) licenses --text $$id | sed '1,/^$$/d'; } > $(1)/text-$$id || exit 1; \
	done; cat $(1)/text-MIT licenses/tgpl/TGPL-1.0-rider.txt > $(1)/text-MIT-rider

fuzz-build: $(FUZZ_BIN) $(BIN) $(INDEX) $(DATA_STAGED)

fuzz: fuzz-build
	$(Q)fail=0; \
	for p in $(foreach n,$(FUZZ),$(n):$(call fuzz_max_len,$(n))); do \
	  n=$${p%%:*}; max=$${p##*:}; \
	  work=$(FUZZ_BUILD)/corpus/$$n; mkdir -p $$work $(FUZZ_BUILD)/crashes; \
	  cp tests/fuzz/corpus/$$n/* $$work/ 2>/dev/null; \
	  if [ $$n = detect ]; then $(call fuzz_text_seeds,$$work); fi; \
	  echo "  FUZZ    $$n ($(FUZZ_SECONDS) s, -max_len=$$max)"; \
	  $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -max_len=$$max -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$n- $$work \
	    > $(FUZZ_BUILD)/fuzz-$$n.log 2>&1 \
	  || { fail=1; echo "FAILED: fuzz_$$n (log: $(FUZZ_BUILD)/fuzz-$$n.log)"; \
	       tail -n 40 $(FUZZ_BUILD)/fuzz-$$n.log; }; \
	  grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|cov:' \
	    $(FUZZ_BUILD)/fuzz-$$n.log | tail -n 3 | sed 's/^/          /'; \
	done; exit $$fail

# Memcheck wants the plain build: ASan and valgrind do not mix.
check-valgrind: $(VALGRIND_TESTS) all
	$(Q)if [ "$(SANITIZE)" = 1 ]; then echo 'check-valgrind: needs a build without SANITIZE=1' >&2; exit 2; fi
	$(Q)fail=0; total=0; bad=0; \
	for t in $(VALGRIND_TESTS); do \
	  total=$$((total+1)); \
	  $(TEST_ENV) TGPL_VALGRIND=1 CK_TIMEOUT_MULTIPLIER=10 $$t \
	    || { fail=1; bad=$$((bad+1)); echo "FAILED: $$t"; }; \
	done; \
	echo "test programs under valgrind: $$((total-bad)) passed, $$bad failed"; exit $$fail

FORCE:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
