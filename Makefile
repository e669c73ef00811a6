# Build targets `sam build` runs for functions with `Metadata: BuildMethod: makefile`
# (SAM sets ARTIFACTS_DIR). Each function is published Native AOT for linux-arm64: one native
# executable named as the template's Handler, no IL assembly, no .NET runtime needed; the
# dotnet10 runtime's bootstrap runs it as it finds it (README, How Lambda runs the functions).
# The AOT publish fails on any trim or AOT analysis warning (functions/Directory.Build.props).
#
# Cross-compiling for arm64 on an x64 machine needs Debian's clang, lld, gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross and zlib1g-dev (the ILCompiler packages come from NuGet); .ci/run
# installs them. On an arm64 machine (or for linux-x64 on x64) clang and zlib1g-dev are enough.
#
# BUILD=jit makes the framework-dependent package instead (`dotnet exec <Handler>.dll`),
# ReadyToRun unless READY_TO_RUN=false: what the tests and the bench compare the AOT build with.
# RUNTIME=linux-x64 makes a package this (x64) machine can start without an emulator.
CONFIGURATION ?= Release
RUNTIME ?= linux-arm64
BUILD ?= aot
READY_TO_RUN ?= true

HOST_ARCH := $(shell uname -m)
# clang links for arm64 through the cross toolchain's libraries (SysRoot=/ finds them in
# /usr/aarch64-linux-gnu and /usr/lib/gcc-cross), lld being the linker that handles both.
ifeq ($(RUNTIME)-$(HOST_ARCH),linux-arm64-x86_64)
CROSS := -p:SysRoot=/ -p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy
endif

ifeq ($(BUILD),aot)
# The .dbg file (the binary's stripped symbols, tens of MB) and the projects' .pdb stay out of the package.
define publish
	dotnet publish $(1) -c $(CONFIGURATION) -r $(RUNTIME) -p:PublishAot=true $(CROSS) -o "$(ARTIFACTS_DIR)"
	rm -f "$(ARTIFACTS_DIR)"/*.dbg "$(ARTIFACTS_DIR)"/*.pdb
endef
else
define publish
	dotnet publish $(1) -c $(CONFIGURATION) -r $(RUNTIME) --self-contained false -p:PublishReadyToRun=$(READY_TO_RUN) -o "$(ARTIFACTS_DIR)"
endef
endif

build-AuditTrailFunction:
	$(call publish,functions/AuditTrail/AuditTrail.csproj)

build-NightlyBackupFunction:
	$(call publish,functions/NightlyBackup/NightlyBackup.csproj)

build-PitrGuardFunction:
	$(call publish,functions/PitrGuard/PitrGuard.csproj)

build-ThrottleResponderFunction:
	$(call publish,functions/ThrottleResponder/ThrottleResponder.csproj)

build-MerchantAnalyticsFunction:
	$(call publish,functions/MerchantAnalytics/MerchantAnalytics.csproj)

.PHONY: build-AuditTrailFunction build-MerchantAnalyticsFunction build-NightlyBackupFunction build-PitrGuardFunction build-ThrottleResponderFunction
