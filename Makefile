# mematlas - build, run and test.
#
#   make          build build/mematlas.elf and build/mematlas.iso
#   make run      boot the ISO in QEMU (a window if there is a display,
#                 else the serial console in this terminal; HEADLESS=1 forces it)
#   make run DEMO=gc, make run ARGS="demo=all GOGC=50"   the ELF with that command line
#   make run CPU=qemu32  the same on a CPU without NX (default CPU=max: PAE and NX)
#   make run UEFI=1      the hybrid image on 64-bit UEFI firmware (OVMF, qemu-system-x86_64);
#                 UEFI=ia32: on 32-bit UEFI (OVMF ia32, qemu-system-i386 -M q35)
#   make run PROGRAM=user/layout [ARGS="..."]
#   make run PROGRAM=examples/go/createslice
#                 boot the kernel directly with that program as its module
#   make user     build the user programs (user/NAME.c -> build/user/NAME)
#   make examples build the guide's Go programs (examples/go/NAME/main.go ->
#                 build/examples/go/NAME, and the compiler's escape analysis
#                 in build/examples/go/NAME.escape.txt)
#   make test     build everything and run every test (pytest)
#   make test-host  only the host tests: the C unit tests and the user programs
#   make debug    QEMU waiting for GDB, and GDB with the kernel's symbols
#   make tour     regenerate docs/tour.md from a real boot
#   make bench    replay allocation traces (made once in build/traces/) against the heap and malloc;
#                 then the cost of a system call and of a thread (tools/procbench.sh), and
#                 how long each Go example runs (tools/gobench.sh)
#   make fuzz     run every fuzz target (FUZZ_TARGETS) for FUZZ_TIME seconds each
#                 (default 85: eleven minutes for the eight); docs/fuzzing.md
#   make check-fresh  the README's two commands on a fresh Debian 12 (root;
#                 EFI=1 adds GRUB's EFI packages first)
#   make clean    remove build/
#
# Missing tools are installed first (tools/deps.sh). V=1 shows the commands.

BUILD   ?= build
MEM     ?= 128M
PYTHON  ?= /usr/bin/python3
# Builds run in parallel, JOBS at a time; the tests run one by one.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# pytest-xdist: one worker per CPU, each test file on one worker, so that a
# file's shared boots are made once (--dist loadfile). PYTEST_PARALLEL= runs
# everything in one process.
PYTEST_PARALLEL ?= -n $(JOBS) --dist loadfile

# A real cross compiler: i686-elf-gcc when there is one, else Debian's.
CROSS   ?= $(if $(shell command -v i686-elf-gcc 2>/dev/null),i686-elf-,i686-linux-gnu-)

ifeq ($(V),1)
Q :=
else
Q := @
endif

PUBLIC_TARGETS := all kernel iso user examples test-isos test-programs run test test-host test-qemu debug bench fuzz tour \
                  atlas-html atlas-svg screenshot pictures

ifeq ($(MEMATLAS_DEPS_OK),)
# First pass: make sure the tools exist, then build with them in a second pass.
.PHONY: $(PUBLIC_TARGETS) clean check-fresh
.DEFAULT_GOAL := all
check-fresh:
	tools/check-fresh.sh
$(PUBLIC_TARGETS):
	@tools/deps.sh $(CROSS)
	@$(MAKE) --no-print-directory -j$(JOBS) MEMATLAS_DEPS_OK=1 $@
clean:
	rm -rf $(BUILD)
else

CC      := $(or $(shell command -v $(CROSS)gcc 2>/dev/null),$(shell command -v $(CROSS)gcc-12 2>/dev/null),$(CROSS)gcc)
OBJDUMP := $(CROSS)objdump
HOSTCC  ?= gcc

CFLAGS  := -std=gnu11 -ffreestanding -fno-pie -fno-pic -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fcf-protection=none \
           -march=pentium -mgeneral-regs-only -O2 -g \
           -fstack-protector-strong -mstack-protector-guard=global \
           -Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes \
           -Iinclude -MMD -MP
ASFLAGS := -ffreestanding -Iinclude -D__ASSEMBLER__ -MMD -MP -g
LDFLAGS := -nostdlib -ffreestanding -no-pie -Wl,--build-id=none \
           -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

KERNEL_C := $(wildcard kernel/*.c kernel/*/*.c)
KERNEL_S := $(wildcard boot/*.S kernel/*/*.S)
# The console's font, generated from a PSF font Debian ships (tools/mkfont.py).
FONT_PSF  ?= /usr/share/consolefonts/Uni2-VGA16.psf.gz
FONT_C    := $(BUILD)/gen/font8x16.c
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S)) \
              $(BUILD)/gen/font8x16.o
ELF := $(BUILD)/mematlas.elf
ISO := $(BUILD)/mematlas.iso
# The same, bootable from a CD or a USB stick on BIOS and on 64- and 32-bit UEFI.
HYBRID := $(BUILD)/mematlas-hybrid.iso

# The pure C parts, built for the host under the sanitizers. The heap is
# heap.c and its parts, heap_*.c.
HEAP_SRC   := $(wildcard kernel/mm/heap*.c)
HOST_SRC   := kernel/lib/format.c kernel/lib/warnings.c kernel/boot/bootinfo.c kernel/boot/bootinfo_fw.c \
              kernel/boot/cmdline.c kernel/console/fbtext.c kernel/atlas/region.c kernel/atlas/diagram.c kernel/mm/frames.c $(HEAP_SRC) \
              kernel/sched/stackzone.c kernel/mm/gc.c kernel/sched/elf.c kernel/sched/procimage.c \
              kernel/lib/calendar.c kernel/arch/rtc_decode.c kernel/lib/chacha20.c \
              kernel/sched/syscall_names.c kernel/sched/modfs.c kernel/sched/sigframe.c kernel/mm/vma.c \
              kernel/atlas/addrscan.c \
              kernel/console/keys.c kernel/console/lineedit.c kernel/console/wrap.c
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/test_*.c))
# tests/host/test_procimage_linux.py runs linux_stack (an i386 Linux program)
# and procimage_dump (a host program) and compares what they print.
HOST_TOOLS := $(BUILD)/host/procimage_dump $(BUILD)/host/linux_stack
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow -Iinclude -Itests/host \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The heap's benchmark (plain -O2, no sanitizers).
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Iinclude
# The libFuzzer targets: build/host/fuzz_NAME is tests/fuzz/fuzz_NAME.c, its
# parts tests/fuzz/fuzz_NAME_*.c, and what FUZZ_LINK_NAME names.
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS ?= heap cmdline mb1 mb2 elf modfs vma addrscan console
FUZZ_BINS    := $(patsubst %,$(BUILD)/host/fuzz_%,$(FUZZ_TARGETS))
FUZZ_TIME    ?= 85
FUZZ_LINK_heap    := $(HEAP_SRC)
FUZZ_LINK_cmdline := kernel/boot/cmdline.c kernel/lib/warnings.c kernel/lib/format.c
FUZZ_LINK_mb1     := tests/fuzz/bootinfo_checks.c tests/fuzz/fakemem.c kernel/boot/bootinfo.c \
                     kernel/boot/bootinfo_fw.c kernel/console/fbtext.c \
                     kernel/lib/warnings.c kernel/lib/format.c
FUZZ_LINK_mb2     := $(FUZZ_LINK_mb1)
FUZZ_LINK_elf     := kernel/sched/elf.c kernel/lib/format.c
FUZZ_LINK_modfs   := kernel/sched/modfs.c
FUZZ_LINK_vma     := kernel/mm/vma.c
FUZZ_LINK_addrscan := kernel/atlas/addrscan.c
FUZZ_LINK_console := kernel/console/keys.c kernel/console/lineedit.c kernel/console/wrap.c
HEADERS      := $(wildcard include/*.h include/*/*.h)
# The benchmark's traces: tools/gentraces.py makes each from its fixed seed.
TRACES       := $(patsubst %,$(BUILD)/traces/%.trace,churn grow-shrink long-short powerlaw)

# The user programs: static Linux i386 programs, built with Debian's cross
# compiler and its C library (libc6-dev-i386-cross) whatever CROSS is, as
# they need a Linux C library. USER_LIBS_name: what one program adds to the link.
USER_CC     ?= i686-linux-gnu-gcc-12
USER_STRIP  ?= i686-linux-gnu-strip
USER_CFLAGS := -std=gnu11 -static -fno-pie -no-pie -O2 -g -Wall -Wextra -Werror -Wshadow
USER_PROGS  := $(sort $(patsubst user/%.c,%,$(wildcard user/*.c)))
USER_BINS   := $(patsubst %,$(BUILD)/user/%,$(USER_PROGS))
USER_LIBS_threads   := -pthread
USER_LIBS_bench     := -pthread
USER_LIBS_clib      := -pthread -lm
# stackdump's and layout's entry points note the stack pointer or the break,
# then go on to the C library's _start.
USER_LIBS_stackdump := -Wl,-e,stackdump_entry
USER_LIBS_layout    := -Wl,-e,layout_entry
# The ISOs hold the user programs stripped, under /boot/user/, and the Go
# examples, under /boot/go/ (tools/mkiso.sh).
MKISO = USER_PROGRAMS="$(USER_BINS)" GO_EXAMPLES="$(GO_EXAMPLE_BINS)" USER_STRIP=$(USER_STRIP) \
        tools/mkiso.sh

# Test programs: static i386 Linux programs (tests/programs/NAME.c) that the
# QEMU tests boot as modules, and run on the host too to compare.
PROG_CC      ?= i686-linux-gnu-gcc-12
PROG_CFLAGS  := -static -O2 -g -pthread -Wall -Wextra -Werror -Iinclude
TEST_PROGRAMS := $(patsubst tests/programs/%.c,$(BUILD)/tests/programs/%,$(wildcard tests/programs/*.c))

# Go programs: static linux/386 programs built by Debian's Go (golang-go),
# with its build cache under build/. The test programs (tests/go/NAME/main.go)
# and the guide's examples (examples/go/NAME/main.go), each example with the
# compiler's escape analysis (-gcflags=-m: what goes to the heap) beside it.
GO          ?= go
GO_ENV      := GOOS=linux GOARCH=386 CGO_ENABLED=0 GOCACHE=$(abspath $(BUILD))/gocache GO111MODULE=off
GO_PROGRAMS := $(patsubst tests/go/%/main.go,$(BUILD)/tests/go/%,$(wildcard tests/go/*/main.go))
GO_EXAMPLES := $(sort $(patsubst examples/go/%/main.go,%,$(wildcard examples/go/*/main.go)))
GO_EXAMPLE_BINS    := $(patsubst %,$(BUILD)/examples/go/%,$(GO_EXAMPLES))
GO_EXAMPLE_ESCAPES := $(patsubst %,$(BUILD)/examples/go/%.escape.txt,$(GO_EXAMPLES))
# examples/go/NAME/kernel-args, when there is one: what that example needs
# on the kernel's command line (make run, the ISO's menu, the tests).
comma := ,
empty :=
space := $(empty) $(empty)
# The Go programs the tour's verdicts come from, in their order.
TOUR_PROGRAMS := $(shell sed -n 's/^\([a-z0-9-]\+\)$$/\1/p' examples/go/tour-programs)
TOUR_BINS     := $(TOUR_PROGRAMS:%=$(BUILD)/examples/go/%)
go_kernel_args = $(strip $(if $(wildcard examples/go/$(1)/kernel-args),$(shell cat examples/go/$(1)/kernel-args)))

# Test ISOs: kernel options baked into the GRUB menu (entry 0 = MB2, 1 = MB1).
TEST_ISOS := $(BUILD)/test/mb2.iso $(BUILD)/test/mb1.iso $(BUILD)/test/mb2-overflow.iso \
             $(BUILD)/test/demo-entry.iso \
             $(BUILD)/test/isolinux.iso $(BUILD)/test/uefi.iso

# The CPU QEMU emulates for make run and make debug: max has PAE and NX,
# as a modern PC does, so the kernel runs on PAE paging and data cannot
# run; CPU=qemu32 (QEMU's default, no NX) shows two-level paging.
CPU     ?= max
QEMU := qemu-system-i386 -accel tcg -cpu $(CPU) -no-reboot -m $(MEM) \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04
HEADLESS ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,1)

.PHONY: all kernel iso user examples test-isos test-programs run test test-host test-qemu debug bench fuzz tour
.PHONY: atlas-html atlas-svg screenshot pictures $(BUILD)/atlas.log
all: kernel iso user examples
kernel: $(ELF)
iso: $(ISO) $(HYBRID)
user: $(USER_BINS)
examples: $(GO_EXAMPLE_BINS) $(GO_EXAMPLE_ESCAPES)
test-isos: $(TEST_ISOS)
test-programs: $(TEST_PROGRAMS)

$(BUILD)/tests/programs/%: tests/programs/%.c $(wildcard tests/programs/*.h) Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PROGCC  $<")
	$(Q)$(PROG_CC) $(PROG_CFLAGS) $< -o $@ -lm
$(BUILD)/tests/go/%: tests/go/%/main.go Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $<")
	$(Q)cd $(dir $<) && $(GO_ENV) $(GO) build -o $(abspath $@) main.go
$(BUILD)/examples/go/%: examples/go/%/main.go Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO      $<")
	$(Q)cd $(dir $<) && $(GO_ENV) $(GO) build -o $(abspath $@) main.go
# The same compilation (its code is the same with -m) reporting its escape
# analysis on standard error: "moved to heap: x", "... does not escape".
$(BUILD)/examples/go/%.escape.txt: examples/go/%/main.go Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GO -m   $<")
	$(Q)cd $(dir $<) && $(GO_ENV) $(GO) build -gcflags=-m -o /dev/null main.go 2> $(abspath $@).tmp \
	    || { cat $(abspath $@).tmp >&2; rm -f $(abspath $@).tmp; exit 1; }
	$(Q)mv $@.tmp $@
# threads_fpu's doubles must be SSE ones (i386's default is the x87).
$(BUILD)/tests/programs/threads_fpu: PROG_CFLAGS += -msse2 -mfpmath=sse
# file_abi.c checks sched/linux.h against the C library as it compiles.
$(BUILD)/tests/programs/file_abi: include/sched/linux.h

$(FONT_C): tools/mkfont.py $(FONT_PSF)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FONT    $@")
	$(Q)$(PYTHON) tools/mkfont.py $(FONT_PSF) $@.tmp && mv $@.tmp $@
$(BUILD)/gen/font8x16.o: $(FONT_C) include/console/font.h include/console/fb.h
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/linker.ld: linker.ld include/memlayout.h | $(BUILD)
	$(Q)$(CC) -E -P -undef -x c -D__ASSEMBLER__ -Iinclude $< -o $@

$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: $(BUILD)/%.S
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# Linked twice, as Linux's kallsyms: first with an empty table of function
# names, then with the table of the first link's functions (tools/ksymtab.py),
# which lies after .text and so moves none of them; --check makes sure.
KSYM_PASS1 := $(BUILD)/mematlas.pass1.elf

$(BUILD)/ksym-empty.S: tools/ksymtab.py | $(BUILD)
	$(Q)$(PYTHON) tools/ksymtab.py --empty $@

$(KSYM_PASS1): $(KERNEL_OBJ) $(BUILD)/ksym-empty.o $(BUILD)/linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -T $(BUILD)/linker.ld -o $@ $(KERNEL_OBJ) $(BUILD)/ksym-empty.o -lgcc

$(BUILD)/ksymtab.S: $(KSYM_PASS1) tools/ksymtab.py
	$(Q)$(PYTHON) tools/ksymtab.py $< $@

$(ELF): $(KERNEL_OBJ) $(BUILD)/ksymtab.o $(BUILD)/linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -T $(BUILD)/linker.ld -o $@ $(KERNEL_OBJ) $(BUILD)/ksymtab.o -lgcc
	$(Q)$(PYTHON) tools/ksymtab.py --check $@ $(BUILD)/ksymtab.S || { rm -f $@; exit 1; }
	$(Q)grub-file --is-x86-multiboot $@ || { echo "$@: no valid Multiboot 1 header" >&2; rm -f $@; exit 1; }
	$(Q)grub-file --is-x86-multiboot2 $@ || { echo "$@: no valid Multiboot 2 header" >&2; rm -f $@; exit 1; }

$(ISO): $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)$(MKISO) $(ELF) $@

# PLATFORMS: GRUB's BIOS and both UEFI platforms, in one image.
$(HYBRID): $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)PLATFORMS="i386-pc x86_64-efi i386-efi" $(MKISO) $(ELF) $@

# UEFI tests: the hybrid image's platforms, no programs; the self-tests,
# then a pause for the test to read the screen.
$(BUILD)/test/uefi.iso: $(ELF) iso/boot/grub/grub.cfg tools/mkiso.sh
	@mkdir -p $(dir $@)
	$(Q)PLATFORMS="i386-pc x86_64-efi i386-efi" tools/mkiso.sh $(ELF) $@ 0 mode=test exit pause

$(BUILD)/test/mb2.iso: $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh
	@mkdir -p $(dir $@)
	$(Q)$(MKISO) $(ELF) $@ 0 mode=test exit
$(BUILD)/test/mb1.iso: $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh
	@mkdir -p $(dir $@)
	$(Q)$(MKISO) $(ELF) $@ 1 mode=test exit

$(BUILD)/test/mb2-overflow.iso: $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh
	@mkdir -p $(dir $@)
	$(Q)$(MKISO) $(ELF) $@ 0 mode=test exit demo=stack-overflow
# The default entry chosen by its title: one of the demos' entries.
$(BUILD)/test/demo-entry.iso: $(ELF) $(USER_BINS) $(GO_EXAMPLE_BINS) iso/boot/grub/grub.cfg tools/mkiso.sh kernel/guide/registry.c
	@mkdir -p $(dir $@)
	$(Q)$(MKISO) $(ELF) $@ "demo: rodata-write" exit

# Another loader: ISOLINUX with SYSLINUX's mboot.c32, a user program as its module.
$(BUILD)/test/isolinux.iso: $(ELF) $(BUILD)/user/hello tools/mkisolinux.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkisolinux.sh $(ELF) $@ $(BUILD)/user/hello mode=test exit

# The cores are compiled once for all the host tests, each test links them.
HOST_OBJ := $(patsubst %.c,$(BUILD)/host/obj/%.o,$(HOST_SRC))
.SECONDARY: $(HOST_OBJ)

$(BUILD)/host/obj/%.o: %.c $(HEADERS) Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/%: tests/host/%.c $(HOST_OBJ) $(wildcard tests/host/*.h) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_OBJ) -o $@

# No C library and no start files: it prints its stack before anything runs.
$(BUILD)/host/linux_stack: tests/host/linux_stack.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -ffreestanding -fno-pie -no-pie \
	    -fno-stack-protector -fcf-protection=none -static -nostdlib -nostartfiles \
	    -Wl,--build-id=none $< -o $@

$(BUILD)/host/heapbench: $(wildcard tools/heapbench*.c tools/heapbench*.h) $(HEAP_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) $(filter %.c,$^) -o $@

$(BUILD)/host/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.c tests/fuzz/*.h) $(HOST_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(wildcard tests/fuzz/fuzz_$*_*.c) $(FUZZ_LINK_$*) -o $@

$(BUILD)/traces/%.trace: tools/gentraces.py
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(PYTHON) tools/gentraces.py $(dir $@) $* >/dev/null

$(BUILD)/user/%: user/%.c $(wildcard user/*.h) Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  USERCC  $@")
	$(Q)$(USER_CC) $(USER_CFLAGS) $< -o $@ $(USER_LIBS_$*)

$(BUILD):
	@mkdir -p $@

# make run UEFI=1 / UEFI=ia32: OVMF boots the hybrid image from a CD, with a
# writable copy of the firmware's variables (build/ovmf-vars-*.fd).
OVMF := /usr/share/OVMF
ifeq ($(UEFI),ia32)
UEFI_QEMU := qemu-system-i386 -M q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
UEFI_CODE := $(OVMF)/OVMF32_CODE_4M.secboot.fd
UEFI_VARS := $(OVMF)/OVMF32_VARS_4M.fd
else
UEFI_QEMU := qemu-system-x86_64
UEFI_CODE := $(OVMF)/OVMF_CODE_4M.fd
UEFI_VARS := $(OVMF)/OVMF_VARS_4M.fd
endif

ifneq ($(UEFI),)
ifeq ($(filter 1 ia32,$(UEFI)),)
$(error UEFI=$(UEFI): say UEFI=1 (64-bit firmware) or UEFI=ia32 (32-bit))
endif
run: $(HYBRID)
	cp $(UEFI_VARS) $(BUILD)/ovmf-vars-$(UEFI).fd
	$(UEFI_QEMU) -accel tcg -no-reboot -m $(MEM) -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -drive if=pflash,format=raw,unit=0,readonly=on,file=$(UEFI_CODE) \
	    -drive if=pflash,format=raw,unit=1,file=$(BUILD)/ovmf-vars-$(UEFI).fd \
	    -cdrom $(HYBRID) $(if $(filter 1,$(HEADLESS)),-nographic,-serial stdio)
else ifeq ($(PROGRAM),)
# make run DEMO=gc, ARGS="demo=all GOGC=50": the kernel's own command line,
# so QEMU loads the ELF itself (-kernel) instead of booting GRUB's ISO.
# With the word tour, the Go programs that decide the tour's sections come
# along as modules (examples/go/tour-programs), with their kernel-args, as in
# the ISO menu's "tour" entry.
RUN_KERNEL_ARGS := $(strip $(if $(DEMO),demo=$(DEMO)) $(ARGS))
RUN_TOUR := $(filter tour,$(RUN_KERNEL_ARGS))
ifneq ($(RUN_KERNEL_ARGS),)
RUN_KERNEL_ARGS += $(if $(RUN_TOUR),$(sort $(foreach n,$(TOUR_PROGRAMS),$(call go_kernel_args,$(n)))))
RUN_BOOT := -kernel $(ELF) -append '$(subst ','\'',$(RUN_KERNEL_ARGS))' \
            $(if $(RUN_TOUR),-initrd $(subst $(space),$(comma),$(strip $(TOUR_BINS))))
run: $(ELF) $(if $(RUN_TOUR),$(TOUR_BINS))
else
RUN_BOOT := -cdrom $(ISO)
run: $(ISO)
endif
ifeq ($(HEADLESS),1)
	@echo "Serial console in this terminal. Ctrl-A X quits QEMU."
	$(QEMU) $(RUN_BOOT) -nographic
else
	$(QEMU) $(RUN_BOOT) -serial stdio
endif
else
# make run PROGRAM=user/NAME [ARGS="..."] or PROGRAM=examples/go/NAME: QEMU
# loads the kernel itself (Multiboot 1) with build/user/NAME (or
# build/examples/go/NAME) as its one module, whose string, "build/user/NAME
# ARGS", is the program's command line. QEMU splits modules at commas, so a
# comma in ARGS is doubled (QEMU's escape for one). A Go example's
# kernel-args go on the kernel's command line (its NAME=value words are the
# program's environment).
RUN_NAME    := $(notdir $(patsubst %/,%,$(PROGRAM)))
RUN_PROGRAM := $(if $(filter examples/go/%,$(PROGRAM)),$(BUILD)/examples/go,$(BUILD)/user)/$(RUN_NAME)
RUN_MODULE  := $(subst $(comma),$(comma)$(comma),$(RUN_PROGRAM)$(if $(ARGS), $(ARGS)))
RUN_APPEND  := $(if $(filter examples/go/%,$(PROGRAM)),$(call go_kernel_args,$(RUN_NAME)))
ifneq ($(filter run,$(MAKECMDGOALS)),)
ifeq ($(filter $(RUN_PROGRAM),$(USER_BINS) $(GO_EXAMPLE_BINS)),)
$(error PROGRAM=$(PROGRAM) is not a program; one of: $(USER_PROGS:%=user/%) $(GO_EXAMPLES:%=examples/go/%))
endif
endif
RUN_ARGS := -kernel $(ELF) -initrd '$(subst ','\'',$(RUN_MODULE))' $(if $(RUN_APPEND),-append '$(RUN_APPEND)')
run: $(ELF) $(RUN_PROGRAM)
ifeq ($(HEADLESS),1)
	@echo "Serial console in this terminal. Ctrl-A X quits QEMU."
	$(QEMU) $(RUN_ARGS) -nographic
else
	$(QEMU) $(RUN_ARGS) -serial stdio
endif
endif

test: all $(HOST_TESTS) $(HOST_TOOLS) $(TEST_ISOS) $(FUZZ_BINS) $(TEST_PROGRAMS) $(GO_PROGRAMS)
	$(PYTHON) -m pytest -q $(PYTEST_PARALLEL) tests

test-host: $(HOST_TESTS) $(HOST_TOOLS) $(USER_BINS)
	$(PYTHON) -m pytest -q $(PYTEST_PARALLEL) tests/host tests/user

test-qemu: all $(TEST_ISOS) $(TEST_PROGRAMS) $(GO_PROGRAMS)
	$(PYTHON) -m pytest -q $(PYTEST_PARALLEL) tests/qemu

tour: $(ELF)
	$(PYTHON) tools/mktour.py

# The pictures. One boot (ATLAS_ARGS, with the layout program as a process)
# writes build/atlas.log; the page and the SVG are drawn from it. QEMU must
# exit 33, as in the tests.
ATLAS_ARGS ?= demo=all exit
$(BUILD)/atlas.log: $(ELF) $(BUILD)/user/layout
	$(Q)timeout 120 qemu-system-i386 -accel tcg -no-reboot -m $(MEM) -display none \
	    -monitor none -serial file:$@ -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -kernel $(ELF) -append "$(ATLAS_ARGS)" -initrd "$(BUILD)/user/layout atlas"; \
	    code=$$?; [ $$code -eq 33 ] || { echo "atlas boot: QEMU exited $$code, not 33" >&2; exit 1; }

atlas-html: $(BUILD)/atlas.log
	$(PYTHON) tools/atlas-html.py $< -o $(BUILD)/atlas.html

atlas-svg: $(BUILD)/atlas.log
	$(PYTHON) tools/atlas-svg.py $< -o $(BUILD)/atlas.svg

# The VGA text screen after the boot (DEMO=NAME: after that demo).
screenshot: $(ELF)
	$(PYTHON) tools/screenshot.py $(if $(DEMO),--demo $(DEMO)) -o $(BUILD)/screen.png

# The README's two pictures, regenerated: the atlas page rendered by
# headless Chromium, and the VGA screen (tools/pictures.sh).
pictures: atlas-html screenshot
	tools/pictures.sh $(BUILD)/atlas.html $(BUILD)/screen.png docs/images

bench: $(BUILD)/host/heapbench $(TRACES) $(ELF) $(BUILD)/user/bench $(GO_EXAMPLE_BINS)
	$(BUILD)/host/heapbench $(TRACES)
	tools/procbench.sh $(ELF) $(BUILD)/user/bench
	tools/gobench.sh $(ELF) $(GO_EXAMPLE_BINS)

# Each target in turn; new inputs go to build/fuzz-corpus/NAME (the seeds in
# tests/fuzz/corpus/NAME are read, never written), crashes to
# build/fuzz-artifacts/NAME/. The first crash stops the run.
fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz-corpus/$$t $(BUILD)/fuzz-artifacts/$$t || exit 1; \
	    echo "  FUZZ    $$t for $(FUZZ_TIME) s"; \
	    $(BUILD)/host/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -timeout=10 \
	        -artifact_prefix=$(BUILD)/fuzz-artifacts/$$t/ $(BUILD)/fuzz-corpus/$$t \
	        $$(ls -d tests/fuzz/corpus/$$t 2>/dev/null) || exit 1; \
	done

debug: $(ELF)
	@echo "QEMU waits for GDB on :1234; serial output goes to $(BUILD)/debug-serial.log"
	$(QEMU) -kernel $(ELF) -display none -serial file:$(BUILD)/debug-serial.log -s -S & \
	qpid=$$!; \
	gdb -q -ex 'set architecture i386' -ex 'target remote localhost:1234' \
	    -ex 'break kernel_main' -ex 'continue' $(ELF); \
	kill $$qpid 2>/dev/null || true

-include $(KERNEL_OBJ:.o=.d)

endif
