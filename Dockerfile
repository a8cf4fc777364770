# One image for all three services (api-gateway, scheduler, webhook-dispatcher).
#
# Select the service at build time:   docker build --build-arg SERVICE=scheduler -t minoots/scheduler .
# or at run time:                     docker run -e SERVICE=webhook-dispatcher minoots/api-gateway
# or replace the command entirely:    docker run minoots/api-gateway node -r ./scripts/register-paths.js dist/apps/api-gateway/src/cli.js

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# build: all dependencies (dev included) + tsc -> dist/
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    SCARF_ANALYTICS=false

COPY package.json package-lock.json ./
# npm install rather than npm ci: see .ci/run (the lock cannot list other platforms' optional binaries).
RUN npm install --no-audit --no-fund

COPY tsconfig.json tsconfig.base.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build \
 && rm -f dist/.tsbuildinfo

# ---------------------------------------------------------------------------
# prod-deps: production dependencies only (no TypeScript, Jest, Nx, SWC...)
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production

# Owned by root and read-only for the `node` user that runs the service.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY scripts ./scripts
COPY --from=build /app/dist ./dist

# Declared last so that changing it only rebuilds this metadata layer.
ARG SERVICE=api-gateway
ENV SERVICE=${SERVICE}

USER node

# `sh -c` so that $SERVICE is expanded at run time; `exec` replaces the shell, so node itself
# receives SIGTERM from `docker stop` (NestJS shutdown hooks). docker-compose.yml adds `init: true`
# (tini) for zombie reaping; with plain `docker run`, pass `--init`. node starts with the
# service's V8 flags from scripts/node-flags.json (heap sizing; see the README).
CMD ["sh", "-c", "main=\"dist/apps/${SERVICE}/src/main.js\"; if [ ! -f \"$main\" ]; then echo \"unknown SERVICE '${SERVICE}': $main not found (expected api-gateway, scheduler or webhook-dispatcher)\" >&2; exit 64; fi; flags=$(node -p \"require('./scripts/node-flags.json')['${SERVICE}'].join(' ')\"); exec node $flags -r ./scripts/register-paths.js \"$main\""]
