"""The official Python client (python3-kubernetes) against kubed."""
import json
import os
import sys
import tempfile
import unittest

from kubernetes import client, config, utils, watch
from kubernetes.client.rest import ApiException

MANIFESTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "manifests")


def setUpModule():
    config.load_kube_config(config_file=os.environ["KUBECONFIG"])


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.core = client.CoreV1Api()
        self.apps = client.AppsV1Api()
        self.batch = client.BatchV1Api()
        self.rbac = client.RbacAuthorizationV1Api()

    def test_namespace_and_configmap_crud(self):
        self.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
        cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cfg"), data={"a": "1"})
        made = self.core.create_namespaced_config_map("py", cm)
        self.assertEqual(made.data, {"a": "1"})
        self.assertTrue(made.metadata.uid)
        made.data["b"] = "2"
        updated = self.core.replace_namespaced_config_map("cfg", "py", made)
        self.assertEqual(updated.data["b"], "2")
        patched = self.core.patch_namespaced_config_map("cfg", "py", {"data": {"c": "3"}})
        self.assertEqual(patched.data, {"a": "1", "b": "2", "c": "3"})
        names = [i.metadata.name for i in self.core.list_namespaced_config_map("py").items]
        self.assertIn("cfg", names)
        self.core.delete_namespaced_config_map("cfg", "py")
        with self.assertRaises(ApiException) as e:
            self.core.read_namespaced_config_map("cfg", "py")
        self.assertEqual(e.exception.status, 404)

    def test_conflict_bodies_are_upstreams(self):
        cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dup"))
        first = self.core.create_namespaced_config_map("default", cm)
        with self.assertRaises(ApiException) as e:
            self.core.create_namespaced_config_map("default", cm)
        self.assertEqual(e.exception.status, 409)
        self.assertEqual(e.exception.body,
                         '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
                         '"message":"configmaps \\"dup\\" already exists","reason":"AlreadyExists",'
                         '"details":{"name":"dup","kind":"configmaps"},"code":409}\n')
        first.data = {"x": "1"}
        self.core.replace_namespaced_config_map("dup", "default", first)
        first.data = {"x": "2"}
        with self.assertRaises(ApiException) as e:
            self.core.replace_namespaced_config_map("dup", "default", first)
        self.assertEqual(e.exception.status, 409)
        self.assertEqual(e.exception.body,
                         '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
                         '"message":"Operation cannot be fulfilled on configmaps \\"dup\\": the object '
                         'has been modified; please apply your changes to the latest version and try '
                         'again","reason":"Conflict","details":{"name":"dup","kind":"configmaps"},'
                         '"code":409}\n')

    def test_pods_services_deployments_jobs(self):
        pod = client.V1Pod(metadata=client.V1ObjectMeta(name="p1", labels={"app": "p"}),
                           spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))
        made = self.core.create_namespaced_pod("default", pod)
        self.assertEqual(made.spec.restart_policy, "Always")
        self.assertEqual(made.spec.containers[0].image_pull_policy, "Always")
        svc = client.V1Service(metadata=client.V1ObjectMeta(name="s1"),
                               spec=client.V1ServiceSpec(selector={"app": "p"},
                                                         ports=[client.V1ServicePort(port=80)]))
        made = self.core.create_namespaced_service("default", svc)
        self.assertEqual(made.spec.ports[0].target_port, 80)
        dep = client.V1Deployment(
            metadata=client.V1ObjectMeta(name="d1"),
            spec=client.V1DeploymentSpec(
                selector=client.V1LabelSelector(match_labels={"app": "d"}),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels={"app": "d"}),
                    spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx:1.25")]))))
        made = self.apps.create_namespaced_deployment("default", dep)
        self.assertEqual(made.spec.strategy.rolling_update.max_surge, "25%")
        scaled = self.apps.patch_namespaced_deployment_scale("d1", "default", {"spec": {"replicas": 4}})
        self.assertEqual(scaled.spec.replicas, 4)
        job = client.V1Job(metadata=client.V1ObjectMeta(name="j1"),
                           spec=client.V1JobSpec(template=client.V1PodTemplateSpec(
                               spec=client.V1PodSpec(restart_policy="Never",
                                                     containers=[client.V1Container(name="c", image="busybox")]))))
        made = self.batch.create_namespaced_job("default", job)
        self.assertEqual(made.spec.backoff_limit, 6)
        self.batch.delete_namespaced_job("j1", "default", propagation_policy="Background")
        self.apps.delete_namespaced_deployment("d1", "default")
        self.core.delete_namespaced_service("s1", "default")
        self.core.delete_namespaced_pod("p1", "default")

    def test_invalid_names_are_422_with_causes(self):
        cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="Bad_Name"))
        with self.assertRaises(ApiException) as e:
            self.core.create_namespaced_config_map("default", cm)
        self.assertEqual(e.exception.status, 422)
        body = json.loads(e.exception.body)
        self.assertEqual(body["reason"], "Invalid")
        self.assertEqual(body["details"]["causes"][0]["field"], "metadata.name")

    def test_rbac_objects(self):
        role = client.V1Role(metadata=client.V1ObjectMeta(name="reader"),
                             rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"],
                                                        verbs=["get", "list"])])
        self.rbac.create_namespaced_role("default", role)
        rb = client.V1RoleBinding(metadata=client.V1ObjectMeta(name="reader"),
                                  role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io",
                                                            kind="Role", name="reader"),
                                  subjects=[client.V1Subject(kind="User", name="alice",
                                                                 api_group="rbac.authorization.k8s.io")])
        self.rbac.create_namespaced_role_binding("default", rb)
        review = client.AuthorizationV1Api().create_subject_access_review(client.V1SubjectAccessReview(
            spec=client.V1SubjectAccessReviewSpec(user="alice", resource_attributes=client.V1ResourceAttributes(
                namespace="default", verb="list", resource="pods"))))
        self.assertTrue(review.status.allowed)
        names = [r.metadata.name for r in self.rbac.list_cluster_role().items]
        for default in ("cluster-admin", "admin", "edit", "view"):
            self.assertIn(default, names)

    def test_create_from_yaml(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  k: v\n---\n"
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fromyaml\nspec:\n"
                    "  selector: {matchLabels: {app: y}}\n  template:\n    metadata: {labels: {app: y}}\n"
                    "    spec: {containers: [{name: c, image: nginx}]}\n")
        utils.create_from_yaml(client.ApiClient(), f.name)
        os.unlink(f.name)
        self.assertEqual(self.core.read_namespaced_config_map("fromyaml", "default").data, {"k": "v"})
        self.assertEqual(self.apps.read_namespaced_deployment("fromyaml", "default").spec.replicas, 1)
        utils.create_from_yaml(client.ApiClient(), os.path.join(MANIFESTS, "service-nodeport.yaml"))
        self.assertEqual(self.core.read_namespaced_service("webserver-np", "default").spec.type, "NodePort")

    def test_watch_with_timeout(self):
        w = watch.Watch()
        rv = self.core.list_namespaced_config_map("default").metadata.resource_version
        self.core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="watched")))
        seen = []
        for ev in w.stream(self.core.list_namespaced_config_map, "default", resource_version=rv,
                           timeout_seconds=2):
            seen.append((ev["type"], ev["object"].metadata.name))
        self.assertIn(("ADDED", "watched"), seen)

    def test_label_selectors_and_bools(self):
        for n, tier in (("l1", "web"), ("l2", "db")):
            self.core.create_namespaced_config_map("default", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name=n, labels={"tier": tier})))
        items = self.core.list_namespaced_config_map("default", label_selector="tier=web").items
        self.assertEqual([i.metadata.name for i in items], ["l1"])
        # the client sends watch=True (Go's ParseBool accepts it)
        resp = self.core.list_namespaced_config_map("default", watch=True, timeout_seconds=1,
                                                    _preload_content=False)
        self.assertEqual(resp.status, 200)
        resp.release_conn()


if __name__ == "__main__":
    unittest.main(verbosity=2)
