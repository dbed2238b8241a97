// manifest/kubernetes/ is valid for Kubernetes (each object checked against the API's own
// OpenAPI schemas, shipped by kubernetes-models) and says what the operations contract asks:
// HTTP mode, probes on OPS_PORT, memory sized to the measurements, hardened pods, a drain
// that fits in the grace period, the ops port closed to other namespaces, no values.
import { readFileSync } from "node:fs";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const dir = new URL("../../manifest/kubernetes/", import.meta.url);
const read = (name: string) => parse(readFileSync(new URL(name, dir), "utf8"));
const kustomization = read("kustomization.yaml") as { resources: string[] };
const objects = kustomization.resources.map((file) => ({ file, object: read(file) }));
const byKind = (kind: string) => objects.find((o) => o.object.kind === kind)?.object;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  PodDisruptionBudget,
  NetworkPolicy,
};

const mebibytes = (q: string) => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
};

describe("Kubernetes manifests", () => {
  it("lists a Deployment, Service, PodDisruptionBudget and NetworkPolicy, each valid for the API", () => {
    expect(objects.map((o) => o.object.kind).sort()).toEqual([
      "Deployment",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
    ]);
    for (const { file, object } of objects) {
      const Model = MODELS[object.kind];
      if (!Model) throw new Error(`${file}: no schema for ${object.kind}`);
      expect(() => new Model(object as never).validate(), file).not.toThrow();
    }
  });

  it("the schema check catches a broken manifest", () => {
    const broken = structuredClone(byKind("Deployment"));
    broken.spec.replicas = "two";
    expect(() => new Deployment(broken).validate()).toThrow();
  });

  it("runs two hardened HTTP-mode replicas with probes on the ops port and measured memory", () => {
    const d = byKind("Deployment");
    const pod = d.spec.template.spec;
    const [bot] = pod.containers;
    expect(d.spec.replicas).toBe(2);
    const env = Object.fromEntries(
      bot.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ PORT: "3000", OPS_PORT: "9091" });
    expect(JSON.stringify(pod)).not.toContain("SLACK_APP_TOKEN");
    const opsPort = bot.ports.find((p: { name: string }) => p.name === "ops").containerPort;
    expect(opsPort).toBe(9091);
    expect(bot.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: "ops" });
    expect(bot.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: "ops" });
    // The start script caps the heap at 192 MB; measured RSS peaks at 172 MB.
    const script = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
      .scripts.start as string;
    const heap = Number(/--max-old-space-size=(\d+)/.exec(script)?.[1]);
    expect(mebibytes(bot.resources.requests.memory)).toBeGreaterThanOrEqual(172);
    expect(mebibytes(bot.resources.limits.memory)).toBeGreaterThan(heap + 64);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(bot.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    // preStop pause + the bot's 10 s drain fit in the grace period.
    const preStop = Number(bot.lifecycle.preStop.exec.command.at(-1));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + 10);
  });

  it("serves /slack/events on 3000, keeps the ops port inside the namespace, and holds no values", () => {
    const svc = byKind("Service");
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 3000, targetPort: "http" })]);
    const np = byKind("NetworkPolicy");
    const ops = np.spec.ingress.find((r: { ports: { port: number }[] }) =>
      r.ports.some((p) => p.port === 9091),
    );
    expect(ops.from).toEqual([{ podSelector: {} }]); // same namespace only
    expect(np.spec.ingress.filter((r: { from?: unknown }) => !r.from)).toEqual([
      { ports: [{ port: 3000, protocol: "TCP" }] },
    ]);
    expect(byKind("PodDisruptionBudget").spec.minAvailable).toBe(1);
    const d = byKind("Deployment");
    expect(d.spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: "hybrid-client-bot-config" } },
      { secretRef: { name: "hybrid-client-bot-secrets" } },
    ]);
    expect(objects.some((o) => o.object.kind === "Secret" || o.object.kind === "ConfigMap")).toBe(
      false,
    );
  });
});
