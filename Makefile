# Build targets `sam build` runs for functions with `Metadata: BuildMethod: makefile`
# (SAM sets ARTIFACTS_DIR). Framework-dependent arm64 publish: needs only the .NET SDK (and the
# Crossgen2 pack from NuGet). ReadyToRun: the function's and the AWS SDK's assemblies are
# compiled ahead of time, so a cold start JIT-compiles far less (README, Performance).
# Each function is an executable: the template's Handler is its assembly's name, which the
# dotnet10 runtime's bootstrap runs as `dotnet exec <Handler>.dll`. CI runs the same targets to
# check each package holds the assembly, .deps.json and .runtimeconfig.json that needs, and
# starts each once as the bootstrap would.
# RUNTIME=linux-x64 makes a package this (x64) machine can start, as the tests and the bench do;
# READY_TO_RUN=false the plain package the bench compares it with.
CONFIGURATION ?= Release
RUNTIME ?= linux-arm64
READY_TO_RUN ?= true

define publish
	dotnet publish $(1) -c $(CONFIGURATION) -r $(RUNTIME) --self-contained false -p:PublishReadyToRun=$(READY_TO_RUN) -o "$(ARTIFACTS_DIR)"
endef

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
