# hybrid-client-bot image: build with dev dependencies, run with production ones only.
# No secrets are baked in: configuration comes from the environment at `docker run`
# (see README, Configuration). scripts/docker-steps.sh replays these steps outside Docker
# in CI, so keep to the instructions it understands (FROM, WORKDIR, ENV, COPY, RUN,
# USER, EXPOSE, HEALTHCHECK, CMD).

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY manifest ./manifest
RUN npm run build
RUN npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The doctor compares the token's scopes with the manifest's.
COPY --from=build --chown=node:node /app/manifest ./manifest
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Same V8 heap settings as `npm start`: small young generation, bounded old space, so the
# heap V8 reserves during a burst does not stay resident (RSS ≤ 150 MB after load).
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=192", "dist/main.js"]
