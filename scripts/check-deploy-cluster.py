#!/usr/bin/env python3
"""The cluster files of deploy/, checked without Docker or Kubernetes (called by
scripts/check-deploy.sh with the uniqchat binary and the config directory):

- deploy/docker-compose.cluster.yml: every node's environment is accepted by `uniqchat config`,
  the nodes share database, Redis and secrets, HAProxy's config file is the one mounted and
  names exactly the node services on the port they listen on.
- deploy/haproxy.cfg: `haproxy -c` accepts it (node names need not resolve here), it checks
  /readyz and has a tunnel timeout for WebSockets.
- deploy/k8s/*.yaml: every document parses; Deployment, Service, Ingress, PodDisruptionBudget,
  HorizontalPodAutoscaler, ConfigMap and Secret are there and refer to each other by the right
  names and labels; the probes are /readyz and /healthz on the container's port; the settings
  in the ConfigMap and Secret are accepted by `uniqchat config`; the grace period covers the
  drain and the shutdown deadline; the Ingress sets WebSocket timeouts.
"""

import os
import re
import subprocess
import sys

import yaml

SECRET = "check-deploy-secret-0123456789abcdef0123456789"


def fail(msg):
    print(f"check-deploy: {msg}", file=sys.stderr)
    sys.exit(1)


def accepted(binary, config_dir, env, where):
    """Runs `uniqchat config` with exactly `env`; returns the printed configuration."""
    full = {"PATH": os.environ["PATH"], **env}
    r = subprocess.run([binary, "--config-dir", config_dir, "config"], env=full,
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{where}: uniqchat refuses the environment it is given: {r.stderr.strip()}")
    return r.stdout


def setting(printed, section, key):
    m = re.search(rf"^\[{section}\]\n(?:(?!\[).*\n)*?{key} = (.*)$", printed, re.M)
    return m.group(1).strip().strip('"') if m else None


def compose_value(value):
    """${VAR:-default} as its default, ${VAR:?message} as a stand-in secret."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
    return re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", SECRET, value)


def check_compose(binary, config_dir):
    path = "deploy/docker-compose.cluster.yml"
    doc = yaml.safe_load(open(path))
    services = doc.get("services", {})
    nodes = sorted(name for name, s in services.items() if "build" in s)
    if len(nodes) < 2:
        fail(f"{path}: fewer than two uniqchat nodes")
    shared = None
    for name in nodes:
        s = services[name]
        build = s["build"]
        if not os.path.isfile(os.path.join("deploy", build["context"], build["dockerfile"])):
            fail(f"{path}: {name}: no Dockerfile at {build['context']}/{build['dockerfile']}")
        env = {k: compose_value(v) for k, v in s.get("environment", {}).items()}
        printed = accepted(binary, config_dir, env, f"{path}: {name}")
        same = {k: env.get(k) for k in ("UNIQCHAT__DATABASE__URL", "UNIQCHAT__CLUSTER__REDIS_URL",
                                         "UNIQCHAT__AUTH__JWT_SECRET", "UNIQCHAT__AUTH__SECRET_KEY")}
        if not same["UNIQCHAT__CLUSTER__REDIS_URL"]:
            fail(f"{path}: {name} has no cluster.redis_url")
        if shared is not None and same != shared:
            fail(f"{path}: {name} does not share the database, Redis and secrets of the others")
        shared = same
        if setting(printed, "server", "bind") != "0.0.0.0:8080":
            fail(f"{path}: {name} does not listen on 0.0.0.0:8080")
    proxies = [n for n, s in services.items() if "haproxy" in str(s.get("image", ""))]
    if len(proxies) != 1:
        fail(f"{path}: expected one haproxy service")
    mounts = services[proxies[0]].get("volumes", [])
    if not any(m.startswith("./haproxy.cfg:") for m in mounts):
        fail(f"{path}: the haproxy service does not mount ./haproxy.cfg")
    cfg = open("deploy/haproxy.cfg").read()
    servers = re.findall(r"^\s*server\s+\S+\s+([a-z0-9-]+):(\d+)", cfg, re.M)
    if sorted(h for h, _ in servers) != nodes or any(p != "8080" for _, p in servers):
        fail(f"deploy/haproxy.cfg: its servers {servers} are not the compose nodes {nodes} on 8080")


def check_haproxy():
    path = "deploy/haproxy.cfg"
    r = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{path}: haproxy -c refuses it: {r.stderr.strip()}")
    cfg = open(path).read()
    for needed in ("option httpchk GET /readyz", "timeout tunnel", "option redispatch"):
        if needed not in cfg:
            fail(f"{path}: no '{needed}'")


def check_k8s(binary, config_dir):
    docs = {}
    for name in sorted(os.listdir("deploy/k8s")):
        if not name.endswith(".yaml"):
            continue
        for d in yaml.safe_load_all(open(os.path.join("deploy/k8s", name))):
            if d:
                docs.setdefault(d["kind"], []).append(d)
    for kind in ("Deployment", "Service", "Ingress", "PodDisruptionBudget",
                 "HorizontalPodAutoscaler", "ConfigMap", "Secret"):
        if kind not in docs:
            fail(f"deploy/k8s: no {kind}")
    dep = docs["Deployment"][0]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    if dep["spec"]["selector"]["matchLabels"] != labels:
        fail("deploy/k8s: the Deployment's selector does not match its pods")
    container = dep["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    probes = {
        "readinessProbe": "/readyz",
        "livenessProbe": "/healthz",
    }
    for probe, route in probes.items():
        get = container.get(probe, {}).get("httpGet", {})
        if get.get("path") != route or get.get("port") not in ports:
            fail(f"deploy/k8s: {probe} is not GET {route} on the container's port")
    env = {}
    refs = [r.get("configMapRef", r.get("secretRef"))["name"] for r in container["envFrom"]]
    for kind, field in (("ConfigMap", "data"), ("Secret", "stringData")):
        for d in docs[kind]:
            if d["metadata"]["name"] not in refs:
                fail(f"deploy/k8s: the Deployment does not use {kind} {d['metadata']['name']}")
            env.update({k: str(v) for k, v in d[field].items()})
    printed = accepted(binary, config_dir, env, "deploy/k8s ConfigMap and Secret")
    drain = int(setting(printed, "server", "drain_secs") or 0)
    deadline = int(setting(printed, "server", "shutdown_timeout_secs") or 0)
    grace = dep["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    if grace <= drain + deadline:
        fail(f"deploy/k8s: terminationGracePeriodSeconds {grace} does not cover the drain "
             f"({drain} s) and the shutdown deadline ({deadline} s)")
    if drain == 0:
        fail("deploy/k8s: server.drain_secs is 0: pods would close connections before the "
             "endpoints drop them")
    svc = docs["Service"][0]
    if svc["spec"]["selector"] != labels:
        fail("deploy/k8s: the Service does not select the Deployment's pods")
    svc_ports = [p["name"] for p in svc["spec"]["ports"]]
    if any(p["targetPort"] not in ports for p in svc["spec"]["ports"]):
        fail("deploy/k8s: the Service targets a port the container does not name")
    ing = docs["Ingress"][0]
    for rule in ing["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            b = p["backend"]["service"]
            if b["name"] != svc["metadata"]["name"] or b["port"].get("name") not in svc_ports:
                fail("deploy/k8s: the Ingress sends to a Service or port that does not exist")
    notes = ing["metadata"].get("annotations", {})
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        if int(notes.get(f"nginx.ingress.kubernetes.io/{key}", "60")) < 3600:
            fail(f"deploy/k8s: the Ingress's {key} is under an hour (WebSockets stay open)")
    pdb = docs["PodDisruptionBudget"][0]
    if pdb["spec"]["selector"]["matchLabels"] != labels:
        fail("deploy/k8s: the PodDisruptionBudget does not select the Deployment's pods")
    target = docs["HorizontalPodAutoscaler"][0]["spec"]["scaleTargetRef"]
    if (target["kind"], target["name"]) != ("Deployment", dep["metadata"]["name"]):
        fail("deploy/k8s: the HorizontalPodAutoscaler scales something else")


def main():
    binary, config_dir = sys.argv[1], sys.argv[2]
    check_haproxy()
    check_compose(binary, config_dir)
    check_k8s(binary, config_dir)
    print("check-deploy: the cluster files (compose, haproxy.cfg, k8s) hold up")


if __name__ == "__main__":
    main()
