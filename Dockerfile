# Reference storefront + embedded gateway sandbox.
#
#   build:  docker build -t rbs-storefront .
#
#   shop against a real gateway (publish the shop's port only, on this machine for a reverse proxy in front of it;
#   drop 127.0.0.1: only if the proxy runs elsewhere):
#           docker run --rm -p 127.0.0.1:3000:3000 -e SESSION_SECRET="$(openssl rand -base64 48)" \
#             -e PUBLIC_BASE_URL=https://shop.example -e GATEWAY_URL=https://…/payment/rest/ \
#             -e GATEWAY_USERNAME=… -e GATEWAY_PASSWORD=… -e GATEWAY_CALLBACK_KEY=… -v rbs-data:/app/data rbs-storefront
#     GATEWAY_CALLBACK_KEY is the gateway's callback key (required in production unless -e CALLBACKS=off).
#
#   demo: shop + embedded sandbox. The image sets NODE_ENV=production, so the shop refuses to start without
#   GATEWAY_URL unless asked with -e SANDBOX=on: the sandbox is an emulator whose test cards approve any "payment".
#   It then also needs SANDBOX_OPERATOR_TOKEN (opens the sandbox's /sandbox/orders and /sandbox/control):
#           export SANDBOX_OPERATOR_TOKEN="$(openssl rand -base64 32)"
#           docker run --rm -p 127.0.0.1:3000:3000 -p 127.0.0.1:3001:3001 -e SANDBOX=on -e SANDBOX_OPERATOR_TOKEN \
#             -e SESSION_SECRET="$(openssl rand -base64 48)" -v rbs-data:/app/data rbs-storefront
#     The sandbox's port (3001) is published only here, because the buyer's browser must reach its hosted payment
#     page; 127.0.0.1: keeps both ports on this machine (drop it only if other machines must reach the demo, never
#     on an untrusted network). PUBLIC_BASE_URL (default http://localhost:3000) and SANDBOX_PUBLIC_URL (default
#     http://127.0.0.1:3001) must be the URLs the browser uses; the shop itself calls the sandbox where it listens
#     inside the container, so any published port works (-p 127.0.0.1:45911:3001 with
#     SANDBOX_PUBLIC_URL=http://127.0.0.1:45911). Its merchant's credentials are generated into the volume
#     (/app/data/sandbox/).
#
#   shop + standalone sandbox as two containers: compose.yaml (docker compose up --build).
#
#   sandbox only (standalone gateway emulator with the public demo merchants; point the HEALTHCHECK at its port):
#           export SANDBOX_OPERATOR_TOKEN="$(openssl rand -base64 32)"
#           docker run --rm -e HEALTHCHECK_PORT=3001 -e SANDBOX_OPERATOR_TOKEN -e SANDBOX_DEMO_CREDENTIALS=on \
#             -p 127.0.0.1:3001:3001 -e SANDBOX_PUBLIC_URL=http://127.0.0.1:3001 rbs-storefront node packages/gateway-sandbox/dist/server.js
#     (the gateway-sandbox workspace package's server: docs/decisions/0014-sandbox-package.md).
#   What the sandbox must never be exposed to: docs/sandbox.md.
#
# How this was built and run on a machine without a Docker engine: docs/docker-build-here.md

# --- build: dev dependencies (typescript, @types) and tsc. Install scripts are skipped:
# tsc does not need a compiled SQLite addon, so this stage needs no compiler. The gateway sandbox is a workspace
# package (packages/gateway-sandbox): npm ci needs its package.json, and `npm run build` builds it first.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/gateway-sandbox/package.json ./packages/gateway-sandbox/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/gateway-sandbox/tsconfig.json packages/gateway-sandbox/tsconfig.build.json ./packages/gateway-sandbox/
COPY packages/gateway-sandbox/src ./packages/gateway-sandbox/src
COPY src ./src
RUN npm run build

# --- prod-deps: production dependencies only, and no install scripts, so no compiler either. On Node 24 the
# shop loads better-sqlite3 13 (alias better-sqlite3-napi), whose Node-API binaries ship prebuilt inside the
# package. The 12.x copy is for Node 20 only and would abort on Node 24.19+, so it is removed from the image
# (docs/decisions/0005-sqlite-driver-per-node-version.md), with the other platforms' binaries and C sources.
FROM node:24-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/gateway-sandbox/package.json ./packages/gateway-sandbox/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf node_modules/better-sqlite3 \
           node_modules/better-sqlite3-napi/deps \
           node_modules/better-sqlite3-napi/src \
           node_modules/better-sqlite3-napi/prebuilds/darwin-* \
           node_modules/better-sqlite3-napi/prebuilds/win32-*

# --- runtime: no compiler, no dev dependencies, no npm cache; runs as the image's `node` user (uid 1000).
FROM node:24-slim AS runtime
# HOST/SANDBOX_HOST: inside a container the servers must listen on all interfaces to be reachable
# through published ports (which ports are published is the `docker run` command's choice, see above).
# NODE_ENV=production makes SESSION_SECRET mandatory at start-up and the embedded sandbox opt-in (SANDBOX=on).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
# Application files stay root-owned (read-only for the app); only the SQLite folder is writable.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
COPY package.json package-lock.json ./
# node_modules/@rbs-storefront/gateway-sandbox is npm's link to packages/gateway-sandbox: the package's built
# server and its pages and stylesheet go there.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/gateway-sandbox/dist ./packages/gateway-sandbox/dist
COPY packages/gateway-sandbox/package.json ./packages/gateway-sandbox/
COPY packages/gateway-sandbox/bin ./packages/gateway-sandbox/bin
COPY packages/gateway-sandbox/views ./packages/gateway-sandbox/views
COPY packages/gateway-sandbox/public ./packages/gateway-sandbox/public
COPY views ./views
COPY public ./public
# npm links a workspace package's bin only when its file exists at `npm ci`, and the prod-deps stage copies only the
# package's package.json: the link and the executable bit are made here, so `node_modules/.bin/gateway-sandbox` runs
# the standalone sandbox as the package's README says (without the link, `npx gateway-sandbox` would ask the registry
# for a package of that name). The bin (bin/gateway-sandbox.js) runs the built dist/server.js.
RUN ln -s ../@rbs-storefront/gateway-sandbox/bin/gateway-sandbox.js node_modules/.bin/gateway-sandbox \
 && chmod 755 packages/gateway-sandbox/bin/gateway-sandbox.js
USER node
VOLUME ["/app/data"]
# Only the shop's port: `docker run -P` publishes every EXPOSEd port, and the sandbox's (3001) must be published
# only on purpose (-p), for a demo.
EXPOSE 3000
# node:24-slim has no curl: probe with Node's built-in fetch. --start-period: failures in the first 20 s (a slow
# first start, a volume being initialised) don't count against the retries. dockerfilelint 1.8.0, still the latest,
# reports this valid option as "Invalid Argument" (replicatedhq/dockerfilelint issue 166): a false positive.
# HEALTHCHECK_PORT lets the standalone sandbox (which also answers /healthz) be probed on its own port.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTHCHECK_PORT||process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM directly; the app closes its servers and exits 0.
CMD ["node", "dist/server.js"]
