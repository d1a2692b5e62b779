# syntax=docker/dockerfile:1
# Builds the lgtmapm-apm-panel Grafana plugin from grafana-plugin/ and ships its dist/ in a tiny image
# whose only job (compose service `apm-panel`) is to copy it into the volume Grafana mounts at
# /var/lib/grafana/plugins/lgtmapm-apm-panel. Re-run `docker compose up -d --build` after plugin changes.
# Build context is the repository root; compose/grafana-plugin.Dockerfile.dockerignore trims it.
ARG NODE_IMAGE=node:24.21.0-trixie-slim
ARG RUNTIME_IMAGE=busybox:1.37.0-musl

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY grafana-plugin/ grafana-plugin/
# Other workspaces are skipped by the -w filter; root dev tools (typescript) come with --include-workspace-root.
RUN npm ci -w grafana-plugin --include-workspace-root --no-audit --no-fund \
 && npm run build -w grafana-plugin \
 && test -f grafana-plugin/dist/plugin.json

FROM ${RUNTIME_IMAGE}
COPY --from=build /app/grafana-plugin/dist /dist
# Replace, not merge, so files removed from the plugin disappear from the volume too.
CMD ["sh", "-c", "find /out -mindepth 1 -delete && cp -a /dist/. /out/ && test -f /out/plugin.json"]
