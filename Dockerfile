# syntax=docker/dockerfile:1
# The oneproc admission webhook image: `oneproc serve` on a distroless Node 20 runtime, as non-root.
# It is the chart's appVersion (the build fails otherwise), so tag it with that version:
#   VERSION=$(node -p "require('./package.json').version")
#   docker build -t registry.example.com/platform/oneproc:$VERSION .
# The chart (charts/oneproc) passes --tls-cert, --tls-key, --port, --metrics-port and --mode as args.
# docs/install.md ("The image") shows how to push it and point the chart or manifests/ at it.

# Build: compile TypeScript and pack the npm package exactly as it is published.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The image must be the version the chart runs by default (image.tag empty = the chart's appVersion).
COPY charts/oneproc/Chart.yaml ./charts/oneproc/Chart.yaml
COPY scripts/check-version.js ./scripts/check-version.js
RUN node scripts/check-version.js
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md LICENSE CHANGELOG.md ./
COPY bin ./bin
COPY src ./src
RUN npm run build && npm pack --ignore-scripts && mv oneproc-*.tgz /oneproc.tgz

# Production dependencies only: install the packed tarball into an empty folder, without the dev and
# peer dependencies (cdk8s is for synthesising manifests, not for serving admission reviews).
FROM node:20-bookworm-slim AS runtime-deps
WORKDIR /app
COPY --from=build /oneproc.tgz /tmp/oneproc.tgz
RUN npm init -y >/dev/null \
 && npm install --omit=dev --omit=peer --omit=optional --ignore-scripts --no-audit --no-fund /tmp/oneproc.tgz \
 && rm -rf /root/.npm

# Runtime: no shell, no package manager; uid 65532 (matches the chart's runAsUser).
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 8443 9090
# node directly (never npx), so SIGTERM reaches the server and it drains before the pod goes away.
# --max-semi-space-size=2: a review's garbage dies young, so V8's young generation stays at 2 × 2 MiB
# instead of growing to 2 × 16 MiB under load (a third of the RSS); V8 reads it only at start-up.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "/app/node_modules/oneproc/bin/oneproc.js", "serve"]
