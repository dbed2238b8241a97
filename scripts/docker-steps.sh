#!/usr/bin/env bash
# Replays the Dockerfile's build and run steps without a Docker engine, so CI exercises
# them: the build context honours .dockerignore, each stage gets its own directory as its
# filesystem root, COPY/RUN/ENV/WORKDIR are carried out as Docker would, the pruned
# runtime stage is checked for dev dependencies, then CMD is started with the caller's
# environment, HEALTHCHECK is polled until it passes, and SIGTERM must end it with exit 0.
#
# It reads the Dockerfile rather than repeating it, so the two cannot drift apart; an
# instruction it does not understand stops it with an error instead of being skipped.
#
# usage: scripts/docker-steps.sh [--env-file FILE] [--build-only] [--keep]
#   --env-file FILE  the container's environment (docker run --env-file format: KEY=VALUE
#                    lines, # comments, a bare KEY takes the caller's value); required to run
#   --build-only     stop after the build and the prune check
#   --keep           keep the work directory (printed) for inspection
# environment: HEALTH_TIMEOUT_SECONDS (default 60), STOP_TIMEOUT_SECONDS (default 15)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
env_file=""
build_only=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ "$build_only" = 0 ] && [ -z "$env_file" ]; then
  echo "--env-file FILE is required to run the image's CMD (or pass --build-only)" >&2
  exit 2
fi
health_timeout="${HEALTH_TIMEOUT_SECONDS:-60}"
stop_timeout="${STOP_TIMEOUT_SECONDS:-15}"

work="$(mktemp -d "${TMPDIR:-/tmp}/hcb-docker-steps.XXXXXX")"
app_pid=""
cleanup() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then kill -KILL "$app_pid" 2>/dev/null || true; fi
  if [ "$keep" = 1 ]; then echo "--- kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { echo "--- $*"; }
die() { echo "docker-steps: $*" >&2; exit 1; }

# ── build context: the repository's files minus what .dockerignore keeps out ────────────
step "build context (honouring .dockerignore)"
context="$work/context"
mkdir -p "$context"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and untracked-but-not-gitignored files: what a checkout would hand to docker build.
  list_files() { git -C "$root" ls-files -z --cached --others --exclude-standard; }
else
  list_files() { (cd "$root" && find . -path ./.git -prune -o -type f -print0 | sed -z 's#^\./##'); }
fi
# shellcheck disable=SC2016 # JavaScript, not shell, inside the quotes
list_files | DOCKERIGNORE="$root/.dockerignore" ROOT="$root" node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  // .dockerignore semantics: Go filepath.Match plus "**"; a pattern that matches a parent
  // directory excludes everything below it; later lines win; "!" re-includes.
  const toRegex = (p) => {
    let re = "";
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      if (c === "*" && p[i + 1] === "*") {
        i++;
        if (p[i + 1] === "/") { i++; re += "(?:.*/)?"; } else re += ".*";
      } else if (c === "*") re += "[^/]*";
      else if (c === "?") re += "[^/]";
      else re += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
    }
    return new RegExp(`^${re}$`);
  };
  const rules = fs.existsSync(process.env.DOCKERIGNORE)
    ? fs.readFileSync(process.env.DOCKERIGNORE, "utf8").split(/\r?\n/)
        .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
        .map((l) => {
          const negate = l.startsWith("!");
          const pattern = path.posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+/, "");
          return { negate, re: toRegex(pattern) };
        })
    : [];
  const input = fs.readFileSync(0, "utf8").split("\0").filter(Boolean);
  const kept = input.filter((file) => {
    if (!fs.existsSync(path.join(process.env.ROOT, file))) return false; // deleted in the worktree
    const parts = file.split("/");
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((c) => rule.re.test(c))) excluded = !rule.negate;
    }
    return !excluded;
  });
  process.stdout.write(kept.map((f) => `${f}\0`).join(""));
' > "$work/context.list"
tar -C "$root" --null -T "$work/context.list" -cf - | tar -C "$context" -xf -
echo "$(tr -cd '\0' < "$work/context.list" | wc -c) files"
[ ! -e "$context/.env" ] || die ".env reached the build context; .dockerignore must keep it out"
[ ! -e "$context/node_modules" ] || die "node_modules reached the build context"

# ── the Dockerfile, instruction by instruction ─────────────────────────────────────────
declare -A stage_dirs=()
stage_count=0
stage_root=""
workdir="/"
stage_env=()
health_cmd=""
cmd_json=""
cmd_shell=""

# RUN and CMD get a clean environment, as in a container: PATH and HOME (for npm's cache),
# the stage's ENV, and settings that keep npm off the network when its cache suffices.
clean_env() {
  local vars=(PATH="$PATH" HOME="$HOME" npm_config_prefer_offline=true npm_config_audit=false
    npm_config_fund=false npm_config_update_notifier=false)
  local v
  for v in npm_config_cache npm_config_registry HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    if [ -n "${!v:-}" ]; then vars+=("$v=${!v}"); fi
  done
  printf '%s\0' "${vars[@]}" ${stage_env[@]+"${stage_env[@]}"}
}

in_stage() { # absolute container path -> host path in the current stage
  local p="$1"
  case "$p" in /*) ;; *) p="${workdir%/}/$p" ;; esac
  echo "$stage_root$p"
}

do_copy() {
  local from="" args=() a
  for a in "$@"; do
    case "$a" in
      --from=*) from="${a#--from=}" ;;
      --chown=* | --chmod=* | --link) ;; # ownership and layering do not apply outside Docker
      --*) die "COPY option not understood: $a" ;;
      *) args+=("$a") ;;
    esac
  done
  [ "${#args[@]}" -ge 2 ] || die "COPY needs a source and a destination: COPY $*"
  local dest="${args[-1]}"
  unset 'args[-1]'
  local base
  if [ -n "$from" ]; then
    base="${stage_dirs[$from]:-}"
    [ -n "$base" ] || die "COPY --from=$from: no such stage"
  else
    base="$context"
  fi
  local target
  target="$(in_stage "$dest")"
  if [ "${#args[@]}" -gt 1 ] || [[ "$dest" == */ ]]; then mkdir -p "$target"; fi
  local src matches m
  for src in "${args[@]}"; do
    [ -z "$from" ] || [[ "$src" == /* ]] || src="/$src"
    # Globs expand in the source's root, as Docker does; no match is an error there too.
    mapfile -t matches < <(cd "$base" && { compgen -G "${src#/}" || true; })
    [ "${#matches[@]}" -gt 0 ] || die "COPY source not found: $src"
    for m in "${matches[@]}"; do
      if [ -d "$base/$m" ]; then
        mkdir -p "$target"
        cp -a "$base/$m/." "$target/"
      elif [ -d "$target" ]; then
        cp -a "$base/$m" "$target/"
      else
        mkdir -p "$(dirname "$target")"
        cp -a "$base/$m" "$target"
      fi
    done
  done
}

# Instructions, with continuation lines joined and comments dropped.
mapfile -t instructions < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$root/Dockerfile" | grep -Ev '^[[:space:]]*(#|$)')

for line in "${instructions[@]}"; do
  read -r keyword rest <<<"$line"
  keyword="${keyword^^}"
  case "$keyword" in
    FROM)
      read -r image as name _ <<<"$rest"
      stage_count=$((stage_count + 1))
      stage_root="$work/stage-$stage_count"
      mkdir -p "$stage_root"
      workdir="/"
      stage_env=()
      health_cmd=""
      cmd_json=""
      cmd_shell=""
      if [ "${as^^}" = "AS" ] && [ -n "$name" ]; then stage_dirs[$name]="$stage_root"; fi
      stage_dirs[$((stage_count - 1))]="$stage_root"
      step "stage $stage_count: FROM $image${name:+ AS $name}"
      if [[ "$image" =~ ^node:([0-9]+) ]]; then
        want="${BASH_REMATCH[1]}"
        have="$(node -p 'process.versions.node.split(".")[0]')"
        [ "$want" = "$have" ] || echo "warning: the image uses Node $want, this machine runs Node $have"
      fi
      ;;
    WORKDIR)
      case "$rest" in /*) workdir="$rest" ;; *) workdir="${workdir%/}/$rest" ;; esac
      mkdir -p "$stage_root$workdir"
      ;;
    ENV)
      [[ "$rest" == *=* ]] || die "ENV in KEY=VALUE form only: ENV $rest"
      read -r -a pairs <<<"$rest"
      stage_env+=("${pairs[@]}")
      ;;
    COPY)
      step "COPY $rest"
      read -r -a copy_args <<<"$rest"
      do_copy "${copy_args[@]}"
      ;;
    RUN)
      step "RUN $rest"
      started=$SECONDS
      mapfile -d '' -t run_env_args < <(clean_env)
      (cd "$stage_root$workdir" && env -i "${run_env_args[@]}" sh -c "$rest") || die "RUN $rest failed"
      echo "($((SECONDS - started)) s)"
      ;;
    USER | EXPOSE | LABEL)
      ;; # no meaning outside a container: the app runs as this user, on PORT from the env file
    HEALTHCHECK)
      if [ "${rest^^}" = "NONE" ]; then health_cmd=""; continue; fi
      [[ "$rest" == *CMD\ * ]] || die "HEALTHCHECK without CMD: $rest"
      health_cmd="${rest#*CMD }"
      ;;
    CMD)
      if [[ "$rest" == \[* ]]; then cmd_json="$rest"; cmd_shell=""; else cmd_shell="$rest"; cmd_json=""; fi
      ;;
    *)
      die "instruction not understood, so it cannot be replayed: $keyword (teach scripts/docker-steps.sh or keep the Dockerfile simple)"
      ;;
  esac
done
[ "$stage_count" -ge 1 ] || die "no FROM in the Dockerfile"
final_root="$stage_root"
final_workdir="$workdir"
app_dir="$final_root$final_workdir"

# ── the runtime image holds production dependencies only ───────────────────────────────
step "check the runtime stage for dev dependencies and secrets"
for pkg in vitest typescript @biomejs/biome tsx; do
  [ ! -e "$app_dir/node_modules/$pkg" ] || die "dev dependency $pkg is in the runtime image: npm prune --omit=dev did not run or was undone"
done
# shellcheck disable=SC2016 # JavaScript, not shell, inside the quotes
LOCK="$context/package-lock.json" APP="$app_dir" node -e '
  const fs = require("node:fs");
  const lock = JSON.parse(fs.readFileSync(process.env.LOCK, "utf8"));
  const devOnly = Object.entries(lock.packages ?? {})
    .filter(([key, meta]) => key.startsWith("node_modules/") && meta.dev === true)
    .map(([key]) => key);
  const present = devOnly.filter((key) => fs.existsSync(`${process.env.APP}/${key}`));
  if (present.length) {
    console.error(`dev-only packages in the runtime image: ${present.slice(0, 10).join(", ")}${present.length > 10 ? ", …" : ""}`);
    process.exit(1);
  }
  console.log(`${devOnly.length} dev-only packages from the lockfile: none in the image`);
' || die "the runtime image holds dev dependencies"
[ -z "$(find "$final_root" -name .env -print -quit)" ] || die "a .env file is in the runtime image"
[ -f "$app_dir/dist/main.js" ] || die "dist/main.js is missing from the runtime image"

if [ "$build_only" = 1 ]; then
  step "build steps passed (--build-only)"
  exit 0
fi

# ── run: CMD with the caller's environment, HEALTHCHECK until healthy, SIGTERM → exit 0 ──
[ -n "$cmd_json$cmd_shell" ] || die "no CMD in the final stage"
[ -n "$health_cmd" ] || die "no HEALTHCHECK in the final stage"
run_env=()
while IFS= read -r entry || [ -n "$entry" ]; do
  entry="${entry%$'\r'}"
  [[ "$entry" =~ ^[[:space:]]*(#|$) ]] && continue
  if [[ "$entry" == *=* ]]; then
    run_env+=("$entry")
  elif [ -n "${!entry+x}" ]; then
    run_env+=("$entry=${!entry}")
  fi
done <"$env_file"
container_env() { clean_env; printf '%s\0' ${run_env[@]+"${run_env[@]}"}; }

if [ -n "$cmd_json" ]; then
  # shellcheck disable=SC2016 # JavaScript, not shell, inside the quotes
  mapfile -d '' -t cmd < <(node -e 'for (const a of JSON.parse(process.argv[1])) process.stdout.write(`${a}\0`)' "$cmd_json")
else
  cmd=(sh -c "$cmd_shell")
fi
step "start: ${cmd[*]}"
log="$work/app.log"
mapfile -d '' -t env_args < <(container_env)
(cd "$app_dir" && exec env -i "${env_args[@]}" "${cmd[@]}") >"$log" 2>&1 &
app_pid=$!

step "HEALTHCHECK until healthy (at most ${health_timeout} s)"
deadline=$((SECONDS + health_timeout))
healthy=0
while [ "$SECONDS" -lt "$deadline" ]; do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    wait "$app_pid" && code=0 || code=$?
    app_pid=""
    echo "--- app log"; tail -n 50 "$log"
    die "the app exited with code $code before it became healthy"
  fi
  if (cd "$app_dir" && env -i "${env_args[@]}" sh -c "$health_cmd") >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.5
done
if [ "$healthy" != 1 ]; then
  echo "--- app log"; tail -n 50 "$log"
  die "HEALTHCHECK did not pass within ${health_timeout} s"
fi
echo "healthy after $((SECONDS - deadline + health_timeout)) s"

step "SIGTERM: expect exit 0 within ${stop_timeout} s"
kill -TERM "$app_pid"
stop_deadline=$((SECONDS + stop_timeout))
while kill -0 "$app_pid" 2>/dev/null && [ "$SECONDS" -lt "$stop_deadline" ]; do sleep 0.2; done
if kill -0 "$app_pid" 2>/dev/null; then
  echo "--- app log"; tail -n 50 "$log"
  die "the app did not exit within ${stop_timeout} s of SIGTERM"
fi
wait "$app_pid" && code=0 || code=$?
app_pid=""
if [ "$code" != 0 ]; then
  echo "--- app log"; tail -n 50 "$log"
  die "the app exited with code $code after SIGTERM (expected 0)"
fi
step "run steps passed: healthy, then exit 0 on SIGTERM"
