# syntax=docker/dockerfile:1
#
# The `nimbus` image: every component in one image, chosen by the first argument
# (`ccm`, `cloud-api`, `apiserver`, `up`); deploy/ runs `ccm`.
#
#   docker build -t nimbus:0.1.0 .
#   kind load docker-image nimbus:0.1.0 --name kind      # or: minikube image load nimbus:0.1.0
#                                                          #     k3d image import nimbus:0.1.0 -c nimbus
#
# NOT BUILT BY CI: the machines Nimbus is developed and tested on have no Docker engine, so this
# file is kept minimal and has never been built there. Report what breaks.
#
# Node 22 on Debian 13 (trixie) in both stages, so the native better-sqlite3 module compiled or
# downloaded in the build stage matches the runtime's glibc and Node ABI (distroless has no
# Node 20 image any more; Nimbus runs on 20, 22 and 24).

FROM node:22-trixie-slim AS build
WORKDIR /src
# better-sqlite3 12.x: prebuild-install downloads a binary for this Node ABI from GitHub, or
# node-gyp compiles it with these tools when it cannot.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY bin ./bin
COPY libs ./libs
COPY apps ./apps
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Non-root (UID/GID 65532), no shell, no package manager.
FROM gcr.io/distroless/nodejs22-debian13:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
USER 65532:65532
# Exec form: SIGTERM reaches Node, which drains and exits (the CCM hands work in flight to the end).
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/nimbus.js"]
CMD ["--help"]
