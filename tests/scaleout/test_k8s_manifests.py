"""The Kubernetes manifests (deploy/k8s/, issue 24): what the README promises of them is
checked on the YAML itself (one beat, the worker's two queues, the migrate Job before new
pods, the probes, non-root and read-only pods with their limits, the NetworkPolicy), and the
probes' paths are asked of a real gunicorn under the production settings whose database does
not answer: the liveness path still answers 200, the readiness path 503."""

import re
from pathlib import Path

import pytest
import yaml

from tests.bench.server import free_port
from tests.security.production_server import PUBLIC_HOST, ProductionServer

BASE_DIR = Path(__file__).resolve().parents[2]
K8S = BASE_DIR / "deploy" / "k8s"
PART_OF = {"app.kubernetes.io/part-of": "talentnet"}


def manifests() -> list[tuple[str, dict]]:
    """(file name, resource) for every document of every manifest."""
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((path.name, doc))
    return found


def resource(kind: str, name: str) -> dict:
    matches = [
        doc for _file, doc in manifests() if (doc["kind"], doc["metadata"]["name"]) == (kind, name)
    ]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def pod_specs() -> dict[str, dict]:
    """The pod template of every workload, by workload name."""
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]
        for _file, doc in manifests()
        if doc["kind"] in ("Deployment", "Job")
    }


def all_containers(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


def config() -> dict:
    return resource("ConfigMap", "talentnet-config")["data"]


def test_one_beat_replaced_not_rolled():
    beat = resource("Deployment", "talentnet-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert all(
        doc["spec"]["scaleTargetRef"]["name"] == "talentnet-web"
        for _file, doc in manifests()
        if doc["kind"] == "HorizontalPodAutoscaler"
    )
    assert "beat" in beat["spec"]["template"]["spec"]["containers"][0]["command"]
    beats = [
        name
        for name, spec in pod_specs().items()
        if any("beat" in c.get("command", []) for c in spec["containers"])
    ]
    assert beats == ["talentnet-beat"]


def test_the_workers_consume_both_queues_as_make_worker_does():
    command = resource("Deployment", "talentnet-worker")["spec"]["template"]["spec"]["containers"][
        0
    ]["command"]
    queues = set(command[command.index("-Q") + 1].split(","))
    assert queues == {config()["CELERY_TRANSACTIONAL_QUEUE"], config()["CELERY_DEFAULT_QUEUE"]}
    makefile = (BASE_DIR / "Makefile").read_text()
    make_queues = re.search(r"celery -A talentnet worker -Q (\S+)", makefile).group(1)
    assert queues == set(make_queues.split(","))


def test_migrations_run_in_a_job_that_every_new_pod_waits_for():
    job = resource("Job", "talentnet-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][-2:] == [
        "migrate",
        "--noinput",
    ]
    for name in ("talentnet-web", "talentnet-worker", "talentnet-beat"):
        init = pod_specs()[name].get("initContainers", [])
        assert init, f"{name} starts without waiting for the migrations"
        script = " ".join(init[0]["command"])
        assert "manage.py migrate --check" in script and "until" in script, name


def _probe(container, kind):
    probe = container[kind]["httpGet"]
    return probe["path"], {h["name"]: h["value"] for h in probe.get("httpHeaders", [])}


def test_web_probes_readiness_on_healthz_and_liveness_on_livez_as_the_ingress_asks():
    web = resource("Deployment", "talentnet-web")["spec"]["template"]["spec"]["containers"][0]
    ready_path, ready_headers = _probe(web, "readinessProbe")
    live_path, live_headers = _probe(web, "livenessProbe")
    assert (ready_path, live_path) == ("/healthz", "/livez")
    allowed = [h.strip() for h in config()["ALLOWED_HOSTS"].split(",")]
    for headers in (ready_headers, live_headers):
        assert headers["Host"] in allowed  # a pod's address is no allowed host
        assert config()["DJANGO_SECURE"] == "true" and headers["X-Forwarded-Proto"] == "https"


def test_the_web_is_autoscaled_kept_available_and_served():
    web = resource("Deployment", "talentnet-web")
    labels = web["spec"]["template"]["metadata"]["labels"]
    hpa = resource("HorizontalPodAutoscaler", "talentnet-web")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "talentnet-web",
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    pdb = resource("PodDisruptionBudget", "talentnet-web")
    assert pdb["spec"]["minAvailable"] >= 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = resource("Service", "talentnet-web")
    assert service["spec"]["selector"].items() <= labels.items()
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_every_pod_is_non_root_read_only_limited_and_configured():
    for name, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in all_containers(spec):
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][bound].keys(), where
            refs = {next(iter(ref.values()))["name"] for ref in container.get("envFrom", [])}
            assert refs == {"talentnet-config", "talentnet-secrets"}, where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], where  # the one writable place


def test_beat_keeps_its_schedule_on_the_writable_tmp():
    command = resource("Deployment", "talentnet-beat")["spec"]["template"]["spec"]["containers"][0][
        "command"
    ]
    assert command[command.index("--schedule") + 1].startswith("/tmp/")


def test_the_network_policy_admits_only_the_ingress_to_the_web():
    policies = [doc for _f, doc in manifests() if doc["kind"] == "NetworkPolicy"]
    deny = next(p for p in policies if p["metadata"]["name"] == "talentnet-default-deny")
    assert deny["spec"]["podSelector"]["matchLabels"] == PART_OF
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    admitted = [p for p in policies if p["spec"].get("ingress")]
    assert len(admitted) == 1
    assert admitted[0]["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    assert [port["port"] for port in admitted[0]["spec"]["ingress"][0]["ports"]] == [8000]
    for _file, doc in manifests():
        if doc["kind"] in ("Deployment", "Job"):
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert PART_OF.items() <= labels.items(), doc["metadata"]["name"]


class LiveOnlyServer(ProductionServer):
    ready_path = "/livez"  # /healthz never answers 200 here


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_liveness_answers_without_the_database_and_readiness_does_not(tmp_path):
    """gunicorn under the production settings, its DATABASE_URL on a port nothing listens
    on: the probes, asked exactly as the manifest asks them, keep the pod alive but out of
    the Service."""
    web = resource("Deployment", "talentnet-web")["spec"]["template"]["spec"]["containers"][0]
    ready_path, ready_headers = _probe(web, "readinessProbe")
    live_path, live_headers = _probe(web, "livenessProbe")
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/talentnet"
    with LiveOnlyServer(
        tmp_path,
        DATABASE_URL=dead,
        # The manifest's host (the probes' Host) and the one the server's own checks use.
        ALLOWED_HOSTS=f"{config()['ALLOWED_HOSTS']},{PUBLIC_HOST}",
        DB_POOL_TIMEOUT="1",
    ) as server:
        status, _headers, body = server.request(live_path, headers=live_headers)
        assert (status, body) == (200, b'{"status": "ok"}')
        status, _headers, body = server.request(ready_path, headers=ready_headers)
        assert status == 503 and b'"database": "error"' in body


# --- Schemas and variables (make test: offline, Kubernetes pinned) ------------------------

# The Kubernetes version the manifests are written for: kubernetes-validate (requirements-
# dev.lock) ships the JSON schemas of each version in the package, so nothing is fetched.
K8S_VERSION = "1.33.0"
# Variables of .env.example that no pod reads: the compose proxy's and the benchmark's.
NOT_FOR_PODS = {
    "SERVER_NAME": "docker-compose.yml's nginx (the Ingress names the host here)",
    "TLS_DIR": "docker-compose.yml's nginx (the Ingress holds the certificate here)",
    "BENCH_QUERY_COUNT": "make bench only",
}
SETTINGS_FILES = [
    *sorted((BASE_DIR / "talentnet").glob("settings*.py")),
    # Called by settings.py with its `env` (STORAGE_BACKEND=s3).
    BASE_DIR / "talentnet" / "object_storage.py",
]
ENV_READ = re.compile(
    r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ(?:\.get|\.setdefault)?\s*[\(\[]\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def validate(doc: dict) -> None:
    import kubernetes_validate

    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_schemas_of_the_pinned_version_ship_with_the_package():
    from importlib.resources import files

    import kubernetes_validate

    version = K8S_VERSION.rsplit(".", 1)[0]
    shipped = files(kubernetes_validate) / "kubernetes-json-schema" / f"v{version}.0-local-strict"
    assert (shipped / "deployment-apps-v1.json").is_file()
    assert (shipped / "_definitions.json").is_file()


@pytest.mark.parametrize(
    ("file", "doc"),
    manifests(),
    ids=[f"{file}:{doc['kind']}/{doc['metadata']['name']}" for file, doc in manifests()],
)
def test_every_manifest_is_valid_for_the_pinned_kubernetes(file, doc):
    """Strict: a misspelt or misplaced field fails, not only a wrong type. A kind without a
    schema fails too (SchemaNotFoundError is raised, not skipped)."""
    try:
        validate(doc)
    except Exception as exc:
        path = ".".join(str(p) for p in getattr(exc, "path", []))
        pytest.fail(f"{file} {doc['kind']}/{doc['metadata']['name']}: {path}: {exc}")


def test_the_validation_would_catch_a_misspelt_field_and_an_unknown_kind():
    import kubernetes_validate

    web = resource("Deployment", "talentnet-web")
    broken = {**web, "spec": {**web["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)
    with pytest.raises(kubernetes_validate.utils.SchemaNotFoundError):
        validate({**web, "kind": "Deploymnt"})


def settings_variables() -> set[str]:
    """Every environment variable the settings read (env("X"), env.int("X"), os.environ...)."""
    names = set()
    for path in SETTINGS_FILES:
        for match in ENV_READ.finditer(path.read_text()):
            names.add(next(group for group in match.groups() if group))
    return names


def env_example_variables() -> set[str]:
    """The variables .env.example documents, set (`X=`) or shown commented (`# X=`)."""
    text = (BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^(?:# ?)?([A-Z][A-Z0-9_]*)=", text, re.M))


def wired_variables() -> dict[str, set[str]]:
    secret = resource("Secret", "talentnet-secrets")
    on_containers = set()
    for spec in pod_specs().values():
        for container in all_containers(spec):
            on_containers |= {item["name"] for item in container.get("env", [])}
    return {
        "ConfigMap": set(config()),
        "Secret": set(secret.get("stringData", {})) | set(secret.get("data", {})),
        "containers": on_containers,
    }


def test_the_settings_parser_finds_what_the_settings_read():
    found = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "DB_POOL_MAX_SIZE", "AWS_S3_ENDPOINT_URL"} <= found
    assert "DJANGO_SETTINGS_MODULE" not in found


def test_every_variable_the_settings_read_is_wired_and_documented():
    wired = wired_variables()
    every = set().union(*wired.values())
    read = settings_variables()
    missing = sorted(read - every)
    assert not missing, (
        "variables the settings read but deploy/k8s does not set (add them to "
        f"configmap.yaml or secret.yaml): {', '.join(missing)}"
    )
    undocumented = sorted(read - env_example_variables())
    assert not undocumented, (
        f"variables the settings read that .env.example does not document: {', '.join(undocumented)}"
    )


def test_the_config_and_secret_hold_only_env_example_variables_each_in_one_place():
    wired = wired_variables()
    documented = env_example_variables()
    unknown = sorted(set().union(*wired.values()) - documented)
    assert not unknown, f"set in deploy/k8s but not in .env.example: {', '.join(unknown)}"
    both = sorted(wired["ConfigMap"] & wired["Secret"])
    assert not both, f"in both the ConfigMap and the Secret: {', '.join(both)}"
    forgotten = sorted(documented - set().union(*wired.values()) - NOT_FOR_PODS.keys())
    assert not forgotten, f".env.example variables deploy/k8s does not set: {', '.join(forgotten)}"
    secrets = {"SECRET_KEY", "DATABASE_URL", "SMTP_PASSWORD", "AWS_SECRET_ACCESS_KEY"}
    assert secrets <= wired["Secret"]
