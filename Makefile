# SPDX-License-Identifier: GPL-2.0
#
# Build the sched_ext example schedulers.  "make help" lists the targets.
#
# Placed at tools/sched_ext of a kernel tree, this builds libbpf and bpftool
# from the tree and reads the BTF of the tree's own vmlinux.  Anywhere else it
# takes them from KSRC and reads the BTF of the project's test kernel: by
# default Debian's linux-source-6.12 and its kernel; KVER=7.3 picks Debian's
# linux-source-7.3 and that kernel instead, building into build/7.3.

SRC := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/scx-examples

# sched_ext lives in kernel/sched/ext.c up to 7.1, in kernel/sched/ext/ since.
has_scx = $(or $(wildcard $(1)/kernel/sched/ext.c),$(wildcard $(1)/kernel/sched/ext/ext.c))

ifneq ($(and $(call has_scx,$(SRC)/../..),$(wildcard $(SRC)/../lib/bpf/libbpf.c)),)
IN_TREE := 1
KSRC := $(abspath $(SRC)/../..)
VMLINUX_BTF ?= $(firstword $(wildcard $(if $(O),$(O)/vmlinux) \
		$(if $(KBUILD_OUTPUT),$(KBUILD_OUTPUT)/vmlinux) \
		$(KSRC)/vmlinux /sys/kernel/btf/vmlinux))
else
# On a kernel with sched_ext, a plain "make" builds against the running
# kernel's BTF and builds no test kernel; KVER=, VMLINUX_BTF= and the VM
# and test targets keep the test kernel's.
RUNNING_BTF ?= /sys/kernel/btf/vmlinux
VM_GOALS := kernel vm vmrun test test-long test-all bench matrix veristat check-docs
ifeq ($(origin VMLINUX_BTF)$(origin KVER)$(filter $(VM_GOALS),$(MAKECMDGOALS)),undefinedundefined)
VMLINUX_BTF := $(if $(shell grep -qs sched_ext_ops $(RUNNING_BTF) && echo y),$(RUNNING_BTF))
endif
KVER ?= 6.12
export KVER
KSRC ?= $(CACHE)/linux-source-$(KVER)
VMLINUX_BTF := $(or $(VMLINUX_BTF),$(CACHE)/kernel-$(KVER)/vmlinux)
ifneq ($(KSRC),$(CACHE)/linux-source-$(KVER))
ifeq ($(call has_scx,$(KSRC)),)
$(error KSRC=$(KSRC) is not a kernel source tree with sched_ext; point it at one, or leave it unset for Debian's linux-source-$(KVER))
endif
endif
# Each test kernel builds apart, so that both can be built and tested at once.
KVER_DIR := $(if $(filter-out 6.12,$(KVER)),/$(KVER))
endif

OUT := $(if $(O),$(abspath $(O))/build,$(SRC)/build$(KVER_DIR))
# libbpf, bpftool and vmlinux.h; SANITIZE=1 shares those of the plain build.
TOOLS_OBJ := $(OUT)/obj
# SANITIZE=1: the loaders with AddressSanitizer and UBSan, apart in san/
# (the BPF side is the same).
ifeq ($(SANITIZE),1)
OUT := $(OUT)/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
endif
OBJ := $(OUT)/obj
BIN := $(OUT)/bin

# Quiet kbuild-style output; V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-9s %s\n' $(1) $(notdir $(2));
endif

# Our command-line variables (O=, V=, ...) mean other things to the kernel's
# tools Makefiles; pass them nothing but what is spelled out.
MAKEOVERRIDES :=
SUBMAKE_QUIET := $(if $(filter 1,$(V)),,>/dev/null)

# LLVM=-19 picks clang-19, LLVM=1 plain clang; otherwise prefer clang-19,
# because the BPF features the schedulers use need clang 17 or later.
ifneq ($(LLVM),)
LLVM_PREFIX := $(if $(filter %/,$(LLVM)),$(LLVM))
LLVM_SUFFIX := $(if $(filter -%,$(LLVM)),$(LLVM))
CLANG ?= $(LLVM_PREFIX)clang$(LLVM_SUFFIX)
else
CLANG ?= $(if $(shell command -v clang-19),clang-19,clang)
endif

LIBBPF_SRC := $(KSRC)/tools/lib/bpf
BPFTOOL_SRC := $(KSRC)/tools/bpf/bpftool
LIBBPF_A := $(TOOLS_OBJ)/libbpf/libbpf.a
LIBBPF_HDRS := $(TOOLS_OBJ)/include/bpf/libbpf.h
BPFTOOL := $(TOOLS_OBJ)/bpftool/bpftool
VMLINUX_H := $(TOOLS_OBJ)/include/vmlinux.h
DEPS := $(if $(wildcard $(SRC)/vm/install-deps.sh),deps)

SCHEDS := $(patsubst $(SRC)/%.bpf.c,%,$(wildcard $(SRC)/scx_*.bpf.c))

INCLUDES := -I$(OBJ) -I$(TOOLS_OBJ)/include -I$(SRC)/include \
	    -I$(KSRC)/tools/include/uapi
CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	  -Wno-missing-field-initializers $(INCLUDES)
CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
LDLIBS := -lelf -lz -lpthread
# The BPF side reads pt_regs and the like through the target's
# bpf_tracing.h names: the host's architecture by default, or ARCH= as for
# the kernel (x86_64, i386, arm64, riscv, s390, powerpc, ...).
ARCH ?= $(shell uname -m)
BPF_ARCH := $(shell echo '$(ARCH)' | sed -e 's/x86_64\|i.86/x86/' \
	-e 's/aarch64.*/arm64/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
	-e 's/ppc64.*/powerpc/' -e 's/loongarch64/loongarch/')
BPF_ENDIAN := $(if $(filter s390,$(BPF_ARCH)),-mbig-endian,-mlittle-endian)
# -fms-extensions: 7.x's BTF embeds tagged structs as unnamed members
# ("struct slock_owned;"), which vmlinux.h keeps; without it clang drops them.
BPF_CFLAGS := -g -O2 -Wall -Wno-compare-distinct-pointer-types \
	      -Wno-unused-function -Wno-address-of-packed-member \
	      -target bpf -mcpu=v3 $(BPF_ENDIAN) -D__TARGET_ARCH_$(BPF_ARCH) \
	      -fms-extensions -Wno-microsoft-anon-tag \
	      $(INCLUDES)

PREFIX ?= /usr/local
DESTDIR ?=

.DEFAULT_GOAL := all
.PHONY: all prep help clean install deps kernel vm vmrun selftests coverage test test-long test-all bench matrix bench-compare veristat check-docs FORCE $(SCHEDS)
.DELETE_ON_ERROR:
.SECONDARY:

all: $(SCHEDS)

$(SCHEDS): %: $(BIN)/%

# What any BPF program here needs before it compiles; selftests/ uses it.
prep: $(LIBBPF_A) $(LIBBPF_HDRS) $(BPFTOOL) $(VMLINUX_H)

$(sort $(OBJ) $(BIN) $(TOOLS_OBJ)/libbpf $(TOOLS_OBJ)/bpftool $(TOOLS_OBJ)/include):
	$(Q)mkdir -p $@

# The Debian kernel source, unpacked on first use (out-of-tree mode only).
$(CACHE)/linux-source-$(KVER)/Makefile:
	$(Q)$(SRC)/vm/ksrc.sh >/dev/null

$(LIBBPF_SRC)/libbpf.c $(BPFTOOL_SRC)/main.c: | $(KSRC)/Makefile

$(LIBBPF_A) $(LIBBPF_HDRS) &: | $(DEPS) $(LIBBPF_SRC)/libbpf.c $(TOOLS_OBJ)/libbpf $(TOOLS_OBJ)/include
	$(call msg,LIBBPF,$(LIBBPF_A))
	$(Q)$(MAKE) -C $(LIBBPF_SRC) OUTPUT=$(TOOLS_OBJ)/libbpf/ DESTDIR=$(TOOLS_OBJ) \
		prefix= V=$(V) $(LIBBPF_A) install_headers $(SUBMAKE_QUIET)

$(BPFTOOL): | $(BPFTOOL_SRC)/main.c $(TOOLS_OBJ)/bpftool
	$(call msg,BPFTOOL,$@)
	$(Q)$(MAKE) -C $(BPFTOOL_SRC) OUTPUT=$(TOOLS_OBJ)/bpftool/ CLANG=$(CLANG) \
		V=$(V) $(SUBMAKE_QUIET)


# vmlinux.h must follow a change of VMLINUX_BTF even to an older file, so
# the path itself is a prerequisite, kept in a file rewritten when it changes.
BTF_SOURCE := $(TOOLS_OBJ)/include/.btf-source
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
$(shell mkdir -p $(TOOLS_OBJ)/include; \
	[ "$$(cat $(BTF_SOURCE) 2>/dev/null)" = "$(VMLINUX_BTF)" ] || \
	echo "$(VMLINUX_BTF)" > $(BTF_SOURCE))
endif

$(VMLINUX_H): $(VMLINUX_BTF) $(BTF_SOURCE) | $(BPFTOOL) $(TOOLS_OBJ)/include
	$(Q)test -n "$(VMLINUX_BTF)" || { echo "no vmlinux found in O=, KBUILD_OUTPUT or the tree, and no /sys/kernel/btf/vmlinux: build the kernel, or set VMLINUX_BTF=<vmlinux>" >&2; exit 1; }
	@echo "  BTF       $(VMLINUX_BTF)"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)grep -q '^struct sched_ext_ops {' $@.tmp || { rm -f $@.tmp; \
		echo "$(VMLINUX_BTF) has no struct sched_ext_ops: run 'make kernel' to build the test kernel, or set VMLINUX_BTF=<vmlinux of a CONFIG_SCHED_CLASS_EXT=y kernel>" >&2; \
		exit 1; }
	$(Q)mv $@.tmp $@

$(OBJ)/%.bpf.o: $(SRC)/%.bpf.c $(VMLINUX_H) $(LIBBPF_HDRS) | $(OBJ)
	$(call msg,CLANG-BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/%.bpf.skel.h: $(OBJ)/%.bpf.o | $(BPFTOOL)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen object $(OBJ)/$*.bpf.linked.o $<
	$(Q)$(BPFTOOL) gen skeleton $(OBJ)/$*.bpf.linked.o name $* > $@

$(OBJ)/%.o: $(SRC)/%.c $(OBJ)/%.bpf.skel.h $(LIBBPF_HDRS) | $(OBJ)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BIN)/%: $(OBJ)/%.o $(LIBBPF_A) | $(BIN)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(OBJ)/*.d)

install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 755 $(addprefix $(BIN)/,$(SCHEDS)) $(DESTDIR)$(PREFIX)/bin/

clean:
	$(Q)rm -rf $(OUT)

# The VM and tests live outside what a kernel tree gets (see sync-to-kernel.sh).
HAVE_VM := $(wildcard $(SRC)/vm/build-kernel.sh)
ifneq ($(HAVE_VM),)
# Debian packages: installed when missing (as root), else the command to run.
deps:
	$(Q)$(SRC)/vm/install-deps.sh
# The test kernel, built from KSRC and cached.  build-kernel.sh returns at
# once when the cache holds a kernel for this source and config fragment.
$(CACHE)/kernel-$(KVER)/vmlinux: FORCE | deps
	$(Q)env -u MAKEFLAGS -u MFLAGS $(SRC)/vm/build-kernel.sh >/dev/null

kernel: deps
	$(Q)env -u MAKEFLAGS -u MFLAGS $(SRC)/vm/build-kernel.sh

FORCE:

VM_ARGS ?=
SCHED ?= scx_simple
ARGS ?=
DURATION ?= 20

vm: export SCX_VM_SHELL_CMD = $(value CMD)
vm: all
	$(Q)$(SRC)/vm/run.sh $(VM_ARGS) -e "$$SCX_VM_SHELL_CMD"

vmrun: all
	$(Q)$(SRC)/vm/run.sh $(VM_ARGS) -- $(SRC)/vm/load-test.sh \
		-d $(DURATION) $(BIN)/$(SCHED) $(ARGS)

# Speed goals live here, not in tests: every workload under the fair class
# and each scheduler in one VM boot, as ratios to fair (tests/bench/run.sh).
# SCHEDS=, ROUNDS=, WORKLOADS=, SCALE=, PEER=1; results in $(OUT)/bench.
bench: all
	$(Q)BIN=$(BIN) OUT=$(OUT)/bench KSRC=$(KSRC) \
		SCHEDS='$(if $(filter command line,$(origin SCHEDS)),$(SCHEDS))' \
		ROUNDS='$(ROUNDS)' WORKLOADS='$(WORKLOADS)' SCALE='$(SCALE)' \
		PEER='$(PEER)' VM_ARGS='$(VM_ARGS)' $(SRC)/tests/bench/run.sh

# Robustness: every scheduler through soak, reloads, hotplug, a stopped
# loader and SysRq-S, and soaks on odd topologies (tests/matrix/run.sh).
# SOAK=, SOAK_ODD=, RELOADS=, CYCLES=, CASES=, TOPOLOGIES=, SCHEDS=; SANITIZE=1 runs
# the loaders built with the sanitizers.
matrix: all
	$(Q)BIN=$(BIN) SOAK='$(SOAK)' SOAK_ODD='$(SOAK_ODD)' RELOADS='$(RELOADS)' \
		CYCLES='$(CYCLES)' CASES='$(CASES)' TOPOLOGIES='$(TOPOLOGIES)' \
		SCHEDS='$(if $(filter command line,$(origin SCHEDS)),$(SCHEDS))' \
		$(SRC)/tests/matrix/run.sh

# What moved between two runs of make bench by more than the spread.
bench-compare:
	$(Q)$(SRC)/tests/bench/compare.sh '$(OLD)' '$(NEW)'

# The tools of DEVELOPER_GUIDE.md: veristat over every BPF object, in the
# VM, and every command of the guide, run as written.
veristat: all selftests
	$(Q)OBJ=$(OBJ) KSRC=$(KSRC) $(SRC)/tests/veristat.sh

check-docs: all
	$(Q)$(SRC)/tests/check-docs.sh

# The selftests' own Makefile also works inside a kernel tree (kselftest).
selftests: all
	$(Q)$(MAKE) --no-print-directory -C $(SRC)/selftests

# What the last "make test" proved on KVER's kernel, against the interface in
# its BTF; kept in selftests/COVERAGE-$(KVER).md for the README.
COVERAGE_MD := $(SRC)/selftests/COVERAGE-$(KVER).md
coverage: prep
	$(call msg,GEN,selftests/COVERAGE-$(KVER).md)
	$(Q)BPFTOOL=$(BPFTOOL) $(SRC)/selftests/coverage.sh $(VMLINUX_BTF) \
		$(SRC)/selftests/build$(KVER_DIR)/proven \
		$(SRC)/selftests/unproven.txt > $(COVERAGE_MD).tmp || \
		{ rm -f $(COVERAGE_MD).tmp; exit 1; }
	$(Q)mv $(COVERAGE_MD).tmp $(COVERAGE_MD)
	$(Q)sed -n '/^| kind /,/^| all /p' $(COVERAGE_MD)

# make test: the quick tier; test-long: the long one; CI runs both (TIER=all).
RUNNER := $(SRC)/selftests/build$(KVER_DIR)/runner
test: all selftests
	$(Q)BIN=$(BIN) OBJ=$(OBJ) KSRC=$(KSRC) RUNNER=$(RUNNER) $(SRC)/tests/run.sh

test-long test-all: all selftests
	$(Q)BIN=$(BIN) OBJ=$(OBJ) KSRC=$(KSRC) RUNNER=$(RUNNER) TIER=$(@:test-%=%) $(SRC)/tests/run.sh
endif

help:
	@echo 'Build the sched_ext example schedulers.'
	@echo ''
	@echo 'Targets:'
	@echo '  all (default)  build every scheduler into $$(O)/build/bin'
	@echo '  $(SCHEDS)'
	@echo '                 build one scheduler'
	@echo '  install        install the schedulers into $$(DESTDIR)$$(PREFIX)/bin'
	@echo '  clean          remove the build directory'
ifneq ($(HAVE_VM),)
	@echo '  kernel         build the sched_ext test kernel (cached)'
	@echo '  vm CMD=...     run a command in the test VM'
	@echo '  vmrun          run SCHED (scx_simple) with ARGS under load in the VM'
	@echo '  bench          benchmarks in the VM, each scheduler against the fair class:'
	@echo '                 [SCHEDS=...] [ROUNDS=3] [WORKLOADS=...] [SCALE=1] [PEER=1]'
	@echo '  matrix         robustness of every scheduler in the VM: soak, reloads,'
	@echo '                 hotplug, stopped loader, SysRq-S, odd topologies'
	@echo '                 [SOAK=60] [RELOADS=50] [CYCLES=20] [CASES=...] [TOPOLOGIES=...]'
	@echo '  bench-compare OLD=a.csv NEW=b.csv'
	@echo '                 what moved between two bench.csv by more than the spread'
	@echo '  veristat       verify every BPF object in the VM, with per-program stats'
	@echo '  check-docs     run every command of DEVELOPER_GUIDE.md'
	@echo '  selftests      build the kselftests (selftests/build[/KVER]/runner)'
	@echo '  coverage       write selftests/COVERAGE-$$(KVER).md: what the last make test'
	@echo '                 proved, against the kernel'"'"'s interface'
	@echo '  test           quick tests: build, errors, smoke test of each scheduler, selftests'
	@echo '  test-long      long tests: each scheduler'"'"'s features, kernel tree, docs'
	@echo '  test-all       both (what CI runs); TESTS=glob picks tests by name'
endif
	@echo ''
	@echo 'Variables:'
	@echo '  O=dir          build in dir/build instead of ./build'
	@echo '  V=1            show the commands'
	@echo '  SANITIZE=1     loaders with AddressSanitizer and UBSan, in build/san'
ifeq ($(IN_TREE),)
	@echo '  KVER=6.12|7.3  the test kernel to build against, boot and test (default 6.12;'
	@echo '                 7.3 builds into build/7.3)'
	@echo '  KSRC=dir       kernel source for libbpf, bpftool and the test kernel'
	@echo '  VMLINUX_BTF=f  BTF to generate vmlinux.h from (now: $(VMLINUX_BTF));'
	@echo '                 the running kernel'"'"'s if it has sched_ext and neither'
	@echo '                 KVER nor a VM or test target is given, else the test kernel'"'"'s'
else
	@echo '  VMLINUX_BTF=f  BTF to generate vmlinux.h from (now: $(VMLINUX_BTF));'
	@echo '                 the vmlinux in O=, KBUILD_OUTPUT or the tree, else the'
	@echo '                 running kernel'"'"'s'
endif
	@echo '  CLANG=, LLVM=-19, LLVM=1'
	@echo '                 the clang to compile BPF with'
ifneq ($(HAVE_VM),)
	@echo '  VM_ARGS=...    options for vm/run.sh (see vm/run.sh -h)'
	@echo '  SCHED=, ARGS=, DURATION=20'
	@echo '                 what vmrun runs, and for how many seconds'
endif
