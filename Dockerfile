# The image `mcprun k8s` runs: mcprun installed from its npm package, mcprun itself as PID 1.
#
#   docker build -t mcprun:dev .                                          # this checkout, packed with npm pack
#   docker build --build-arg MCPRUN_SOURCE=registry --build-arg MCPRUN_VERSION=0.1.0 -t mcprun:0.1.0 .
#
# Either way the package is installed the way users install it (`npm install -g` of a tarball), so
# the image holds what the npm package ships, nothing of the checkout besides.
ARG NODE_IMAGE=node:20-slim
ARG MCPRUN_SOURCE=local

# This checkout, built and packed as `npm publish` would pack it.
FROM ${NODE_IMAGE} AS package-local
WORKDIR /src
COPY package.json package-lock.json ./
# No scripts yet: `prepare` builds from sources not copied so far; `npm pack` runs it below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN mkdir /pkg && npm pack --pack-destination /pkg && mv /pkg/mcprun-*.tgz /pkg/mcprun.tgz

# A published version from the registry.
FROM ${NODE_IMAGE} AS package-registry
ARG MCPRUN_VERSION=latest
RUN mkdir /pkg && cd /pkg && npm pack "mcprun@${MCPRUN_VERSION}" && mv mcprun-*.tgz mcprun.tgz

FROM package-${MCPRUN_SOURCE} AS package

FROM ${NODE_IMAGE}
COPY --from=package /pkg/mcprun.tgz /tmp/mcprun.tgz
RUN npm install -g --no-audit --no-fund /tmp/mcprun.tgz \
 && rm /tmp/mcprun.tgz \
 && npm cache clean --force \
 && mkdir /results && chown 1000:1000 /results
# Results (summary, reports, --out files) land in the working folder; in Kubernetes it is an
# emptyDir, so the root filesystem can stay read-only.
WORKDIR /results
# uid 1000 is `node` in the node images; numeric, so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
# Exec form, no shell and no npm in between: SIGTERM from `docker stop` or the kubelet reaches
# mcprun, which stops gracefully and still writes the summary.
ENTRYPOINT ["/usr/local/bin/mcprun"]
CMD ["--help"]
